import {markHistoryCoverage, replaceClusterHistory, replaceNamespaceHistory} from '../../store/k8s-history.js'
import type {Db} from '../../store/open.js'
import {
  collectPrometheusHistory,
  type PrometheusHistoryOptions,
  type PrometheusHistorySummary,
} from './history-prometheus.js'
import type {PrometheusApi} from './prometheus-client.js'

/** Collects kube-state-metrics history and writes it to the store as it comes (each batch in its own transaction). */
export function collectHistoryIntoStore(
  db: Db,
  prom: PrometheusApi,
  options: Omit<PrometheusHistoryOptions, 'writeNamespace' | 'writeCluster' | 'writeCoverage'>,
): Promise<PrometheusHistorySummary> {
  const collectedAt = new Date().toISOString()
  return collectPrometheusHistory(prom, {
    ...options,
    writeNamespace: (scope, rows) => replaceNamespaceHistory(db, {cluster: options.cluster, ...scope}, rows),
    writeCluster: (scope, rows) => replaceClusterHistory(db, {cluster: options.cluster, ...scope}, rows),
    writeCoverage: (rows) => markHistoryCoverage(db, rows, collectedAt),
  })
}
