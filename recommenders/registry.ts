import {recommendationId} from './context.js'
import {commitment} from './commitment/index.js'
import type {AnyRecommenderEntry, BillRecommenderEntry, RecommenderEntry} from './entry.js'
import {rightsize} from './rightsize/index.js'
import {scaleDown} from './scale-down/index.js'
import {spot} from './spot/index.js'
import type {WorkloadTarget} from '../src/model/recommendation.js'

/**
 * The recommendation kinds. A new kind is one folder (its recommender and entry) and one line here;
 * `recommend --kind`, `RecommendationKind`, the id pattern of the JSON contract, the run order,
 * `apply --kind`, `apply.kinds` and `actions list --kind` all derive from this object. Key order is
 * the order apply considers kinds in and the order they are listed. An entry `reads` the cluster
 * (workloads) or the bill (commitments): `recommend` runs one family at a time.
 */
export const recommenderRegistry = {
  'scale-down': scaleDown,
  rightsize,
  spot,
  commitment,
} as const satisfies Record<string, AnyRecommenderEntry>

type Registry = typeof recommenderRegistry

/** Every kind `recommend --kind` takes. */
export type RecommenderKind = keyof Registry

/** The kinds sized on the cluster: their results are `Recommendation`s that apply and the store know. */
export type RecommendationKind = {
  [K in RecommenderKind]: Registry[K] extends RecommenderEntry ? K : never
}[RecommenderKind]

/** The kinds sized on the bill. */
export type BillKind = {[K in RecommenderKind]: Registry[K] extends BillRecommenderEntry ? K : never}[RecommenderKind]

export const RECOMMENDER_KINDS = Object.keys(recommenderRegistry) as [RecommenderKind, ...RecommenderKind[]]

const reading = (reads: AnyRecommenderEntry['reads']) =>
  RECOMMENDER_KINDS.filter((k) => recommenderRegistry[k].reads === reads)

/** The cluster kinds (what `recommend` runs without --kind). */
export const RECOMMENDATION_KINDS = reading('workloads') as [RecommendationKind, ...RecommendationKind[]]

export const BILL_KINDS = reading('bill') as BillKind[]

/** The order kinds are computed in, whatever order --kind lists them. */
export const RUN_ORDER: readonly RecommendationKind[] = [...RECOMMENDATION_KINDS].sort(
  (a, b) => recommenderRegistry[a].runOrder - recommenderRegistry[b].runOrder,
)

/** The kinds `finops apply` can change in a cluster. */
export type ApplyKind = {
  [K in RecommendationKind]: (typeof recommenderRegistry)[K] extends RecommenderEntry<true> ? K : never
}[RecommendationKind]

export const APPLY_KINDS = RECOMMENDATION_KINDS.filter((k) => recommenderRegistry[k].applies) as [
  ApplyKind,
  ...ApplyKind[],
]

/** Whether a kind is one of these apply kinds (a report-only kind never is). */
export const isSelectedApplyKind = (kinds: readonly ApplyKind[], kind: RecommendationKind): kind is ApplyKind =>
  (kinds as readonly RecommendationKind[]).includes(kind)

/** Matches every kind's recommendation ids: `<prefix>-<10 hex digits>`. */
export const RECOMMENDATION_ID_PATTERN = new RegExp(
  `^(${RECOMMENDATION_KINDS.map((k) => recommenderRegistry[k].idPrefix).join('|')})-[0-9a-f]{10}$`,
)

/** The id of a kind's recommendation for a target (what its recommender assigns). */
export const recommendationIdFor = (kind: RecommendationKind, target: WorkloadTarget): string =>
  recommendationId({kind, idPrefix: recommenderRegistry[kind].idPrefix}, target)
