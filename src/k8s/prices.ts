import type {KubernetesPrices} from '../config/sections/kubernetes.js'
import type {CapacityType, NodeInfo} from '../model/k8s.js'
import {GIB} from './quantity.js'

/**
 * Node prices and their split into $/core-hour, $/GiB-hour and $/GPU-hour, the way OpenCost does
 * it: a node's hourly price P over C cores, M GiB and G GPUs, with r = (default $/core-hour) /
 * (default $/GiB-hour) (OpenCost's defaults give r ≈ 7.46) and g = (default $/GPU-hour) / (default
 * $/GiB-hour) (≈ 224), is split as
 *     memoryGiBHour = P / (C·r + M + G·g),   cpuCoreHour = r · memoryGiBHour,   gpuHour = g · memoryGiBHour,
 * so C·cpuCoreHour + M·memoryGiBHour + G·gpuHour = P exactly. Pure: bill, catalog and calibration
 * are passed in.
 */

export interface NodePrice {
  cluster: string
  node: string
  /** Whole-node price per hour (capacity, not allocatable: you pay for the machine). */
  hourly: number
  cpuCoreHour: number
  memoryGiBHour: number
  /** Per physical GPU (a MIG slice or a time-sliced share is a fraction of it). 0 without GPUs. */
  gpuHour: number
  /** What the price covers: capacity cores, GiB and physical GPUs (their rates add up to hourly). */
  cores: number
  memoryGiB: number
  gpus: number
  capacityType: CapacityType
  /** bill | instance-type | catalog | instance-family | default, plus '× billing' when calibrated from billing data. */
  source: string
}

/** What a node is, for pricing: from the snapshot or from kube-state-metrics history. */
export interface NodeShape {
  cluster: string
  name: string
  provider?: string
  instanceType?: string
  region?: string
  capacityType: CapacityType
  cores: number
  memoryGiB: number
  /** Physical GPUs. */
  gpus: number
}

/** Prices for a node found outside the configuration: the bill (per instance) and the provider's catalog. */
export interface NodePriceSources {
  /** The node's own effective hourly cost in the bill (FOCUS rows whose ResourceId is its instance id). */
  bill?: {hourly: number; source: string}
  /** Component prices from the price catalog in the store, for the node's family, region and capacity type. */
  catalog?: {cpuCoreHour: number; memoryGiBHour: number; source: string}
  /** Spot/on-demand ratio from the catalog, for spot nodes priced from on-demand prices. */
  spotRatio?: number
  /** Billing's effective/list discount on compute, applied to on-demand list and default prices. */
  calibration?: BillingCalibration
}

/** Billing-derived correction: multiply list/default node prices by `factor` (e.g. effective/list cost of compute). */
export interface BillingCalibration {
  factor: number
  source: string
}

/** Splits a node's hourly price into per-core, per-GiB and per-GPU rates with the price ratios. */
export function splitNodePrice(
  hourly: number,
  cores: number,
  memoryGiB: number,
  cpuToMemoryRatio: number,
  gpus = 0,
  gpuToMemoryRatio = 0,
): {cpuCoreHour: number; memoryGiBHour: number; gpuHour: number} {
  const units = cores * cpuToMemoryRatio + memoryGiB + gpus * gpuToMemoryRatio
  if (!(units > 0) || !(hourly >= 0)) return {cpuCoreHour: 0, memoryGiBHour: 0, gpuHour: 0}
  const memoryGiBHour = hourly / units
  return {
    cpuCoreHour: memoryGiBHour * cpuToMemoryRatio,
    memoryGiBHour,
    gpuHour: gpus > 0 ? memoryGiBHour * gpuToMemoryRatio : 0,
  }
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
 * The node's hourly price, first match wins: its own cost in the bill; a configured instance-type
 * price; the catalog's component prices for its family and region; a configured per-vCPU family
 * price; the default component rates (per provider and capacity type) times its capacity. Spot
 * nodes priced from on-demand prices get `spotRatio` (the catalog's, else the configured one);
 * on-demand list and default prices get billing's compute discount.
 */
export function priceNodeShape(node: NodeShape, prices: KubernetesPrices, sources: NodePriceSources = {}): NodePrice {
  const {cores, memoryGiB, gpus} = node
  const spot = node.capacityType === 'spot'
  const ratio = sources.spotRatio ?? prices.spotRatio
  const override = prices.providers[providerKey(node.provider)]
  const rates = spot ? (override?.spot ?? prices.spot) : (override?.onDemand ?? prices.onDemand)
  let hourly: number
  let source: string
  let calibrate = !spot
  const typePrice = node.instanceType ? prices.instanceTypes[node.instanceType] : undefined
  const familyPrice = node.instanceType ? prices.instanceFamilies[instanceFamily(node.instanceType)] : undefined
  if (sources.bill) {
    hourly = sources.bill.hourly
    source = sources.bill.source
    calibrate = false
  } else if (typePrice !== undefined) {
    hourly = typePrice * (spot ? ratio : 1)
    source = spot ? `instance-type × spot ratio ${round3(ratio)}` : 'instance-type'
  } else if (sources.catalog) {
    hourly = cores * sources.catalog.cpuCoreHour + memoryGiB * sources.catalog.memoryGiBHour + gpus * rates.gpuHour
    source = sources.catalog.source
  } else if (familyPrice !== undefined) {
    hourly = familyPrice * cores * (spot ? ratio : 1) + gpus * rates.gpuHour
    source = spot ? `instance-family × spot ratio ${round3(ratio)}` : 'instance-family'
  } else {
    hourly = cores * rates.cpuCoreHour + memoryGiB * rates.memoryGiBHour + gpus * rates.gpuHour
    source =
      override && (spot ? override.spot : override.onDemand)
        ? `default ${providerKey(node.provider)} ${node.capacityType} rates`
        : `default ${node.capacityType} rates`
  }
  if (calibrate && sources.calibration) {
    hourly *= sources.calibration.factor
    source += ` × ${sources.calibration.source}`
  }
  return {
    cluster: node.cluster,
    node: node.name,
    hourly,
    ...splitNodePrice(hourly, cores, memoryGiB, prices.cpuToMemoryRatio, gpus, prices.gpuToMemoryRatio),
    cores,
    memoryGiB,
    gpus,
    capacityType: node.capacityType,
    source,
  }
}

const round3 = (v: number) => Math.round(v * 1000) / 1000

/** The shape of a snapshot node (GPUs as the caller counts them). */
export const nodeShape = (node: NodeInfo, gpus = 0): NodeShape => ({
  cluster: node.cluster,
  name: node.name,
  provider: node.provider,
  instanceType: node.instanceType,
  region: node.region,
  capacityType: node.capacityType,
  cores: node.capacity.cpu || node.allocatable.cpu,
  memoryGiB: (node.capacity.memory || node.allocatable.memory) / GIB,
  gpus,
})

/**
 * A snapshot node's price from the configuration and defaults: `calibration` (billing's compute
 * discount) applies to on-demand nodes, `spotRatio` to spot nodes priced from on-demand prices.
 */
export function priceNode(
  node: NodeInfo,
  prices: KubernetesPrices,
  calibration?: BillingCalibration,
  spotRatio?: number,
): NodePrice {
  return priceNodeShape(nodeShape(node), prices, {calibration, spotRatio})
}

/** Prices every node, keyed `cluster/node`, for the allocation. */
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
