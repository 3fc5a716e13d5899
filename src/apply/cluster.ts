import * as k8s from '@kubernetes/client-node'

import {FinopsError} from '../errors.js'
import {buildPatch, extractFields, type WorkloadObject} from './fields.js'
import {leftToOwner} from './schedules.js'
import type {TargetContext} from './guardrails.js'
import {type ClusterLimits, largestAllocatable} from './resource-limits.js'
import {type PodObject, type PodView, podView} from './resize.js'
import {DOWNSCALER_ANNOTATIONS, type SchedulableKind} from '../k8s/downscaler.js'
import type {FieldSet, WorkloadRef} from '../model/action.js'

/** The API server refused a write because the object changed since it was read (HTTP 409). */
export class ConflictError extends Error {
  constructor(readonly target: WorkloadRef) {
    super(`${target.kind} ${target.namespace}/${target.name} changed since it was read (resourceVersion conflict)`)
    this.name = 'ConflictError'
  }
}

/** The objects a schedule pass judges, with their namespaces' labels and annotations. */
export interface SchedulableObjects {
  objects: WorkloadObject[]
  namespaces: Map<string, {labels: Record<string, string>; annotations: Record<string, string>}>
  /** Kinds the API server does not serve (no Argo Rollouts CRD installed): nothing of theirs to scale. */
  missingKinds: string[]
}

/** What apply and rollback need from a cluster; the Kubernetes implementation is below. */
export interface WorkloadCluster {
  readWorkload(ref: WorkloadRef): Promise<WorkloadObject | undefined>
  readContext(ref: WorkloadRef, workload: WorkloadObject): Promise<TargetContext>
  /** Makes the workload's fields equal `desired`; throws ConflictError on a resourceVersion conflict. */
  writeFields(
    ref: WorkloadRef,
    live: WorkloadObject,
    desired: FieldSet,
    onWrite?: (written: (keyof FieldSet)[]) => void,
  ): Promise<void>
  /** Every object of these kinds (in these namespaces, or all) and the namespaces' annotations: what schedules are judged on. */
  listSchedulable(kinds: readonly SchedulableKind[], namespaces?: readonly string[]): Promise<SchedulableObjects>
  /** Running pods annotated downscaler/force-uptime "true" (in these namespaces, or any), as namespace/name. */
  listPodsForcingUptime(namespaces?: readonly string[]): Promise<string[]>
  /** The pods of a namespace, as the resize planner reads them. */
  listPods(namespace: string): Promise<PodView[]>
  readPod(namespace: string, name: string): Promise<PodView | undefined>
  /** Whether the API server serves the pods' resize subresource (in-place resize, Kubernetes 1.33+). */
  servesPodResize(): Promise<boolean>
}

const STRATEGIC = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch)
// Custom resources take no strategic-merge patch (415): merge patch for Argo Rollouts.
const MERGE = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch)

const ROLLOUT = {group: 'argoproj.io', version: 'v1alpha1', plural: 'rollouts'} as const

/** Kinds whose replicas go through the scale subresource. */
const SCALED_KINDS = new Set(['Deployment', 'StatefulSet', 'Rollout'])

/**
 * The Kubernetes actuator: reads with GET/LIST, changes replicas through the scale subresource and
 * everything else with a patch carrying the resourceVersion it was planned against.
 */
export class KubernetesCluster implements WorkloadCluster {
  private readonly apps: k8s.AppsV1Api
  private readonly core: k8s.CoreV1Api
  private readonly batch: k8s.BatchV1Api
  private readonly autoscaling: k8s.AutoscalingV2Api
  private readonly policy: k8s.PolicyV1Api
  private readonly custom: k8s.CustomObjectsApi
  private readonly namespaceCache = new Map<string, Promise<Omit<TargetContext, 'workload'>>>()
  private allocatable?: Promise<ClusterLimits['maxAllocatable']>
  private resizeServed?: Promise<boolean>

  constructor(kubeConfig: k8s.KubeConfig) {
    this.apps = kubeConfig.makeApiClient(k8s.AppsV1Api)
    this.core = kubeConfig.makeApiClient(k8s.CoreV1Api)
    this.batch = kubeConfig.makeApiClient(k8s.BatchV1Api)
    this.autoscaling = kubeConfig.makeApiClient(k8s.AutoscalingV2Api)
    this.policy = kubeConfig.makeApiClient(k8s.PolicyV1Api)
    this.custom = kubeConfig.makeApiClient(k8s.CustomObjectsApi)
  }

  async readWorkload(ref: WorkloadRef): Promise<WorkloadObject | undefined> {
    try {
      const params = {name: ref.name, namespace: ref.namespace}
      let object: unknown
      switch (ref.kind) {
        case 'Deployment':
          object = await this.apps.readNamespacedDeployment(params)
          break
        case 'StatefulSet':
          object = await this.apps.readNamespacedStatefulSet(params)
          break
        case 'CronJob':
          object = await this.batch.readNamespacedCronJob(params)
          break
        case 'DaemonSet':
          object = await this.apps.readNamespacedDaemonSet(params)
          break
        case 'Job':
          object = await this.batch.readNamespacedJob(params)
          break
        case 'HorizontalPodAutoscaler':
          object = await this.autoscaling.readNamespacedHorizontalPodAutoscaler(params)
          break
        case 'Rollout':
          object = await this.custom.getNamespacedCustomObject({...ROLLOUT, ...params})
          break
        case 'Pod':
          object = await this.core.readNamespacedPod(params)
          break
        default:
          return {kind: ref.kind, metadata: {name: ref.name, namespace: ref.namespace}}
      }
      return {...(object as WorkloadObject), kind: ref.kind}
    } catch (error) {
      if (statusOf(error) === 404) return undefined
      throw apiError(error, `read ${ref.kind} ${ref.namespace}/${ref.name}`)
    }
  }

  async readContext(ref: WorkloadRef, workload: WorkloadObject): Promise<TargetContext> {
    let cached = this.namespaceCache.get(ref.namespace)
    if (!cached) {
      cached = this.readNamespaceContext(ref.namespace)
      this.namespaceCache.set(ref.namespace, cached)
    }
    return {workload, ...(await cached)}
  }

  private async readNamespaceContext(namespace: string): Promise<Omit<TargetContext, 'workload'>> {
    try {
      this.allocatable ??= this.readMaxAllocatable()
      const [ns, hpas, pdbs, limitRanges, maxAllocatable] = await Promise.all([
        this.core.readNamespace({name: namespace}),
        this.autoscaling.listNamespacedHorizontalPodAutoscaler({namespace}),
        this.policy.listNamespacedPodDisruptionBudget({namespace}),
        this.core.listNamespacedLimitRange({namespace}),
        this.allocatable,
      ])
      return {
        limits: {
          limitRanges: limitRanges.items.flatMap((lr) =>
            (lr.spec?.limits ?? [])
              .filter((item) => item.type === 'Container' || item.type === 'Pod')
              .map((item) => ({
                name: lr.metadata?.name ?? '',
                type: item.type as 'Container' | 'Pod',
                min: stringMap(item.min),
                max: stringMap(item.max),
                maxLimitRequestRatio: stringMap(item.maxLimitRequestRatio),
              })),
          ),
          maxAllocatable,
        },
        namespace: {name: namespace, labels: ns.metadata?.labels ?? {}, annotations: ns.metadata?.annotations ?? {}},
        hpas: hpas.items.map((h) => ({
          name: h.metadata?.name ?? '',
          scaleTargetRef: {kind: h.spec?.scaleTargetRef.kind ?? '', name: h.spec?.scaleTargetRef.name ?? ''},
          utilizationOf: (h.spec?.metrics ?? []).flatMap((m) => {
            const resource =
              m.type === 'Resource' ? m.resource : m.type === 'ContainerResource' ? m.containerResource : undefined
            return resource?.target.type === 'Utilization' ? [resource.name] : []
          }),
        })),
        pdbs: pdbs.items.map((p) => ({
          name: p.metadata?.name ?? '',
          selector: p.spec?.selector as TargetContext['pdbs'][number]['selector'],
          minAvailable: p.spec?.minAvailable,
          maxUnavailable: p.spec?.maxUnavailable,
          disruptionsAllowed: p.status?.disruptionsAllowed,
        })),
      }
    } catch (error) {
      throw apiError(error, `read namespace ${namespace} (its HPAs and PDBs)`)
    }
  }

  /** The largest allocatable CPU and memory of any node (a pod above either never schedules). */
  private async readMaxAllocatable(): Promise<ClusterLimits['maxAllocatable']> {
    const allocatables: (Record<string, string> | undefined)[] = []
    let _continue: string | undefined
    do {
      const page = await this.core.listNode({limit: 500, _continue})
      for (const node of page.items) allocatables.push(node.status?.allocatable)
      _continue = page.metadata?._continue || undefined
    } while (_continue)
    return largestAllocatable(allocatables)
  }

  async writeFields(
    ref: WorkloadRef,
    live: WorkloadObject,
    desired: FieldSet,
    onWrite?: (written: (keyof FieldSet)[]) => void,
  ): Promise<void> {
    const current = extractFields(live, desired)
    let resourceVersion = live.metadata?.resourceVersion
    if (ref.kind === 'Pod') return this.resize(ref, current, desired, resourceVersion, onWrite)
    const replicasChange = desired.replicas !== undefined && desired.replicas !== current.replicas
    if (replicasChange && !SCALED_KINDS.has(ref.kind))
      throw new Error(`${ref.kind} ${ref.namespace}/${ref.name} has no scale subresource`)
    // Scaling down: record the original count on the object first (the cluster-side journal), then scale.
    // Scaling up (restore, rollback): scale first, then clear the annotation, so a crash between keeps it.
    const scaleFirst = replicasChange && desired.replicas! > (current.replicas ?? 0)
    if (scaleFirst) {
      resourceVersion = await this.scale(ref, desired.replicas!, resourceVersion)
      onWrite?.(['replicas'])
    }
    const patch = buildPatch(current, desired, resourceVersion)
    if (patch) {
      resourceVersion = await this.patch(ref, patch)
      onWrite?.((Object.keys(desired) as (keyof FieldSet)[]).filter((k) => k !== 'replicas'))
    }
    if (replicasChange && !scaleFirst) {
      await this.scale(ref, desired.replicas!, resourceVersion)
      onWrite?.(['replicas'])
    }
  }

  private async patch(ref: WorkloadRef, body: object): Promise<string | undefined> {
    try {
      const params = {name: ref.name, namespace: ref.namespace, body}
      let updated: {metadata?: {resourceVersion?: string}}
      switch (ref.kind) {
        case 'StatefulSet':
          updated = await this.apps.patchNamespacedStatefulSet(params, STRATEGIC)
          break
        case 'CronJob':
          updated = await this.batch.patchNamespacedCronJob(params, STRATEGIC)
          break
        case 'DaemonSet':
          updated = await this.apps.patchNamespacedDaemonSet(params, STRATEGIC)
          break
        case 'Job':
          updated = await this.batch.patchNamespacedJob(params, STRATEGIC)
          break
        case 'HorizontalPodAutoscaler':
          updated = await this.autoscaling.patchNamespacedHorizontalPodAutoscaler(params, STRATEGIC)
          break
        case 'Rollout':
          updated = (await this.custom.patchNamespacedCustomObject({...ROLLOUT, ...params}, MERGE)) as typeof updated
          break
        default:
          updated = await this.apps.patchNamespacedDeployment(params, STRATEGIC)
      }
      return updated.metadata?.resourceVersion
    } catch (error) {
      if (statusOf(error) === 409) throw new ConflictError(ref)
      throw apiError(error, `patch ${ref.kind} ${ref.namespace}/${ref.name}`)
    }
  }

  /**
   * A running pod's container resources through the resize subresource (the only way they change on a
   * running pod), carrying the resourceVersion it was planned against.
   */
  private async resize(
    ref: WorkloadRef,
    current: FieldSet,
    desired: FieldSet,
    resourceVersion: string | undefined,
    onWrite?: (written: (keyof FieldSet)[]) => void,
  ): Promise<void> {
    const patch = buildPatch(current, {container: desired.container}, resourceVersion) as
      {metadata: object; spec?: {template?: {spec: object}}} | undefined
    if (!patch) return
    // buildPatch speaks of a pod template; a pod has its containers in its own spec.
    const body = {metadata: patch.metadata, spec: patch.spec?.template?.spec}
    try {
      await this.core.patchNamespacedPodResize({name: ref.name, namespace: ref.namespace, body}, STRATEGIC)
      onWrite?.(['container'])
    } catch (error) {
      if (statusOf(error) === 409) throw new ConflictError(ref)
      throw apiError(error, `resize Pod ${ref.namespace}/${ref.name}`)
    }
  }

  async listPods(namespace: string): Promise<PodView[]> {
    const out: PodView[] = []
    let _continue: string | undefined
    do {
      let page: k8s.V1PodList
      try {
        page = await this.core.listNamespacedPod({namespace, limit: 500, _continue})
      } catch (error) {
        throw apiError(error, `list pods in ${namespace}`)
      }
      for (const pod of page.items) out.push(podView(pod as PodObject))
      _continue = page.metadata?._continue || undefined
    } while (_continue)
    return out
  }

  async readPod(namespace: string, name: string): Promise<PodView | undefined> {
    try {
      return podView((await this.core.readNamespacedPod({namespace, name})) as PodObject)
    } catch (error) {
      if (statusOf(error) === 404) return undefined
      throw apiError(error, `read Pod ${namespace}/${name}`)
    }
  }

  // Discovery, not a probe: a cluster without the subresource (before 1.33, or the gate off) does not list it.
  async servesPodResize(): Promise<boolean> {
    this.resizeServed ??= this.core.getAPIResources().then(
      (list) => list.resources.some((r) => r.name === 'pods/resize'),
      (error: unknown) => {
        throw apiError(error, 'read the core API discovery (GET /api/v1)')
      },
    )
    return this.resizeServed
  }

  // PUT on the scale subresource with the resourceVersion we planned against: a concurrent change is a 409, never overwritten.
  private async scale(
    ref: WorkloadRef,
    replicas: number,
    resourceVersion: string | undefined,
  ): Promise<string | undefined> {
    const body: k8s.V1Scale = {
      apiVersion: 'autoscaling/v1',
      kind: 'Scale',
      metadata: {name: ref.name, namespace: ref.namespace, resourceVersion},
      spec: {replicas},
    }
    try {
      const params = {name: ref.name, namespace: ref.namespace, body}
      const scaled =
        ref.kind === 'StatefulSet'
          ? await this.apps.replaceNamespacedStatefulSetScale(params)
          : ref.kind === 'Rollout'
            ? ((await this.custom.replaceNamespacedCustomObjectScale({...ROLLOUT, ...params})) as k8s.V1Scale)
            : await this.apps.replaceNamespacedDeploymentScale(params)
      return scaled.metadata?.resourceVersion
    } catch (error) {
      if (statusOf(error) === 409) throw new ConflictError(ref)
      throw apiError(error, `scale ${ref.kind} ${ref.namespace}/${ref.name}`)
    }
  }

  async listSchedulable(
    kinds: readonly SchedulableKind[],
    namespaces?: readonly string[],
  ): Promise<SchedulableObjects> {
    const scopes = namespaces && namespaces.length > 0 ? namespaces : [undefined]
    const objects: WorkloadObject[] = []
    const missingKinds: string[] = []
    for (const kind of kinds) {
      try {
        for (const namespace of scopes)
          for await (const item of this.pages(kind, namespace))
            if (!leftToOwner(kind, item.metadata?.ownerReferences)) objects.push({...item, kind})
      } catch (error) {
        // No Argo Rollouts CRD: the API server does not know the resource.
        if (kind === 'Rollout' && statusOf(error) === 404) {
          missingKinds.push(kind)
          continue
        }
        throw apiError(error, `list ${kind}s`)
      }
    }
    const wanted = new Set(objects.map((o) => o.metadata?.namespace ?? ''))
    const out: SchedulableObjects['namespaces'] = new Map()
    try {
      if (scopes[0] !== undefined) {
        for (const name of scopes as string[]) {
          try {
            const ns = await this.core.readNamespace({name})
            out.set(name, {labels: ns.metadata?.labels ?? {}, annotations: ns.metadata?.annotations ?? {}})
          } catch (error) {
            if (statusOf(error) !== 404) throw error
          }
        }
      } else if (wanted.size > 0) {
        let _continue: string | undefined
        do {
          const page = await this.core.listNamespace({limit: 500, _continue})
          for (const ns of page.items)
            if (wanted.has(ns.metadata?.name ?? ''))
              out.set(ns.metadata!.name!, {
                labels: ns.metadata?.labels ?? {},
                annotations: ns.metadata?.annotations ?? {},
              })
          _continue = page.metadata?._continue || undefined
        } while (_continue)
      }
    } catch (error) {
      throw apiError(error, 'list namespaces')
    }
    return {objects, namespaces: out, missingKinds}
  }

  private async *pages(kind: SchedulableKind, namespace: string | undefined): AsyncGenerator<WorkloadObject> {
    let _continue: string | undefined
    do {
      const params = {limit: 500, _continue}
      const page = (await this.listPage(kind, namespace, params)) as {
        items: WorkloadObject[]
        metadata?: {_continue?: string; continue?: string}
      }
      yield* page.items
      _continue = page.metadata?._continue || page.metadata?.continue || undefined
    } while (_continue)
  }

  private listPage(
    kind: SchedulableKind,
    namespace: string | undefined,
    params: {limit: number; _continue?: string},
  ): Promise<unknown> {
    if (namespace) {
      const p = {...params, namespace}
      switch (kind) {
        case 'Deployment':
          return this.apps.listNamespacedDeployment(p)
        case 'StatefulSet':
          return this.apps.listNamespacedStatefulSet(p)
        case 'CronJob':
          return this.batch.listNamespacedCronJob(p)
        case 'DaemonSet':
          return this.apps.listNamespacedDaemonSet(p)
        case 'Job':
          return this.batch.listNamespacedJob(p)
        case 'HorizontalPodAutoscaler':
          return this.autoscaling.listNamespacedHorizontalPodAutoscaler(p)
        case 'Rollout':
          return this.custom.listNamespacedCustomObject({...ROLLOUT, ...p})
      }
    }
    switch (kind) {
      case 'Deployment':
        return this.apps.listDeploymentForAllNamespaces(params)
      case 'StatefulSet':
        return this.apps.listStatefulSetForAllNamespaces(params)
      case 'CronJob':
        return this.batch.listCronJobForAllNamespaces(params)
      case 'DaemonSet':
        return this.apps.listDaemonSetForAllNamespaces(params)
      case 'Job':
        return this.batch.listJobForAllNamespaces(params)
      case 'HorizontalPodAutoscaler':
        return this.autoscaling.listHorizontalPodAutoscalerForAllNamespaces(params)
      case 'Rollout':
        return this.custom.listCustomObjectForAllNamespaces({...ROLLOUT, ...params})
    }
  }

  async listPodsForcingUptime(namespaces?: readonly string[]): Promise<string[]> {
    const out: string[] = []
    const scopes = namespaces && namespaces.length > 0 ? namespaces : [undefined]
    for (const namespace of scopes) {
      let _continue: string | undefined
      do {
        let page: k8s.V1PodList
        try {
          const params = {limit: 500, _continue}
          page = namespace
            ? await this.core.listNamespacedPod({...params, namespace})
            : await this.core.listPodForAllNamespaces(params)
        } catch (error) {
          throw apiError(error, `list pods${namespace ? ` in ${namespace}` : ''}`)
        }
        for (const pod of page.items) {
          // Only pods that can still run count, as in kube-downscaler.
          const phase = pod.status?.phase
          if (phase === 'Succeeded' || phase === 'Failed') continue
          if ((pod.metadata?.annotations?.[DOWNSCALER_ANNOTATIONS.forceUptime] ?? '').trim().toLowerCase() === 'true')
            out.push(`${pod.metadata?.namespace}/${pod.metadata?.name}`)
        }
        _continue = page.metadata?._continue || undefined
      } while (_continue)
    }
    return out
  }
}

// Quantities from the client come as strings (or numbers for plain integers).
const stringMap = (map: Record<string, string | number> | undefined): Record<string, string> | undefined =>
  map && Object.fromEntries(Object.entries(map).map(([k, v]) => [k, String(v)]))

export function statusOf(error: unknown): number | undefined {
  const code = (error as {code?: unknown})?.code
  return typeof code === 'number' ? code : undefined
}

/** An API failure as one line: what we tried, the HTTP status, and the server's own message. */
export function apiError(error: unknown, what: string): FinopsError {
  const status = statusOf(error)
  const body = (error as {body?: unknown})?.body
  let message: string | undefined
  if (typeof body === 'string') {
    try {
      message = (JSON.parse(body) as {message?: string}).message
    } catch {
      message = body.slice(0, 200)
    }
  } else if (body && typeof body === 'object') message = (body as {message?: string}).message
  if (status === 401 || status === 403) {
    return new FinopsError(`cannot ${what}: HTTP ${status}${message ? `: ${message}` : ''}`, {
      code: 'K8S_FORBIDDEN',
      exit: 'auth',
      suggestion: 'check the kubeconfig credentials, or the ClusterRole in deploy/base/rbac.yaml',
      cause: error,
    })
  }
  const detail = status
    ? `HTTP ${status}${message ? `: ${message}` : ''}`
    : ((error as Error)?.message ?? String(error))
  return new FinopsError(`cannot ${what}: ${detail}`, {
    code: 'K8S_API',
    exit: 'remote',
    suggestion: 'check that the cluster is reachable (KUBECONFIG, current context)',
    cause: error,
  })
}
