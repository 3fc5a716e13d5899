import type {Inventory, NamespaceInfo, NodeInfo, Workload} from '../model/k8s.js'
import type {Db} from './open.js'

/** What a snapshot replacement wrote. */
export interface InventoryWriteResult {
  cluster: string
  workloads: number
  nodes: number
  namespaces: number
}

/**
 * Replaces the cluster's snapshot with `inventory` in one transaction: objects gone from the
 * cluster disappear, and a failure leaves the previous snapshot in place.
 */
export function replaceInventory(db: Db, inventory: Inventory, source: string): InventoryWriteResult {
  const cluster = inventory.cluster
  const insertWorkload = db.prepare(
    'INSERT OR REPLACE INTO k8s_workloads (cluster, namespace, kind, name, doc) VALUES (?, ?, ?, ?, ?)',
  )
  const insertNode =
    db.prepare(`INSERT OR REPLACE INTO k8s_nodes (cluster, name, provider_id, instance_id, instance_type, capacity_type, doc)
    VALUES (?, ?, ?, ?, ?, ?, ?)`)
  const insertNamespace = db.prepare('INSERT OR REPLACE INTO k8s_namespaces (cluster, name, doc) VALUES (?, ?, ?)')
  return db
    .transaction((): InventoryWriteResult => {
      for (const table of ['k8s_workloads', 'k8s_nodes', 'k8s_namespaces'])
        db.prepare(`DELETE FROM ${table} WHERE cluster = ?`).run(cluster)
      for (const w of inventory.workloads)
        insertWorkload.run(cluster, w.namespace, w.kind, w.name, JSON.stringify({...w, cluster}))
      for (const n of inventory.nodes) {
        insertNode.run(
          cluster,
          n.name,
          n.providerId ?? '',
          n.instanceId ?? '',
          n.instanceType ?? '',
          n.capacityType,
          JSON.stringify({...n, cluster}),
        )
      }
      for (const ns of inventory.namespaces) insertNamespace.run(cluster, ns.name, JSON.stringify({...ns, cluster}))
      db.prepare(
        `INSERT INTO k8s_snapshots (cluster, collected_at, source, workloads, nodes, warnings) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (cluster) DO UPDATE SET collected_at = excluded.collected_at, source = excluded.source,
        workloads = excluded.workloads, nodes = excluded.nodes, warnings = excluded.warnings`,
      ).run(
        cluster,
        inventory.collectedAt,
        source,
        inventory.workloads.length,
        inventory.nodes.length,
        JSON.stringify(inventory.warnings),
      )
      return {
        cluster,
        workloads: inventory.workloads.length,
        nodes: inventory.nodes.length,
        namespaces: inventory.namespaces.length,
      }
    })
    .immediate()
}

export interface SnapshotInfo {
  cluster: string
  collectedAt: string
  source: string
  workloads: number
  nodes: number
  warnings: string[]
}

/** The clusters with a snapshot in the store, by name. */
export function listSnapshots(db: Db): SnapshotInfo[] {
  const rows = db
    .prepare('SELECT cluster, collected_at, source, workloads, nodes, warnings FROM k8s_snapshots ORDER BY cluster')
    .all() as {
    cluster: string
    collected_at: string
    source: string
    workloads: number
    nodes: number
    warnings: string
  }[]
  return rows.map((r) => ({
    cluster: r.cluster,
    collectedAt: r.collected_at,
    source: r.source,
    workloads: r.workloads,
    nodes: r.nodes,
    warnings: JSON.parse(r.warnings) as string[],
  }))
}

/**
 * Reads the stored inventory: one cluster's snapshot, or every cluster's objects together when no
 * cluster is named (each object carries its `cluster`; the result's `cluster` is then the names
 * joined with ','). Undefined when the store holds no snapshot (for that cluster).
 */
export function readInventory(db: Db, cluster?: string): Inventory | undefined {
  const snapshots = listSnapshots(db).filter((s) => cluster === undefined || s.cluster === cluster)
  if (snapshots.length === 0) return undefined
  const where = cluster === undefined ? '' : ' WHERE cluster = ?'
  const params = cluster === undefined ? [] : [cluster]
  const docs = <T>(table: string, order: string): T[] =>
    (
      db
        .prepare(`SELECT doc FROM ${table}${where} ORDER BY ${order}`)
        .pluck()
        .all(...params) as string[]
    ).map((d) => JSON.parse(d) as T)
  return {
    cluster: snapshots.map((s) => s.cluster).join(','),
    collectedAt: snapshots
      .map((s) => s.collectedAt)
      .sort()
      .at(-1)!,
    workloads: docs<Workload>('k8s_workloads', 'cluster, namespace, kind, name'),
    nodes: docs<NodeInfo>('k8s_nodes', 'cluster, name'),
    namespaces: docs<NamespaceInfo>('k8s_namespaces', 'cluster, name'),
    warnings: snapshots.flatMap((s) => s.warnings),
  }
}
