import type {LabelSelector} from '../k8s/selector.js'
import type {ContainerResources, FieldSet, Toleration} from '../model/action.js'

export {type LabelSelector, selectorMatches} from '../k8s/selector.js'

/**
 * The parts of a Deployment/StatefulSet that apply reads and writes; the client's V1 types are
 * structurally compatible, kept loose here so the pure planner does not depend on the client.
 */
export interface WorkloadObject {
  kind?: string
  metadata?: {
    name?: string
    namespace?: string
    resourceVersion?: string
    creationTimestamp?: string | Date
    /** A Job's CronJob, for one. */
    ownerReferences?: {kind?: string; name?: string}[]
    labels?: Record<string, string>
    annotations?: Record<string, string>
  }
  spec?: {
    replicas?: number
    /** CronJob */
    suspend?: boolean
    /** HorizontalPodAutoscaler */
    minReplicas?: number
    maxReplicas?: number
    scaleTargetRef?: {kind?: string; name?: string}
    strategy?: {type?: string}
    selector?: LabelSelector
    /** A Pod's own containers (a resize changes a running pod, not a template). */
    containers?: {name: string; resources?: {requests?: Record<string, string>; limits?: Record<string, string>}}[]
    template?: {
      metadata?: {labels?: Record<string, string>}
      spec?: {
        containers?: {name: string; resources?: {requests?: Record<string, string>; limits?: Record<string, string>}}[]
        nodeSelector?: Record<string, string>
        tolerations?: Toleration[]
      }
    }
  }
}

/** Reads from a live workload the same fields `template` names, so it can be compared with a plan. */
export function extractFields(workload: WorkloadObject, template: FieldSet): FieldSet {
  const out: FieldSet = {}
  const podSpec = workload.spec?.template?.spec
  if (template.replicas !== undefined) out.replicas = workload.spec?.replicas ?? 1
  if (template.suspend !== undefined) out.suspend = workload.spec?.suspend ?? false
  if (template.minReplicas !== undefined) out.minReplicas = workload.spec?.minReplicas ?? 1
  if (template.annotations) {
    out.annotations = {}
    for (const key of Object.keys(template.annotations))
      out.annotations[key] = workload.metadata?.annotations?.[key] ?? null
  }
  if (template.container) {
    const live = readContainer(workload, template.container.name)
    out.container = live ?? {name: template.container.name, requests: {}, limits: {}}
  }
  if (template.nodeSelector) out.nodeSelector = {...podSpec?.nodeSelector}
  if (template.tolerations) out.tolerations = (podSpec?.tolerations ?? []).map(cleanToleration)
  return out
}

/** A container's requests/limits, or undefined when the pod template has no such container. */
export function readContainer(workload: WorkloadObject, name: string): ContainerResources | undefined {
  const containers = workload.kind === 'Pod' ? workload.spec?.containers : workload.spec?.template?.spec?.containers
  const container = containers?.find((c) => c.name === name)
  if (!container) return undefined
  return {name, requests: {...container.resources?.requests}, limits: {...container.resources?.limits}}
}

// The client deserializes absent optional fields as undefined keys; drop them so JSON comparison is stable.
function cleanToleration(t: Toleration): Toleration {
  const out: Toleration = {}
  for (const key of ['key', 'operator', 'value', 'effect', 'tolerationSeconds'] as const) {
    if (t[key] !== undefined && t[key] !== null) (out as Record<string, unknown>)[key] = t[key]
  }
  return out
}

/** Deterministic JSON (sorted keys) for comparing field sets. */
export function canonical(value: unknown): string {
  return JSON.stringify(sortKeys(value))
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys)
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    )
  }
  return value
}

/** Keys of a FieldSet whose values differ between two sets with the same keys. */
export function changedKeys(from: FieldSet, to: FieldSet): (keyof FieldSet)[] {
  return (Object.keys(to) as (keyof FieldSet)[]).filter((key) => canonical(from[key]) !== canonical(to[key]))
}

/**
 * The patch that turns `live` into `desired` for every field except replicas (replicas go through
 * the scale subresource). Keys to remove are sent as null; the toleration list has no merge key in
 * PodSpec, so it is replaced whole, and the container list is keyed by name, so it is sent as a
 * strategic-merge patch (custom resources only take merge patches, and carry no containers here).
 * Undefined when nothing differs.
 */
export function buildPatch(
  live: FieldSet,
  desired: FieldSet,
  resourceVersion: string | undefined,
): Record<string, unknown> | undefined {
  const patch: {
    metadata: Record<string, unknown>
    spec?: Record<string, unknown> & {template?: {spec: Record<string, unknown>}}
  } = {
    metadata: {},
  }
  let changed = false
  const podSpec = (): Record<string, unknown> => {
    patch.spec ??= {}
    patch.spec.template ??= {spec: {}}
    return patch.spec.template.spec
  }
  if (desired.suspend !== undefined && desired.suspend !== (live.suspend ?? false)) {
    patch.spec = {...patch.spec, suspend: desired.suspend}
    changed = true
  }
  if (desired.minReplicas !== undefined && desired.minReplicas !== live.minReplicas) {
    patch.spec = {...patch.spec, minReplicas: desired.minReplicas}
    changed = true
  }
  if (desired.annotations && canonical(desired.annotations) !== canonical(live.annotations ?? {})) {
    patch.metadata.annotations = {...desired.annotations}
    changed = true
  }
  if (desired.container && canonical(desired.container) !== canonical(live.container)) {
    const before = live.container ?? {name: desired.container.name, requests: {}, limits: {}}
    podSpec().containers = [
      {
        name: desired.container.name,
        resources: {
          requests: withRemovals(before.requests, desired.container.requests),
          limits: withRemovals(before.limits, desired.container.limits),
        },
      },
    ]
    changed = true
  }
  if (desired.nodeSelector && canonical(desired.nodeSelector) !== canonical(live.nodeSelector ?? {})) {
    podSpec().nodeSelector =
      Object.keys(desired.nodeSelector).length > 0 ? withRemovals(live.nodeSelector ?? {}, desired.nodeSelector) : null
    changed = true
  }
  if (desired.tolerations && canonical(desired.tolerations) !== canonical(live.tolerations ?? [])) {
    podSpec().tolerations = desired.tolerations.length > 0 ? desired.tolerations : null
    changed = true
  }
  if (!changed) return undefined
  // The resourceVersion makes the API server refuse the patch (409) if anyone changed the object since we read it.
  if (resourceVersion) patch.metadata.resourceVersion = resourceVersion
  return patch
}

function withRemovals(from: Record<string, string>, to: Record<string, string>): Record<string, string | null> {
  const out: Record<string, string | null> = {...to}
  for (const key of Object.keys(from)) if (!(key in to)) out[key] = null
  return out
}
