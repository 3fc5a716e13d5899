/**
 * The recommendation contract shared by the recommenders, `finops recommend`, the store and the
 * apply planner. CPU is in cores, memory in bytes, money in the billing currency.
 */
// The kinds are the recommender registry's keys: a type-only import, so nothing here loads a recommender.
import type {RecommendationKind} from '../../recommenders/registry.js'

export type {RecommendationKind}

export type RiskLevel = 'low' | 'medium' | 'high'

export interface WorkloadTarget {
  /** The cluster (inventory name) when known; recommendations from several clusters share one list. */
  cluster?: string
  namespace: string
  /** Deployment, StatefulSet, DaemonSet, CronJob, ... */
  kind: string
  name: string
  /** Set for per-container changes (rightsizing). */
  container?: string
}

/** The target as flat columns (cluster, namespace, kind, name, container), '' for an absent cluster or container. */
export function targetColumns(target: WorkloadTarget): [string, string, string, string, string] {
  return [target.cluster ?? '', target.namespace, target.kind, target.name, target.container ?? '']
}

/** A resource shape: any of requests/limits/replicas that the recommendation talks about. */
export interface ResourceShape {
  cpuRequest?: number
  cpuLimit?: number
  memoryRequest?: number
  memoryLimit?: number
  replicas?: number
  /** Spot migration: the capacity type the workload runs on. */
  capacityType?: 'on-demand' | 'spot'
  /** Scale-down schedules: e.g. 'Mon-Fri 07:30-20:30 Europe/Berlin'. */
  schedule?: string
  /**
   * Rightsizing of a load with a daily pattern: the CPU request of each UTC hour of the day (24 values,
   * cores, hour 0 first), set by in-place pod resize; cpuRequest stays the fixed fallback.
   */
  cpuRequestByHour?: number[]
}

export interface Evidence {
  /** ISO timestamps of the usage window the numbers come from. */
  windowStart?: string
  windowEnd?: string
  samples?: number
  /** e.g. {cpuP95: 0.21, memoryMax: 3.1e8} */
  percentiles?: Record<string, number>
  notes?: string[]
}

export interface Recommendation {
  /** Stable across runs for the same target and kind, so apply can de-duplicate. */
  id: string
  kind: RecommendationKind
  target: WorkloadTarget
  current: ResourceShape
  proposed: ResourceShape
  monthlySavings: number
  currency: string
  risk: {level: RiskLevel; reasons: string[]}
  evidence: Evidence
  /** What finops's measured actions of this kind realized against their promise, when enough were measured. */
  trackRecord?: {ratio: number; actions: number; expectedMonthlySavings: number}
}

/** Thin or ineligible data is reported, never turned into a made-up number. */
export interface SkippedRecommendation {
  kind: RecommendationKind
  target: WorkloadTarget
  reason: string
}
