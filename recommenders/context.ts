import {createHash} from 'node:crypto'

import {
  type ContainerUsage,
  type Histogram,
  type Inventory,
  longRunningContainers,
  type Workload,
  workloadKeyId,
} from '../src/model/k8s.js'
import type {PriceLookup} from './pricing.js'
import type {RecommendSettings} from './settings.js'
import type {RealizedRatios} from './track-record.js'
import type {
  Recommendation,
  RecommendationKind,
  SkippedRecommendation,
  WorkloadTarget,
} from '../src/model/recommendation.js'

/** Everything a recommender reads. Pure data plus a price lookup; no store, no clock. */
export interface RecommenderInput {
  inventory: Inventory
  /** Day digests per container, keyed by containerKeyId (cluster/namespace/kind/workload/container). */
  usage: ReadonlyMap<string, ContainerUsage>
  /**
   * The window's CPU by UTC hour of day (24 sketches, hour 0 first) per container, same keys, where
   * every day of its usage has one: what an hour-of-day request is sized from.
   */
  cpuByHour?: ReadonlyMap<string, readonly Histogram[]>
  prices: PriceLookup
  settings: RecommendSettings
  /** "Now": schedules are priced from here, exclusions expire against it. */
  now: Date
  /** What recommenders earlier in the same run propose, so later ones price on top of it (no double counting). */
  planned?: PlannedChanges
  /** Realized / promised of finops's measured actions per kind (the savings ledger). */
  realized?: RealizedRatios
}

/** Proposals from earlier recommenders in one run, keyed by workloadKeyId. */
export interface PlannedChanges {
  /** Per-replica requests after rightsizing. */
  requests: ReadonlyMap<string, {cores: number; bytes: number}>
  /** Workloads proposed for scale to zero. */
  idle: ReadonlySet<string>
  /** Share of replica-hours a downtime schedule removes (downtime share x replicas saved / replicas). */
  downtime: ReadonlyMap<string, number>
}

/** A workload's per-replica requests: as planned by rightsizing in this run, else as they are. */
export function requestsPerReplica(
  input: Pick<RecommenderInput, 'planned'>,
  workload: Workload,
): {cores: number; bytes: number; planned: boolean} {
  const planned = input.planned?.requests.get(workloadKeyId(workload))
  if (planned) return {...planned, planned: true}
  const containers = longRunningContainers(workload)
  return {
    cores: containers.reduce((s, c) => s + (c.requests.cpu ?? 0), 0),
    bytes: containers.reduce((s, c) => s + (c.requests.memory ?? 0), 0),
    planned: false,
  }
}

export interface RecommenderResult {
  recommendations: Recommendation[]
  skipped: SkippedRecommendation[]
}

export type Recommender = (input: RecommenderInput) => RecommenderResult

/** A kind's name and the prefix of its recommendation ids (`rs-3f2a9c1b0d`); its registry entry carries the same. */
export interface KindId {
  kind: RecommendationKind
  idPrefix: string
}

/** Stable across runs for the same kind and target, so apply can de-duplicate and users can name it. */
export function recommendationId(kind: KindId, target: WorkloadTarget): string {
  const key = [target.cluster ?? '', target.namespace, target.kind, target.name, target.container ?? ''].join('/')
  return `${kind.idPrefix}-${createHash('sha256').update(`${kind.kind}\u0000${key}`).digest('hex').slice(0, 10)}`
}

export const workloadTarget = (w: Workload, container?: string): WorkloadTarget =>
  container === undefined
    ? {cluster: w.cluster, namespace: w.namespace, kind: w.kind, name: w.name}
    : {cluster: w.cluster, namespace: w.namespace, kind: w.kind, name: w.name, container}
