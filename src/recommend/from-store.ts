import type {KubernetesConfig} from '../config/sections/kubernetes.js'
import {addDays, eachDay, toDay} from '../dates.js'
import {inputError, notFoundError} from '../errors.js'
import {containerKeyId, type ContainerUsage, type Histogram, type Inventory, type Workload} from '../model/k8s.js'
import {describeFilter, selectNamespaces, type WorkloadFilter, workloadSelected} from '../k8s/workload-filter.js'
import {nodePricesFor} from '../k8s/allocation-report.js'
import {readInventory} from '../store/k8s-inventory.js'
import type {Db} from '../store/open.js'
import {spotPriceRatio} from '../store/prices.js'
import {saveRecommendations} from '../store/recommendations.js'
import {readUsage, usageRange} from '../store/usage.js'
import {type ContainerUsageHours, readUsageHours} from '../store/usage-hours.js'
import {mergeHourlyCpu} from '../k8s/hourly-cpu.js'
import type {RecommenderInput} from '../../recommenders/context.js'
import {type RecommendationSet, runRecommenders} from '../../recommenders/index.js'
import {realizedRatiosFromStore} from '../savings/from-store.js'
import type {RecommendationKind} from '../../recommenders/registry.js'
import {createPriceLookup, type PriceLookup} from '../../recommenders/pricing.js'
import type {RecommendSettings} from '../../recommenders/settings.js'
import {roundMoney} from '../money.js'
import {PROVIDER_NAMES} from '../model/provider-names.js'

export interface RecommendFromStoreOptions {
  kinds: readonly RecommendationKind[]
  /** Namespaces (names or globs) and a label selector; absent = every workload of the inventory. */
  filter?: WorkloadFilter
  minSavings?: number
  cluster?: string
  /** Overrides settings.windowDays. */
  windowDays?: number
  now: Date
  /** Keep the result as the latest recommendations for `finops apply` (default true). */
  save?: boolean
}

export interface RecommendReport extends RecommendationSet {
  generatedAt: string
  /** The usage window read (inclusive days), or null when the store holds no usage. */
  window: {from: string; to: string} | null
  cluster: string
  /** The stored run id (null when not saved). */
  runId: number | null
}

/**
 * The one impure edge of the recommenders: reads the inventory, the usage window and the prices from
 * the store, runs the pure recommenders, and stores the result as the latest set for `finops apply`.
 */
export function recommendFromStore(
  db: Db,
  settings: RecommendSettings,
  k8s: KubernetesConfig,
  options: RecommendFromStoreOptions,
): RecommendReport {
  const inventory = readInventory(db, options.cluster)
  if (!inventory && options.cluster) {
    throw notFoundError(
      `no Kubernetes inventory for cluster ${options.cluster} in the store`,
      (n) => `check the ${n({key: 'cluster', label: 'cluster name'})}, or run finops collect k8s for it`,
    )
  }
  if (!inventory)
    throw inputError(
      'no Kubernetes inventory in the store',
      'run finops collect k8s first, and finops collect usage for rightsizing and idle detection',
    )
  const range = usageRange(db)
  const windowDays = options.windowDays ?? settings.windowDays
  const window = range ? {from: maxDay(range.first, addDays(range.last, -(windowDays - 1))), to: range.last} : null
  const priceDays = window ? eachDay(window.from, window.to) : [addDays(toDay(options.now), -1)]
  const prices = priceLookupFromStore(db, inventory, settings, k8s, priceDays)
  const selected = options.filter
    ? inventory.workloads.filter((w) => workloadSelected(options.filter, w))
    : inventory.workloads
  if (options.filter && selected.length === 0)
    throw notFoundError(
      `no workload in the inventory of ${inventory.cluster} matches ${describeFilter(options.filter)}`,
      'check the namespace names or globs and the selector (finops collect k8s refreshes the inventory)',
    )
  // Namespaces are independent, so usage is read and judged a batch of namespaces at a time: memory
  // holds one batch's digests, not the whole cluster's.
  const sets: RecommendationSet[] = []
  const realized = realizedRatiosFromStore(db, k8s, toDay(options.now))
  for (const batch of namespaceBatches(selected, BATCH_CONTAINERS)) {
    const usage = new Map<string, ContainerUsage>()
    let cpuByHour: Map<string, Histogram[]> | undefined
    if (window) {
      const query = {from: window.from, to: window.to, cluster: options.cluster, namespaces: batch}
      for (const c of readUsage(db, query)) usage.set(containerKeyId(c.key), c)
      cpuByHour = windowHourProfiles(usage, readUsageHours(db, query))
    }
    const inBatch = new Set(batch)
    const input: RecommenderInput = {
      inventory: {...inventory, workloads: selected.filter((w) => inBatch.has(w.namespace))},
      usage,
      cpuByHour,
      prices,
      settings,
      now: options.now,
      realized,
    }
    sets.push(runRecommenders(input, {kinds: options.kinds, namespaces: batch, minSavings: options.minSavings}))
  }
  const set = mergeSets(sets, prices.currency)
  const runId =
    options.save === false
      ? null
      : saveRecommendations(db, {
          kinds: options.kinds,
          // The run replaces only what it judged: the namespaces it selected, or (with a selector) the workloads.
          namespaces: options.filter?.namespaces
            ? selectNamespaces(options.filter.namespaces, [
                ...inventory.namespaces.map((n) => n.name),
                ...selected.map((w) => w.namespace),
              ])
            : [],
          workloads: options.filter?.selector
            ? selected.map((w) => ({cluster: w.cluster, namespace: w.namespace, kind: w.kind, name: w.name}))
            : undefined,
          windowStart: window?.from,
          windowEnd: window?.to,
          currency: set.currency,
          recommendations: set.recommendations,
          skipped: set.skipped,
          createdAt: options.now.toISOString(),
        })
  return {...set, generatedAt: options.now.toISOString(), window, cluster: inventory.cluster, runId}
}

/**
 * Prices as the cost allocation sees them: configured or default rates, on-demand calibrated by the
 * effective/list ratio billing shows, spot at the catalog ratio; split per core and GiB. Without an
 * inventory, every workload is priced at the configured default rates.
 */
export function priceLookupFromStore(
  db: Db,
  inventory: Inventory | undefined,
  settings: RecommendSettings,
  k8s: KubernetesConfig,
  days: readonly string[],
): PriceLookup {
  const catalog = (provider: string, region?: string) => {
    for (const name of PROVIDER_NAMES[provider] ?? [provider]) {
      const ratio = spotPriceRatio(db, name, region)
      if (ratio) return ratio
    }
    return undefined
  }
  const nodePrices = inventory ? nodePricesFor(db, inventory, k8s, days) : new Map()
  return createPriceLookup(
    inventory?.nodes ?? [],
    {
      currency: k8s.prices.currency,
      cpuCoreHour: k8s.prices.onDemand.cpuCoreHour,
      memoryGiBHour: k8s.prices.onDemand.memoryGiBHour,
      defaultSpotRatio: settings.spot.defaultPriceRatio,
    },
    (node) => nodePrices.get(`${node.cluster}/${node.name}`),
    catalog,
  )
}

/**
 * The window's hour-of-day CPU profile of each container whose every day of usage has one: a profile
 * from part of the window (days collected before profiles were kept, or by metrics-server) would
 * size the hours from other days than the fixed request it is compared with.
 */
function windowHourProfiles(
  usage: ReadonlyMap<string, ContainerUsage>,
  hours: ReadonlyMap<string, ContainerUsageHours>,
): Map<string, Histogram[]> {
  const out = new Map<string, Histogram[]>()
  for (const [id, profile] of hours) {
    const days = usage.get(id)?.days
    if (!days || days.length !== profile.days.length) continue
    out.set(id, mergeHourlyCpu(profile.days.map((d) => d.cpuByHour)))
  }
  return out
}

/** Containers judged per batch: bounds the digests held in memory at once. */
const BATCH_CONTAINERS = 1000

/** Whole namespaces grouped into batches of about `size` containers (a bigger namespace is its own batch). */
export function namespaceBatches(workloads: readonly Workload[], size: number): string[][] {
  const counts = new Map<string, number>()
  for (const w of workloads) counts.set(w.namespace, (counts.get(w.namespace) ?? 0) + w.containers.length)
  const batches: string[][] = []
  let current: string[] = []
  let filled = 0
  for (const [namespace, n] of [...counts].sort((a, b) => a[0].localeCompare(b[0]))) {
    if (current.length > 0 && filled + n > size) {
      batches.push(current)
      current = []
      filled = 0
    }
    current.push(namespace)
    filled += n
  }
  if (current.length > 0) batches.push(current)
  return batches
}

/** One set from the batches' sets, in the same order runRecommenders gives. */
function mergeSets(sets: readonly RecommendationSet[], currency: string): RecommendationSet {
  const recommendations = sets
    .flatMap((s) => s.recommendations)
    .sort((a, b) => b.monthlySavings - a.monthlySavings || a.id.localeCompare(b.id))
  const key = (s: RecommendationSet['skipped'][number]) =>
    [s.kind, s.target.cluster, s.target.namespace, s.target.kind, s.target.name, s.target.container ?? ''].join('/')
  const skipped = sets
    .flatMap((s) => s.skipped)
    .sort((a, b) => a.kind.localeCompare(b.kind) || key(a).localeCompare(key(b)))
  return {
    recommendations,
    skipped,
    currency,
    totalMonthlySavings: roundMoney(recommendations.reduce((t, r) => t + r.monthlySavings, 0)),
  }
}

const maxDay = (a: string, b: string): string => (a > b ? a : b)
