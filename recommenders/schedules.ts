/**
 * Off-hours schedules in kube-downscaler's language, so its users can switch without re-annotating:
 * `downscaler/uptime`, `downscaler/downtime`, `downscaler/exclude`, `downscaler/exclude-until`,
 * `downscaler/downtime-replicas` on workloads or namespaces, plus schedules and holidays from
 * finops.yaml. Pure: time zones come from Intl, nothing reads the clock.
 *
 * Time specs: `always`, `never`, or a comma-separated list of rules, each either weekly
 * (`Mon-Fri 07:30-20:30 Europe/Berlin`, `Sat 10:00-14:00 UTC`, `Fri-Mon ...` wraps the week,
 * `Mon-Fri 22:00-06:00 ...` runs past midnight into the next day) or absolute
 * (`2024-12-24T00:00:00+01:00-2024-12-27T00:00:00+01:00`). Ranges are half-open: [from, to).
 */
import {inputError} from '../src/errors.js'

export const ANNOTATIONS = {
  uptime: 'downscaler/uptime',
  downtime: 'downscaler/downtime',
  exclude: 'downscaler/exclude',
  excludeUntil: 'downscaler/exclude-until',
  downtimeReplicas: 'downscaler/downtime-replicas',
} as const

const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const

export interface WeeklyRule {
  kind: 'weekly'
  /** Days the rule starts on, 0 = Monday ... 6 = Sunday. */
  days: ReadonlySet<number>
  /** Minutes after local midnight; end may be 1440 (24:00). end < start runs past midnight. */
  startMinute: number
  endMinute: number
  timeZone: string
}

export interface AbsoluteRule {
  kind: 'absolute'
  /** Epoch milliseconds, half-open [from, to). */
  from: number
  to: number
}

export type TimeRule = WeeklyRule | AbsoluteRule

export type TimeSpec = {kind: 'always'} | {kind: 'never'} | {kind: 'rules'; rules: readonly TimeRule[]}

/** A resolved schedule: in downtime when a holiday, outside uptime, or inside downtime. */
export interface Schedule {
  uptime: TimeSpec
  downtime: TimeSpec
  /** YYYY-MM-DD days that are downtime all day, in `holidayTimeZone`. */
  holidays: readonly string[]
  holidayTimeZone: string
  /** Replicas during downtime (kube-downscaler's downtime-replicas; default 0). */
  downtimeReplicas: number
  /** Human form, e.g. 'uptime Mon-Fri 07:30-20:30 Europe/Berlin'. */
  text: string
  /** Where it came from: 'workload annotation', 'namespace annotation', 'finops.yaml schedules[0]'. */
  source: string
}

const WEEKLY = /^([A-Za-z]{3})(?:-([A-Za-z]{3}))?\s+(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})\s+([A-Za-z0-9/_+-]+)$/
const ISO = String.raw`\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?(?:Z|[+-]\d{2}:\d{2})`
const ABSOLUTE = new RegExp(`^(${ISO})-(${ISO})$`)

/** Parses a time spec; errors name the field and show a valid example. */
export function parseTimeSpec(text: string, field = 'schedule'): TimeSpec {
  const trimmed = text.trim()
  if (/^always$/i.test(trimmed)) return {kind: 'always'}
  if (/^never$/i.test(trimmed)) return {kind: 'never'}
  if (trimmed === '') throw scheduleError(field, text, 'it is empty')
  const rules = trimmed.split(',').map((part) => parseRule(part.trim(), field, text))
  return {kind: 'rules', rules}
}

function parseRule(part: string, field: string, whole: string): TimeRule {
  const absolute = ABSOLUTE.exec(part)
  if (absolute) {
    const from = Date.parse(absolute[1]!)
    const to = Date.parse(absolute[2]!)
    if (Number.isNaN(from) || Number.isNaN(to)) throw scheduleError(field, whole, `'${part}' is not a valid date range`)
    if (to <= from) throw scheduleError(field, whole, `'${part}' ends before it starts`)
    return {kind: 'absolute', from, to}
  }
  const weekly = WEEKLY.exec(part)
  if (!weekly) throw scheduleError(field, whole, `'${part}' is not 'Mon-Fri 07:30-20:30 Europe/Berlin' or an ISO range`)
  const [, dayFrom, dayTo, h1, m1, h2, m2, timeZone] = weekly
  const first = dayIndex(dayFrom!, field, whole)
  const last = dayTo === undefined ? first : dayIndex(dayTo, field, whole)
  const days = new Set<number>()
  for (let d = first; ; d = (d + 1) % 7) {
    days.add(d)
    if (d === last) break
  }
  const startMinute = clockMinutes(h1!, m1!, false, field, whole)
  const endMinute = clockMinutes(h2!, m2!, true, field, whole)
  if (startMinute === endMinute) throw scheduleError(field, whole, `'${part}' is an empty time range`)
  if (!isTimeZone(timeZone!))
    throw scheduleError(field, whole, `unknown time zone '${timeZone}' (use an IANA name such as Europe/Berlin or UTC)`)
  return {kind: 'weekly', days, startMinute, endMinute, timeZone: timeZone!}
}

function dayIndex(name: string, field: string, whole: string): number {
  const index = DAYS.findIndex((d) => d.toLowerCase() === name.toLowerCase())
  if (index < 0) throw scheduleError(field, whole, `unknown day '${name}' (use Mon, Tue, Wed, Thu, Fri, Sat, Sun)`)
  return index
}

function clockMinutes(hours: string, minutes: string, isEnd: boolean, field: string, whole: string): number {
  const h = Number(hours)
  const m = Number(minutes)
  const value = h * 60 + m
  if (m > 59 || h > 24 || value > 1440 || (value === 1440 && !isEnd))
    throw scheduleError(field, whole, `${hours}:${minutes} is not a time of day`)
  return value
}

function scheduleError(field: string, text: string, problem: string) {
  return inputError(
    `${field} '${text}': ${problem}`,
    "write e.g. 'Mon-Fri 07:30-20:30 Europe/Berlin' (comma-separate several rules), 'always' or 'never'",
  )
}

const zoneCache = new Map<string, boolean>()
/** True for a time zone Intl knows (IANA names, UTC). */
export function isTimeZone(name: string): boolean {
  let known = zoneCache.get(name)
  if (known === undefined) {
    try {
      new Intl.DateTimeFormat('en-US', {timeZone: name})
      known = true
    } catch {
      known = false
    }
    zoneCache.set(name, known)
  }
  return known
}

/** Local wall-clock parts of an instant in a time zone. */
export interface LocalTime {
  /** 0 = Monday ... 6 = Sunday */
  weekday: number
  minuteOfDay: number
  /** YYYY-MM-DD local date */
  date: string
}

const formatters = new Map<string, Intl.DateTimeFormat>()
const QUARTER_MS = 15 * 60_000
const quarterCache = new Map<string, LocalTime>()

/**
 * The local time of an instant. Every real UTC offset is a multiple of 15 minutes, so the local
 * time of a UTC quarter-hour plus the minutes into it is exact; caching per quarter makes a
 * month-long sweep over many workloads cheap.
 */
export function localTime(epochMs: number, timeZone: string): LocalTime {
  const quarter = Math.floor(epochMs / QUARTER_MS) * QUARTER_MS
  const key = `${timeZone}\u0000${quarter}`
  let base = quarterCache.get(key)
  if (!base) {
    base = intlLocalTime(quarter, timeZone)
    if (quarterCache.size > 50_000) quarterCache.clear()
    quarterCache.set(key, base)
  }
  const extra = Math.floor((epochMs - quarter) / 60_000)
  return extra === 0 ? base : {...base, minuteOfDay: base.minuteOfDay + extra}
}

function intlLocalTime(epochMs: number, timeZone: string): LocalTime {
  let format = formatters.get(timeZone)
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      weekday: 'short',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
    formatters.set(timeZone, format)
  }
  const parts: Record<string, string> = {}
  for (const part of format.formatToParts(new Date(epochMs))) parts[part.type] = part.value
  return {
    weekday: DAYS.indexOf(parts.weekday as (typeof DAYS)[number]),
    minuteOfDay: Number(parts.hour) * 60 + Number(parts.minute),
    date: `${parts.year}-${parts.month}-${parts.day}`,
  }
}

function ruleMatches(rule: TimeRule, epochMs: number): boolean {
  if (rule.kind === 'absolute') return epochMs >= rule.from && epochMs < rule.to
  const local = localTime(epochMs, rule.timeZone)
  if (rule.startMinute < rule.endMinute) {
    return rule.days.has(local.weekday) && local.minuteOfDay >= rule.startMinute && local.minuteOfDay < rule.endMinute
  }
  // Past midnight: the evening part belongs to the listed day, the morning part to the day after it.
  if (rule.days.has(local.weekday) && local.minuteOfDay >= rule.startMinute) return true
  return rule.days.has((local.weekday + 6) % 7) && local.minuteOfDay < rule.endMinute
}

/** Whether a time spec covers an instant. */
export function matchesTimeSpec(spec: TimeSpec, instant: Date | number): boolean {
  const epochMs = typeof instant === 'number' ? instant : instant.getTime()
  if (spec.kind === 'always') return true
  if (spec.kind === 'never') return false
  return spec.rules.some((rule) => ruleMatches(rule, epochMs))
}

/**
 * Whether the workload should be scaled down at `instant`: on a holiday, outside its uptime, or
 * inside its downtime (kube-downscaler's rule: up = matches(uptime) and not matches(downtime)).
 */
export function isInDowntime(schedule: Schedule, instant: Date | number): boolean {
  const epochMs = typeof instant === 'number' ? instant : instant.getTime()
  if (schedule.holidays.length > 0 && schedule.holidays.includes(localTime(epochMs, schedule.holidayTimeZone).date))
    return true
  return !matchesTimeSpec(schedule.uptime, epochMs) || matchesTimeSpec(schedule.downtime, epochMs)
}

/**
 * The share of time in downtime over `days` days from `from`, at minute resolution (schedules are
 * written in minutes). Used for savings: hours saved = share x hours in a month.
 */
export function downtimeShare(schedule: Schedule, from: Date | number, days = 28): number {
  const start = Math.floor((typeof from === 'number' ? from : from.getTime()) / 60_000) * 60_000
  const minutes = days * 1440
  let down = 0
  for (let i = 0; i < minutes; i++) if (isInDowntime(schedule, start + i * 60_000)) down++
  return down / minutes
}

/** An off-hours rule from finops.yaml, matched against namespaces (globs) and workload labels. */
export interface ConfiguredSchedule {
  namespaces?: readonly string[]
  /** Every listed label must match. */
  labels?: Readonly<Record<string, string>>
  uptime?: string
  downtime?: string
  downtimeReplicas?: number
}

export interface ScheduleDefaults {
  holidays: readonly string[]
  /** Time zone for holidays when the schedule's rules name none (absolute rules, always/never). */
  timeZone: string
}

export interface ScheduledWorkload {
  namespace: string
  annotations: Readonly<Record<string, string>>
  labels: Readonly<Record<string, string>>
  namespaceAnnotations: Readonly<Record<string, string>>
}

export type ScheduleResolution =
  {kind: 'none'} | {kind: 'excluded'; reason: string} | {kind: 'schedule'; schedule: Schedule}

/**
 * The schedule that applies to a workload, with kube-downscaler's precedence: workload annotations,
 * then namespace annotations, then the first matching finops.yaml schedule. Exclusions win.
 */
export function resolveSchedule(
  workload: ScheduledWorkload,
  configured: readonly ConfiguredSchedule[],
  defaults: ScheduleDefaults,
  now: Date | number,
): ScheduleResolution {
  const nowMs = typeof now === 'number' ? now : now.getTime()
  for (const [annotations, where] of [
    [workload.annotations, 'workload'],
    [workload.namespaceAnnotations, 'namespace'],
  ] as const) {
    if ((annotations[ANNOTATIONS.exclude] ?? '').trim().toLowerCase() === 'true') {
      return {kind: 'excluded', reason: `${where} annotation ${ANNOTATIONS.exclude}=true`}
    }
    const until = annotations[ANNOTATIONS.excludeUntil]
    if (until !== undefined) {
      const untilMs = parseExcludeUntil(until)
      if (Number.isNaN(untilMs))
        throw inputError(
          `${where} annotation ${ANNOTATIONS.excludeUntil} '${until}' is not a date`,
          'write e.g. 2024-12-31 or 2024-12-31T18:00:00+01:00',
        )
      if (nowMs < untilMs) return {kind: 'excluded', reason: `${where} annotation ${ANNOTATIONS.excludeUntil}=${until}`}
    }
  }
  for (const [annotations, where] of [
    [workload.annotations, 'workload'],
    [workload.namespaceAnnotations, 'namespace'],
  ] as const) {
    const uptime = annotations[ANNOTATIONS.uptime]
    const downtime = annotations[ANNOTATIONS.downtime]
    if (uptime === undefined && downtime === undefined) continue
    const replicasText = annotations[ANNOTATIONS.downtimeReplicas] ?? workload.annotations[ANNOTATIONS.downtimeReplicas]
    const downtimeReplicas = replicasText === undefined ? 0 : Number(replicasText)
    if (!Number.isInteger(downtimeReplicas) || downtimeReplicas < 0) {
      throw inputError(
        `${where} annotation ${ANNOTATIONS.downtimeReplicas} '${replicasText}' is not a whole number`,
        'write e.g. "0" or "1"',
      )
    }
    return {
      kind: 'schedule',
      schedule: buildSchedule(
        uptime,
        downtime,
        downtimeReplicas,
        `${where} annotation`,
        defaults,
        `${where} annotation`,
      ),
    }
  }
  for (const [index, rule] of configured.entries()) {
    if (!configuredMatches(rule, workload)) continue
    const field = `kubernetes.recommend.schedules[${index}]`
    return {
      kind: 'schedule',
      schedule: buildSchedule(
        rule.uptime,
        rule.downtime,
        rule.downtimeReplicas ?? 0,
        `finops.yaml schedules[${index}]`,
        defaults,
        field,
      ),
    }
  }
  return {kind: 'none'}
}

/**
 * kube-downscaler's exclude-until forms (YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SSZ], YYYY-MM-DD HH:MM) are
 * UTC; JavaScript would read a time without an offset in the machine's zone, so UTC is made explicit.
 */
export function parseExcludeUntil(text: string): number {
  const value = text.trim()
  const plain = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2})?))?$/.exec(value)
  if (plain) return Date.parse(`${plain[1]}T${plain[2] ?? '00:00'}Z`)
  return /(?:Z|[+-]\d{2}:?\d{2})$/i.test(value) ? Date.parse(value) : Number.NaN
}

/** Builds a schedule from its texts; holidays use the first weekly rule's time zone. */
export function buildSchedule(
  uptime: string | undefined,
  downtime: string | undefined,
  downtimeReplicas: number,
  source: string,
  defaults: ScheduleDefaults,
  field = 'schedule',
): Schedule {
  const up = uptime === undefined ? {kind: 'always' as const} : parseTimeSpec(uptime, `${field} uptime`)
  const down = downtime === undefined ? {kind: 'never' as const} : parseTimeSpec(downtime, `${field} downtime`)
  const zone = [up, down]
    .flatMap((s) => (s.kind === 'rules' ? s.rules : []))
    .find((r): r is WeeklyRule => r.kind === 'weekly')?.timeZone
  const text = [
    uptime === undefined ? '' : `uptime ${uptime.trim()}`,
    downtime === undefined ? '' : `downtime ${downtime.trim()}`,
  ]
    .filter(Boolean)
    .join('; ')
  return {
    uptime: up,
    downtime: down,
    holidays: defaults.holidays,
    holidayTimeZone: zone ?? defaults.timeZone,
    downtimeReplicas,
    text,
    source,
  }
}

function configuredMatches(rule: ConfiguredSchedule, workload: ScheduledWorkload): boolean {
  if (
    rule.namespaces &&
    rule.namespaces.length > 0 &&
    !rule.namespaces.some((glob) => globMatches(glob, workload.namespace))
  )
    return false
  for (const [key, value] of Object.entries(rule.labels ?? {})) if (workload.labels[key] !== value) return false
  return true
}

/** `*` matches any run of characters, everything else literally (namespace names have no other metacharacters). */
export function globMatches(glob: string, value: string): boolean {
  const pattern = new RegExp(
    `^${glob
      .split('*')
      .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  )
  return pattern.test(value)
}

/**
 * Reads a schedule back from the text form recommendations carry in `proposed.schedule`
 * ('uptime Mon-Fri 07:30-20:30 Europe/Berlin; downtime ...'), with the holidays and time zone of
 * finops.yaml (`kubernetes.recommend.scaleDown`), so apply enforces what recommend priced.
 */
export function parseScheduleText(
  text: string,
  defaults: ScheduleDefaults,
  downtimeReplicas = 0,
  source = 'recommendation',
): Schedule {
  let uptime: string | undefined
  let downtime: string | undefined
  for (const part of text
    .split(';')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const match = /^(uptime|downtime)\s+(.+)$/i.exec(part)
    if (!match) uptime = part
    else if (match[1]!.toLowerCase() === 'uptime') uptime = match[2]
    else downtime = match[2]
  }
  return buildSchedule(uptime, downtime, downtimeReplicas, source, defaults)
}
