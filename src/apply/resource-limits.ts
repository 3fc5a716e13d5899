import {formatCpu, formatMemory, parseQuantity} from '../k8s/quantity.js'
import type {ContainerResources} from '../model/action.js'

/**
 * What a cluster allows a container to ask for: its namespace's LimitRanges (Container and Pod
 * items: min, max, maxLimitRequestRatio) and the largest node's allocatable CPU and memory (a pod
 * that asks for more never schedules). The API server does not check a Deployment's template
 * against them: a pod that breaks them is refused only when the ReplicaSet creates it, after the
 * rollout has started. So apply checks first.
 */
export interface ClusterLimits {
  limitRanges: LimitRangeItem[]
  /** The largest allocatable of any node (cores, bytes); undefined when nodes cannot be listed. */
  maxAllocatable?: {cpu: number; memory: number}
}

/** The largest allocatable CPU and memory over nodes' `status.allocatable`; undefined unless both are known. */
export function largestAllocatable(
  allocatables: Iterable<Readonly<Record<string, string>> | undefined>,
): ClusterLimits['maxAllocatable'] {
  let cpu = 0
  let memory = 0
  for (const allocatable of allocatables) {
    cpu = Math.max(cpu, parseQuantity(allocatable?.cpu) ?? 0)
    memory = Math.max(memory, parseQuantity(allocatable?.memory) ?? 0)
  }
  return cpu > 0 && memory > 0 ? {cpu, memory} : undefined
}

export interface LimitRangeItem {
  /** The LimitRange's name, for messages. */
  name: string
  type: 'Container' | 'Pod'
  min?: Record<string, string>
  max?: Record<string, string>
  maxLimitRequestRatio?: Record<string, string>
}

/** Static bounds no real container is outside of, whatever the cluster. */
export const SANE_BOUNDS = {
  cpu: {min: 0.001, max: 2048},
  memory: {min: 4 * 2 ** 20, max: 64 * 2 ** 40},
} as const

export interface LimitViolation {
  /** requests.cpu, limits.memory, ... */
  field: string
  problem: string
}

const RESOURCES = ['cpu', 'memory'] as const
const format = (resource: string, value: number): string =>
  resource === 'cpu' ? formatCpu(value) : resource === 'memory' ? formatMemory(value) : String(value)

/**
 * Checks one container's new resources (and the pod they sum to with its other containers) against
 * the cluster's limits. Returns every violation; empty when it fits.
 */
export function checkContainerLimits(
  container: ContainerResources,
  otherContainers: readonly ContainerResources[],
  limits: ClusterLimits,
): LimitViolation[] {
  const out: LimitViolation[] = []
  for (const item of limits.limitRanges) {
    if (item.type === 'Container') out.push(...checkItem(container, item, `LimitRange ${item.name}`))
    else {
      const pod = sumContainers([container, ...otherContainers])
      out.push(...checkItem(pod, item, `LimitRange ${item.name} (pod total)`))
    }
  }
  if (limits.maxAllocatable) {
    const pod = sumContainers([container, ...otherContainers])
    for (const resource of RESOURCES) {
      const asked = parseQuantity(pod.requests[resource])
      const most = limits.maxAllocatable[resource]
      if (asked !== undefined && asked > most)
        out.push({
          field: `requests.${resource}`,
          problem:
            `the pod would request ${format(resource, asked)} of ${resource}, more than any node can allocate ` +
            `(${format(resource, most)}): it would never be scheduled`,
        })
    }
  }
  return out
}

function checkItem(
  resources: Pick<ContainerResources, 'requests' | 'limits'>,
  item: LimitRangeItem,
  where: string,
): LimitViolation[] {
  const out: LimitViolation[] = []
  for (const resource of RESOURCES) {
    const request = parseQuantity(resources.requests[resource])
    const limit = parseQuantity(resources.limits[resource])
    const min = parseQuantity(item.min?.[resource])
    const max = parseQuantity(item.max?.[resource])
    const ratio = parseQuantity(item.maxLimitRequestRatio?.[resource])
    for (const [kind, value] of [
      ['requests', request],
      ['limits', limit],
    ] as const) {
      if (value === undefined) continue
      if (min !== undefined && value < min)
        out.push({
          field: `${kind}.${resource}`,
          problem: `${format(resource, value)} is below the minimum ${format(resource, min)} of ${where}`,
        })
      if (max !== undefined && value > max)
        out.push({
          field: `${kind}.${resource}`,
          problem: `${format(resource, value)} is above the maximum ${format(resource, max)} of ${where}`,
        })
    }
    if (ratio !== undefined && request !== undefined && limit !== undefined && request > 0 && limit / request > ratio)
      out.push({
        field: `limits.${resource}`,
        problem: `the ${resource} limit is ${(limit / request).toFixed(2)}x the request, above the maxLimitRequestRatio ${ratio} of ${where}`,
      })
  }
  return out
}

function sumContainers(containers: readonly Pick<ContainerResources, 'requests' | 'limits'>[]): {
  requests: Record<string, string>
  limits: Record<string, string>
} {
  const sum = (kind: 'requests' | 'limits', resource: string): string | undefined => {
    let total = 0
    let any = false
    for (const c of containers) {
      const v = parseQuantity(c[kind][resource])
      if (v !== undefined) {
        total += v
        any = true
      }
    }
    return any ? String(total) : undefined
  }
  const out = {requests: {} as Record<string, string>, limits: {} as Record<string, string>}
  for (const resource of RESOURCES) {
    const r = sum('requests', resource)
    const l = sum('limits', resource)
    if (r !== undefined) out.requests[resource] = r
    if (l !== undefined) out.limits[resource] = l
  }
  return out
}
