/**
 * The `pods/{name}/resize` subresource of the test API server, as Kubernetes 1.33+ serves it
 * (KEP-1287, "Resize CPU and Memory Resources assigned to Containers"), and the node's answer to a
 * resize, which the kubelet writes into the pod's status:
 * - PATCH (any patch type) or PUT takes the whole pod, but only `spec.containers[*].resources`,
 *   `spec.initContainers[*].resources` and `resizePolicy` are kept; every other change is silently
 *   dropped (the registry's dropNonResizeUpdates).
 * - 422 Invalid when: a container is added, removed or renamed; a resource other than cpu or memory
 *   changes; a quantity is malformed or negative; a request exceeds its limit; a limit or request is
 *   removed; the QoS class computed from the new spec differs from `status.qosClass` (a Guaranteed pod
 *   must keep requests == limits, a Burstable one cannot become Guaranteed or BestEffort).
 * - The kubelet's answer (applied right after the write, as a second write): the pod's summed requests
 *   above its node's allocatable is `PodResizePending`/`Infeasible` (never retried); above what the
 *   other pods on the node leave free is `PodResizePending`/`Deferred`; otherwise it is actuated:
 *   `status.containerStatuses[*].resources` and `allocatedResources` follow the spec, and the
 *   pending condition goes.
 * Quantities are parsed here on their own (not with finops's parser), so the server checks finops.
 */
import type {KubeObject} from './kube-api.js'

export class ResizeError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message)
  }
}

interface Resources {
  requests?: Record<string, string>
  limits?: Record<string, string>
}

interface PodContainer {
  name: string
  resources?: Resources
  resizePolicy?: {resourceName: string; restartPolicy: string}[]
  [key: string]: unknown
}

interface PodShape {
  spec?: {containers?: PodContainer[]; initContainers?: PodContainer[]; nodeName?: string; [key: string]: unknown}
  status?: {
    qosClass?: string
    phase?: string
    conditions?: {type: string; status: string; reason?: string; message?: string; lastTransitionTime?: string}[]
    containerStatuses?: {name: string; resources?: Resources; allocatedResources?: Record<string, string>}[]
    [key: string]: unknown
  }
}

const MUTABLE = new Set(['cpu', 'memory'])

const SUFFIX: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
}

/** A Kubernetes quantity as a number, or undefined when it is not one (the API server's 422). */
export function quantity(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined
  if (typeof value !== 'string') return undefined
  const m = /^(\+)?(\d+(?:\.\d*)?|\.\d+)(?:[eE]([+-]?\d+))?(n|u|m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/.exec(value.trim())
  if (!m) return undefined
  const n = Number(m[2]) * 10 ** Number(m[3] ?? 0) * SUFFIX[m[4] ?? '']!
  return Number.isFinite(n) ? n : undefined
}

/** The QoS class of a pod spec, as the API server computes it (qos.ComputePodQOS, cpu and memory). */
export function podQos(containers: readonly PodContainer[]): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  let any = false
  let guaranteed = true
  for (const c of containers) {
    const requests = c.resources?.requests ?? {}
    const limits = c.resources?.limits ?? {}
    for (const r of ['cpu', 'memory']) {
      if (requests[r] !== undefined || limits[r] !== undefined) any = true
      const limit = limits[r]
      // A request left out defaults to its limit.
      const request = requests[r] ?? limit
      if (limit === undefined || quantity(request) !== quantity(limit)) guaranteed = false
    }
  }
  if (!any) return 'BestEffort'
  return guaranteed ? 'Guaranteed' : 'Burstable'
}

const invalid = (pod: string, message: string) => new ResizeError(422, 'Invalid', `Pod "${pod}" is invalid: ${message}`)

/**
 * The pod after a resize write: `next` is the whole pod the client sent (PUT) or the patch applied
 * to the stored one (PATCH). Throws a 422 the way the API server refuses it.
 */
export function resizedPod(existing: KubeObject, next: KubeObject): KubeObject {
  const name = existing.metadata.name
  const old = existing as unknown as PodShape
  const sent = next as unknown as PodShape
  const out = structuredClone(existing) as unknown as PodShape & KubeObject
  for (const list of ['containers', 'initContainers'] as const) {
    const before = old.spec?.[list] ?? []
    const after = sent.spec?.[list] ?? []
    if (before.length !== after.length || before.some((c, i) => c.name !== after[i]?.name))
      throw invalid(name, `spec.${list}: Forbidden: containers may not be added, removed, renamed or re-ordered`)
    after.forEach((c, i) => {
      const path = `spec.${list}[${i}].resources`
      const was = before[i]!.resources ?? {}
      const now = c.resources ?? {}
      for (const part of ['requests', 'limits'] as const) {
        const keys = new Set([...Object.keys(was[part] ?? {}), ...Object.keys(now[part] ?? {})])
        for (const key of keys) {
          const a = was[part]?.[key]
          const b = now[part]?.[key]
          if (a === b) continue
          if (!MUTABLE.has(key))
            throw invalid(name, `${path}.${part}[${key}]: Forbidden: only cpu and memory resources are mutable`)
          if (b === undefined || b === null)
            throw invalid(name, `${path}.${part}[${key}]: Forbidden: resource ${part} cannot be removed`)
          if (quantity(b) === undefined)
            throw invalid(
              name,
              `${path}.${part}[${key}]: Invalid value: ${JSON.stringify(b)}: must be a non-negative quantity`,
            )
        }
      }
      for (const key of MUTABLE) {
        const request = quantity(now.requests?.[key])
        const limit = quantity(now.limits?.[key])
        if (request !== undefined && limit !== undefined && request > limit)
          throw invalid(
            name,
            `${path}.requests: Invalid value: "${now.requests![key]}": must be less than or equal to ${key} limit of ${now.limits![key]}`,
          )
      }
      if (list === 'initContainers' && c.restartPolicy !== 'Always' && JSON.stringify(was) !== JSON.stringify(now))
        throw invalid(name, `${path}: Forbidden: resources of non-restartable init containers cannot be resized`)
      const target = out.spec![list]![i]!
      target.resources = structuredClone(now)
      if (c.resizePolicy !== undefined) target.resizePolicy = structuredClone(c.resizePolicy)
    })
  }
  const qos = old.status?.qosClass ?? podQos(old.spec?.containers ?? [])
  const computed = podQos(out.spec?.containers ?? [])
  if (computed !== qos)
    throw invalid(name, `spec: Invalid value: "${computed}": Pod QOS Class may not change as a result of resizing`)
  return out
}

const summed = (containers: readonly PodContainer[] | undefined, resource: string, from: 'spec' | Resources[]) =>
  (containers ?? []).reduce(
    (sum, c, i) => sum + (quantity((from === 'spec' ? c.resources : from[i])?.requests?.[resource] ?? '0') ?? 0),
    0,
  )

/**
 * What the pod's node does with a resize: actuate it, defer it or call it infeasible, written into the
 * pod's status as the kubelet writes it. `others` are the other pods (any namespace).
 */
export function kubeletAnswer(
  pod: KubeObject,
  nodes: readonly KubeObject[],
  others: readonly KubeObject[],
  at: Date,
): KubeObject {
  const out = structuredClone(pod) as unknown as PodShape & KubeObject
  const spec = out.spec ?? {}
  const status = (out.status ??= {})
  const conditions = (status.conditions ?? []).filter(
    (c) => c.type !== 'PodResizePending' && c.type !== 'PodResizeInProgress',
  )
  const node = nodes.find((n) => n.metadata.name === spec.nodeName) as
    (KubeObject & {status?: {allocatable?: Record<string, string>}}) | undefined
  const allocatable = node?.status?.allocatable ?? {}
  for (const resource of ['cpu', 'memory']) {
    const capacity = quantity(allocatable[resource])
    if (capacity === undefined) continue
    const wanted = summed(spec.containers, resource, 'spec')
    const unit = resource === 'cpu' ? 1000 : 1
    const show = (n: number) => String(Math.round(n * unit))
    if (wanted > capacity) {
      status.conditions = [
        ...conditions,
        {
          type: 'PodResizePending',
          status: 'True',
          reason: 'Infeasible',
          message: `Node didn't have enough capacity: ${resource}, requested: ${show(wanted)}, capacity: ${show(capacity)}`,
          lastTransitionTime: at.toISOString(),
        },
      ]
      return out
    }
    const used = others
      .filter((o) => (o as unknown as PodShape).spec?.nodeName === spec.nodeName && o.metadata.uid !== pod.metadata.uid)
      .filter((o) => !['Succeeded', 'Failed'].includes((o as unknown as PodShape).status?.phase ?? ''))
      .reduce((sum, o) => sum + summed((o as unknown as PodShape).spec?.containers, resource, 'spec'), 0)
    if (wanted > capacity - used) {
      status.conditions = [
        ...conditions,
        {
          type: 'PodResizePending',
          status: 'True',
          reason: 'Deferred',
          message: `Node didn't have enough resource: ${resource}, requested: ${show(wanted)}, used: ${show(used)}, capacity: ${show(capacity)}`,
          lastTransitionTime: at.toISOString(),
        },
      ]
      return out
    }
  }
  status.conditions = conditions
  status.containerStatuses = (spec.containers ?? []).map((c) => {
    const previous = status.containerStatuses?.find((s) => s.name === c.name) ?? {name: c.name}
    return {
      ...previous,
      name: c.name,
      resources: structuredClone(c.resources ?? {}),
      allocatedResources: structuredClone(c.resources?.requests ?? {}),
    }
  })
  return out
}
