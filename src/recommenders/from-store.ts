import type {KubernetesPrices} from '../config/sections/kubernetes.js'
import {addDays} from '../dates.js'
import {inputError} from '../errors.js'
import {containerKeyId, type ContainerUsage} from '../k8s/model.js'
import {type BillingCalibration, priceNodes} from '../k8s/prices.js'
import {readInventory} from '../store/k8s-inventory.js'
import type {Db} from '../store/open.js'
import {spotPriceRatio} from '../store/prices.js'
import {saveRecommendations} from '../store/recommendations.js'
import {readUsage, usageRange} from '../store/usage.js'
import type {RecommenderInput} from './context.js'
import {type RecommendationSet, type RecommenderName, runRecommenders} from './index.js'
import {createPriceLookup} from './pricing.js'
import type {RecommendSettings} from './settings.js'

export interface RecommendFromStoreOptions {
  kinds: readonly RecommenderName[]
  namespaces: readonly string[]
  minSavings?: number
  cluster?: string
  /** Overrides settings.windowDays. */
  windowDays?: number
  now: Date
  /** Keep the result as the latest recommendations for `finops apply` (default true). */
  save?: boolean
  /** Billing-derived correction of node prices, when the caller has one. */
  calibration?: BillingCalibration
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
export function recommendFromStore(db: Db, settings: RecommendSettings, k8sPrices: KubernetesPrices, options: RecommendFromStoreOptions): RecommendReport {
  const inventory = readInventory(db, options.cluster)
  if (!inventory) {
    throw inputError(options.cluster ? `no Kubernetes inventory for cluster ${options.cluster} in the store` : 'no Kubernetes inventory in the store',
      'run finops collect k8s first, and finops collect usage for rightsizing and idle detection')
  }
  const range = usageRange(db)
  const windowDays = options.windowDays ?? settings.windowDays
  const window = range ? {from: maxDay(range.first, addDays(range.last, -(windowDays - 1))), to: range.last} : null
  const usage = new Map<string, ContainerUsage>()
  if (window) {
    for (const c of readUsage(db, {from: window.from, to: window.to, cluster: options.cluster, namespaces: options.namespaces})) usage.set(containerKeyId(c.key), c)
  }
  const catalog = (provider: string, region?: string) => {
    for (const name of PROVIDER_NAMES[provider] ?? [provider]) {
      const ratio = spotPriceRatio(db, name, region)
      if (ratio) return ratio
    }
    return undefined
  }
  // Node prices (configured instance prices or default rates, spot nodes at the catalog ratio), split per core and GiB.
  const nodePrices = priceNodes(inventory.nodes, k8sPrices, options.calibration, (provider, region) => catalog(provider, region)?.ratio)
  const prices = createPriceLookup(inventory.nodes, {
    currency: k8sPrices.currency, cpuCoreHour: k8sPrices.onDemand.cpuCoreHour, memoryGiBHour: k8sPrices.onDemand.memoryGiBHour,
    defaultSpotRatio: settings.spot.defaultPriceRatio,
  }, (node) => nodePrices.get(`${node.cluster}/${node.name}`), catalog)
  const input: RecommenderInput = {inventory, usage, prices, settings, now: options.now}
  const set = runRecommenders(input, {kinds: options.kinds, namespaces: options.namespaces, minSavings: options.minSavings})
  const runId = options.save === false ? null : saveRecommendations(db, {
    kinds: options.kinds, namespaces: options.namespaces, windowStart: window?.from, windowEnd: window?.to, currency: set.currency,
    recommendations: set.recommendations, skipped: set.skipped, createdAt: options.now.toISOString(),
  })
  return {...set, generatedAt: options.now.toISOString(), window, cluster: inventory.cluster, runId}
}

/** Node providers (from provider ids) to the names billing collectors store prices under. */
const PROVIDER_NAMES: Record<string, string[]> = {
  aws: ['aws', 'AWS', 'Amazon Web Services'],
  gcp: ['gcp', 'Google Cloud', 'GCP'],
  azure: ['azure', 'Microsoft', 'Azure'],
}

const maxDay = (a: string, b: string): string => (a > b ? a : b)

/** "Now" for recommendations: FINOPS_NOW (an ISO date or time) pins it for reproducible runs. */
export function recommendNow(env: NodeJS.ProcessEnv = process.env): Date {
  const pinned = env.FINOPS_NOW
  if (pinned && !Number.isNaN(Date.parse(pinned))) return new Date(pinned)
  return new Date()
}
