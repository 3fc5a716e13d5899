import {DOWNSCALER_ANNOTATIONS, type SchedulableKind} from '../k8s/downscaler.js'
import {ConflictError, type SchedulableObjects, type WorkloadCluster} from './cluster.js'
import {type WorkloadObject} from './fields.js'
import type {TargetContext} from './guardrails.js'
import {largestAllocatable} from './resource-limits.js'
import {leftToOwner} from './schedules.js'
import {type PodObject, type PodView, podView} from './resize.js'
import type {FieldSet, WorkloadRef} from '../model/action.js'

/** A Kubernetes API object as JSON, the shape the API server returns. */
interface ApiObject {
  kind?: string
  metadata?: {
    name?: string
    namespace?: string
    resourceVersion?: string
    labels?: Record<string, string>
    annotations?: Record<string, string>
    ownerReferences?: unknown[]
  }
  spec?: Record<string, unknown>
  status?: Record<string, unknown>
}

/**
 * A cluster held in memory, for `finops demo` (which has no API server): the same planner, journal
 * and rollback run against it, so the demo shows what apply does to a real snapshot. Writes honour
 * resourceVersion like the API server. Production and the tests use KubernetesCluster.
 */
export class MemoryCluster implements WorkloadCluster {
  private readonly objects: ApiObject[]
  private version = 1

  constructor(objects: readonly unknown[]) {
    this.objects = structuredClone(objects) as ApiObject[]
    for (const o of this.objects) if (o.metadata) o.metadata.resourceVersion = String(this.version++)
  }

  private find(ref: WorkloadRef): ApiObject | undefined {
    return this.objects.find(
      (o) => o.kind === ref.kind && o.metadata?.namespace === ref.namespace && o.metadata?.name === ref.name,
    )
  }

  async readWorkload(ref: WorkloadRef): Promise<WorkloadObject | undefined> {
    const found = this.find(ref)
    return found && (structuredClone(found) as WorkloadObject)
  }

  async readContext(ref: WorkloadRef, workload: WorkloadObject): Promise<TargetContext> {
    const ns = this.objects.find((o) => o.kind === 'Namespace' && o.metadata?.name === ref.namespace)
    const inNamespace = (kind: string) =>
      this.objects.filter((o) => o.kind === kind && o.metadata?.namespace === ref.namespace)
    return {
      workload,
      namespace: {
        name: ref.namespace,
        labels: ns?.metadata?.labels ?? {},
        annotations: ns?.metadata?.annotations ?? {},
      },
      hpas: inNamespace('HorizontalPodAutoscaler').map((h) => ({
        name: h.metadata?.name ?? '',
        scaleTargetRef: h.spec?.scaleTargetRef as {kind: string; name: string},
        utilizationOf: (
          (h.spec?.metrics ?? []) as {type: string; resource?: {name: string; target: {type: string}}}[]
        ).flatMap((m) => (m.type === 'Resource' && m.resource?.target.type === 'Utilization' ? [m.resource.name] : [])),
      })),
      limits: {
        limitRanges: inNamespace('LimitRange').flatMap((lr) =>
          (
            (lr.spec?.limits ?? []) as {
              type: string
              min?: Record<string, string>
              max?: Record<string, string>
              maxLimitRequestRatio?: Record<string, string>
            }[]
          )
            .filter((item) => item.type === 'Container' || item.type === 'Pod')
            .map((item) => ({
              name: lr.metadata?.name ?? '',
              type: item.type as 'Container' | 'Pod',
              min: item.min,
              max: item.max,
              maxLimitRequestRatio: item.maxLimitRequestRatio,
            })),
        ),
        maxAllocatable: this.maxAllocatable(),
      },
      pdbs: inNamespace('PodDisruptionBudget').map((p) => ({
        name: p.metadata?.name ?? '',
        selector: p.spec?.selector as TargetContext['pdbs'][number]['selector'],
        minAvailable: p.spec?.minAvailable as number | string | undefined,
        maxUnavailable: p.spec?.maxUnavailable as number | string | undefined,
        disruptionsAllowed: p.status?.disruptionsAllowed as number | undefined,
      })),
    }
  }

  private maxAllocatable(): {cpu: number; memory: number} | undefined {
    return largestAllocatable(
      this.objects
        .filter((o) => o.kind === 'Node')
        .map((n) => n.status?.allocatable as Record<string, string> | undefined),
    )
  }

  async writeFields(
    ref: WorkloadRef,
    live: WorkloadObject,
    desired: FieldSet,
    onWrite?: (written: (keyof FieldSet)[]) => void,
  ): Promise<void> {
    const target = this.find(ref) as WorkloadObject | undefined
    if (!target) throw new Error(`${ref.kind} ${ref.namespace}/${ref.name} not found`)
    if (target.metadata?.resourceVersion !== live.metadata?.resourceVersion) throw new ConflictError(ref)
    const spec = (target.spec ??= {})
    // A Pod (a resize) has its containers in its own spec; workloads in their template.
    const pod =
      ref.kind === 'Pod'
        ? (spec as NonNullable<NonNullable<typeof spec.template>['spec']>)
        : ((spec.template ??= {}).spec ??= {})
    if (desired.replicas !== undefined) spec.replicas = desired.replicas
    if (desired.suspend !== undefined) spec.suspend = desired.suspend
    if (desired.minReplicas !== undefined) spec.minReplicas = desired.minReplicas
    if (desired.annotations) {
      const annotations = {...target.metadata!.annotations}
      for (const [key, value] of Object.entries(desired.annotations)) {
        if (value === null) delete annotations[key]
        else annotations[key] = value
      }
      target.metadata!.annotations = annotations
    }
    if (desired.container) {
      const container = pod.containers?.find((c) => c.name === desired.container!.name)
      if (container)
        container.resources = {requests: {...desired.container.requests}, limits: {...desired.container.limits}}
    }
    if (desired.nodeSelector)
      pod.nodeSelector = Object.keys(desired.nodeSelector).length > 0 ? {...desired.nodeSelector} : undefined
    if (desired.tolerations)
      pod.tolerations = desired.tolerations.length > 0 ? structuredClone(desired.tolerations) : undefined
    target.metadata!.resourceVersion = String(this.version++)
    onWrite?.(Object.keys(desired) as (keyof FieldSet)[])
  }

  async listSchedulable(
    kinds: readonly SchedulableKind[],
    namespaces?: readonly string[],
  ): Promise<SchedulableObjects> {
    const inScope = (o: ApiObject) =>
      !namespaces || namespaces.length === 0 || namespaces.includes(o.metadata?.namespace ?? '')
    const objects = this.objects
      .filter(
        (o) =>
          (kinds as readonly string[]).includes(o.kind ?? '') &&
          inScope(o) &&
          !leftToOwner(o.kind, o.metadata?.ownerReferences),
      )
      .map((o) => structuredClone(o) as WorkloadObject)
    const out: SchedulableObjects['namespaces'] = new Map()
    for (const ns of this.objects.filter((o) => o.kind === 'Namespace'))
      out.set(ns.metadata?.name ?? '', {labels: ns.metadata?.labels ?? {}, annotations: ns.metadata?.annotations ?? {}})
    return {objects, namespaces: out, missingKinds: []}
  }

  async listPodsForcingUptime(namespaces?: readonly string[]): Promise<string[]> {
    return this.objects
      .filter(
        (o) =>
          o.kind === 'Pod' &&
          (!namespaces || namespaces.length === 0 || namespaces.includes(o.metadata?.namespace ?? '')) &&
          !['Succeeded', 'Failed'].includes(String(o.status?.phase)) &&
          (o.metadata?.annotations?.[DOWNSCALER_ANNOTATIONS.forceUptime] ?? '').trim().toLowerCase() === 'true',
      )
      .map((pod) => `${pod.metadata?.namespace}/${pod.metadata?.name}`)
  }

  async listPods(namespace: string): Promise<PodView[]> {
    return this.objects
      .filter((o) => o.kind === 'Pod' && o.metadata?.namespace === namespace)
      .map((o) => podView(structuredClone(o) as PodObject))
  }

  async readPod(namespace: string, name: string): Promise<PodView | undefined> {
    const found = this.find({namespace, kind: 'Pod', name})
    return found && podView(structuredClone(found) as PodObject)
  }

  async servesPodResize(): Promise<boolean> {
    return true
  }
}
