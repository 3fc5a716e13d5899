/**
 * kube-downscaler's model, so its users switch to finops (and back) without re-annotating anything:
 * which `downscaler/*` annotations apply to a workload, whether it should be up or down at an
 * instant, and what to do given its live replicas and `downscaler/original-replicas`. Pure.
 *
 * Semantics are kube-downscaler's (hjacobs/kube-downscaler and its maintained Python fork,
 * caas-team/py-kube-downscaler), checked against their scaler.py:
 * - Each value is resolved on its own, the most specific level that sets it winning: the workload's
 *   annotation, else its namespace's, else the first matching finops.yaml schedule (kube-downscaler's
 *   command-line defaults), else the default. So a workload's own `downtime-replicas` beats its
 *   namespace's, and a workload with its own `uptime` still takes its namespace's `downtime-replicas`.
 * - `exclude` (any value but "false") or a future `exclude-until`, on the workload or its namespace,
 *   leaves it alone, except that one still scaled down (it carries `original-replicas`) is scaled back
 *   up.
 * - Order of decision: `force-uptime` (true, or a time spec that matches; also any running pod in
 *   scope annotated `downscaler/force-uptime: "true"` when no force-uptime annotation is set), then
 *   `force-downtime`, then `upscale-period`/`downscale-period` when either is set (up inside the
 *   upscale period, down inside the downscale period, nothing outside both or where they overlap),
 *   else up exactly when `uptime` matches and `downtime` does not.
 * - Down means replicas above `downtime-replicas` (default 0) go to it, recording the count in
 *   `downscaler/original-replicas`; up means a workload carrying that annotation goes back to it.
 *   CronJobs and Jobs are suspended (original 1), DaemonSets get kube-downscaler's unmatchable nodeSelector
 *   (original 1), HorizontalPodAutoscalers get `minReplicas` lowered (never below 1), Argo Rollouts
 *   are scaled like Deployments.
 * GoKubeDownscaler's workload-level `force-uptime`/`force-downtime`, its `downscale-replicas` spelling
 * and its duration form of `grace-period` are read too. Where finops differs on purpose (an unreadable
 * annotation skips the workload instead of being ignored; a second scale-down keeps the first
 * original count; a hand-made change during downtime is restored to at least the original), the
 * docs say so (docs/apply.md).
 */
import {
  type TimeSpec,
  localTime,
  matchesTimeSpec,
  parseExcludeUntil,
  parseTimeSpec,
  type WeeklyRule,
} from './time-spec.js'
import {namespaceMatches} from './workload-filter.js'

export const DOWNSCALER_ANNOTATIONS = {
  uptime: 'downscaler/uptime',
  downtime: 'downscaler/downtime',
  upscalePeriod: 'downscaler/upscale-period',
  downscalePeriod: 'downscaler/downscale-period',
  forceUptime: 'downscaler/force-uptime',
  forceDowntime: 'downscaler/force-downtime',
  exclude: 'downscaler/exclude',
  excludeUntil: 'downscaler/exclude-until',
  downtimeReplicas: 'downscaler/downtime-replicas',
  /** GoKubeDownscaler's name for downtime-replicas. */
  downscaleReplicas: 'downscaler/downscale-replicas',
  gracePeriod: 'downscaler/grace-period',
  /** The replicas before a scale-down: written by whichever tool scaled down, read by whichever scales up. */
  originalReplicas: 'downscaler/original-replicas',
} as const

/** The kinds kube-downscaler scales (its `--include-resources`), named as their API kinds. */
export const SCHEDULABLE_KINDS = [
  'Deployment',
  'StatefulSet',
  'CronJob',
  'HorizontalPodAutoscaler',
  'Rollout',
  'DaemonSet',
  /** Jobs no CronJob owns (kube-downscaler's `jobs` without an admission controller). */
  'Job',
] as const

/**
 * kube-downscaler suspends a DaemonSet by adding this key (value "true") to its pod template's
 * nodeSelector, which no node matches, and resumes it by removing the key: it counts as 0 while
 * the key is there, else 1.
 */
export const DAEMONSET_SUSPEND_SELECTOR = 'kube-downscaler-non-existent'
export type SchedulableKind = (typeof SCHEDULABLE_KINDS)[number]

/** An off-hours rule from finops.yaml, matched against namespaces (globs) and workload labels. */
export interface ConfiguredSchedule {
  namespaces?: readonly string[]
  /** Every listed label must match. */
  labels?: Readonly<Record<string, string>>
  uptime?: string
  downtime?: string
  upscalePeriod?: string
  downscalePeriod?: string
  downtimeReplicas?: number
}

export interface ScheduleDefaults {
  holidays: readonly string[]
  /** Time zone for holidays when the schedule's rules name none. */
  timeZone: string
  /** kube-downscaler's --grace-period: objects younger than this are not scaled down (default 900). */
  gracePeriodSeconds?: number
  /** kube-downscaler's DEFAULT_TIMEZONE and DEFAULT_WEEKFRAME, for rules that leave them out. */
  defaultTimeZone?: string
  defaultWeekFrame?: string
}

/** What the policy of one object is resolved from. */
export interface ScheduleSubject {
  namespace: string
  labels: Readonly<Record<string, string>>
  annotations: Readonly<Record<string, string>>
  namespaceAnnotations: Readonly<Record<string, string>>
}

/** The resolved values for one object, each from the most specific level that sets it. */
export interface DownscalerPolicy {
  /** Absent when no level sets force-uptime: then running pods annotated force-uptime decide. */
  forceUptime?: TimeSpec
  forceDowntime?: TimeSpec
  /** Set when an upscale or downscale period is set: they then decide instead of uptime/downtime. */
  periods?: {upscale: TimeSpec; downscale: TimeSpec}
  uptime: TimeSpec
  downtime: TimeSpec
  downtimeReplicas: number
  holidays: readonly string[]
  holidayTimeZone: string
  gracePeriodSeconds: number
  /** Whether any schedule value is set at any level (else the object is always up). */
  scheduled: boolean
  /** The set values in kube-downscaler's words: 'uptime Mon-Fri 07:30-20:30 Europe/Berlin; downtime-replicas 1'. */
  text: string
  /** Where each set value came from: 'uptime: namespace annotation', ... */
  sources: string[]
}

export interface PolicyResolution {
  /** Why the object is excluded (workload or namespace exclude / exclude-until), if it is. */
  excluded?: string
  policy?: DownscalerPolicy
  /** An annotation or setting that cannot be read: nothing is done to the object (it is reported). */
  problem?: string
}

type Level = {name: string; values: Readonly<Record<string, string>>}

const isNotFalse = (value: string | undefined): boolean => value !== undefined && value.trim().toLowerCase() !== 'false'

/**
 * Resolves the policy of one object: exclusions (either level), then each value from the most
 * specific level that sets it.
 */
export function resolvePolicy(
  subject: ScheduleSubject,
  configured: readonly ConfiguredSchedule[],
  defaults: ScheduleDefaults,
  now: Date | number,
): PolicyResolution {
  const nowMs = typeof now === 'number' ? now : now.getTime()
  const A = DOWNSCALER_ANNOTATIONS
  const annotationLevels: Level[] = [
    {name: 'workload annotation', values: subject.annotations},
    {name: 'namespace annotation', values: subject.namespaceAnnotations},
  ]
  let excluded: string | undefined
  for (const level of annotationLevels) {
    if (isNotFalse(level.values[A.exclude])) {
      excluded = `${level.name} ${A.exclude}=${level.values[A.exclude]}`
      break
    }
    const until = level.values[A.excludeUntil]
    if (until !== undefined && until.trim() !== '') {
      const untilMs = parseExcludeUntil(until)
      if (Number.isNaN(untilMs))
        return {
          problem: `${level.name} ${A.excludeUntil} '${until}' is not a date (write e.g. 2024-12-31 or 2024-12-31T18:00:00Z)`,
        }
      if (nowMs < untilMs) {
        excluded = `${level.name} ${A.excludeUntil}=${until}`
        break
      }
    }
  }

  const index = configured.findIndex((rule) => configuredMatches(rule, subject))
  const rule = index >= 0 ? configured[index] : undefined
  const configLevel: Level = {
    name: `finops.yaml schedules[${index}]`,
    values: definedOnly({
      [A.uptime]: rule?.uptime,
      [A.downtime]: rule?.downtime,
      [A.upscalePeriod]: rule?.upscalePeriod,
      [A.downscalePeriod]: rule?.downscalePeriod,
      [A.downtimeReplicas]: rule?.downtimeReplicas === undefined ? undefined : String(rule.downtimeReplicas),
    }),
  }
  const levels = [...annotationLevels, configLevel]
  const specDefaults = {timeZone: defaults.defaultTimeZone, weekFrame: defaults.defaultWeekFrame}
  const text: string[] = []
  const sources: string[] = []
  const pick = (...keys: string[]): {value: string; key: string; level: string} | undefined => {
    for (const level of levels)
      for (const key of keys) {
        const value = level.values[key]
        if (value !== undefined) return {value, key, level: level.name}
      }
    return undefined
  }
  try {
    const spec = (name: string, key: string): TimeSpec | undefined => {
      const found = pick(key)
      if (!found) return undefined
      const parsed = parseTimeSpec(found.value, `${found.level} ${key}`, specDefaults)
      text.push(`${name} ${found.value.trim()}`)
      sources.push(`${name}: ${found.level}`)
      return parsed
    }
    const force = (name: string, key: string): TimeSpec | undefined => {
      const found = pick(key)
      if (!found) return undefined
      const value = found.value.trim().toLowerCase()
      const parsed: TimeSpec =
        value === 'true'
          ? {kind: 'always'}
          : value === 'false' || value === ''
            ? {kind: 'never'}
            : parseTimeSpec(found.value, `${found.level} ${key}`, specDefaults)
      text.push(`${name} ${found.value.trim()}`)
      sources.push(`${name}: ${found.level}`)
      return parsed
    }
    const forceUptime = force('force-uptime', A.forceUptime)
    const forceDowntime = force('force-downtime', A.forceDowntime)
    const upscale = spec('upscale-period', A.upscalePeriod)
    const downscale = spec('downscale-period', A.downscalePeriod)
    const periodsSet =
      (upscale !== undefined && upscale.kind !== 'never') || (downscale !== undefined && downscale.kind !== 'never')
    const uptime = spec('uptime', A.uptime)
    const downtime = spec('downtime', A.downtime)

    let downtimeReplicas = 0
    const replicas = pick(A.downtimeReplicas, A.downscaleReplicas)
    if (replicas) {
      if (!/^\s*\d+\s*$/.test(replicas.value))
        return {
          excluded,
          problem: `${replicas.level} ${replicas.key} '${replicas.value}' is not a whole number of replicas (write e.g. "0" or "1")`,
        }
      downtimeReplicas = Number(replicas.value)
      sources.push(`downtime-replicas: ${replicas.level}`)
    }

    const defaultGrace = defaults.gracePeriodSeconds ?? 900
    let gracePeriodSeconds = defaultGrace
    const grace = pick(A.gracePeriod)
    if (grace) {
      const seconds = parseDuration(grace.value)
      if (seconds === undefined)
        return {
          excluded,
          problem: `${grace.level} ${A.gracePeriod} '${grace.value}' is not a duration (seconds, or e.g. 15m, 1h30m)`,
        }
      // py-kube-downscaler's whole seconds only shorten the global grace period, and 0 is ignored;
      // GoKubeDownscaler's durations (15m) replace it.
      gracePeriodSeconds = /^\s*\d+\s*$/.test(grace.value)
        ? seconds > 0
          ? Math.min(seconds, defaultGrace)
          : defaultGrace
        : seconds
    }

    const zone = [uptime, downtime, upscale, downscale]
      .flatMap((s) => (s?.kind === 'rules' ? s.rules : []))
      .find((r): r is WeeklyRule => r.kind === 'weekly')?.timeZone
    const scheduled = [forceUptime, forceDowntime, uptime, downtime].some((s) => s !== undefined) || periodsSet
    return {
      excluded,
      policy: {
        forceUptime,
        forceDowntime,
        periods: periodsSet
          ? {upscale: upscale ?? {kind: 'never'}, downscale: downscale ?? {kind: 'never'}}
          : undefined,
        uptime: uptime ?? {kind: 'always'},
        downtime: downtime ?? {kind: 'never'},
        downtimeReplicas,
        holidays: scheduled ? defaults.holidays : [],
        holidayTimeZone: zone ?? defaults.timeZone,
        gracePeriodSeconds,
        scheduled,
        text: text.join('; '),
        sources,
      },
    }
  } catch (error) {
    return {excluded, problem: (error as Error).message}
  }
}

const definedOnly = (values: Record<string, string | undefined>): Record<string, string> =>
  Object.fromEntries(Object.entries(values).filter((e): e is [string, string] => e[1] !== undefined))

/** Seconds from kube-downscaler's integer seconds or GoKubeDownscaler's durations (`15m`, `1h30m`, `90s`). */
export function parseDuration(text: string): number | undefined {
  const value = text.trim()
  if (/^\d+$/.test(value)) return Number(value)
  const match = /^(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m)?(?:(\d+(?:\.\d+)?)s)?$/.exec(value)
  if (!match || value === '') return undefined
  return Math.round(Number(match[1] ?? 0) * 3600 + Number(match[2] ?? 0) * 60 + Number(match[3] ?? 0))
}

function configuredMatches(rule: ConfiguredSchedule, subject: ScheduleSubject): boolean {
  if (
    rule.namespaces &&
    rule.namespaces.length > 0 &&
    !rule.namespaces.some((g) => namespaceMatches(g, subject.namespace))
  )
    return false
  for (const [key, value] of Object.entries(rule.labels ?? {})) if (subject.labels[key] !== value) return false
  return true
}

export type ScaleState = 'up' | 'down' | 'ignore'

/**
 * Up, down, or neither (outside both periods, or inside both) at an instant. `podsForceUptime`: a
 * running pod in scope is annotated force-uptime (counts only when no level sets force-uptime).
 * Holidays (finops.yaml) keep a scheduled workload down all day unless uptime is forced.
 */
export function stateAt(policy: DownscalerPolicy, instant: Date | number, podsForceUptime = false): ScaleState {
  const t = typeof instant === 'number' ? instant : instant.getTime()
  if (policy.forceUptime ? matchesTimeSpec(policy.forceUptime, t) : podsForceUptime) return 'up'
  if (policy.forceDowntime && matchesTimeSpec(policy.forceDowntime, t)) return 'down'
  if (policy.holidays.length > 0 && policy.holidays.includes(localTime(t, policy.holidayTimeZone).date)) return 'down'
  if (policy.periods) {
    const up = matchesTimeSpec(policy.periods.upscale, t)
    const down = matchesTimeSpec(policy.periods.downscale, t)
    if (up === down) return 'ignore'
    return up ? 'up' : 'down'
  }
  return matchesTimeSpec(policy.uptime, t) && !matchesTimeSpec(policy.downtime, t) ? 'up' : 'down'
}

/**
 * The share of time spent down over `days` days from `from`, minute by minute (schedules are written
 * in minutes; DST and holidays count). Where neither period applies the state stays what it was, as
 * kube-downscaler leaves the object alone; the sweep starts up. Used for savings.
 */
export function downtimeShare(policy: DownscalerPolicy, from: Date | number, days = 28): number {
  const start = Math.floor((typeof from === 'number' ? from : from.getTime()) / 60_000) * 60_000
  const minutes = days * 1440
  let down = 0
  let state: 'up' | 'down' = 'up'
  for (let i = 0; i < minutes; i++) {
    const next = stateAt(policy, start + i * 60_000)
    if (next !== 'ignore') state = next
    if (state === 'down') down++
  }
  return down / minutes
}

/** How kube-downscaler sees an object's scale. */
export interface ObjectScale {
  kind: SchedulableKind
  /** Deployment/StatefulSet/Rollout: spec.replicas; CronJob, Job and DaemonSet: 0 when suspended, else 1; HPA: minReplicas. */
  replicas: number
  /** HPA spec.maxReplicas (a restore never goes above it). */
  maxReplicas?: number
  /** From `downscaler/original-replicas` (or, failing that, the journal or finops's older annotation). */
  originalReplicas?: number
  /** metadata.creationTimestamp, for the grace period. */
  createdAt?: string
}

export type DownscalerDecision =
  | {action: 'down'; replicas: number; original: number; why: string}
  | {action: 'up'; replicas: number; original: number; why: string}
  /** Already back at (or above) the original count: only the annotation is left to remove. */
  | {action: 'forget'; original: number; why: string}
  | {
      action: 'none'
      code: 'excluded' | 'schedule' | 'uptime' | 'downtime' | 'ignore' | 'grace' | 'invalid'
      why: string
    }

/** What to do with one object now, given its resolved policy and live scale. */
export function decideDownscale(
  resolution: PolicyResolution,
  scale: ObjectScale,
  now: Date | number,
  podsForceUptime = false,
): DownscalerDecision {
  const t = typeof now === 'number' ? now : now.getTime()
  const original =
    scale.originalReplicas !== undefined && scale.originalReplicas > 0 ? scale.originalReplicas : undefined
  if (resolution.problem) return {action: 'none', code: 'schedule', why: resolution.problem}
  const policy = resolution.policy!
  let state: ScaleState
  let because: string
  if (resolution.excluded) {
    if (original === undefined) return {action: 'none', code: 'excluded', why: `excluded by ${resolution.excluded}`}
    state = 'up'
    because = `excluded by ${resolution.excluded} while scaled down`
  } else {
    state = stateAt(policy, t, podsForceUptime)
    because =
      policy.forceUptime === undefined && podsForceUptime && state === 'up'
        ? 'a running pod is annotated downscaler/force-uptime'
        : policy.scheduled
          ? `${state === 'ignore' ? 'outside or inside both periods' : state === 'up' ? 'uptime' : 'downtime'} (${policy.text})`
          : 'no schedule (always up)'
  }
  if (state === 'ignore') return {action: 'none', code: 'ignore', why: because}
  const capUp = (n: number): number => (scale.maxReplicas !== undefined ? Math.min(n, scale.maxReplicas) : n)

  if (state === 'up') {
    if (original === undefined) return {action: 'none', code: 'uptime', why: because}
    if (scale.replicas >= capUp(original))
      return {action: 'forget', original, why: `${because}: already at ${scale.replicas} (original ${original})`}
    // kube-downscaler restores only from exactly the downtime count; a count changed by hand in between is
    // still brought back up to the original (never down).
    return {action: 'up', replicas: capUp(original), original, why: because}
  }

  const target = policy.downtimeReplicas
  if (scale.kind === 'HorizontalPodAutoscaler' && target < 1)
    return {
      action: 'none',
      code: 'invalid',
      why: `${because}: a HorizontalPodAutoscaler's minReplicas cannot go below 1 (set ${DOWNSCALER_ANNOTATIONS.downtimeReplicas} to 1 or more on it)`,
    }
  if (!(scale.replicas > 0 && scale.replicas > target))
    return {action: 'none', code: 'downtime', why: `${because}: already at ${scale.replicas}`}
  if (scale.createdAt) {
    const age = (t - Date.parse(scale.createdAt)) / 1000
    // Inclusive, as kube-downscaler's within_grace_period (delta <= grace period).
    if (Number.isFinite(age) && age <= policy.gracePeriodSeconds)
      return {
        action: 'none',
        code: 'grace',
        why: `${because}: created ${Math.max(0, Math.round(age))}s ago, within the grace period of ${policy.gracePeriodSeconds}s`,
      }
  }
  // A second scale-down (downtime-replicas lowered meanwhile) keeps the first original count.
  return {action: 'down', replicas: target, original: Math.max(original ?? 0, scale.replicas), why: because}
}
