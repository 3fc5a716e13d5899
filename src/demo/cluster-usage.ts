import type {Inventory, Workload} from '../model/k8s.js'
import {seededRandom} from '../seeded-random.js'

/**
 * Deterministic, plausible container usage for the bundled cluster: diurnal and weekly cycles,
 * noise and bursts, slow memory growth with OOM kills at the limit, idle workloads, and a nightly
 * CronJob. Used by the demo (folded straight into digests) and by tests, which write the same
 * series to a real Prometheus and check what `collect usage` reads back.
 */

export interface UsageProfile {
  /** CPU in cores at the quietest and busiest hour. */
  cpuLow: number
  cpuHigh: number
  /** Working set at the start of the window and its growth per day, in bytes. */
  memory: number
  memoryGrowthPerDay: number
  /** Share of the working set that follows the daily cycle. */
  memorySwing: number
  /** Only runs 02:00-02:30 UTC (a nightly job). */
  nightly?: boolean
  /** Near zero on weekends and nights (staging). */
  officeHours?: boolean
}

const MI = 2 ** 20
const GI = 2 ** 30

/** Hand-tuned profiles for the fixture cluster; anything else gets a default share of its requests. */
const PROFILES: Record<string, UsageProfile> = {
  'shop/web/web': {cpuLow: 0.12, cpuHigh: 0.42, memory: 620 * MI, memoryGrowthPerDay: 0, memorySwing: 0.15},
  'shop/web/envoy': {cpuLow: 0.015, cpuHigh: 0.05, memory: 70 * MI, memoryGrowthPerDay: 0, memorySwing: 0.05},
  'shop/api/api': {cpuLow: 0.25, cpuHigh: 0.85, memory: 2.6 * GI, memoryGrowthPerDay: 0.12 * GI, memorySwing: 0.12},
  'shop/checkout/checkout': {cpuLow: 0.08, cpuHigh: 0.3, memory: 380 * MI, memoryGrowthPerDay: 0, memorySwing: 0.1},
  'shop/cart/cart': {cpuLow: 0.02, cpuHigh: 0.06, memory: 190 * MI, memoryGrowthPerDay: 0, memorySwing: 0.05},
  'shop/postgres/postgres': {
    cpuLow: 0.25,
    cpuHigh: 0.75,
    memory: 5 * GI,
    memoryGrowthPerDay: 0.01 * GI,
    memorySwing: 0.05,
  },
  'shop/nightly-report/report': {
    cpuLow: 0.7,
    cpuHigh: 0.9,
    memory: 900 * MI,
    memoryGrowthPerDay: 0,
    memorySwing: 0.2,
    nightly: true,
  },
  'data/etl-worker/worker': {cpuLow: 1.1, cpuHigh: 1.8, memory: 3 * GI, memoryGrowthPerDay: 0, memorySwing: 0.1},
  'data/kafka/kafka': {cpuLow: 0.35, cpuHigh: 0.6, memory: 3.1 * GI, memoryGrowthPerDay: 0, memorySwing: 0.03},
  'data/jupyter/notebook': {cpuLow: 0.001, cpuHigh: 0.003, memory: 310 * MI, memoryGrowthPerDay: 0, memorySwing: 0.01},
  'data/backfill-2024-06/backfill': {
    cpuLow: 1.4,
    cpuHigh: 1.6,
    memory: 2.2 * GI,
    memoryGrowthPerDay: 0,
    memorySwing: 0.05,
  },
  'staging/web/web': {
    cpuLow: 0.005,
    cpuHigh: 0.06,
    memory: 300 * MI,
    memoryGrowthPerDay: 0,
    memorySwing: 0.05,
    officeHours: true,
  },
  'staging/api/api': {
    cpuLow: 0.01,
    cpuHigh: 0.12,
    memory: 700 * MI,
    memoryGrowthPerDay: 0,
    memorySwing: 0.05,
    officeHours: true,
  },
  'staging/worker/worker': {
    cpuLow: 0.01,
    cpuHigh: 0.05,
    memory: 250 * MI,
    memoryGrowthPerDay: 0,
    memorySwing: 0.05,
    officeHours: true,
  },
}

export function profileFor(w: Pick<Workload, 'namespace' | 'name' | 'containers'>, container: string): UsageProfile {
  const known = PROFILES[`${w.namespace}/${w.name}/${container}`]
  if (known) return known
  const spec = w.containers.find((c) => c.name === container)
  const cpu = spec?.requests.cpu ?? 0.05
  const memory = spec?.requests.memory ?? spec?.limits.memory ?? 64 * MI
  return {cpuLow: cpu * 0.1, cpuHigh: cpu * 0.3, memory: memory * 0.45, memoryGrowthPerDay: 0, memorySwing: 0.05}
}

export interface PodSeries {
  namespace: string
  workload: Workload
  pod: string
  container: string
  /** Memory limit, where OOM kills happen. */
  limit?: number
}

/** The pod/container series the fixture cluster has: every running (or the CronJob's last) pod's containers. */
export function podSeries(inventory: Inventory): PodSeries[] {
  const out: PodSeries[] = []
  for (const w of inventory.workloads) {
    for (const pod of w.pods) {
      for (const c of w.containers)
        out.push({namespace: w.namespace, workload: w, pod: pod.name, container: c.name, limit: c.limits.memory})
    }
  }
  return out
}

export interface UsagePoint {
  /** Unix seconds at the end of the step. */
  t: number
  /** Mean CPU cores over the step ending at t; undefined while the container is not running. */
  cpu?: number
  /** Working set at t. */
  memory?: number
  /** Cumulative OOM kills of this container up to t. */
  oomKills: number
}

/**
 * Walks one container's usage from `start` to `end` (unix seconds, step-aligned), calling `emit`
 * for every step. Memory above the limit is an OOM kill: the container restarts with a fresh heap.
 */
export function walkUsage(
  series: PodSeries,
  start: number,
  end: number,
  step: number,
  emit: (p: UsagePoint) => void,
): void {
  const profile = profileFor(series.workload, series.container)
  const random = seededRandom(`${series.namespace}/${series.pod}/${series.container}`)
  let oomKills = 0
  let heapStart = start
  for (let t = start; t <= end; t += step) {
    const date = new Date(t * 1000)
    const hour = date.getUTCHours() + date.getUTCMinutes() / 60
    const weekend = date.getUTCDay() === 0 || date.getUTCDay() === 6
    if (profile.nightly && !(hour >= 2 && hour < 2.5)) {
      emit({t, oomKills})
      continue
    }
    const daily = 0.5 - 0.5 * Math.cos((2 * Math.PI * (hour - 4)) / 24)
    let activity = daily * (weekend ? 0.6 : 1)
    if (profile.officeHours) activity = !weekend && hour >= 7 && hour < 19 ? 0.6 + 0.4 * daily : 0
    const burst = random() < 0.004 ? 1.8 : 1
    const cpu = Math.max(
      0,
      (profile.cpuLow + (profile.cpuHigh - profile.cpuLow) * activity) * (0.9 + 0.2 * random()) * burst,
    )
    const days = (t - heapStart) / 86_400
    let memory =
      (profile.memory + profile.memoryGrowthPerDay * days) *
      (1 - profile.memorySwing + profile.memorySwing * (daily + random() * 0.2))
    if (series.limit !== undefined && memory > series.limit) {
      oomKills++
      heapStart = t
      memory = profile.memory * (1 - profile.memorySwing)
    }
    emit({t, cpu, memory: Math.round(memory), oomKills})
  }
}
