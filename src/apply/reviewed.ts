/**
 * `finops apply --recommendations FILE`: a reviewed (possibly hand-edited) `finops recommend --json`
 * is input from outside, so it is checked, not trusted. Every entry must follow the recommend
 * contract, target a kind apply can change with an id that belongs to that target, and ask for
 * values inside sane bounds and inside the cluster's own limits (LimitRanges, node allocatable);
 * the monthly savings are computed again from the store's prices. Any failure names the entry and
 * the field and stops before anything is changed.
 */
import fs from 'node:fs'

import {recommendationIdFor} from '../../recommenders/registry.js'
import {monthlyCost, type PriceLookup} from '../../recommenders/pricing.js'
import {recommendationSchema} from '../../recommenders/schema.js'
import {inputError} from '../errors.js'
import {downtimeShare, SCHEDULABLE_KINDS} from '../k8s/downscaler.js'
import {formatCpu, formatMemory, parseQuantity} from '../k8s/quantity.js'
import {APPLICABLE_KINDS, type ContainerResources} from '../model/action.js'
import type {Workload} from '../model/k8s.js'
import type {Recommendation} from '../model/recommendation.js'
import type {WorkloadCluster} from './cluster.js'
import {readContainer, type WorkloadObject} from './fields.js'
import type {TargetContext} from './guardrails.js'
import {checkContainerLimits, SANE_BOUNDS} from './resource-limits.js'
import {scheduleProblem} from './resize.js'
import {isSchedulableKind, judgeSchedule, type ScheduleSettings} from './schedules.js'
import {HOURS_PER_MONTH, roundMoney} from '../money.js'

/** A checked entry and its place in the file (messages name it). */
export interface ReviewedEntry {
  index: number
  recommendation: Recommendation
}

const fail = (file: string, index: number, field: string, problem: string) =>
  inputError(
    `${file}: recommendations[${index}].${field}: ${problem}`,
    'pass the output of finops recommend --json; edit only what to apply (remove entries, or change proposed values within the limits)',
  )

/** Reads and checks a reviewed file without touching the store or the cluster. */
export function readReviewedFile(file: string): ReviewedEntry[] {
  let parsed: unknown
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'))
  } catch (error) {
    throw inputError(
      `cannot read recommendations from ${file}: ${(error as Error).message.split('\n')[0]}`,
      'pass the output of finops recommend --json',
      error,
    )
  }
  const list = Array.isArray(parsed) ? parsed : (parsed as {recommendations?: unknown})?.recommendations
  if (!Array.isArray(list))
    throw inputError(
      `${file} holds no recommendation list`,
      'pass the output of finops recommend --json (an object with "recommendations", or an array)',
    )
  return checkEntries(list, file)
}

/** The recommend contract, then what the contract cannot say: kinds, ids, bounds, duplicates. */
export function checkEntries(list: readonly unknown[], file: string): ReviewedEntry[] {
  const out: ReviewedEntry[] = []
  const seen = new Map<string, number>()
  for (const [index, entry] of list.entries()) {
    const result = recommendationSchema.safeParse(entry)
    if (!result.success) {
      const issue = result.error.issues[0]!
      throw fail(file, index, issue.path.map(String).join('.'), issue.message)
    }
    const rec = result.data as Recommendation
    checkTarget(rec, file, index)
    checkBounds(rec, file, index)
    const key = rec.id
    const earlier = seen.get(key)
    if (earlier !== undefined)
      throw fail(file, index, 'id', `${rec.id} is listed twice (also recommendations[${earlier}])`)
    seen.set(key, index)
    out.push({index, recommendation: rec})
  }
  return out
}

function checkTarget(rec: Recommendation, file: string, index: number): void {
  const {target, proposed} = rec
  const scheduled = rec.kind === 'scale-down' && proposed.schedule !== undefined
  const kinds: readonly string[] = scheduled ? SCHEDULABLE_KINDS : APPLICABLE_KINDS
  if (!kinds.includes(target.kind))
    throw fail(file, index, 'target.kind', `${rec.kind} changes ${kinds.join(', ')}, not ${target.kind}`)
  if (rec.kind === 'rightsize' && !target.container)
    throw fail(file, index, 'target.container', 'a rightsize recommendation names the container it changes')
  if (rec.kind !== 'rightsize' && target.container !== undefined)
    throw fail(
      file,
      index,
      'target.container',
      `a ${rec.kind} recommendation changes the whole workload, not one container`,
    )
  for (const [field, value] of [
    ['target.namespace', target.namespace],
    ['target.name', target.name],
  ] as const) {
    if (value.trim() === '' || value.length > 253 || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(value))
      throw fail(file, index, field, `'${value}' is not a Kubernetes name`)
  }
  const expected = recommendationIdFor(rec.kind, target)
  if (rec.id !== expected)
    throw fail(
      file,
      index,
      'id',
      `${rec.id} is not the id of this kind and target (${expected}): the target was edited or belongs to another entry`,
    )
  if (
    rec.kind === 'rightsize' &&
    ['cpuRequest', 'cpuLimit', 'memoryRequest', 'memoryLimit'].every((k) => proposed[k as 'cpuRequest'] === undefined)
  )
    throw fail(file, index, 'proposed', 'a rightsize recommendation proposes at least one request or limit')
  if (rec.kind === 'scale-down' && proposed.replicas === undefined)
    throw fail(file, index, 'proposed.replicas', 'a scale-down recommendation proposes a replica count')
  if (rec.kind === 'spot' && proposed.capacityType !== 'spot')
    throw fail(file, index, 'proposed.capacityType', 'a spot recommendation proposes capacityType "spot"')
}

function checkBounds(rec: Recommendation, file: string, index: number): void {
  const p = rec.proposed
  const check = (
    field: string,
    value: number | undefined,
    bounds: {min: number; max: number},
    show: (n: number) => string,
  ) => {
    if (value === undefined) return
    if (!Number.isFinite(value) || value < bounds.min || value > bounds.max)
      throw fail(
        file,
        index,
        `proposed.${field}`,
        `${Number.isFinite(value) ? show(value) : String(value)} is outside the sane range ${show(bounds.min)} to ${show(bounds.max)}`,
      )
  }
  check('cpuRequest', p.cpuRequest, SANE_BOUNDS.cpu, formatCpu)
  check('cpuLimit', p.cpuLimit, SANE_BOUNDS.cpu, formatCpu)
  check('memoryRequest', p.memoryRequest, SANE_BOUNDS.memory, formatMemory)
  check('memoryLimit', p.memoryLimit, SANE_BOUNDS.memory, formatMemory)
  check('replicas', p.replicas, {min: 0, max: 10_000}, String)
  if (p.cpuRequestByHour !== undefined) {
    const problem = scheduleProblem(p.cpuRequestByHour)
    if (problem) throw fail(file, index, 'proposed.cpuRequestByHour', problem)
  }
  if (p.cpuRequest !== undefined && p.cpuLimit !== undefined && p.cpuLimit < p.cpuRequest)
    throw fail(
      file,
      index,
      'proposed.cpuLimit',
      `${formatCpu(p.cpuLimit)} is below the proposed request ${formatCpu(p.cpuRequest)}`,
    )
  if (p.memoryRequest !== undefined && p.memoryLimit !== undefined && p.memoryLimit < p.memoryRequest)
    throw fail(
      file,
      index,
      'proposed.memoryLimit',
      `${formatMemory(p.memoryLimit)} is below the proposed request ${formatMemory(p.memoryRequest)}`,
    )
  if (p.schedule !== undefined && (p.schedule.length > 1000 || [...p.schedule].some((c) => c.charCodeAt(0) < 32)))
    throw fail(file, index, 'proposed.schedule', 'is not a schedule (too long, or control characters)')
}

/** What the preflight read of each entry's target: the live object and its namespace context. */
export interface LiveTarget {
  workload: WorkloadObject
  ctx: TargetContext
}

/**
 * Reads every entry's target (GET only) and checks it against the live cluster: the target exists,
 * the container is in its pod template, a scale-down does not scale up, and the new resources fit
 * the namespace's LimitRanges and the largest node. Throws before anything is changed.
 */
export async function preflightEntries(
  cluster: WorkloadCluster,
  entries: readonly ReviewedEntry[],
  file: string,
): Promise<Map<Recommendation, LiveTarget>> {
  const out = new Map<Recommendation, LiveTarget>()
  for (const {index, recommendation: rec} of entries) {
    const {target, proposed} = rec
    const workload = await cluster.readWorkload(target)
    if (!workload)
      throw fail(
        file,
        index,
        'target',
        `${target.kind} ${target.namespace}/${target.name} does not exist in this cluster`,
      )
    const ctx = await cluster.readContext(target, workload)
    if (rec.kind === 'rightsize') {
      const container = readContainer(workload, target.container!)
      if (!container)
        throw fail(
          file,
          index,
          'target.container',
          `${target.container} is not a container of ${target.kind} ${target.namespace}/${target.name}`,
        )
      const after = proposedContainer(container, rec)
      const others = (workload.spec?.template?.spec?.containers ?? [])
        .filter((c) => c.name !== container.name)
        .map((c) => readContainer(workload, c.name)!)
      const [violation] = ctx.limits ? checkContainerLimits(after, others, ctx.limits) : []
      if (violation)
        throw fail(file, index, `proposed.${FIELD_OF[violation.field] ?? violation.field}`, violation.problem)
    }
    if (rec.kind === 'scale-down' && !proposed.schedule && proposed.replicas! > (workload.spec?.replicas ?? 1))
      throw fail(
        file,
        index,
        'proposed.replicas',
        `${proposed.replicas} is above the ${workload.spec?.replicas ?? 1} replicas running: a scale-down never scales up`,
      )
    out.set(rec, {workload, ctx})
  }
  return out
}

const FIELD_OF: Record<string, string> = {
  'requests.cpu': 'cpuRequest',
  'limits.cpu': 'cpuLimit',
  'requests.memory': 'memoryRequest',
  'limits.memory': 'memoryLimit',
}

/** The container as the recommendation would leave it (the planner writes the same values). */
function proposedContainer(container: ContainerResources, rec: Recommendation): ContainerResources {
  const out = {name: container.name, requests: {...container.requests}, limits: {...container.limits}}
  const p = rec.proposed
  if (p.cpuRequest !== undefined) out.requests.cpu = formatCpu(p.cpuRequest)
  if (p.cpuLimit !== undefined) out.limits.cpu = formatCpu(p.cpuLimit)
  if (p.memoryRequest !== undefined) out.requests.memory = formatMemory(p.memoryRequest)
  if (p.memoryLimit !== undefined) out.limits.memory = formatMemory(p.memoryLimit)
  return out
}

/**
 * The monthly savings of each entry, computed from the store's prices and the live object (never
 * the file's numbers): requests saved x $/core-hour and $/GiB-hour x 730 h x replicas, the downtime
 * share for a schedule, the spot discount for spot.
 */
export function repriceEntries(
  entries: readonly ReviewedEntry[],
  live: ReadonlyMap<Recommendation, LiveTarget>,
  prices: PriceLookup,
  inventory: readonly Workload[],
  schedules: ScheduleSettings,
): Recommendation[] {
  const byTarget = new Map(inventory.map((w) => [`${w.namespace}/${w.kind}/${w.name}`, w]))
  return entries.map(({recommendation: rec}) => {
    const target = live.get(rec)
    if (!target) return rec
    const {workload} = target
    const known = byTarget.get(`${rec.target.namespace}/${rec.target.kind}/${rec.target.name}`)
    // A workload the store has no inventory of is priced at the configured default rates.
    const rates = prices.rates(
      known ?? ({cluster: rec.target.cluster ?? '', placement: {nodes: []}} as unknown as Workload),
    )
    const replicas = workload.spec?.replicas ?? 1
    const containers = (workload.spec?.template?.spec?.containers ?? []).map((c) => readContainer(workload, c.name)!)
    const cores = (c: ContainerResources) => parseQuantity(c.requests.cpu) ?? 0
    const bytes = (c: ContainerResources) => parseQuantity(c.requests.memory) ?? 0
    const perReplica = {
      cores: containers.reduce((s, c) => s + cores(c), 0),
      bytes: containers.reduce((s, c) => s + bytes(c), 0),
    }
    let savings = 0
    if (rec.kind === 'rightsize') {
      const container = readContainer(workload, rec.target.container!)!
      const after = proposedContainer(container, rec)
      savings = monthlyCost(rates, cores(container) - cores(after), bytes(container) - bytes(after), replicas)
    } else if (rec.kind === 'spot') {
      const {ratio} = prices.spotRatio(rates.provider, rates.region)
      savings = monthlyCost(rates, perReplica.cores, perReplica.bytes, replicas) * (1 - ratio)
    } else if (rec.proposed.schedule === undefined) {
      savings = monthlyCost(rates, perReplica.cores, perReplica.bytes, Math.max(0, replicas - rec.proposed.replicas!))
    } else if (isSchedulableKind(rec.target.kind)) {
      const {resolution} = judgeSchedule(
        {...workload, kind: rec.target.kind},
        target.ctx.namespace.annotations,
        schedules,
      )
      const share = resolution.policy ? downtimeShare(resolution.policy, schedules.now, 28) : 0
      const down = Math.max(0, replicas - Math.max(rec.proposed.replicas!, resolution.policy?.downtimeReplicas ?? 0))
      savings = monthlyCost(rates, perReplica.cores, perReplica.bytes, down) * share
    }
    const monthlySavings = roundMoney(savings)
    return {
      ...rec,
      monthlySavings,
      currency: prices.currency,
      evidence: {
        ...rec.evidence,
        notes: [
          ...(rec.evidence.notes ?? []),
          `monthly savings computed from the store's prices ` +
            `(${rates.source}, ${HOURS_PER_MONTH} h) and the live object, not taken from the file (${rec.monthlySavings} ${rec.currency})`,
        ],
      },
    }
  })
}
