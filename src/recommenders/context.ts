import {createHash} from 'node:crypto'

import type {ContainerUsage, Inventory, Workload} from '../k8s/model.js'
import type {PriceLookup} from './pricing.js'
import type {RecommendSettings} from './settings.js'
import type {Recommendation, RecommendationKind, SkippedRecommendation, WorkloadTarget} from './types.js'

/** Everything a recommender reads. Pure data plus a price lookup; no store, no clock. */
export interface RecommenderInput {
  inventory: Inventory
  /** Day digests per container, keyed by containerKeyId (cluster/namespace/kind/workload/container). */
  usage: ReadonlyMap<string, ContainerUsage>
  prices: PriceLookup
  settings: RecommendSettings
  /** "Now": schedules are priced from here, exclusions expire against it. */
  now: Date
}

export interface RecommenderResult {
  recommendations: Recommendation[]
  skipped: SkippedRecommendation[]
}

export type Recommender = (input: RecommenderInput) => RecommenderResult

const ID_PREFIX: Record<RecommendationKind, string> = {rightsize: 'rs', spot: 'spot', 'scale-down': 'sd'}

/** Stable across runs for the same kind and target, so apply can de-duplicate and users can name it. */
export function recommendationId(kind: RecommendationKind, target: WorkloadTarget): string {
  const key = [target.cluster ?? '', target.namespace, target.kind, target.name, target.container ?? ''].join('/')
  return `${ID_PREFIX[kind]}-${createHash('sha256').update(`${kind}\u0000${key}`).digest('hex').slice(0, 10)}`
}

export const workloadTarget = (w: Workload, container?: string): WorkloadTarget =>
  container === undefined ? {cluster: w.cluster, namespace: w.namespace, kind: w.kind, name: w.name} : {cluster: w.cluster, namespace: w.namespace, kind: w.kind, name: w.name, container}

/** Rounds money for output; the sort uses the same rounded value users see. */
export const roundMoney = (value: number): number => Math.round(value * 100) / 100
