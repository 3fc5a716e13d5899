import type {ContainerOnNode} from '../model/k8s.js'
import type {Db} from './open.js'

/**
 * Repository of the Kubernetes history read from kube-state-metrics and cAdvisor (migration
 * 0310-k8s-history). Collection writes one namespace (or the cluster-wide objects) for a set of
 * days at a time and replaces what the store held for exactly that scope; allocation reads it back
 * as a stream ordered by cluster, day and node, so a report over a big cluster never holds every row.
 */

/** One container of one workload on one node on one day. Hours are container-hours while running. */
export interface ContainerHoursRow extends ContainerOnNode {
  day: string
  pods: number
  runningHours: number
  cpuRequestCoreHours: number
  memoryRequestGiBHours: number
  cpuUsageCoreHours: number
  memoryUsageGiBHours: number
  /** Requested units x hours by resource name as kube-state-metrics writes it (nvidia_com_gpu, ...). */
  gpuRequestHours: Record<string, number>
}

export interface NodeHoursRow {
  cluster: string
  node: string
  day: string
  hours: number
  cpuCores: number
  memoryBytes: number
  /** GPU-like capacity by resource name (nvidia_com_gpu, nvidia_com_mig_1g_5gb, amd_com_gpu). */
  gpus: Record<string, number>
  providerId: string
  /** Node labels as exported (label keys restored where kube-state-metrics sanitized them is impossible: kept sanitized). */
  labels: Record<string, string>
}

export interface VolumeHoursRow {
  cluster: string
  volume: string
  day: string
  hours: number
  sizeBytes: number
  storageClass: string
  handle: string
  claimNamespace: string
  claim: string
  ownerKind: string
  ownerWorkload: string
}

export interface ServiceHoursRow {
  cluster: string
  namespace: string
  service: string
  day: string
  type: string
  hours: number
}

export interface NetworkRow {
  cluster: string
  namespace: string
  kind: string
  workload: string
  day: string
  transmitGiB: number
}

export interface HistoryCoverage {
  cluster: string
  day: string
  /** A namespace, or '*' for every namespace of the cluster. */
  namespace: string
  through: string
  resolutionSeconds: number
  /** Seconds of the day Prometheus had no kube-state-metrics sample for (nothing was charged for them). */
  missingSeconds: number
}

const placeholders = (n: number) => Array.from({length: n}, () => '?').join(', ')

const inTransaction = <T>(db: Db, run: () => T): T => (db.inTransaction ? run() : db.transaction(run).immediate())

/**
 * Replaces one namespace's history for the given days: containers, network and LoadBalancer
 * Services. Days of the scope with no rows are emptied (a namespace that went away).
 */
export function replaceNamespaceHistory(
  db: Db,
  scope: {cluster: string; namespace: string; days: readonly string[]},
  rows: {
    containers: readonly ContainerHoursRow[]
    services: readonly ServiceHoursRow[]
    network: readonly NetworkRow[]
  },
): void {
  if (scope.days.length === 0) return
  const days = placeholders(scope.days.length)
  const params = [scope.cluster, scope.namespace, ...scope.days]
  const insertContainer = db.prepare(`INSERT OR REPLACE INTO k8s_container_hours
    (cluster, namespace, kind, workload, container, node, day, pods, running_hours, cpu_request_core_hours,
     memory_request_gib_hours, cpu_usage_core_hours, memory_usage_gib_hours, gpu_request_hours)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
  const insertService = db.prepare(
    'INSERT OR REPLACE INTO k8s_service_hours (cluster, namespace, service, day, type, hours) VALUES (?, ?, ?, ?, ?, ?)',
  )
  const insertNetwork = db.prepare(
    'INSERT OR REPLACE INTO k8s_network_daily (cluster, namespace, kind, workload, day, transmit_gib) VALUES (?, ?, ?, ?, ?, ?)',
  )
  inTransaction(db, () => {
    for (const table of ['k8s_container_hours', 'k8s_service_hours', 'k8s_network_daily'])
      db.prepare(`DELETE FROM ${table} WHERE cluster = ? AND namespace = ? AND day IN (${days})`).run(...params)
    for (const r of rows.containers)
      insertContainer.run(
        r.cluster,
        r.namespace,
        r.kind,
        r.workload,
        r.container,
        r.node,
        r.day,
        r.pods,
        r.runningHours,
        r.cpuRequestCoreHours,
        r.memoryRequestGiBHours,
        r.cpuUsageCoreHours,
        r.memoryUsageGiBHours,
        JSON.stringify(r.gpuRequestHours),
      )
    for (const r of rows.services) insertService.run(r.cluster, r.namespace, r.service, r.day, r.type, r.hours)
    for (const r of rows.network) insertNetwork.run(r.cluster, r.namespace, r.kind, r.workload, r.day, r.transmitGiB)
  })
}

/**
 * Replaces the cluster-wide history of the given days: nodes, and the volumes claimed in the
 * collected namespaces ('*': every volume, claimed or not).
 */
export function replaceClusterHistory(
  db: Db,
  scope: {cluster: string; days: readonly string[]; namespaces: readonly string[] | '*'},
  rows: {nodes: readonly NodeHoursRow[]; volumes: readonly VolumeHoursRow[]},
): void {
  if (scope.days.length === 0) return
  const days = placeholders(scope.days.length)
  const insertNode = db.prepare(`INSERT OR REPLACE INTO k8s_node_hours
    (cluster, node, day, hours, cpu_cores, memory_bytes, gpus, provider_id, labels) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
  const insertVolume = db.prepare(`INSERT OR REPLACE INTO k8s_volume_hours
    (cluster, volume, day, hours, size_bytes, storage_class, handle, claim_namespace, claim, owner_kind, owner_workload)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
  inTransaction(db, () => {
    db.prepare(`DELETE FROM k8s_node_hours WHERE cluster = ? AND day IN (${days})`).run(scope.cluster, ...scope.days)
    if (scope.namespaces === '*')
      db.prepare(`DELETE FROM k8s_volume_hours WHERE cluster = ? AND day IN (${days})`).run(
        scope.cluster,
        ...scope.days,
      )
    else if (scope.namespaces.length > 0)
      db.prepare(
        `DELETE FROM k8s_volume_hours WHERE cluster = ? AND day IN (${days}) AND claim_namespace IN (${placeholders(scope.namespaces.length)})`,
      ).run(scope.cluster, ...scope.days, ...scope.namespaces)
    for (const n of rows.nodes)
      insertNode.run(
        n.cluster,
        n.node,
        n.day,
        n.hours,
        n.cpuCores,
        n.memoryBytes,
        JSON.stringify(n.gpus),
        n.providerId,
        JSON.stringify(n.labels),
      )
    for (const v of rows.volumes)
      insertVolume.run(
        v.cluster,
        v.volume,
        v.day,
        v.hours,
        v.sizeBytes,
        v.storageClass,
        v.handle,
        v.claimNamespace,
        v.claim,
        v.ownerKind,
        v.ownerWorkload,
      )
  })
}

/** Records which days (and namespaces) a run covered; '*' replaces any per-namespace coverage of the day. */
export function markHistoryCoverage(db: Db, rows: readonly HistoryCoverage[], collectedAt: string): void {
  const upsert = db.prepare(`INSERT OR REPLACE INTO k8s_history_coverage
    (cluster, day, namespace, through, resolution_seconds, missing_seconds, collected_at) VALUES (?, ?, ?, ?, ?, ?, ?)`)
  const dropNamespaces = db.prepare(
    "DELETE FROM k8s_history_coverage WHERE cluster = ? AND day = ? AND namespace != '*'",
  )
  inTransaction(db, () => {
    for (const r of rows) {
      if (r.namespace === '*') dropNamespaces.run(r.cluster, r.day)
      upsert.run(r.cluster, r.day, r.namespace, r.through, r.resolutionSeconds, r.missingSeconds, collectedAt)
    }
  })
}

export interface HistoryQuery {
  /** Inclusive day range. */
  from: string
  to: string
  cluster?: string
}

const clusterFilter = (q: HistoryQuery): [string, unknown[]] =>
  q.cluster === undefined
    ? ['day BETWEEN ? AND ?', [q.from, q.to]]
    : ['cluster = ? AND day BETWEEN ? AND ?', [q.cluster, q.from, q.to]]

export function readHistoryCoverage(db: Db, q: HistoryQuery): HistoryCoverage[] {
  const [where, params] = clusterFilter(q)
  return db
    .prepare(
      `SELECT cluster, day, namespace, through, resolution_seconds AS resolutionSeconds,
      missing_seconds AS missingSeconds FROM k8s_history_coverage
    WHERE ${where} ORDER BY cluster, day, namespace`,
    )
    .all(...params) as HistoryCoverage[]
}

export function readNodeHours(db: Db, q: HistoryQuery): NodeHoursRow[] {
  const [where, params] = clusterFilter(q)
  const rows = db
    .prepare(
      `SELECT cluster, node, day, hours, cpu_cores AS cpuCores, memory_bytes AS memoryBytes, gpus,
      provider_id AS providerId, labels FROM k8s_node_hours WHERE ${where} ORDER BY cluster, day, node`,
    )
    .all(...params) as (Omit<NodeHoursRow, 'gpus' | 'labels'> & {gpus: string; labels: string})[]
  return rows.map((r) => ({...r, gpus: JSON.parse(r.gpus), labels: JSON.parse(r.labels)}))
}

/** Container rows of the window, streamed in (cluster, day, node) order. */
export function* iterateContainerHours(db: Db, q: HistoryQuery): Generator<ContainerHoursRow> {
  const [where, params] = clusterFilter(q)
  const statement = db.prepare(
    `SELECT cluster, namespace, kind, workload, container, node, day, pods, running_hours AS runningHours,
      cpu_request_core_hours AS cpuRequestCoreHours, memory_request_gib_hours AS memoryRequestGiBHours,
      cpu_usage_core_hours AS cpuUsageCoreHours, memory_usage_gib_hours AS memoryUsageGiBHours,
      gpu_request_hours AS gpuRequestHours
    FROM k8s_container_hours WHERE ${where} ORDER BY cluster, day, node`,
  )
  for (const r of statement.iterate(...params) as IterableIterator<
    Omit<ContainerHoursRow, 'gpuRequestHours'> & {gpuRequestHours: string}
  >)
    yield {...r, gpuRequestHours: r.gpuRequestHours === '{}' ? {} : JSON.parse(r.gpuRequestHours)}
}

export function readVolumeHours(db: Db, q: HistoryQuery): VolumeHoursRow[] {
  const [where, params] = clusterFilter(q)
  return db
    .prepare(
      `SELECT cluster, volume, day, hours, size_bytes AS sizeBytes, storage_class AS storageClass, handle,
      claim_namespace AS claimNamespace, claim, owner_kind AS ownerKind, owner_workload AS ownerWorkload
    FROM k8s_volume_hours WHERE ${where} ORDER BY cluster, day, volume`,
    )
    .all(...params) as VolumeHoursRow[]
}

export function readServiceHours(db: Db, q: HistoryQuery): ServiceHoursRow[] {
  const [where, params] = clusterFilter(q)
  return db
    .prepare(
      `SELECT cluster, namespace, service, day, type, hours FROM k8s_service_hours WHERE ${where}
    ORDER BY cluster, day, namespace, service`,
    )
    .all(...params) as ServiceHoursRow[]
}

export function readNetwork(db: Db, q: HistoryQuery): NetworkRow[] {
  const [where, params] = clusterFilter(q)
  return db
    .prepare(
      `SELECT cluster, namespace, kind, workload, day, transmit_gib AS transmitGiB FROM k8s_network_daily
    WHERE ${where} ORDER BY cluster, day, namespace, kind, workload`,
    )
    .all(...params) as NetworkRow[]
}
