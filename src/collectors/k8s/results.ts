import type {ClusterFailure} from './fleet-run.js'
import type {PrometheusHistorySummary} from './history-prometheus.js'
import type {PrometheusUsageSummary} from './usage-prometheus.js'

/** `collect k8s`: what the snapshot holds now. */
export interface CollectK8sResult {
  cluster: string
  context: string
  collectedAt: string
  workloads: number
  nodes: number
  namespaces: number
  byKind: Record<string, number>
  capacityTypes: Record<string, number>
  requests: Record<string, number>
  warnings: string[]
}

/** `collect usage`: the window read and what it held. */
export interface CollectUsageResult {
  source: 'prometheus' | 'metrics-server'
  cluster: string
  windowStart: string
  windowEnd: string
  containers: number
  containerDays: number
  samples: number
  oomKills?: number
  oomSource?: PrometheusUsageSummary['oomSource'] | 'pod-status'
  queries?: number
  namespaces?: number
  /** True when pods were mapped to workloads through a stored `collect k8s` snapshot. */
  usedInventory: boolean
  /** Pod, node, volume and LoadBalancer history for cost allocation (Prometheus only). */
  history?: PrometheusHistorySummary
}

/** A fleet run: each cluster's result, and the clusters that failed (the others were collected). */
export interface FleetResult<T> {
  clusters: T[]
  failures: ClusterFailure[]
}

export type CollectK8sOutput = CollectK8sResult | FleetResult<CollectK8sResult>
export type CollectUsageOutput = CollectUsageResult | FleetResult<CollectUsageResult>
