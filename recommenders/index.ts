import {longRunningContainers, workloadKeyId} from '../src/model/k8s.js'
import type {Recommender, RecommenderInput} from './context.js'
import {recommendRightsizing} from './rightsize.js'
import {recommendScaleDown} from './scale-down.js'
import {recommendSpot} from './spot.js'
import type {Recommendation, RecommendationKind, SkippedRecommendation} from '../src/model/recommendation.js'

/** The recommenders by kind; `finops recommend --kind` takes its options from these keys. */
export const recommenders = {
  rightsize: recommendRightsizing,
  spot: recommendSpot,
  'scale-down': recommendScaleDown,
} as const satisfies Record<RecommendationKind, Recommender>

export type RecommenderName = keyof typeof recommenders
export const RECOMMENDER_NAMES = Object.keys(recommenders) as RecommenderName[]

export interface RecommendOptions {
  kinds: readonly RecommenderName[]
  /** Only these namespaces (all when empty). */
  namespaces?: readonly string[]
  /** Drop recommendations saving less than this per month (increases included). */
  minSavings?: number
}

export interface RecommendationSet {
  recommendations: Recommendation[]
  skipped: SkippedRecommendation[]
  /** Sum of the listed recommendations' monthly savings. */
  totalMonthlySavings: number
  currency: string
}

/**
 * Runs the chosen recommenders over one input and returns the recommendations sorted by monthly
 * savings (largest first, ties by id so output is deterministic) plus every skip with its reason.
 */
export function runRecommenders(input: RecommenderInput, options: RecommendOptions): RecommendationSet {
  const inNamespace = (ns: string) =>
    !options.namespaces || options.namespaces.length === 0 || options.namespaces.includes(ns)
  const scoped: RecommenderInput =
    options.namespaces && options.namespaces.length > 0
      ? {
          ...input,
          inventory: {...input.inventory, workloads: input.inventory.workloads.filter((w) => inNamespace(w.namespace))},
        }
      : input
  let recommendations: Recommendation[] = []
  const skipped: SkippedRecommendation[] = []
  // Later kinds price on top of earlier ones: scale-down on rightsized requests, spot on what is
  // left running after downtime. So the total is a saving you can actually get, not a double count.
  const planned = {
    requests: new Map<string, {cores: number; bytes: number}>(),
    idle: new Set<string>(),
    downtime: new Map<string, number>(),
  }
  for (const kind of RUN_ORDER.filter((k) => options.kinds.includes(k))) {
    const result = recommenders[kind]({...scoped, planned})
    recommendations.push(...result.recommendations)
    skipped.push(...result.skipped)
    if (kind === 'rightsize') planRequests(scoped, result.recommendations, planned.requests)
    if (kind === 'scale-down') {
      for (const r of result.recommendations) {
        const key = workloadKeyId({...r.target, cluster: r.target.cluster ?? ''})
        if (r.proposed.schedule === undefined) planned.idle.add(key)
        else
          planned.downtime.set(
            key,
            (r.evidence.percentiles?.downtimeShare ?? 0) *
              (((r.current.replicas ?? 0) - (r.proposed.replicas ?? 0)) / Math.max(1, r.current.replicas ?? 1)),
          )
      }
      recommendations = recommendations.filter((r) => {
        const idleId =
          r.kind === 'rightsize' && planned.idle.has(workloadKeyId({...r.target, cluster: r.target.cluster ?? ''}))
        if (idleId)
          skipped.push({
            kind: 'rightsize',
            target: r.target,
            reason: 'superseded: idle, proposed for scale to zero in this run',
          })
        return !idleId
      })
    }
  }
  const kept =
    options.minSavings === undefined
      ? recommendations
      : recommendations.filter((r) => r.monthlySavings >= options.minSavings!)
  kept.sort((a, b) => b.monthlySavings - a.monthlySavings || a.id.localeCompare(b.id))
  skipped.sort((a, b) => a.kind.localeCompare(b.kind) || targetKey(a).localeCompare(targetKey(b)))
  return {
    recommendations: kept,
    skipped,
    totalMonthlySavings: Math.round(kept.reduce((s, r) => s + r.monthlySavings, 0) * 100) / 100,
    currency: input.prices.currency,
  }
}

/** The order kinds are computed in, whatever order --kind lists them. */
const RUN_ORDER: readonly RecommenderName[] = ['rightsize', 'scale-down', 'spot']

/** Per-replica requests of each rightsized workload: proposed where a container changes, current elsewhere. */
function planRequests(
  input: RecommenderInput,
  recs: readonly Recommendation[],
  into: Map<string, {cores: number; bytes: number}>,
): void {
  const byContainer = new Map(
    recs.map((r) => [`${workloadKeyId({...r.target, cluster: r.target.cluster ?? ''})}/${r.target.container}`, r]),
  )
  for (const w of input.inventory.workloads) {
    const key = workloadKeyId(w)
    let cores = 0
    let bytes = 0
    let changed = false
    for (const c of longRunningContainers(w)) {
      const rec = byContainer.get(`${key}/${c.name}`)
      if (rec) changed = true
      cores += rec?.proposed.cpuRequest ?? c.requests.cpu ?? 0
      bytes += rec?.proposed.memoryRequest ?? c.requests.memory ?? 0
    }
    if (changed) into.set(key, {cores, bytes})
  }
}

const targetKey = (s: SkippedRecommendation): string =>
  [s.target.cluster, s.target.namespace, s.target.kind, s.target.name, s.target.container ?? ''].join('/')

export type {Recommender, RecommenderInput, RecommenderResult} from './context.js'
