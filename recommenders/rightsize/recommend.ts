import {CPU_SCHEME, MEMORY_SCHEME, mergeDigests, quantile} from '../../src/k8s/digest.js'
import {
  workloadContainerKeyId,
  type ContainerSpec,
  type DailyUsage,
  type Histogram,
  type UsageDigest,
  type Workload,
} from '../../src/model/k8s.js'
import {
  type KindId,
  type RecommenderInput,
  type RecommenderResult,
  recommendationId,
  workloadTarget,
} from '../context.js'
import {monthlyCost} from '../pricing.js'
import {overrunOptimum} from './overrun.js'
import {cpuRequestSchedule, type CpuSchedule} from './schedule.js'
import {leastSquares, memoryGrowth, type MemoryGrowth} from './memory-growth.js'
import {smoothingWidening} from './smoothing.js'
import {scheduleOffer} from './schedule-offer.js'
import type {RightsizeSettings} from '../settings.js'
import type {Recommendation, ResourceShape, RiskLevel} from '../../src/model/recommendation.js'
import {roundMoney} from '../../src/money.js'
import {MIB} from '../../src/k8s/quantity.js'

export const RIGHTSIZE = {kind: 'rightsize', idPrefix: 'rs'} as const satisfies KindId

/** Controllers whose pod template can be changed for the next pods. */
const RIGHTSIZABLE = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet'])

/** What the pure sizing math proposes for one container, before pricing. */
export interface ContainerSizing {
  cpuRequest?: number
  memoryRequest?: number
  memoryLimit?: number
  cpuLimit?: number
  /** How the CPU load is shaped (cpuShape): it chooses the quantile and overrun cost. */
  cpuShape: CpuShape
  /**
   * For a batch or diurnal load with hour-of-day usage: a request per UTC hour (applied by in-place
   * pod resize), where one fixed request must either pay for the busy hours all day or run under them.
   */
  cpuSchedule?: CpuSchedule
  percentiles: Record<string, number>
  samples: number
  days: number
  firstDay: string
  lastDay: string
  oomKills: number
  notes: string[]
  risk: {level: RiskLevel; reasons: string[]}
}

export type SizingOutcome = {kind: 'sized'; sizing: ContainerSizing} | {kind: 'skip'; reason: string}

/** Which resources the workload's HPA scales on; those requests are kept so its target keeps its meaning. */
export function hpaResources(workload: Pick<Workload, 'hpa'>, container: string): Set<'cpu' | 'memory'> {
  const out = new Set<'cpu' | 'memory'>()
  for (const target of workload.hpa?.targets ?? []) {
    if (target.type !== 'Resource' && target.type !== 'ContainerResource') continue
    if (target.type === 'ContainerResource' && target.container !== undefined && target.container !== container)
      continue
    // AverageValue targets are absolute (cores, bytes) and do not move with the request.
    if (target.targetType !== undefined && target.targetType !== 'Utilization') continue
    if (target.resource === 'cpu' || target.resource === 'memory') out.add(target.resource)
  }
  return out
}

/**
 * Sizes one container from its day digests. CPU: a high quantile plus a relative margin and a small
 * absolute headroom, never below the floor. Memory: the request from a high quantile, the limit from
 * the peak, both raised by the growth the daily peaks show; OOM kills mean the peak was cut short by
 * the old limit, so the limit is raised from there and the memory is never lowered.
 */
export function sizeContainer(
  days: readonly DailyUsage[],
  current: ContainerSpec,
  settings: RightsizeSettings,
  keep: ReadonlySet<'cpu' | 'memory'> = new Set(),
  hours?: readonly Histogram[],
): SizingOutcome {
  const sorted = [...days].sort((a, b) => a.day.localeCompare(b.day))
  const merged = mergeDigests(sorted)
  if (
    sorted.length < settings.minDays ||
    merged.samples < settings.minSamples ||
    merged.cpu.count === 0 ||
    merged.memory.count === 0
  ) {
    return {
      kind: 'skip',
      reason: `thin data: ${sorted.length} day(s) and ${merged.samples} samples (needs at least ${settings.minDays} days and ${settings.minSamples} samples)`,
    }
  }
  const notes: string[] = []
  const reasons: string[] = []
  let level: RiskLevel = 'low'
  const raise = (to: RiskLevel, reason: string) => {
    reasons.push(reason)
    if (to === 'high' || (to === 'medium' && level === 'low')) level = to
  }

  const cpuQ = quantile(merged.cpu, settings.cpuPercentile, CPU_SCHEME)
  const cpu = cpuRequestBasis(sorted, merged, settings)
  if (cpu.growth !== undefined)
    notes.push(
      `CPU load grows ${(cpu.growth * 100).toFixed(1)}%/day week over week: the request is projected ${settings.cpuTrendDays} days past the window`,
    )
  notes.push(`CPU load shape: ${cpu.shape}`)
  if (cpu.shape === 'bursty')
    notes.push(
      `CPU peaks vary day to day (irregularity ${cpu.irregularity.toFixed(2)}): random bursts, covered further up their tail`,
    )
  const cpuTarget = roundUp(
    Math.max(settings.cpuFloor, cpu.cores * (1 + settings.cpuMargin) + settings.cpuHeadroom),
    1000,
  )

  const schedule =
    hours && !keep.has('cpu') && (cpu.shape === 'batch' || cpu.shape === 'diurnal')
      ? cpuRequestSchedule(hours, cpu, settings)
      : undefined
  if (schedule)
    notes.push(
      `CPU request by hour of day (UTC): ${schedule.changesPerDay} resize(s) a day, ${formatCores(schedule.low)} to ${formatCores(schedule.high)}, ` +
        `${formatCores(schedule.mean)} on average against ${formatCores(cpuTarget)} fixed`,
    )

  const memQ = quantile(merged.memory, settings.memoryPercentile, MEMORY_SCHEME)
  const peak = merged.memory.max
  // The trend leaves out the days the old limit cut short, so a leak that reached its limit is still
  // seen growing, and the limit is sized from where its demand stands, not where the limit held it.
  const trend = memoryGrowth(sorted, current.limits.memory)
  const slope = trend.perDay
  // memoryGrowthDays is the horizon until the next recommendation replaces this one.
  const growth = Math.max(0, slope) * settings.memoryGrowthDays
  let memoryLimit = Math.max(settings.memoryFloor, trend.peak * (1 + settings.memoryLimitMargin) + growth)
  const growing = growth > 0.02 * peak
  const memoryMargin = memoryRequestMargin(sorted, trend, merged.oomKills, settings)
  let memoryRequest = Math.min(memoryLimit, Math.max(settings.memoryRequestFloor, memQ * (1 + memoryMargin) + growth))
  if (growing) {
    const cut =
      trend.censoredDays > 0
        ? ` (read from the days the old limit did not cut short; ${trend.censoredDays} day(s) it did)`
        : ''
    notes.push(
      `memory grows ~${formatMiB(slope)}/day${cut}: fix the leak or restart the pods more often; ` +
        `limit sized for ${settings.memoryGrowthDays} days of growth (until the next recommendation)`,
    )
  }
  const oomKills = merged.oomKills
  if (oomKills > 0) {
    const base = Math.max(current.limits.memory ?? 0, peak)
    memoryLimit = Math.max(memoryLimit, base * settings.oomBump)
    memoryRequest = Math.max(memoryRequest, current.requests.memory ?? 0)
    raise('high', `${oomKills} OOM kill(s) in the window: memory raised, never lowered`)
  }
  memoryLimit = roundUp(Math.max(memoryLimit, settings.memoryFloor) / MIB, 1) * MIB
  memoryRequest = Math.min(memoryLimit, roundUp(memoryRequest / MIB, 1) * MIB)

  const proposed: {cpuRequest?: number; cpuLimit?: number; memoryRequest?: number; memoryLimit?: number} = {}
  const cpuCurrent = current.requests.cpu
  if (keep.has('cpu')) notes.push('HPA scales on CPU utilization: CPU request kept so its target keeps its meaning')
  else if (changes(cpuCurrent, cpuTarget, settings.minChangeShare, settings.minCpuChange))
    proposed.cpuRequest = cpuTarget
  // The noise threshold saves pod restarts for small savings; it must not keep a request that most
  // of the usage runs above (below the p`cpuPercentile` quantile) where it is.
  else if (cpuCurrent !== undefined && cpuTarget > cpuCurrent && cpuCurrent < cpuQ) proposed.cpuRequest = cpuTarget
  if (keep.has('memory')) {
    notes.push('HPA scales on memory utilization: memory request kept so its target keeps its meaning')
  } else if (changes(current.requests.memory, memoryRequest, settings.minChangeShare, settings.minMemoryChange)) {
    proposed.memoryRequest = memoryRequest
  }
  // As for CPU: a request the usage will run above (its p99 plus the growth) is raised however small the step.
  else if (
    current.requests.memory !== undefined &&
    memoryRequest > current.requests.memory &&
    current.requests.memory < memQ + growth
  )
    proposed.memoryRequest = memoryRequest
  const effectiveRequest = proposed.memoryRequest ?? current.requests.memory ?? memoryRequest
  const limit = Math.max(memoryLimit, effectiveRequest)
  if (changes(current.limits.memory, limit, settings.minChangeShare, settings.minMemoryChange))
    proposed.memoryLimit = limit
  // A limit that OOM-killed the container, or that the growing peak will reach, is raised however
  // small the step: the kills are not noise.
  else if (
    current.limits.memory !== undefined &&
    limit > current.limits.memory &&
    (oomKills > 0 || trend.peak + growth >= current.limits.memory)
  )
    proposed.memoryLimit = limit
  // A raised request above today's limit would be rejected by the API server, however small the limit change.
  else if (
    proposed.memoryRequest !== undefined &&
    current.limits.memory !== undefined &&
    proposed.memoryRequest > current.limits.memory
  )
    proposed.memoryLimit = limit
  // A CPU limit below the new request would be rejected by the API server: lift it to the request.
  if (proposed.cpuRequest !== undefined && current.limits.cpu !== undefined && current.limits.cpu < proposed.cpuRequest)
    proposed.cpuLimit = proposed.cpuRequest

  if (Object.keys(proposed).length === 0) {
    return {
      kind: 'skip',
      reason:
        `already right-sized: changes are below the noise threshold (CPU ` +
        `p${pct(settings.cpuPercentile)} ${cpuQ.toFixed(3)} cores, memory peak ${formatMiB(peak)})`,
    }
  }
  if (sorted.length < 7) raise('medium', `only ${sorted.length} days of usage: a weekly pattern may be missing`)
  if (proposed.cpuRequest !== undefined && cpuCurrent !== undefined && proposed.cpuRequest < cpuCurrent * 0.25)
    raise('medium', 'CPU request cut by more than 75%')
  if (
    proposed.memoryRequest !== undefined &&
    current.requests.memory !== undefined &&
    proposed.memoryRequest < current.requests.memory * 0.5
  )
    raise('medium', 'memory request cut by more than half')
  if (proposed.memoryLimit !== undefined && current.limits.memory === undefined)
    notes.push('no memory limit set today: one is proposed from the peak')
  if (proposed.cpuRequest !== undefined && cpuCurrent === undefined)
    notes.push('no CPU request set today: the scheduler cannot place it reliably')
  if (reasons.length === 0) reasons.push('usage history covers the proposal with headroom')

  return {
    kind: 'sized',
    sizing: {
      ...proposed,
      cpuShape: cpu.shape,
      ...(schedule ? {cpuSchedule: schedule} : {}),
      percentiles: {
        cpuP50: quantile(merged.cpu, 0.5, CPU_SCHEME),
        cpuP90: quantile(merged.cpu, 0.9, CPU_SCHEME),
        cpuP95: quantile(merged.cpu, 0.95, CPU_SCHEME),
        cpuP99: quantile(merged.cpu, 0.99, CPU_SCHEME),
        cpuMax: merged.cpu.max,
        memoryP50: quantile(merged.memory, 0.5, MEMORY_SCHEME),
        memoryP99: quantile(merged.memory, 0.99, MEMORY_SCHEME),
        memoryMax: peak,
        memoryPeakGrowthPerDay: slope,
      },
      samples: merged.samples,
      days: sorted.length,
      firstDay: sorted[0]!.day,
      lastDay: sorted.at(-1)!.day,
      oomKills,
      notes,
      risk: {level, reasons},
    },
  }
}

/** Rightsizing for every container of every rightsizable workload that has usage. */
export function recommendRightsizing(input: RecommenderInput): RecommenderResult {
  const result: RecommenderResult = {recommendations: [], skipped: []}
  const settings = input.settings.rightsize
  for (const workload of input.inventory.workloads) {
    for (const container of workload.containers) {
      const target = workloadTarget(workload, container.name)
      if (!RIGHTSIZABLE.has(workload.kind)) {
        result.skipped.push({
          kind: 'rightsize',
          target,
          reason:
            workload.kind === 'Pod'
              ? 'bare pod: no controller whose template can be changed'
              : `${workload.kind}: batch pods only use resources while they run, so savings cannot be priced from requests`,
        })
        continue
      }
      const usage = input.usage.get(workloadContainerKeyId(workload, container.name))
      if (!usage || usage.days.length === 0) {
        result.skipped.push({
          kind: 'rightsize',
          target,
          reason: 'no usage collected for this container (run finops collect usage)',
        })
        continue
      }
      const outcome = sizeContainer(
        usage.days,
        container,
        settings,
        hpaResources(workload, container.name),
        input.cpuByHour?.get(workloadContainerKeyId(workload, container.name)),
      )
      if (outcome.kind === 'skip') {
        result.skipped.push({kind: 'rightsize', target, reason: outcome.reason})
        continue
      }
      result.recommendations.push(priceSizing(input, workload, container, outcome.sizing))
    }
  }
  return result
}

function priceSizing(
  input: RecommenderInput,
  workload: Workload,
  container: ContainerSpec,
  sizing: ContainerSizing,
): Recommendation {
  const rates = input.prices.rates(workload)
  const replicas = workload.hpa?.currentReplicas ?? workload.replicas
  const current: ResourceShape = {
    cpuRequest: container.requests.cpu,
    cpuLimit: container.limits.cpu,
    memoryRequest: container.requests.memory,
    memoryLimit: container.limits.memory,
    replicas,
  }
  const proposed: ResourceShape = {
    cpuRequest: sizing.cpuRequest ?? container.requests.cpu,
    cpuLimit: sizing.cpuLimit ?? container.limits.cpu,
    memoryRequest: sizing.memoryRequest ?? container.requests.memory,
    memoryLimit: sizing.memoryLimit ?? container.limits.memory,
    replicas,
  }
  const before = monthlyCost(rates, current.cpuRequest ?? 0, current.memoryRequest ?? 0, replicas)
  const fixed = monthlyCost(rates, proposed.cpuRequest ?? 0, proposed.memoryRequest ?? 0, replicas)
  const schedule = sizing.cpuSchedule
  let scheduleNote: string[] = []
  if (schedule) {
    const offer = scheduleOffer(schedule)
    proposed.cpuRequestByHour = offer.hourly
    const scheduled = monthlyCost(rates, schedule.mean, proposed.memoryRequest ?? 0, replicas)
    scheduleNote = [offer.note(roundMoney(before - scheduled), input.prices.currency)]
  }
  const notes = [
    ...sizing.notes,
    ...scheduleNote,
    `priced at ${rates.cpuCoreHour.toFixed(4)}/core-hour and ${rates.memoryGiBHour.toFixed(4)}/GiB-hour (${rates.source}) x ${replicas} replica(s)`,
  ]
  if (workload.hpa)
    notes.push(
      `HPA ${workload.hpa.name} (${workload.hpa.minReplicas}-${workload.hpa.maxReplicas} replicas): savings use its current replica count`,
    )
  const target = workloadTarget(workload, container.name)
  return {
    id: recommendationId(RIGHTSIZE, target),
    kind: 'rightsize',
    target,
    current: stripUndefined(current),
    proposed: stripUndefined(proposed),
    monthlySavings: roundMoney(before - fixed),
    currency: input.prices.currency,
    risk: sizing.risk,
    evidence: {
      windowStart: `${sizing.firstDay}T00:00:00Z`,
      windowEnd: `${sizing.lastDay}T23:59:59Z`,
      samples: sizing.samples,
      percentiles: roundPercentiles(sizing.percentiles),
      notes,
    },
  }
}

/**
 * How a container's CPU load is shaped, read from the day digests only (no time of day, no labels):
 * - trending: the daily medians grow week over week (cpuTrendMinGrowth a day or more);
 * - bursty: the daily peaks vary from day to day (irregularity above cpuBurstThreshold);
 * - batch: the top percent of the load stands far above the rest (p99/p90 >= cpuBatchSpread), as a
 *   heavy hour a day does: it is 4% of the samples, so p99 falls in it and p90 below it;
 * - diurnal: the body of the load spreads widely (p90/p10 >= cpuDiurnalSpread), as a day/night
 *   cycle does;
 * - steady: none of these.
 */
export type CpuShape = 'steady' | 'diurnal' | 'batch' | 'bursty' | 'trending'

export function cpuShape(
  days: readonly DailyUsage[],
  merged: UsageDigest,
  settings: RightsizeSettings,
): {shape: CpuShape; growth?: number; irregularity: number} {
  const irregularity = dailyPeakIrregularity(days)
  const growth = weeklyCpuGrowth(days)
  if (growth !== undefined && growth >= settings.cpuTrendMinGrowth) return {shape: 'trending', growth, irregularity}
  if (irregularity > settings.cpuBurstThreshold) return {shape: 'bursty', irregularity}
  const q = (p: number) => quantile(merged.cpu, p, CPU_SCHEME)
  const p10 = q(0.1)
  const p90 = q(0.9)
  if (p90 > 0 && q(0.99) / p90 >= settings.cpuBatchSpread) return {shape: 'batch', irregularity}
  if (p10 > 0 && p90 / p10 >= settings.cpuDiurnalSpread) return {shape: 'diurnal', irregularity}
  return {shape: 'steady', irregularity}
}

/**
 * The CPU the request is read from: the level r (at or above the shape's lowest quantile) that
 * minimises r + overrun cost x (share of samples above r). Raising the request pays one core per
 * core and saves the overrun price for every sample it covers, so a container's headroom stops
 * where the next millicore covers too few samples: short tails (small or steady containers) are
 * covered almost whole at little cost, long flat tails (rare large bursts) are not bought. The
 * quantile and a factor on the cost are the shape's (cpuShapes).
 * Normally from the whole window; when the load grows week over week (daily medians of the last 7
 * days against the 7 before, which cancels the weekly cycle and ignores bursts), from the last week
 * with its levels projected forward to `cpuTrendDays` past the window.
 */
export function cpuRequestBasis(
  days: readonly DailyUsage[],
  merged: UsageDigest,
  settings: RightsizeSettings,
): {cores: number; shape: CpuShape; growth?: number; irregularity: number; overrunCost: number; floorQuantile: number} {
  const {shape, growth, irregularity} = cpuShape(days, merged, settings)
  const own = settings.cpuShapes[shape]
  const floorQuantile = own.percentile ?? settings.cpuPercentile
  const overrunCost =
    settings.cpuOverrunCost *
    (own.overrunFactor ?? 1) *
    (1 + settings.cpuBurstWeight * Math.max(0, irregularity - settings.cpuBurstThreshold))
  const widening = smoothingWidening(merged.cpuSmoothing)
  if (shape !== 'trending' || growth === undefined)
    return {
      cores: widenedOptimum(merged.cpu, 1, overrunCost, floorQuantile, widening),
      shape,
      irregularity,
      overrunCost,
      floorQuantile,
    }
  // The last week's levels stand for its middle, 3.5 days before the window's end.
  const factor = 1 + growth * (3.5 + settings.cpuTrendDays)
  return {
    cores: widenedOptimum(mergeDigests(days.slice(-7)).cpu, factor, overrunCost, floorQuantile, widening),
    shape,
    growth,
    irregularity,
    overrunCost,
    floorQuantile,
  }
}

/**
 * The overrun optimum of CPU values whose upper tail the rate window thinned (widening > 1): the values'
 * spread above their median is stretched back by `widening`, so the request is chosen on the tail of the
 * per-step usage it will be scored against. Stretching the values by w and pricing a core w times lower
 * picks the same bucket, so the unstretched optimum at overrunCost / w, stretched, is the answer.
 */
function widenedOptimum(h: Histogram, factor: number, overrunCost: number, floorQuantile: number, widening: number) {
  if (widening <= 1) return overrunOptimum(h, factor, overrunCost, floorQuantile)
  const median = quantile(h, 0.5, CPU_SCHEME) * factor
  const r = overrunOptimum(h, factor, overrunCost / widening, floorQuantile)
  return Math.max(r, median + (r - median) * widening)
}

/**
 * How irregular the daily CPU peaks are: the standard deviation over the days of log(daily max /
 * daily median). A daily batch hour or a daytime peak comes back at the same height every day (near
 * 0.1); random bursts with a heavy-tailed height give a different peak every day (0.4 and more).
 * Irregular peaks cannot be anticipated and run further above any request they pass, so a sample
 * above the request is priced higher for them. 0 with fewer than 3 days.
 */
export function dailyPeakIrregularity(days: readonly DailyUsage[]): number {
  const logs: number[] = []
  for (const d of days) {
    if (d.cpu.count === 0) continue
    const median = quantile(d.cpu, 0.5, CPU_SCHEME)
    if (median > 0 && d.cpu.max > 0) logs.push(Math.log(d.cpu.max / median))
  }
  if (logs.length < 3) return 0
  const mean = logs.reduce((s, v) => s + v, 0) / logs.length
  return Math.sqrt(logs.reduce((s, v) => s + (v - mean) ** 2, 0) / (logs.length - 1))
}

/**
 * Growth of the CPU load per day relative to the last week: the mean of the daily medians of the
 * last 7 consecutive days against the 7 before them. Undefined without 14 consecutive days.
 */
export function weeklyCpuGrowth(days: readonly DailyUsage[]): number | undefined {
  if (days.length < 14) return undefined
  const last = days.slice(-14)
  const first = Date.parse(`${last[0]!.day}T00:00:00Z`)
  const end = Date.parse(`${last.at(-1)!.day}T00:00:00Z`)
  if (Math.round((end - first) / 86_400_000) !== 13 || last.some((d) => d.cpu.count === 0)) return undefined
  const median = (d: DailyUsage) => quantile(d.cpu, 0.5, CPU_SCHEME)
  const before = last.slice(0, 7).reduce((s, d) => s + median(d), 0) / 7
  const after = last.slice(7).reduce((s, d) => s + median(d), 0) / 7
  if (!(after > 0)) return undefined
  return (after - before) / 7 / after
}

/**
 * How much the daily memory peaks scatter around their trend: the standard deviation of the
 * residuals of the least-squares line, relative to the mean peak. A stable peak (under 2%) lets the
 * request sit closer to it. The full margin (returns Infinity) with fewer than 5 days.
 */
export function dailyPeakSpread(days: readonly DailyUsage[]): number {
  const points = peakPoints(days)
  if (points.length < 5) return Number.POSITIVE_INFINITY
  const n = points.length
  const slope = dailyPeakSlope(days)
  const mx = points.reduce((s, [x]) => s + x, 0) / n
  const my = points.reduce((s, [, y]) => s + y, 0) / n
  if (!(my > 0)) return Number.POSITIVE_INFINITY
  const ss = points.reduce((s, [x, y]) => s + (y - my - slope * (x - mx)) ** 2, 0)
  return Math.sqrt(ss / Math.max(1, n - 2)) / my
}

function peakPoints(days: readonly DailyUsage[]): (readonly [number, number])[] {
  return days
    .filter((d) => d.memory.count > 0)
    .map((d) => [Date.parse(`${d.day}T00:00:00Z`) / 86_400_000, d.memory.max] as const)
}

/**
 * The relative headroom on the memory request above p99 (plus growth): three standard deviations of the
 * daily peaks around their least-squares trend, within [memoryRequestMinMargin, memoryRequestMargin], so a
 * peak that comes back at the same height gets the least. A growing peak is no exception: the request
 * already adds the growth up to the end of the horizon (the demand stays under that for most of it), and
 * how far the peaks stray from their trend line is what the margin is for. Only a peak the old limit cut
 * short (OOM kills, or days pinned at the limit) keeps the full margin: its real height is unknown.
 */
export function memoryRequestMargin(
  days: readonly DailyUsage[],
  trend: Pick<MemoryGrowth, 'censoredDays'>,
  oomKills: number,
  settings: Pick<RightsizeSettings, 'memoryRequestMargin' | 'memoryRequestMinMargin'>,
): number {
  if (oomKills > 0 || trend.censoredDays > 0) return settings.memoryRequestMargin
  return Math.min(settings.memoryRequestMargin, Math.max(settings.memoryRequestMinMargin, 3 * dailyPeakSpread(days)))
}

/** Least-squares slope of the daily memory peaks, in bytes per day (0 with fewer than 5 days). */
export function dailyPeakSlope(days: readonly DailyUsage[]): number {
  const points = peakPoints(days)
  return points.length < 5 ? 0 : leastSquares(points).slope
}

/** A change worth proposing: no value today, or a move beyond both the relative and absolute noise floors. */
function changes(current: number | undefined, proposed: number, minShare: number, minAbsolute: number): boolean {
  if (current === undefined) return true
  const delta = Math.abs(proposed - current)
  return delta >= minAbsolute && delta >= minShare * current
}

const roundUp = (value: number, per: number): number => Math.ceil(value * per - 1e-9) / per
const pct = (q: number): string => String(Math.round(q * 1000) / 10)
const formatMiB = (bytes: number): string => `${Math.round(bytes / MIB)}Mi`
const formatCores = (cores: number): string => `${Math.round(cores * 1000)}m`

function roundPercentiles(values: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {}
  for (const [k, v] of Object.entries(values))
    if (Number.isFinite(v)) out[k] = k.startsWith('cpu') ? Math.round(v * 1e5) / 1e5 : Math.round(v)
  return out
}

function stripUndefined(shape: ResourceShape): ResourceShape {
  return Object.fromEntries(Object.entries(shape).filter(([, v]) => v !== undefined)) as ResourceShape
}
