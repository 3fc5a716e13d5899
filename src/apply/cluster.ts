import * as k8s from '@kubernetes/client-node'

import {FinopsError} from '../errors.js'
import {buildPatch, extractFields, type WorkloadObject} from './fields.js'
import type {TargetContext} from './guardrails.js'
import {type FieldSet, FINOPS_ANNOTATIONS, type WorkloadRef} from '../model/action.js'

/** The API server refused a write because the object changed since it was read (HTTP 409). */
export class ConflictError extends Error {
  constructor(readonly target: WorkloadRef) {
    super(`${target.kind} ${target.namespace}/${target.name} changed since it was read (resourceVersion conflict)`)
    this.name = 'ConflictError'
  }
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
  /** Workloads carrying our original-replicas annotation (in these namespaces, or all): the restore source when the store is lost. */
  listScaledDown(namespaces?: readonly string[]): Promise<WorkloadObject[]>
}

const MERGE = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch)

/**
 * The Kubernetes actuator: reads with GET/LIST, changes replicas through the scale subresource and
 * everything else with a strategic-merge patch carrying the resourceVersion it was planned against.
 */
export class KubernetesCluster implements WorkloadCluster {
  private readonly apps: k8s.AppsV1Api
  private readonly core: k8s.CoreV1Api
  private readonly autoscaling: k8s.AutoscalingV2Api
  private readonly policy: k8s.PolicyV1Api
  private readonly namespaceCache = new Map<string, Promise<Omit<TargetContext, 'workload'>>>()

  constructor(kubeConfig: k8s.KubeConfig) {
    this.apps = kubeConfig.makeApiClient(k8s.AppsV1Api)
    this.core = kubeConfig.makeApiClient(k8s.CoreV1Api)
    this.autoscaling = kubeConfig.makeApiClient(k8s.AutoscalingV2Api)
    this.policy = kubeConfig.makeApiClient(k8s.PolicyV1Api)
  }

  async readWorkload(ref: WorkloadRef): Promise<WorkloadObject | undefined> {
    try {
      const params = {name: ref.name, namespace: ref.namespace}
      const object =
        ref.kind === 'StatefulSet'
          ? await this.apps.readNamespacedStatefulSet(params)
          : ref.kind === 'Deployment'
            ? await this.apps.readNamespacedDeployment(params)
            : undefined
      if (!object) return {kind: ref.kind, metadata: {name: ref.name, namespace: ref.namespace}}
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
      const [ns, hpas, pdbs] = await Promise.all([
        this.core.readNamespace({name: namespace}),
        this.autoscaling.listNamespacedHorizontalPodAutoscaler({namespace}),
        this.policy.listNamespacedPodDisruptionBudget({namespace}),
      ])
      return {
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

  async writeFields(
    ref: WorkloadRef,
    live: WorkloadObject,
    desired: FieldSet,
    onWrite?: (written: (keyof FieldSet)[]) => void,
  ): Promise<void> {
    const current = extractFields(live, desired)
    let resourceVersion = live.metadata?.resourceVersion
    const replicasChange = desired.replicas !== undefined && desired.replicas !== current.replicas
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
      const updated =
        ref.kind === 'StatefulSet'
          ? await this.apps.patchNamespacedStatefulSet(params, MERGE)
          : await this.apps.patchNamespacedDeployment(params, MERGE)
      return updated.metadata?.resourceVersion
    } catch (error) {
      if (statusOf(error) === 409) throw new ConflictError(ref)
      throw apiError(error, `patch ${ref.kind} ${ref.namespace}/${ref.name}`)
    }
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
          : await this.apps.replaceNamespacedDeploymentScale(params)
      return scaled.metadata?.resourceVersion
    } catch (error) {
      if (statusOf(error) === 409) throw new ConflictError(ref)
      throw apiError(error, `scale ${ref.kind} ${ref.namespace}/${ref.name}`)
    }
  }

  async listScaledDown(namespaces?: readonly string[]): Promise<WorkloadObject[]> {
    const out: WorkloadObject[] = []
    const scopes = namespaces && namespaces.length > 0 ? namespaces : [undefined]
    for (const kind of ['Deployment', 'StatefulSet'] as const) {
      for (const namespace of scopes) {
        let _continue: string | undefined
        do {
          let page: {items: WorkloadObject[]; metadata?: {_continue?: string}}
          try {
            const params = {limit: 500, _continue}
            page = (
              namespace
                ? kind === 'Deployment'
                  ? await this.apps.listNamespacedDeployment({...params, namespace})
                  : await this.apps.listNamespacedStatefulSet({...params, namespace})
                : kind === 'Deployment'
                  ? await this.apps.listDeploymentForAllNamespaces(params)
                  : await this.apps.listStatefulSetForAllNamespaces(params)
            ) as typeof page
          } catch (error) {
            throw apiError(error, `list ${kind}s${namespace ? ` in ${namespace}` : ''}`)
          }
          for (const item of page.items)
            if (item.metadata?.annotations?.[FINOPS_ANNOTATIONS.originalReplicas] !== undefined)
              out.push({...item, kind})
          _continue = page.metadata?._continue || undefined
        } while (_continue)
      }
    }
    return out
  }
}

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
