import type {KubernetesConfig} from '../config/sections/kubernetes.js'
import {addDays, eachDay, parseDay, reversedWindowError, today, WINDOW_END, WINDOW_START} from '../dates.js'
import {notFoundError, type UserInput, usageError} from '../errors.js'
import {readInventory} from '../store/k8s-inventory.js'
import type {Db} from '../store/open.js'
import {spotPriceRatio} from '../store/prices.js'
import {readUsage} from '../store/usage.js'
import {allocateCosts, type AllocationReport, parseAllocationKeys} from './allocation.js'
import {computeDiscountFromBilling, PROVIDER_NAMES} from './billing-calibration.js'
import {type NodePrice, priceNode} from './prices.js'
import type {Inventory} from '../model/k8s.js'

export interface AllocationOptions {
  /** `7d`, `30d` (ending yesterday), or an explicit from/to. */
  window?: string
  from?: string
  to?: string
  groupBy?: readonly string[]
  cluster?: string
}

/** A window given as a number of days (`--window` on the command line). */
const WINDOW_DAYS: UserInput = {key: 'window', label: 'window length'}

/** Resolves the window: an explicit start/end wins; else `Nd` days ending yesterday (default 7d). */
export function resolveAllocationWindow(
  options: Pick<AllocationOptions, 'window' | 'from' | 'to'>,
  now = today(),
): string[] {
  if (options.from || options.to) {
    if (options.window)
      throw usageError(
        (n) => `${n(WINDOW_DAYS)} cannot be combined with ${n(WINDOW_START)}/${n(WINDOW_END)}`,
        'use one or the other',
      )
    const to = options.to ? parseDay(options.to, WINDOW_END) : addDays(now, -1)
    const from = options.from ? parseDay(options.from, WINDOW_START) : addDays(to, -6)
    if (from > to) throw reversedWindowError(from, to)
    return eachDay(from, to)
  }
  const match = /^(\d+)d$/.exec(options.window ?? '7d')
  const n = match ? Number(match[1]) : Number.NaN
  if (!(n >= 1 && n <= 366))
    throw usageError((name) => `${name(WINDOW_DAYS)} ${options.window}: expected a number of days like 7d or 30d`)
  const to = addDays(now, -1)
  return eachDay(addDays(to, -(n - 1)), to)
}

/** Prices every node of the inventory: configured/default rates, spot ratio from the catalog, on-demand calibrated by billing. */
export function nodePricesFor(
  db: Db,
  inventory: Inventory,
  k8s: KubernetesConfig,
  days: readonly string[],
): Map<string, NodePrice> {
  const from = days[0] ?? today()
  const to = days.at(-1) ?? today()
  const calibration = new Map<string, ReturnType<typeof computeDiscountFromBilling>>()
  const out = new Map<string, NodePrice>()
  for (const node of inventory.nodes) {
    const provider = node.provider ?? 'other'
    if (k8s.prices.fromBilling && !calibration.has(provider))
      calibration.set(provider, computeDiscountFromBilling(db, provider, from, to))
    const spot = node.capacityType === 'spot' ? catalogSpotRatio(db, provider, node.region) : undefined
    const factor = node.capacityType === 'on-demand' ? calibration.get(provider) : undefined
    out.set(`${node.cluster}/${node.name}`, priceNode(node, k8s.prices, factor, spot))
  }
  return out
}

/** The catalog's spot/on-demand ratio for a provider key (aws, gcp, azure), in the node's region or overall. */
function catalogSpotRatio(db: Db, provider: string, region?: string): number | undefined {
  for (const name of PROVIDER_NAMES[provider] ?? [provider]) {
    const ratio = (region ? spotPriceRatio(db, name, region) : undefined) ?? spotPriceRatio(db, name)
    if (ratio) return ratio.ratio
  }
  return undefined
}

/** Reads the snapshot and usage from the store and allocates the window's node costs. */
export function runAllocation(db: Db, k8s: KubernetesConfig, options: AllocationOptions): AllocationReport {
  const groupBy = parseAllocationKeys(options.groupBy)
  const days = resolveAllocationWindow(options)
  const inventory = readInventory(db, options.cluster)
  if (!inventory) {
    throw notFoundError(
      options.cluster
        ? `no snapshot of cluster ${options.cluster} in the store`
        : 'no Kubernetes snapshot in the store',
      'run `finops collect k8s` first (or `finops demo` to see an example)',
    )
  }
  const usage = readUsage(db, {from: days[0]!, to: days.at(-1)!, cluster: options.cluster})
  const report = allocateCosts({
    inventory,
    usage,
    nodePrices: nodePricesFor(db, inventory, k8s, days),
    days,
    groupBy,
    currency: k8s.prices.currency,
    stepSeconds: k8s.prometheus.stepSeconds,
  })
  if (usage.length === 0)
    report.warnings.push(
      `no usage in the store for ${days[0]} to ${days.at(-1)}: costs are requests only (run \`finops collect usage\`)`,
    )
  return report
}
