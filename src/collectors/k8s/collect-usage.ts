import type {PrometheusConfig} from '../../config/sections/kubernetes.js'
import {mergeDigests} from '../../k8s/digest.js'
import type {KubeAccess} from '../../k8s/kubeconfig.js'
import type {Inventory} from '../../model/k8s.js'
import type {Db} from '../../store/open.js'
import {lastUsageWrite, writeUsage} from '../../store/usage.js'
import {replaceUsageDays} from '../../store/usage-hours.js'
import type {PrometheusHistorySummary} from './history-prometheus.js'
import {collectHistoryIntoStore} from './history-store.js'
import type {PrometheusApi} from './prometheus-client.js'
import type {CollectUsageResult} from './results.js'
import {collectPrometheusUsage, type PrometheusUsageSummary, usageWindow} from './usage-prometheus.js'
import {sampleMetricsServer, type MetricsServerSample} from './usage-metrics-server.js'

/** The cluster a usage run is for, or why none can be chosen (the caller words the error). */
export type UsageClusterChoice =
  | {cluster: string}
  | {cluster?: undefined; problem: 'no-snapshot'}
  | {cluster?: undefined; problem: 'several-snapshots'; clusters: string[]}

/** The named cluster, else the store's only snapshot: with several, guessing would file usage under the wrong one. */
export function chooseUsageCluster(named: string | undefined, stored: readonly string[]): UsageClusterChoice {
  if (named) return {cluster: named}
  if (stored.length === 1) return {cluster: stored[0]!}
  return stored.length > 1 ? {problem: 'several-snapshots', clusters: [...stored]} : {problem: 'no-snapshot'}
}

/** What one usage run covers: the cluster, its namespaces and the snapshot mapping pods to workloads. */
export interface UsageScope {
  cluster: string
  namespaces?: readonly string[]
  inventory?: Inventory
}

/**
 * One metrics-server sample merged into today's digests. OOM kills are counted since the previous
 * sample (the first looks back to the start of today, wall clock: the sample itself is live).
 */
export async function collectMetricsServerUsage(
  db: Db,
  access: KubeAccess,
  scope: UsageScope,
  clock: Date = new Date(),
): Promise<{result: CollectUsageResult; pods: number}> {
  const oomSince =
    lastUsageWrite(db, scope.cluster, 'metrics-server') ?? `${clock.toISOString().slice(0, 10)}T00:00:00.000Z`
  const sample = await sampleMetricsServer(access, {...scope, oomSince})
  writeUsage(db, sample.rows, {merge: (stored, incoming) => mergeDigests([stored, incoming])})
  return {result: metricsServerResult(scope, sample, clock), pods: sample.pods}
}

/** The `collect usage --json` result of a metrics-server sample; its window is the sample's instant. */
export function metricsServerResult(scope: UsageScope, sample: MetricsServerSample, clock: Date): CollectUsageResult {
  const stamp = sample.timestamp ?? clock.toISOString()
  return {
    source: 'metrics-server',
    cluster: scope.cluster,
    windowStart: stamp,
    windowEnd: stamp,
    containers: sample.containers,
    containerDays: sample.rows.length,
    samples: sample.rows.reduce((n, r) => n + r.digest.samples, 0),
    oomKills: sample.oomKills ?? 0,
    oomSource: 'pod-status',
    usedInventory: Boolean(scope.inventory),
  }
}

/** A Prometheus usage run: how far back from when, and whether egress bytes are read too. */
export interface PrometheusUsageRun extends UsageScope {
  days: number
  now: Date
  network: boolean
  onProgress?: (done: number, total: number) => void
}

/**
 * Reads the window's container usage, then the kube-state-metrics history cost allocation needs,
 * writing both to the store batch by batch (a re-collected day replaces the stored one).
 */
export async function collectPrometheusUsageIntoStore(
  db: Db,
  prom: PrometheusApi,
  settings: PrometheusConfig,
  run: PrometheusUsageRun,
): Promise<CollectUsageResult> {
  const {cluster, namespaces, inventory} = run
  const window = usageWindow(run.now.getTime(), run.days, settings.stepSeconds)
  const usage = await collectPrometheusUsage(prom, {
    cluster,
    ...window,
    stepSeconds: settings.stepSeconds,
    rateWindow: settings.rateWindow,
    maxSeriesPerQuery: settings.maxSeriesPerQuery,
    maxSamplesPerQuery: settings.maxSamplesPerQuery,
    concurrency: settings.concurrency,
    extraSelector: settings.extraSelector,
    namespaces,
    inventory,
    write: (rows, hours) => replaceUsageDays(db, rows, hours),
    onProgress: run.onProgress,
  })
  const history = await collectHistoryIntoStore(db, prom, {
    cluster,
    ...window,
    resolutionSeconds: settings.historyResolutionSeconds,
    rateWindow: settings.rateWindow,
    extraSelector: settings.extraSelector,
    namespaces,
    network: run.network,
    inventory,
  })
  return prometheusResult(run, window, usage, history)
}

/** The `collect usage --json` result of a Prometheus window (unix seconds shown as ISO instants). */
export function prometheusResult(
  scope: UsageScope,
  window: {start: number; end: number},
  usage: PrometheusUsageSummary,
  history: PrometheusHistorySummary,
): CollectUsageResult {
  return {
    source: 'prometheus',
    cluster: scope.cluster,
    windowStart: new Date(window.start * 1000).toISOString(),
    windowEnd: new Date(window.end * 1000).toISOString(),
    containers: usage.containers,
    containerDays: usage.containerDays,
    samples: usage.samples,
    oomKills: usage.oomKills,
    oomSource: usage.oomSource,
    queries: usage.queries,
    namespaces: usage.namespaces,
    usedInventory: Boolean(scope.inventory),
    history,
  }
}
