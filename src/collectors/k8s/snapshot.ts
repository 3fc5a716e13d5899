import type {Db} from '../../store/open.js'
import {loadKubeAccess} from '../../k8s/kubeconfig.js'
import type {FleetMember} from '../../k8s/fleet.js'
import {replaceInventory} from '../../store/k8s-inventory.js'
import {collectInventory, type InventoryProgress} from './inventory.js'
import type {CollectK8sResult} from './results.js'

export interface SnapshotOptions {
  pageSize: number
  namespaces?: readonly string[]
  now: Date
  /** Told where the snapshot is read from, before the first request. */
  onStart?: (where: {server: string; context: string}) => void
  onProgress?: (progress: InventoryProgress) => void
}

/**
 * Lists one cluster's objects through its API server and replaces its snapshot in the store, in one
 * transaction: a cluster that fails part-way leaves its previous snapshot as it was.
 */
export async function snapshotCluster(
  db: Db,
  member: FleetMember,
  options: SnapshotOptions,
): Promise<CollectK8sResult> {
  const access = loadKubeAccess({kubeconfig: member.kubeconfig, context: member.context})
  const cluster = member.name ?? access.context
  options.onStart?.({server: access.server, context: access.context})
  const {inventory, requests} = await collectInventory(access, {
    cluster,
    pageSize: options.pageSize,
    namespaces: options.namespaces,
    now: options.now,
    onProgress: options.onProgress,
  })
  const written = replaceInventory(db, inventory, access.context)
  const byKind: Record<string, number> = {}
  for (const w of inventory.workloads) byKind[w.kind] = (byKind[w.kind] ?? 0) + 1
  const capacityTypes: Record<string, number> = {}
  for (const n of inventory.nodes) capacityTypes[n.capacityType] = (capacityTypes[n.capacityType] ?? 0) + 1
  return {
    cluster,
    context: access.context,
    collectedAt: inventory.collectedAt,
    workloads: written.workloads,
    nodes: written.nodes,
    namespaces: written.namespaces,
    byKind,
    capacityTypes,
    requests,
    warnings: inventory.warnings,
  }
}
