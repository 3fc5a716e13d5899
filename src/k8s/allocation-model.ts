import type {ContainerOnNode} from '../model/k8s.js'
import type {NodePrice} from './prices.js'

/**
 * The inputs of cost allocation, whatever they were read from (kube-state-metrics history or the
 * snapshot): what each container requested and used on each node on each day, the priced node-days,
 * volumes, LoadBalancers and network. Hours are container-hours while running; memory in GiB-hours.
 */

export interface ContainerNodeDay extends ContainerOnNode {
  day: string
  runningHours: number
  cpuRequestCoreHours: number
  cpuUsageCoreHours: number
  memoryRequestGiBHours: number
  memoryUsageGiBHours: number
  /** Requested units x hours by resource name (nvidia_com_gpu, nvidia_com_mig_1g_5gb, amd_com_gpu, or API spelling). */
  gpuRequestHours: Readonly<Record<string, number>>
}

/** The order container rows are streamed in: cluster, day, node (code-unit order, as SQLite's BINARY collation). */
export const nodeDayKey = (r: {cluster: string; day: string; node: string}): string =>
  `${r.cluster}\u0000${r.day}\u0000${r.node}`

export const compareNodeDay = (a: {cluster: string; day: string; node: string}, b: typeof a): number => {
  const x = nodeDayKey(a)
  const y = nodeDayKey(b)
  return x < y ? -1 : x > y ? 1 : 0
}

/** Merges streams that are each sorted by (cluster, day, node) into one sorted stream. */
export function* mergeByNodeDay<T extends {cluster: string; day: string; node: string}>(
  ...streams: Iterable<T>[]
): Generator<T> {
  const iterators = streams.map((s) => s[Symbol.iterator]())
  const heads = iterators.map((it) => it.next())
  for (;;) {
    let best = -1
    for (let i = 0; i < heads.length; i++) {
      const h = heads[i]!
      if (h.done) continue
      if (best < 0 || compareNodeDay(h.value, (heads[best] as IteratorYieldResult<T>).value) < 0) best = i
    }
    if (best < 0) return
    yield (heads[best] as IteratorYieldResult<T>).value
    heads[best] = iterators[best]!.next()
  }
}

export interface NodeDay {
  cluster: string
  node: string
  day: string
  hours: number
  price: NodePrice
  /** Node labels (API or kube-state-metrics spelling), for GPU fractions. */
  labels: Readonly<Record<string, string>>
}

/** A persistent volume on a day, priced, and who it is charged to. */
export interface VolumeDay {
  cluster: string
  volume: string
  day: string
  hours: number
  sizeGiB: number
  /** $ per GiB-hour, or the bill's cost for the volume that day when `billedCost` is set. */
  gibHour: number
  billedCost?: number
  /** Claim and the workload that mounted it (empty when unknown). */
  namespace: string
  claim: string
  ownerKind: string
  ownerWorkload: string
}

export interface ServiceDay {
  cluster: string
  namespace: string
  service: string
  day: string
  hours: number
  hourly: number
}

export interface NetworkDay {
  cluster: string
  namespace: string
  kind: string
  workload: string
  day: string
  gib: number
  perGiB: number
}

/** Labels used by `label:<key>` group keys and `label:key=value` shares. */
export interface LabelSource {
  /** A workload's pod-template labels, then its own labels (undefined when the snapshot does not list it). */
  workload(cluster: string, namespace: string, kind: string, name: string): Readonly<Record<string, string>> | undefined
  namespace(cluster: string, namespace: string): Readonly<Record<string, string>> | undefined
}

/** Money and quantities of one allocation row (or unit before grouping). */
export interface AllocationAmounts {
  cpuCost: number
  memoryCost: number
  gpuCost: number
  storageCost: number
  loadBalancerCost: number
  networkCost: number
  /** Idle node cost shared to this row (--idle by-cost / by-requests). */
  idleCost: number
  /** Cost of shared namespaces/labels spread to this row (--share). */
  sharedCost: number
  cost: number
  /** Charged core-hours and GiB-hours (max of request and usage), GPU-hours (physical GPUs). */
  cpuCoreHours: number
  memoryGiBHours: number
  gpuHours: number
  cpuRequestCoreHours: number
  cpuUsageCoreHours: number
  memoryRequestGiBHours: number
  memoryUsageGiBHours: number
  /** Requested GPU-hours (physical): the weight of GPU idle shared by requests. */
  gpuRequestHours: number
}

/** One allocation unit: a container on a node, a volume, a LoadBalancer or a workload's network. */
export interface AllocationUnit extends AllocationAmounts, ContainerOnNode {
  capacityType: string
}

export const emptyAmounts = (): AllocationAmounts => ({
  cpuCost: 0,
  memoryCost: 0,
  gpuCost: 0,
  storageCost: 0,
  loadBalancerCost: 0,
  networkCost: 0,
  idleCost: 0,
  sharedCost: 0,
  cost: 0,
  cpuCoreHours: 0,
  memoryGiBHours: 0,
  gpuHours: 0,
  cpuRequestCoreHours: 0,
  cpuUsageCoreHours: 0,
  memoryRequestGiBHours: 0,
  memoryUsageGiBHours: 0,
  gpuRequestHours: 0,
})

const AMOUNT_KEYS = Object.keys(emptyAmounts()) as (keyof AllocationAmounts)[]

export const addAmounts = (into: AllocationAmounts, from: AllocationAmounts, factor = 1): void => {
  for (const k of AMOUNT_KEYS) into[k] += from[k] * factor
}

export const totalOf = (a: AllocationAmounts): number =>
  a.cpuCost + a.memoryCost + a.gpuCost + a.storageCost + a.loadBalancerCost + a.networkCost + a.idleCost + a.sharedCost

/** Idle by cluster and resource, before and after it is shared. */
export interface ClusterIdle {
  cpu: number
  memory: number
  gpu: number
}
