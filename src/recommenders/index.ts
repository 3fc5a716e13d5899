import type {Recommender, RecommenderInput} from './context.js'
import {recommendRightsizing} from './rightsize.js'
import {recommendScaleDown} from './scale-down.js'
import {recommendSpot} from './spot.js'
import type {Recommendation, RecommendationKind, SkippedRecommendation} from './types.js'

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
  const inNamespace = (ns: string) => !options.namespaces || options.namespaces.length === 0 || options.namespaces.includes(ns)
  const scoped: RecommenderInput = options.namespaces && options.namespaces.length > 0
    ? {...input, inventory: {...input.inventory, workloads: input.inventory.workloads.filter((w) => inNamespace(w.namespace))}}
    : input
  const recommendations: Recommendation[] = []
  const skipped: SkippedRecommendation[] = []
  for (const kind of options.kinds) {
    const result = recommenders[kind](scoped)
    recommendations.push(...result.recommendations)
    skipped.push(...result.skipped)
  }
  const kept = options.minSavings === undefined ? recommendations : recommendations.filter((r) => r.monthlySavings >= options.minSavings!)
  kept.sort((a, b) => b.monthlySavings - a.monthlySavings || a.id.localeCompare(b.id))
  skipped.sort((a, b) => a.kind.localeCompare(b.kind) || targetKey(a).localeCompare(targetKey(b)))
  return {
    recommendations: kept,
    skipped,
    totalMonthlySavings: Math.round(kept.reduce((s, r) => s + r.monthlySavings, 0) * 100) / 100,
    currency: input.prices.currency,
  }
}

const targetKey = (s: SkippedRecommendation): string => [s.target.cluster, s.target.namespace, s.target.kind, s.target.name, s.target.container ?? ''].join('/')

export type {Recommender, RecommenderInput, RecommenderResult} from './context.js'
