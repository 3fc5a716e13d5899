import {GIB} from '../src/k8s/quantity.js'
import {HOURS_PER_MONTH} from '../src/money.js'
import type {CapacityType, NodeInfo, Workload} from '../src/model/k8s.js'

/** What one core-hour and one GiB-hour cost where a workload runs. */
export interface WorkloadRates {
  cpuCoreHour: number
  memoryGiBHour: number
  capacityType: CapacityType
  /** aws | gcp | azure | other */
  provider: string
  region?: string
  /** Where the numbers came from, shown in the evidence. */
  source: string
}

/** The price questions the recommenders ask; implemented over the store or by tests. */
export interface PriceLookup {
  currency: string
  rates(workload: Workload): WorkloadRates
  /** Spot price as a share of on-demand (0.3 = 70% off) for a provider (and region). */
  spotRatio(provider: string, region?: string): {ratio: number; source: string}
}

export interface DefaultPrices {
  currency: string
  cpuCoreHour: number
  memoryGiBHour: number
  defaultSpotRatio: Record<'aws' | 'gcp' | 'azure' | 'other', number>
}

/** Node price split into per-core and per-GiB rates, when a pricing source knows the node. */
export type NodeRates = (node: NodeInfo) => {cpuCoreHour: number; memoryGiBHour: number; source: string} | undefined

/** Spot/on-demand ratio from collected catalog prices, when the store has them. */
export type CatalogSpotRatio = (provider: string, region?: string) => {ratio: number; pairs: number} | undefined

/**
 * A price lookup over the inventory's nodes: a workload is priced at the mean rate of the nodes its
 * pods run on (node-level prices when `nodeRates` knows them, else the configured defaults, scaled
 * by the spot ratio on spot nodes).
 */
export function createPriceLookup(
  nodes: readonly NodeInfo[],
  defaults: DefaultPrices,
  nodeRates?: NodeRates,
  catalog?: CatalogSpotRatio,
): PriceLookup {
  const byName = new Map(nodes.map((n) => [`${n.cluster}/${n.name}`, n]))
  const majorityProvider = mostCommon(nodes.map((n) => n.provider ?? 'other')) ?? 'other'

  const spotRatio = (provider: string, region?: string): {ratio: number; source: string} => {
    const fromCatalog = catalog?.(provider, region) ?? (region ? catalog?.(provider) : undefined)
    if (fromCatalog)
      return {ratio: fromCatalog.ratio, source: `catalog (${fromCatalog.pairs} spot/on-demand SKU pairs)`}
    const key = (
      ['aws', 'gcp', 'azure'].includes(provider) ? provider : 'other'
    ) as keyof DefaultPrices['defaultSpotRatio']
    return {ratio: defaults.defaultSpotRatio[key], source: `default ${provider} spot ratio`}
  }

  const nodeRate = (node: NodeInfo | undefined) => {
    const known = node ? nodeRates?.(node) : undefined
    if (known) return known
    const ratio = node?.capacityType === 'spot' ? spotRatio(node.provider ?? 'other', node.region).ratio : 1
    return {
      cpuCoreHour: defaults.cpuCoreHour * ratio,
      memoryGiBHour: defaults.memoryGiBHour * ratio,
      source: 'default rates',
    }
  }

  return {
    currency: defaults.currency,
    spotRatio,
    rates(workload: Workload): WorkloadRates {
      const placed = workload.placement.nodes
        .map((name) => byName.get(`${workload.cluster}/${name}`))
        .filter((n): n is NodeInfo => n !== undefined)
      const rates = placed.length > 0 ? placed.map(nodeRate) : [nodeRate(undefined)]
      const capacityType: CapacityType =
        placed.length > 0 && placed.every((n) => n.capacityType === 'spot') ? 'spot' : 'on-demand'
      return {
        cpuCoreHour: rates.reduce((s, r) => s + r.cpuCoreHour, 0) / rates.length,
        memoryGiBHour: rates.reduce((s, r) => s + r.memoryGiBHour, 0) / rates.length,
        capacityType,
        provider: mostCommon(placed.map((n) => n.provider ?? 'other')) ?? majorityProvider,
        region: mostCommon(placed.map((n) => n.region).filter((r): r is string => Boolean(r))),
        source: [...new Set(rates.map((r) => r.source))].join(', '),
      }
    },
  }
}

/** Monthly cost of `cores` and `bytes` of requests per replica, times replicas. */
export function monthlyCost(
  rates: Pick<WorkloadRates, 'cpuCoreHour' | 'memoryGiBHour'>,
  cores: number,
  bytes: number,
  replicas: number,
): number {
  return (cores * rates.cpuCoreHour + (bytes / GIB) * rates.memoryGiBHour) * HOURS_PER_MONTH * replicas
}

function mostCommon<T>(values: readonly T[]): T | undefined {
  const counts = new Map<T, number>()
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1)
  let best: T | undefined
  let bestCount = 0
  for (const [v, n] of counts) if (n > bestCount) [best, bestCount] = [v, n]
  return best
}
