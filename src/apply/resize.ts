import {formatCpu, parseQuantity} from '../k8s/quantity.js'
import type {ContainerResources} from '../model/action.js'
import {SANE_BOUNDS} from './resource-limits.js'

/**
 * The pure part of applying an hour-of-day CPU request schedule (`proposed.cpuRequestByHour`) to
 * running pods by in-place resize (the pods/resize subresource, Kubernetes 1.33+): which hour's value
 * applies, whether a schedule can be trusted, and what to do with one pod.
 */

/** A running pod as the resize planner reads it. */
export interface PodView {
  name: string
  namespace: string
  labels: Record<string, string>
  phase?: string
  /** metadata.deletionTimestamp is set: the pod is going away. */
  deleting: boolean
  resourceVersion?: string
  /** status.qosClass; computed from the spec when absent. */
  qosClass?: string
  containers: (ContainerResources & {
    /** resizePolicy for cpu is RestartContainer: the kubelet restarts the container to resize it. */
    cpuRestart: boolean
  })[]
  /** The pod's PodResizePending condition, when it has one (reason Deferred or Infeasible). */
  pending?: {reason: string; message: string}
}

/** A pod as the API serves it (JSON, or the client's V1Pod): the fields the planner reads. */
export interface PodObject {
  metadata?: {
    name?: string
    namespace?: string
    resourceVersion?: string
    labels?: Record<string, string>
    deletionTimestamp?: unknown
  }
  spec?: {
    containers?: {
      name: string
      resources?: {requests?: Record<string, string | number>; limits?: Record<string, string | number>}
      resizePolicy?: {resourceName: string; restartPolicy: string}[]
    }[]
  }
  status?: {
    phase?: string
    qosClass?: string
    conditions?: {type: string; status?: string; reason?: string; message?: string}[]
  }
}

const strings = (map: Record<string, string | number> | undefined): Record<string, string> =>
  Object.fromEntries(Object.entries(map ?? {}).map(([k, v]) => [k, String(v)]))

/** A pod as the planner reads it. */
export function podView(pod: PodObject): PodView {
  const pending = pod.status?.conditions?.find((c) => c.type === 'PodResizePending' && c.status !== 'False')
  return {
    name: pod.metadata?.name ?? '',
    namespace: pod.metadata?.namespace ?? '',
    labels: pod.metadata?.labels ?? {},
    phase: pod.status?.phase,
    deleting: pod.metadata?.deletionTimestamp !== undefined && pod.metadata?.deletionTimestamp !== null,
    resourceVersion: pod.metadata?.resourceVersion,
    qosClass: pod.status?.qosClass,
    containers: (pod.spec?.containers ?? []).map((c) => ({
      name: c.name,
      requests: strings(c.resources?.requests),
      limits: strings(c.resources?.limits),
      cpuRestart: (c.resizePolicy ?? []).some(
        (p) => p.resourceName === 'cpu' && p.restartPolicy === 'RestartContainer',
      ),
    })),
    pending: pending && {reason: pending.reason ?? 'Deferred', message: pending.message ?? ''},
  }
}

export type PodDecision =
  | {type: 'resize'; before: ContainerResources; after: ContainerResources; reason: string}
  | {type: 'skip'; code: string; reason: string}
  /** Not possible without what the user has not allowed: the whole run is refused, nothing changed. */
  | {type: 'refuse'; reason: string}

/** Why a schedule cannot be used (24 finite values within the sane CPU range), or undefined. */
export function scheduleProblem(values: unknown): string | undefined {
  if (!Array.isArray(values)) return 'cpuRequestByHour is not a list'
  if (values.length !== 24) return `cpuRequestByHour has ${values.length} values, not 24 (one per UTC hour)`
  const index = values.findIndex(
    (v) => typeof v !== 'number' || !Number.isFinite(v) || v < SANE_BOUNDS.cpu.min || v > SANE_BOUNDS.cpu.max,
  )
  if (index < 0) return undefined
  const v = values[index] as unknown
  const shown = typeof v === 'number' && Number.isFinite(v) && v >= 0 ? formatCpu(v) : String(v)
  return `cpuRequestByHour[${index}] ${shown} is outside the sane range ${formatCpu(SANE_BOUNDS.cpu.min)} to ${formatCpu(SANE_BOUNDS.cpu.max)}`
}

/** The request of the UTC hour `now` falls in (the schedule is indexed by UTC hour, hour 0 first). */
export const hourlyRequest = (values: readonly number[], now: Date): number => values[now.getUTCHours()]!

/** The start of the UTC hour `now` falls in. */
export const hourStart = (now: Date): Date =>
  new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), now.getUTCHours()))

/** The QoS class Kubernetes computes from containers' cpu and memory requests and limits. */
export function qosOf(containers: readonly ContainerResources[]): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  let any = false
  let guaranteed = true
  for (const c of containers)
    for (const r of ['cpu', 'memory']) {
      const limit = c.limits[r]
      // A request left out defaults to its limit.
      const request = c.requests[r] ?? limit
      if (c.requests[r] !== undefined || limit !== undefined) any = true
      if (limit === undefined || parseQuantity(request) !== parseQuantity(limit)) guaranteed = false
    }
  if (!any) return 'BestEffort'
  return guaranteed ? 'Guaranteed' : 'Burstable'
}

const sameCores = (a: number | undefined, b: number): boolean => a !== undefined && Math.abs(a - b) < 1e-9

/**
 * What to do with one pod's container for this hour's request. The order matters: a pod already at the
 * value is left alone whatever its policy; then what the API server or the node would refuse is
 * skipped (never sent); a restart the user has not allowed refuses the run.
 */
export function planPodResize(
  pod: PodView,
  container: string,
  cores: number,
  options: {allowRestart: boolean; hour: number; resizedAt?: string},
): PodDecision {
  const live = pod.containers.find((c) => c.name === container)
  if (!live) return {type: 'skip', code: 'not-found', reason: `container ${container} is not in pod ${pod.name}`}
  const target = formatCpu(cores)
  const desired = parseQuantity(live.requests.cpu)
  const infeasible = pod.pending?.reason === 'Infeasible'
  if (sameCores(desired, parseQuantity(target)!)) {
    if (infeasible)
      return {
        type: 'skip',
        code: 'infeasible',
        reason: `the node cannot fit cpu ${target} (PodResizePending Infeasible: ${pod.pending!.message}); not retried`,
      }
    const deferred = pod.pending?.reason === 'Deferred' ? ` (the node deferred it: ${pod.pending.message})` : ''
    return {type: 'skip', code: 'noop', reason: `already requests cpu ${target}${deferred}`}
  }
  if (options.resizedAt)
    return {
      type: 'skip',
      code: 'hourly',
      reason: `already resized at ${options.resizedAt} (at most one resize per pod an hour)`,
    }
  // An Infeasible resize is never retried by the kubelet: asking for as much or more again cannot fit either.
  if (infeasible && desired !== undefined && cores >= desired)
    return {
      type: 'skip',
      code: 'infeasible',
      reason: `the node cannot fit cpu ${live.requests.cpu} (PodResizePending Infeasible: ${pod.pending!.message}); ${target} is not tried`,
    }
  const after: ContainerResources = {
    name: live.name,
    requests: {...live.requests, cpu: target},
    limits: {...live.limits},
  }
  const before: ContainerResources = {name: live.name, requests: {...live.requests}, limits: {...live.limits}}
  const qos = pod.qosClass ?? qosOf(pod.containers)
  if (qos === 'Guaranteed')
    return {
      type: 'skip',
      code: 'qos',
      reason:
        'Guaranteed QoS: the request cannot move without its limit (the API server refuses a QoS change), and a limit ' +
        'that follows the schedule would throttle the busy hours; give the template a CPU limit above the request',
    }
  const limit = parseQuantity(live.limits.cpu)
  if (limit !== undefined && cores > limit)
    return {
      type: 'skip',
      code: 'limits',
      reason: `the hour's request ${target} is above the CPU limit ${live.limits.cpu} (the API server refuses a request above its limit)`,
    }
  const others = pod.containers.filter((c) => c.name !== container)
  if (qosOf([after, ...others]) !== qos)
    return {
      type: 'skip',
      code: 'qos',
      reason: `cpu ${target} would make the pod ${qosOf([after, ...others])} (it is ${qos}): the API server refuses a QoS change`,
    }
  if (live.cpuRestart && !options.allowRestart)
    return {
      type: 'refuse',
      reason: `pod ${pod.namespace}/${pod.name} container ${container} has resizePolicy cpu: RestartContainer, so every resize would restart it`,
    }
  return {
    type: 'resize',
    before,
    after,
    reason: `cpu request ${live.requests.cpu ?? '-'} -> ${target} (the schedule's ${String(options.hour).padStart(2, '0')}h UTC value)`,
  }
}
