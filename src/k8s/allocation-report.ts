import type {KubernetesConfig} from '../config/sections/kubernetes.js'
import {
  addDays,
  daysBetween,
  eachDay,
  parseDay,
  reversedWindowError,
  today,
  WINDOW_END,
  WINDOW_START,
} from '../dates.js'
import {notFoundError, type UserInput, usageError} from '../errors.js'
import type {Inventory, NodeInfo} from '../model/k8s.js'
import {
  type HistoryCoverage,
  iterateContainerHours,
  type NodeHoursRow,
  readHistoryCoverage,
  readNetwork,
  readNodeHours,
  readServiceHours,
  readVolumeHours,
} from '../store/k8s-history.js'
import {readInventory} from '../store/k8s-inventory.js'
import type {Db} from '../store/open.js'
import {catalogComponentPrices, spotPriceRatio} from '../store/prices.js'
import {readResourceDayCosts, resourceKey} from '../store/resource-costs.js'
import {readUsage} from '../store/usage.js'
import {type AllocationReport, allocateCosts, parseAllocationKeys} from './allocation.js'
import {type IdleMode, parseSharePolicy} from './allocation-distribute.js'
import {
  type ContainerNodeDay,
  type LabelSource,
  mergeByNodeDay,
  type NetworkDay,
  type NodeDay,
  type ServiceDay,
  type VolumeDay,
} from './allocation-model.js'
import {snapshotContainerDays, snapshotVolumeDays} from './allocation-snapshot.js'
import {computeDiscountFromBilling} from './billing-calibration.js'
import {PROVIDER_NAMES} from '../model/provider-names.js'
import {physicalGpus} from './gpu.js'
import {nodeCapacityType, parseProviderId} from './inventory.js'
import {firstNodeLabel, nodeLabel} from './node-labels.js'
import {type NodePrice, type NodePriceSources, type NodeShape, nodeShape, priceNodeShape} from './prices.js'
import type {WorkloadFilter} from './workload-filter.js'
import {HOURS_PER_MONTH} from '../money.js'
import {GIB} from './quantity.js'

export interface AllocationOptions {
  /** `7d`, `30d` (ending yesterday), or an explicit from/to. */
  window?: string
  from?: string
  to?: string
  groupBy?: readonly string[]
  cluster?: string
  /** Default: kubernetes.allocation.idle. */
  idle?: IdleMode
  /** Namespaces / label:key=value whose cost is shared out (default: kubernetes.allocation.share). */
  share?: readonly string[]
  /** Rows shown (costs, idle and shares are computed on the whole cluster first). */
  filter?: WorkloadFilter
}

/** The widest allocation window (the same for a window length and a start/end): a year and a day. */
export const MAX_ALLOCATION_DAYS = 366

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
    // Allocation works day by day over every container: its work must not grow with a window typed by mistake.
    const width = daysBetween(from, to) + 1
    if (width > MAX_ALLOCATION_DAYS)
      throw usageError(
        `the window ${from} to ${to} spans ${width.toLocaleString('en-US')} days; cost allocation covers at most ${MAX_ALLOCATION_DAYS} days at once`,
        'choose a shorter window',
      )
    return eachDay(from, to)
  }
  const match = /^(\d+)d$/.exec(options.window ?? '7d')
  const n = match ? Number(match[1]) : Number.NaN
  if (!(n >= 1 && n <= MAX_ALLOCATION_DAYS))
    throw usageError(
      (name) =>
        `${name(WINDOW_DAYS)} ${options.window}: expected a number of days from 1d to ${MAX_ALLOCATION_DAYS}d, like 7d or 30d`,
    )
  const to = addDays(now, -1)
  return eachDay(addDays(to, -(n - 1)), to)
}

/**
 * Where a node's instance is in the bill. AWS and GCP bill each instance under its own id; Azure
 * bills a scale set's instances (AKS node pools) under the scale set, so its nodes share one key and
 * split its cost by their hours. Keys are lower case, like the store's resource keys.
 */
export function nodeBillKey(instanceId: string): {key: string; shared: boolean} {
  const id = instanceId.toLowerCase()
  const scaleSet = /\/virtualmachinescalesets\/([^/]+)\/virtualmachines\/[^/]+$/.exec(id)
  if (scaleSet) return {key: scaleSet[1]!, shared: true}
  return {key: resourceKey(id), shared: false}
}

/** A node's hours on one day (history, or 24 for a day modelled from the snapshot). */
export interface NodeBillHours {
  instanceId: string
  day: string
  hours: number
}

/**
 * Prices nodes from what the store knows: each node's own bill (resource-level FOCUS rows), the
 * price catalog, billing's compute discount and the catalog's spot ratio; the rest comes from
 * finops.yaml and the defaults. One instance per report: lookups are cached.
 */
class NodePricer {
  private readonly calibration = new Map<string, ReturnType<typeof computeDiscountFromBilling>>()
  private readonly spot = new Map<string, number | undefined>()
  private readonly catalog = new Map<string, NodePriceSources['catalog']>()
  /** Billed cost per key and day, and the instance hours it pays for. */
  private readonly bill = new Map<string, {cost: number; hours: number}>()
  private readonly billWindow = new Map<string, {cost: number; hours: number; days: number}>()

  constructor(
    private readonly db: Db,
    private readonly k8s: KubernetesConfig,
    private readonly from: string,
    private readonly to: string,
  ) {}

  /**
   * Loads the bill of these nodes' instances for the window, when pricing from billing. A row's
   * hours are the bill's own where it counts them; else an instance's day is 24 hours, and a
   * scale set's day is its nodes' hours that day (a scale set day without known nodes is left out).
   */
  loadBill(nodes: readonly NodeBillHours[]): void {
    if (!this.k8s.prices.fromBilling) return
    const nodeHours = new Map<string, number>()
    const keys = new Map<string, boolean>()
    for (const n of nodes) {
      const {key, shared} = nodeBillKey(n.instanceId)
      keys.set(key, shared)
      if (shared) nodeHours.set(`${key}/${n.day}`, (nodeHours.get(`${key}/${n.day}`) ?? 0) + n.hours)
    }
    for (const c of readResourceDayCosts(this.db, {
      keys: [...keys.keys()],
      from: this.from,
      to: this.to,
      serviceCategory: 'Compute',
    })) {
      if (!(c.effectiveCost > 0)) continue
      const hours = c.hours > 0 ? c.hours : keys.get(c.resourceKey) ? nodeHours.get(`${c.resourceKey}/${c.day}`) : 24
      if (!hours) continue
      const day = this.bill.get(`${c.resourceKey}/${c.day}`) ?? {cost: 0, hours: 0}
      day.cost += c.effectiveCost
      day.hours += hours
      this.bill.set(`${c.resourceKey}/${c.day}`, day)
      const w = this.billWindow.get(c.resourceKey) ?? {cost: 0, hours: 0, days: 0}
      w.cost += c.effectiveCost
      w.hours += hours
      w.days++
      this.billWindow.set(c.resourceKey, w)
    }
  }

  /** A node's price on one day, or (day undefined) over the window: its mean billed hourly cost. */
  price(shape: NodeShape, day: string | undefined, instanceId: string | undefined): NodePrice {
    const provider = shape.provider ?? 'other'
    const sources: NodePriceSources = {}
    const billed = instanceId ? nodeBillKey(instanceId) : undefined
    const what = billed?.shared ? `scale set ${billed.key}, split by node hours` : billed?.key
    if (billed && day !== undefined) {
      // The effective cost per billed instance hour (an instance billed 24 hours a day costs /24).
      const b = this.bill.get(`${billed.key}/${day}`)
      if (b) sources.bill = {hourly: b.cost / b.hours, source: `bill (${what})`}
    } else if (billed) {
      const w = this.billWindow.get(billed.key)
      if (w) sources.bill = {hourly: w.cost / w.hours, source: `bill (${what}, ${w.days} days)`}
    }
    if (this.k8s.prices.fromBilling && shape.capacityType === 'on-demand') {
      if (!this.calibration.has(provider))
        this.calibration.set(provider, computeDiscountFromBilling(this.db, provider, this.from, this.to))
      sources.calibration = this.calibration.get(provider)
    }
    if (shape.capacityType === 'spot') sources.spotRatio = this.spotRatio(provider, shape.region)
    sources.catalog = this.catalogPrices(shape)
    return priceNodeShape(shape, this.k8s.prices, sources)
  }

  private spotRatio(provider: string, region?: string): number | undefined {
    const key = `${provider}/${region ?? ''}`
    if (!this.spot.has(key)) {
      let found: number | undefined
      for (const name of PROVIDER_NAMES[provider] ?? [provider]) {
        const ratio = (region ? spotPriceRatio(this.db, name, region) : undefined) ?? spotPriceRatio(this.db, name)
        if (ratio) {
          found = ratio.ratio
          break
        }
      }
      this.spot.set(key, found)
    }
    return this.spot.get(key)
  }

  // GCP machine types price as series core + RAM SKUs (n2-standard-4: 4 N2 cores and 16 GiB of N2 RAM).
  private catalogPrices(shape: NodeShape): NodePriceSources['catalog'] {
    if (shape.provider !== 'gcp' || !shape.instanceType || !shape.region) return undefined
    const series = shape.instanceType.split('-')[0]!
    const key = `${series}/${shape.region}/${shape.capacityType}`
    if (!this.catalog.has(key)) {
      let found: NodePriceSources['catalog']
      for (const provider of PROVIDER_NAMES.gcp!) {
        const p = catalogComponentPrices(this.db, {
          provider,
          region: shape.region,
          series,
          capacity: shape.capacityType,
        })
        if (p) {
          found = {
            cpuCoreHour: p.coreHour,
            memoryGiBHour: p.ramGiBHour,
            source: `catalog ${series.toUpperCase()} ${shape.region}`,
          }
          break
        }
      }
      this.catalog.set(key, found)
    }
    return this.catalog.get(key)
  }
}

/**
 * Prices every node of the snapshot over the window the way allocation does (bill, configuration,
 * catalog, defaults, billing's discount, the catalog's spot ratio): for recommenders' savings.
 */
export function nodePricesFor(
  db: Db,
  inventory: Inventory,
  k8s: KubernetesConfig,
  days: readonly string[],
): Map<string, NodePrice> {
  const pricer = new NodePricer(db, k8s, days[0] ?? today(), days.at(-1) ?? today())
  // The snapshot's nodes stand for every day of the window.
  pricer.loadBill(
    inventory.nodes.flatMap((n) =>
      n.instanceId ? days.map((day) => ({instanceId: n.instanceId!, day, hours: 24})) : [],
    ),
  )
  return new Map(
    inventory.nodes.map((n) => [
      `${n.cluster}/${n.name}`,
      pricer.price(nodeShape(n, physicalGpus(n.capacity.gpus ?? {}, n.labels)), undefined, n.instanceId),
    ]),
  )
}

/**
 * What a reader of the storage column must know: volumes priced at the default because their class
 * has no price (and the bill has no row for them), and volumes whose size is unknown (charged
 * nothing). Each class is named once, with its volumes and GiB.
 */
export function volumePriceWarnings(
  volumes: readonly {volume: string; storageClass: string; sizeBytes: number; billed: boolean}[],
  storage: {defaultGiBMonth: number; classes: Readonly<Record<string, number>>},
  currency: string,
): string[] {
  const defaulted = new Map<string, Map<string, number>>()
  const unsized = new Set<string>()
  for (const v of volumes) {
    if (v.billed) continue
    if (!(v.sizeBytes > 0)) unsized.add(v.volume)
    else if (storage.classes[v.storageClass] === undefined) {
      const byVolume = defaulted.get(v.storageClass) ?? new Map<string, number>()
      byVolume.set(v.volume, Math.max(byVolume.get(v.volume) ?? 0, v.sizeBytes))
      defaulted.set(v.storageClass, byVolume)
    }
  }
  const out: string[] = []
  for (const [storageClass, byVolume] of [...defaulted].sort((a, b) => a[0].localeCompare(b[0]))) {
    const gib = [...byVolume.values()].reduce((s, b) => s + b, 0) / GIB
    const what = storageClass ? `storage class ${storageClass}` : 'no storage class'
    const rate =
      storage.defaultGiBMonth > 0
        ? `the default ${storage.defaultGiBMonth} ${currency} per GiB-month (kubernetes.prices.storage.defaultGiBMonth)`
        : `0, as kubernetes.prices.storage.defaultGiBMonth is 0`
    out.push(
      `${byVolume.size} volume${byVolume.size === 1 ? '' : 's'} (${Math.round(gib).toLocaleString('en-US')} GiB) ` +
        `of ${what} ${byVolume.size === 1 ? 'has' : 'have'} no price in kubernetes.prices.storage.classes and no row in the bill: priced ` +
        `at ${rate}; set ${
          storageClass ? `kubernetes.prices.storage.classes.${storageClass}` : 'the ' + 'default'
        } to charge ${byVolume.size === 1 ? 'it' : 'them'} at ${storageClass ? 'its' : 'your'} price`,
    )
  }
  if (unsized.size > 0) {
    const names = [...unsized].sort()
    out.push(
      `${names.length} volume${
        names.length === 1 ? ' has' : 's ' + 'have'
      } no size in kube-state-metrics (kube_persistentvolume_capacity_bytes) \
and ${names.length === 1 ? 'was' : 'were'} charged nothing (${names.slice(0, 3).join(', ')}${names.length > 3 ? ', ...' : ''})`,
    )
  }
  return out
}

/** Which (cluster, day, namespace) have history: '*' covers every namespace of the day. */
class Coverage {
  private readonly byDay = new Map<string, Set<string>>()
  private readonly missing = new Map<string, number>()
  constructor(rows: readonly HistoryCoverage[]) {
    for (const r of rows) {
      const id = `${r.cluster}\u0000${r.day}`
      this.missing.set(id, Math.max(this.missing.get(id) ?? 0, r.missingSeconds))
      const key = `${r.cluster}/${r.day}`
      const set = this.byDay.get(key) ?? new Set<string>()
      set.add(r.namespace)
      this.byDay.set(key, set)
    }
  }
  /** Any history that day (nodes come from it). */
  day(cluster: string, day: string): boolean {
    return this.byDay.has(`${cluster}/${day}`)
  }
  namespace(cluster: string, day: string, namespace: string): boolean {
    const set = this.byDay.get(`${cluster}/${day}`)
    return Boolean(set && (set.has('*') || set.has(namespace)))
  }
  whole(cluster: string, day: string): boolean {
    return Boolean(this.byDay.get(`${cluster}/${day}`)?.has('*'))
  }
  /** Days Prometheus missed part of (an outage): what was not seen was charged to nobody. */
  shortfalls(clusters: number): string[] {
    return [...this.missing]
      .filter(([, seconds]) => seconds >= GAP_SECONDS)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, seconds]) => {
        const [cluster, day] = key.split('\u0000') as [string, string]
        return (
          `${day}${clusters > 1 ? ` (cluster ${cluster})` : ''}: Prometheus had no kube-state-metrics samples for ` +
          `${(seconds / 3600).toFixed(1)} hours of the day (an outage or a scrape gap), so its nodes and pods are charged only for the hours it saw`
        )
      })
  }
}

/** A day missing less than this of its samples (a late scrape) is not worth a warning. */
const GAP_SECONDS = 300

/** A node from history, with what the snapshot knows of the same node filling the gaps. */
function historyNodeShape(
  row: Omit<NodeHoursRow, 'day' | 'hours'>,
  snapshotNode: NodeInfo | undefined,
): {shape: NodeShape; labels: Record<string, string>; instanceId?: string} {
  // A node name can be another instance's today (an EC2 private DNS name reused with its IP): the
  // snapshot describes the same machine only when the instance id agrees.
  const known = !row.providerId || snapshotNode?.providerId === row.providerId ? snapshotNode : undefined
  // History's labels are the day's; the snapshot only fills keys history lacks in either spelling.
  const labels: Record<string, string> = {...row.labels}
  for (const [key, value] of Object.entries(known?.labels ?? {}))
    if (nodeLabel(row.labels, key) === undefined) labels[key] = value
  const parsed = parseProviderId(row.providerId || known?.providerId)
  const instanceType =
    firstNodeLabel(labels, 'node.kubernetes.io/instance-type', 'beta.kubernetes.io/instance-type') ??
    known?.instanceType
  const region =
    firstNodeLabel(labels, 'topology.kubernetes.io/region', 'failure-domain.beta.kubernetes.io/region') ?? known?.region
  return {
    shape: {
      cluster: row.cluster,
      name: row.node,
      provider: parsed.provider ?? known?.provider,
      instanceType,
      region,
      capacityType: nodeCapacityType(labels).capacityType,
      cores: row.cpuCores || known?.capacity.cpu || 0,
      memoryGiB: (row.memoryBytes || known?.capacity.memory || 0) / GIB,
      gpus: physicalGpus(Object.keys(row.gpus).length > 0 ? row.gpus : (known?.capacity.gpus ?? {}), labels),
    },
    labels,
    instanceId: parsed.instanceId ?? known?.instanceId,
  }
}

/** Labels for `label:` keys and shares: a workload's pod-template labels over its own, and its namespace's. */
export function labelSource(inventory: Inventory | undefined): LabelSource {
  const workloads = new Map<string, Record<string, string>>()
  for (const w of inventory?.workloads ?? [])
    workloads.set(`${w.cluster}/${w.namespace}/${w.kind}/${w.name}`, {...w.labels, ...w.podLabels})
  const namespaces = new Map((inventory?.namespaces ?? []).map((n) => [`${n.cluster}/${n.name}`, n.labels]))
  return {
    workload: (cluster, namespace, kind, name) => workloads.get(`${cluster}/${namespace}/${kind}/${name}`),
    namespace: (cluster, namespace) => namespaces.get(`${cluster}/${namespace}`),
  }
}

const ranges = (days: readonly string[]): string => {
  const out: string[] = []
  let start: string | undefined
  let prev: string | undefined
  for (const d of [...days].sort()) {
    if (prev && addDays(prev, 1) === d) {
      prev = d
      continue
    }
    if (start) out.push(start === prev ? start : `${start} to ${prev}`)
    start = prev = d
  }
  if (start) out.push(start === prev ? start : `${start} to ${prev}`)
  return out.join(', ')
}

/**
 * Reads history, snapshot, usage and prices from the store and allocates the window's costs: days
 * with kube-state-metrics history are charged from it; only the rest is modelled from the snapshot
 * (and the report says which days were).
 */
export function runAllocation(db: Db, k8s: KubernetesConfig, options: AllocationOptions): AllocationReport {
  const groupBy = parseAllocationKeys(options.groupBy)
  const days = resolveAllocationWindow(options)
  const share = parseSharePolicy(options.share ?? k8s.allocation.share)
  const idle = options.idle ?? k8s.allocation.idle
  const from = days[0]!
  const to = days.at(-1)!
  const query = {from, to, cluster: options.cluster}
  const inventory = readInventory(db, options.cluster)
  const coverage = new Coverage(readHistoryCoverage(db, query))
  const historyNodes = readNodeHours(db, query).filter((n) => coverage.day(n.cluster, n.day))
  if (!inventory && historyNodes.length === 0) {
    throw notFoundError(
      options.cluster
        ? `no snapshot or history of cluster ${options.cluster} in the store for ${from} to ${to}`
        : `no Kubernetes snapshot or history in the store for ${from} to ${to}`,
      'run `finops collect k8s` and `finops collect usage` first (or `finops demo` to see an example)',
    )
  }
  const warnings: string[] = []
  const pricer = new NodePricer(db, k8s, from, to)
  const snapshotNodes = new Map((inventory?.nodes ?? []).map((n) => [`${n.cluster}/${n.name}`, n]))
  const historyShapes = historyNodes.map((row) => ({
    row,
    ...historyNodeShape(row, snapshotNodes.get(`${row.cluster}/${row.node}`)),
  }))
  const snapshotClusters = [...new Set((inventory?.nodes ?? []).map((n) => n.cluster))]
  // Days a snapshot cluster has no history at all: its nodes stand for the whole day.
  const snapshotDays = new Map(snapshotClusters.map((c) => [c, days.filter((d) => !coverage.day(c, d))]))
  pricer.loadBill([
    ...historyShapes.flatMap((h) =>
      h.instanceId ? [{instanceId: h.instanceId, day: h.row.day, hours: h.row.hours}] : [],
    ),
    ...(inventory?.nodes ?? []).flatMap((n) =>
      n.instanceId
        ? (snapshotDays.get(n.cluster) ?? []).map((day) => ({instanceId: n.instanceId!, day, hours: 24}))
        : [],
    ),
  ])
  const nodeDays: NodeDay[] = historyShapes.map((h) => ({
    cluster: h.row.cluster,
    node: h.row.node,
    day: h.row.day,
    hours: h.row.hours,
    price: pricer.price(h.shape, h.row.day, h.instanceId),
    labels: h.labels,
  }))
  for (const n of inventory?.nodes ?? []) {
    const shape = nodeShape(n, physicalGpus(n.capacity.gpus ?? {}, n.labels))
    for (const day of snapshotDays.get(n.cluster) ?? [])
      nodeDays.push({
        cluster: n.cluster,
        node: n.name,
        day,
        hours: 24,
        price: pricer.price(shape, day, n.instanceId),
        labels: n.labels,
      })
  }

  // Containers: history where it covers the namespace that day, the snapshot elsewhere.
  const uncovered = (cluster: string, day: string, namespace: string) => !coverage.namespace(cluster, day, namespace)
  const modelled = inventory
    ? days.filter((d) =>
        [...new Set(inventory.workloads.map((w) => w.cluster)), ...snapshotClusters].some((c) => !coverage.whole(c, d)),
      )
    : []
  let snapshotRows: ContainerNodeDay[] = []
  if (inventory && modelled.length > 0) {
    const usage = readUsage(db, {from: modelled[0]!, to: modelled.at(-1)!, cluster: options.cluster})
    const snap = snapshotContainerDays({
      inventory,
      usage,
      uncovered,
      days: modelled,
      stepSeconds: k8s.prometheus.stepSeconds,
    })
    snapshotRows = snap.rows
    if (snap.unscheduled > 0) warnings.push(`${snap.unscheduled} running pods have no node and were not charged`)
    if (snap.unknownNode > 0)
      warnings.push(`${snap.unknownNode} pods run on nodes missing from the snapshot and were not charged`)
    if (snap.absentWithUsage.length > 0)
      warnings.push(
        `${snap.absentWithUsage.length} workloads have usage on days modelled from the snapshot but are not in it, so they could not be charged ` +
          `(${snap.absentWithUsage.slice(0, 5).join(', ')}${
            snap.absentWithUsage.length > 5 ? ', ' + '...' : ''
          }): collect usage with kube-state-metrics scraped to charge them from history`,
      )
    if (usage.length === 0)
      warnings.push(
        `no usage in the store for ${ranges(modelled)}: those days are charged at requests only (run \`finops collect usage\`)`,
      )
    warnings.push(
      `${ranges(modelled)}: no kube-state-metrics history, ` +
        `so ${
          modelled.length === 1 ? 'this day is' : 'these days ' + 'are'
        } modelled from the snapshot of ${inventory.collectedAt.slice(0, 16).replace('T', ' ')} UTC (its running pods and the claims they mount for the \
whole day; LoadBalancer Services and volumes no workload mounts are not in the snapshot and are not charged); \`finops collect usage\` with \
kube-state-metrics scraped charges each pod for the hours it actually ran`,
    )
  }
  const historyRows = (function* () {
    for (const row of iterateContainerHours(db, query))
      if (coverage.namespace(row.cluster, row.day, row.namespace)) yield row as ContainerNodeDay
  })()

  const prices = k8s.prices
  const volumeRows = [
    ...readVolumeHours(db, query).filter((v) => coverage.day(v.cluster, v.day)),
    ...(inventory && modelled.length > 0 ? snapshotVolumeDays({inventory, uncovered, days: modelled}) : []),
  ]
  const volumeBill = new Map(
    prices.fromBilling
      ? readResourceDayCosts(db, {
          keys: volumeRows.map((v) => v.handle).filter(Boolean),
          from,
          to,
          serviceCategory: 'Storage',
        })
          .filter((c) => c.effectiveCost > 0)
          .map((c) => [`${c.resourceKey}/${c.day}`, c.effectiveCost])
      : [],
  )
  const storageWarnings = volumePriceWarnings(
    volumeRows.map((v) => ({
      volume: v.volume,
      storageClass: v.storageClass,
      sizeBytes: v.sizeBytes,
      billed: Boolean(v.handle && volumeBill.has(`${resourceKey(v.handle)}/${v.day}`)),
    })),
    prices.storage,
    prices.currency,
  )
  const volumes: VolumeDay[] = volumeRows.map((v) => ({
    cluster: v.cluster,
    volume: v.volume,
    day: v.day,
    hours: v.hours,
    sizeGiB: v.sizeBytes / GIB,
    gibHour: (prices.storage.classes[v.storageClass] ?? prices.storage.defaultGiBMonth) / HOURS_PER_MONTH,
    billedCost: v.handle ? volumeBill.get(`${resourceKey(v.handle)}/${v.day}`) : undefined,
    namespace: v.claimNamespace,
    claim: v.claim,
    ownerKind: v.ownerKind,
    ownerWorkload: v.ownerWorkload,
  }))
  const services: ServiceDay[] = readServiceHours(db, query)
    .filter((s) => coverage.namespace(s.cluster, s.day, s.namespace))
    .map((s) => ({...s, hourly: prices.loadBalancerHour}))
  const network: NetworkDay[] = readNetwork(db, query)
    .filter((n) => coverage.namespace(n.cluster, n.day, n.namespace))
    .map((n) => ({...n, gib: n.transmitGiB, perGiB: prices.networkGiB}))

  const report = allocateCosts({
    days,
    groupBy,
    currency: prices.currency,
    nodeDays,
    containers: mergeByNodeDay<ContainerNodeDay>(historyRows, snapshotRows),
    volumes,
    services,
    network,
    labels: labelSource(inventory),
    idle,
    share,
    filter: options.filter,
  })
  warnings.push(...coverage.shortfalls(new Set(historyNodes.map((n) => n.cluster)).size))
  const historyDays = days.filter((d) => historyNodes.some((n) => n.day === d))
  report.sources = {history: historyDays, snapshot: modelled}
  report.warnings.unshift(...warnings)
  if (options.filter && idle === 'separate')
    report.warnings.push(
      'idle is the whole cluster\u2019s and is not split by namespace or selector: use --idle by-cost to see each row\u2019s share of it',
    )
  if (volumeRows.some((v) => v.handle && !volumeBill.has(`${resourceKey(v.handle)}/${v.day}`)) && volumeBill.size > 0)
    report.warnings.push('some volumes have no row in the bill and are priced by their storage class')
  report.warnings.push(...storageWarnings)
  return report
}
