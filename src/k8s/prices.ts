import type {KubernetesPrices} from '../config/sections/kubernetes.js'
import type {CapacityType, NodeInfo, Workload} from '../model/k8s.js'

/**
 * Node prices and their split into $/core-hour and $/GiB-hour, the way OpenCost does it: a node's
 * hourly price P over C cores and M GiB, with r = (default $/core-hour) / (default $/GiB-hour)
 * (OpenCost's defaults give r ≈ 7.46), is split as
 *     memoryGiBHour = P / (C·r + M),   cpuCoreHour = r · memoryGiBHour,
 * so C·cpuCoreHour + M·memoryGiBHour = P exactly. Pure: billing calibration is passed in.
 */

export const GIB = 2 ** 30
/** Hours in an average month (8760 / 12). */
export const HOURS_PER_MONTH = 730

export interface NodePrice {
  cluster: string
  node: string
  /** Whole-node price per hour (capacity, not allocatable: you pay for the machine). */
  hourly: number
  cpuCoreHour: number
  memoryGiBHour: number
  /** What the price covers: capacity cores and GiB (cores x cpuCoreHour + memoryGiB x memoryGiBHour = hourly). */
  cores: number
  memoryGiB: number
  capacityType: CapacityType
  /** instance-type | instance-family | default, plus '× billing' when calibrated from billing data. */
  source: string
}

/** Billing-derived correction: multiply list/default node prices by `factor` (e.g. effective/list cost of compute). */
export interface BillingCalibration {
  factor: number
  source: string
}

/** Splits a node's hourly price into per-core and per-GiB rates with the CPU:memory price ratio. */
export function splitNodePrice(
  hourly: number,
  cores: number,
  memoryGiB: number,
  cpuToMemoryRatio: number,
): {cpuCoreHour: number; memoryGiBHour: number} {
  const units = cores * cpuToMemoryRatio + memoryGiB
  if (!(units > 0) || !(hourly >= 0)) return {cpuCoreHour: 0, memoryGiBHour: 0}
  const memoryGiBHour = hourly / units
  return {cpuCoreHour: memoryGiBHour * cpuToMemoryRatio, memoryGiBHour}
}

const providerKey = (provider: string | undefined): 'aws' | 'gcp' | 'azure' | 'other' =>
  provider === 'aws' || provider === 'gcp' || provider === 'azure' ? provider : 'other'

/** The instance family of an instance type: m5.xlarge -> m5, n2-standard-4 -> n2-standard, Standard_D4s_v5 -> Standard_D. */
export function instanceFamily(instanceType: string): string {
  if (instanceType.includes('.')) return instanceType.split('.')[0]!
  const gcp = /^([a-z0-9]+-[a-z]+)-\d+/.exec(instanceType)
  if (gcp) return gcp[1]!
  const azure = /^(Standard_[A-Za-z]+)\d/.exec(instanceType)
  if (azure) return azure[1]!
  return instanceType
}

/**
 * The node's hourly price: a configured instance-type price, else a per-vCPU family price, else
 * the default component rates (per provider and capacity type) times its capacity. Instance-type
 * and family prices are on-demand; spot nodes get `spotRatio` (from the catalog in the store when
 * given, else the configured one).
 */
export function priceNode(
  node: NodeInfo,
  prices: KubernetesPrices,
  calibration?: BillingCalibration,
  spotRatio?: number,
): NodePrice {
  const cores = node.capacity.cpu || node.allocatable.cpu
  const memoryGiB = (node.capacity.memory || node.allocatable.memory) / GIB
  const spot = node.capacityType === 'spot'
  const ratio = spotRatio ?? prices.spotRatio
  let hourly: number
  let source: string
  const typePrice = node.instanceType ? prices.instanceTypes[node.instanceType] : undefined
  const familyPrice = node.instanceType ? prices.instanceFamilies[instanceFamily(node.instanceType)] : undefined
  if (typePrice !== undefined) {
    hourly = typePrice * (spot ? ratio : 1)
    source = spot ? `instance-type × spot ratio ${ratio}` : 'instance-type'
  } else if (familyPrice !== undefined) {
    hourly = familyPrice * cores * (spot ? ratio : 1)
    source = spot ? `instance-family × spot ratio ${ratio}` : 'instance-family'
  } else {
    const override = prices.providers[providerKey(node.provider)]
    const rates = spot ? (override?.spot ?? prices.spot) : (override?.onDemand ?? prices.onDemand)
    hourly = cores * rates.cpuCoreHour + memoryGiB * rates.memoryGiBHour
    source =
      override && (spot ? override.spot : override.onDemand)
        ? `default ${providerKey(node.provider)} ${node.capacityType} rates`
        : `default ${node.capacityType} rates`
  }
  if (calibration) {
    hourly *= calibration.factor
    source += ` × ${calibration.source}`
  }
  return {
    cluster: node.cluster,
    node: node.name,
    hourly,
    ...splitNodePrice(hourly, cores, memoryGiB, prices.cpuToMemoryRatio),
    cores,
    memoryGiB,
    capacityType: node.capacityType,
    source,
  }
}

/** What a workload's requests cost per month at the rates of the nodes it runs on. */
export interface WorkloadPrice {
  cpuCoreHour: number
  memoryGiBHour: number
  /** Monthly cost of one replica's requests and of all replicas. */
  monthlyPerReplica: number
  monthly: number
  source: string
}

/**
 * Prices a workload's container requests (or a proposed shape) at the mean rates of the nodes its
 * pods run on, falling back to the mean over all nodes of the cluster (then to the defaults).
 * Monthly savings of a change = priceWorkload(before) − priceWorkload(after).
 */
export function priceWorkload(
  workload: Pick<Workload, 'cluster' | 'placement' | 'replicas'>,
  shape: {cpu: number; memory: number; replicas?: number},
  nodePrices: ReadonlyMap<string, NodePrice>,
  fallback: {cpuCoreHour: number; memoryGiBHour: number},
): WorkloadPrice {
  const placed = workload.placement.nodes
    .map((n) => nodePrices.get(`${workload.cluster}/${n}`))
    .filter((p): p is NodePrice => p !== undefined)
  const pool = placed.length > 0 ? placed : [...nodePrices.values()].filter((p) => p.cluster === workload.cluster)
  const cpuCoreHour = pool.length > 0 ? pool.reduce((s, p) => s + p.cpuCoreHour, 0) / pool.length : fallback.cpuCoreHour
  const memoryGiBHour =
    pool.length > 0 ? pool.reduce((s, p) => s + p.memoryGiBHour, 0) / pool.length : fallback.memoryGiBHour
  const monthlyPerReplica = (shape.cpu * cpuCoreHour + (shape.memory / GIB) * memoryGiBHour) * HOURS_PER_MONTH
  const replicas = shape.replicas ?? workload.replicas
  return {
    cpuCoreHour,
    memoryGiBHour,
    monthlyPerReplica,
    monthly: monthlyPerReplica * replicas,
    source: placed.length > 0 ? 'nodes it runs on' : pool.length > 0 ? 'cluster mean' : 'default rates',
  }
}

/** Prices every node; keyed `cluster/node` for priceWorkload and the allocation. */
export function priceNodes(
  nodes: readonly NodeInfo[],
  prices: KubernetesPrices,
  calibration?: BillingCalibration,
  spotRatio?: (provider: string, region?: string) => number | undefined,
): Map<string, NodePrice> {
  return new Map(
    nodes.map((n) => [
      `${n.cluster}/${n.name}`,
      priceNode(n, prices, calibration, spotRatio?.(n.provider ?? 'other', n.region)),
    ]),
  )
}
