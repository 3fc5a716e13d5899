import type {RecommenderInput} from './context.js'
import type {PlannedChangesDraft, RecommenderEntry} from './entry.js'
import {recommenderRegistry, RUN_ORDER} from './registry.js'
import type {Recommendation, RecommendationKind, SkippedRecommendation} from '../src/model/recommendation.js'
import {roundMoney} from '../src/money.js'
import {withTrackRecord} from './track-record.js'

export interface RecommendOptions {
  kinds: readonly RecommendationKind[]
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
  const planned: PlannedChangesDraft = {requests: new Map(), idle: new Set(), downtime: new Map()}
  for (const kind of RUN_ORDER.filter((k) => options.kinds.includes(k))) {
    const entry: RecommenderEntry = recommenderRegistry[kind]
    const result = entry.recommend({...scoped, planned})
    recommendations.push(...result.recommendations)
    skipped.push(...result.skipped)
    entry.plan?.(scoped, result.recommendations, planned)
    const supersedes = entry.supersedes
    if (supersedes)
      recommendations = recommendations.filter((r) => {
        const reason = supersedes(r, planned)
        if (reason) skipped.push({kind: r.kind, target: r.target, reason})
        return !reason
      })
  }
  recommendations = recommendations.map((r) => withTrackRecord(r, input.realized, input.settings.trackRecord))
  const kept =
    options.minSavings === undefined
      ? recommendations
      : recommendations.filter((r) => r.monthlySavings >= options.minSavings!)
  kept.sort((a, b) => b.monthlySavings - a.monthlySavings || a.id.localeCompare(b.id))
  skipped.sort((a, b) => a.kind.localeCompare(b.kind) || targetKey(a).localeCompare(targetKey(b)))
  return {
    recommendations: kept,
    skipped,
    totalMonthlySavings: roundMoney(kept.reduce((s, r) => s + r.monthlySavings, 0)),
    currency: input.prices.currency,
  }
}

const targetKey = (s: SkippedRecommendation): string =>
  [s.target.cluster, s.target.namespace, s.target.kind, s.target.name, s.target.container ?? ''].join('/')

export type {Recommender, RecommenderInput, RecommenderResult} from './context.js'

export {APPLY_KINDS, RECOMMENDATION_KINDS, recommenderRegistry, RUN_ORDER} from './registry.js'
export type {ApplyKind, RecommendationKind} from './registry.js'
