import * as k8s from '@kubernetes/client-node'

import {buildInventory, emptyRawCluster, type K8sObject, type RawCluster} from '../../k8s/inventory.js'
import type {KubeAccess} from '../../k8s/kubeconfig.js'
import type {Inventory} from '../../model/k8s.js'
import {apiStatus, kubeError} from './errors.js'

/** A page of a Kubernetes list call. */
interface ListPage {
  items: K8sObject[]
  metadata?: {_continue?: string}
}

type PageCall = (page: {limit: number; _continue?: string}) => Promise<ListPage>

interface ResourceLister {
  /** Field of RawCluster it fills. */
  target: keyof RawCluster
  /** Shown in warnings: the resource as RBAC names it. */
  resource: string
  all: PageCall
  /** Namespaced variant, for --namespace; undefined for cluster-scoped resources. */
  inNamespace?: (namespace: string) => PageCall
  /** Without it the inventory is meaningless: forbidden = an error, not a warning. */
  essential?: boolean
}

export interface CollectInventoryOptions {
  cluster: string
  pageSize: number
  namespaces?: readonly string[]
  now?: Date
  /** Called as each resource kind is listed (or left out), so a caller can show how far the snapshot is. */
  onProgress?: (progress: InventoryProgress) => void
}

export interface InventoryProgress {
  /** The resource just listed, e.g. pods. */
  resource: string
  /** Objects of it listed (0 when it was left out). */
  objects: number
  /** Resource kinds done so far, of `resourcesTotal`. */
  resourcesDone: number
  resourcesTotal: number
}

export interface CollectInventoryResult {
  inventory: Inventory
  /** List requests made (pages), per resource. */
  requests: Record<string, number>
}

function listers(kc: k8s.KubeConfig): ResourceLister[] {
  const core = kc.makeApiClient(k8s.CoreV1Api)
  const apps = kc.makeApiClient(k8s.AppsV1Api)
  const batch = kc.makeApiClient(k8s.BatchV1Api)
  const policy = kc.makeApiClient(k8s.PolicyV1Api)
  const autoscaling = kc.makeApiClient(k8s.AutoscalingV2Api)
  const autoscalingV1 = kc.makeApiClient(k8s.AutoscalingV1Api)
  // Clusters older than 1.23 do not serve autoscaling/v2: fall back to v1 (CPU target only) once.
  let hpaV1 = false
  const withV1Fallback =
    (v2: PageCall, v1: PageCall): PageCall =>
    async (p) => {
      if (hpaV1) return v1(p)
      try {
        return await v2(p)
      } catch (error) {
        if (apiStatus(error)?.code !== 404) throw error
        hpaV1 = true
        return v1(p)
      }
    }
  // client-node returns typed model objects; the builder reads them structurally.
  const cast = (p: Promise<unknown>) => p as Promise<ListPage>
  return [
    {target: 'nodes', resource: 'nodes', essential: true, all: (p) => cast(core.listNode(p))},
    {target: 'namespaces', resource: 'namespaces', all: (p) => cast(core.listNamespace(p))},
    {
      target: 'pods',
      resource: 'pods',
      essential: true,
      all: (p) => cast(core.listPodForAllNamespaces(p)),
      inNamespace: (namespace) => (p) => cast(core.listNamespacedPod({namespace, ...p})),
    },
    {
      target: 'deployments',
      resource: 'deployments.apps',
      all: (p) => cast(apps.listDeploymentForAllNamespaces(p)),
      inNamespace: (namespace) => (p) => cast(apps.listNamespacedDeployment({namespace, ...p})),
    },
    {
      target: 'statefulsets',
      resource: 'statefulsets.apps',
      all: (p) => cast(apps.listStatefulSetForAllNamespaces(p)),
      inNamespace: (namespace) => (p) => cast(apps.listNamespacedStatefulSet({namespace, ...p})),
    },
    {
      target: 'daemonsets',
      resource: 'daemonsets.apps',
      all: (p) => cast(apps.listDaemonSetForAllNamespaces(p)),
      inNamespace: (namespace) => (p) => cast(apps.listNamespacedDaemonSet({namespace, ...p})),
    },
    {
      target: 'replicasets',
      resource: 'replicasets.apps',
      all: (p) => cast(apps.listReplicaSetForAllNamespaces(p)),
      inNamespace: (namespace) => (p) => cast(apps.listNamespacedReplicaSet({namespace, ...p})),
    },
    {
      target: 'jobs',
      resource: 'jobs.batch',
      all: (p) => cast(batch.listJobForAllNamespaces(p)),
      inNamespace: (namespace) => (p) => cast(batch.listNamespacedJob({namespace, ...p})),
    },
    {
      target: 'cronjobs',
      resource: 'cronjobs.batch',
      all: (p) => cast(batch.listCronJobForAllNamespaces(p)),
      inNamespace: (namespace) => (p) => cast(batch.listNamespacedCronJob({namespace, ...p})),
    },
    {
      target: 'hpas',
      resource: 'horizontalpodautoscalers.autoscaling',
      all: withV1Fallback(
        (p) => cast(autoscaling.listHorizontalPodAutoscalerForAllNamespaces(p)),
        (p) => cast(autoscalingV1.listHorizontalPodAutoscalerForAllNamespaces(p)),
      ),
      inNamespace: (namespace) =>
        withV1Fallback(
          (p) => cast(autoscaling.listNamespacedHorizontalPodAutoscaler({namespace, ...p})),
          (p) => cast(autoscalingV1.listNamespacedHorizontalPodAutoscaler({namespace, ...p})),
        ),
    },
    {
      target: 'pdbs',
      resource: 'poddisruptionbudgets.policy',
      all: (p) => cast(policy.listPodDisruptionBudgetForAllNamespaces(p)),
      inNamespace: (namespace) => (p) => cast(policy.listNamespacedPodDisruptionBudget({namespace, ...p})),
    },
    {
      target: 'pvcs',
      resource: 'persistentvolumeclaims',
      all: (p) => cast(core.listPersistentVolumeClaimForAllNamespaces(p)),
      inNamespace: (namespace) => (p) => cast(core.listNamespacedPersistentVolumeClaim({namespace, ...p})),
    },
    {target: 'pvs', resource: 'persistentvolumes', all: (p) => cast(core.listPersistentVolume(p))},
  ]
}

/**
 * Lists every page of one resource. A continue token that expired (410 Gone) restarts the list
 * once, as the API documents: the snapshot must be consistent, not stitched from two versions.
 */
async function listAll(call: PageCall, pageSize: number, count: () => void): Promise<K8sObject[]> {
  for (let attempt = 0; ; attempt++) {
    const items: K8sObject[] = []
    let token: string | undefined
    try {
      do {
        count()
        const page = await call({limit: pageSize, _continue: token})
        items.push(...page.items)
        token = page.metadata?._continue || undefined
      } while (token)
      return items
    } catch (error) {
      if (apiStatus(error)?.code === 410 && attempt === 0) continue
      throw error
    }
  }
}

/**
 * Reads the cluster through the API server with client-node, paginating every list, and builds the
 * inventory. A resource the identity may not list (403) or the cluster does not serve (404) is left
 * out with a warning; when nodes or pods cannot be listed the collection fails, since an inventory
 * without them would mislead every recommendation.
 */
export async function collectInventory(
  access: KubeAccess,
  options: CollectInventoryOptions,
): Promise<CollectInventoryResult> {
  const raw = emptyRawCluster()
  const warnings: string[] = []
  const requests: Record<string, number> = {}
  const namespaces = options.namespaces && options.namespaces.length > 0 ? [...new Set(options.namespaces)] : undefined

  // Resources are listed one after another: a collection is a handful of requests per resource, and
  // sequential paging keeps the API server's load (and our memory) flat on large clusters.
  const all = listers(access.kc)
  let resourcesDone = 0
  const reportDone = (resource: string, objects: number) =>
    options.onProgress?.({resource, objects, resourcesDone: ++resourcesDone, resourcesTotal: all.length})
  for (const lister of all) {
    const count = () => (requests[lister.resource] = (requests[lister.resource] ?? 0) + 1)
    try {
      if (namespaces && lister.inNamespace) {
        for (const ns of namespaces)
          raw[lister.target].push(...(await listAll(lister.inNamespace(ns), options.pageSize, count)))
      } else if (namespaces && lister.target === 'namespaces') {
        raw.namespaces = (await listAll(lister.all, options.pageSize, count)).filter((n) =>
          namespaces.includes(n.metadata?.name),
        )
      } else {
        raw[lister.target] = await listAll(lister.all, options.pageSize, count)
      }
      reportDone(lister.resource, raw[lister.target].length)
    } catch (error) {
      const status = apiStatus(error)
      if ((status?.code === 403 || status?.code === 404) && !lister.essential) {
        warnings.push(
          status.code === 403
            ? `cannot list ${lister.resource} (forbidden): left out of the snapshot; grant list on ${lister.resource} to include it`
            : `${lister.resource} is not served by this cluster (404): left out of the snapshot`,
        )
        reportDone(lister.resource, 0)
        continue
      }
      throw kubeError(error, `list ${lister.resource}`, access.server)
    }
  }
  const collectedAt = (options.now ?? new Date()).toISOString()
  return {inventory: buildInventory(raw, options.cluster, collectedAt, warnings), requests}
}
