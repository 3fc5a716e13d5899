import {guessWorkloadForPod} from '../../k8s/inventory.js'
import type {Inventory, WorkloadKind} from '../../model/k8s.js'
import type {
  ContainerHoursRow,
  HistoryCoverage,
  NetworkRow,
  NodeHoursRow,
  ServiceHoursRow,
  VolumeHoursRow,
} from '../../store/k8s-history.js'
import type {PrometheusApi, PrometheusSeries} from './prometheus-client.js'
import {GIB} from '../../k8s/quantity.js'

const DAY_S = 86_400
/**
 * Extended resources charged as GPUs, as kube-state-metrics names them (`nvidia.com/gpu` -> nvidia_com_gpu):
 * every resource `isGpuResource` charges must be read, or its requests and node capacity are never seen.
 */
export const GPU_RESOURCE_PATTERN = 'nvidia_com_gpu|nvidia_com_mig_.+|amd_com_gpu|gpu_intel_com_i915'
const REQUEST_RESOURCES = `cpu|memory|${GPU_RESOURCE_PATTERN}`

export interface PrometheusHistoryOptions {
  cluster: string
  /** Window: [start, end] in unix seconds; start is a UTC midnight. */
  start: number
  end: number
  /** Subquery resolution: pods and nodes are seen every this many seconds (must divide a day). */
  resolutionSeconds: number
  rateWindow: string
  /** Extra label matchers, e.g. `cluster="prod"`, added to every selector. */
  extraSelector?: string
  /** Only these namespaces (exact names); undefined = every namespace. */
  namespaces?: readonly string[]
  /** Also read bytes transmitted per pod (container_network_transmit_bytes_total), for egress costs. */
  network: boolean
  /**
   * Seconds a kube-state-metrics sample counts as current (about its scrape interval). Default:
   * measured from kube_node_info's samples per hour, x1.25; undefined measurement = Prometheus' lookback.
   */
  freshSeconds?: number
  /** Upper bound on pod-instants (pods x instants) evaluated per query: bigger batches get fewer days per query. */
  maxPodInstantsPerQuery?: number
  /** The snapshot: pods it lists map to their workload exactly (others through kube_pod_owner). */
  inventory?: Inventory
  /** Receives one namespace's rows for a run of days (written to the store by the caller). */
  writeNamespace: (
    scope: {namespace: string; days: string[]},
    rows: {containers: ContainerHoursRow[]; services: ServiceHoursRow[]; network: NetworkRow[]},
  ) => void
  /** Receives the cluster-wide rows (nodes, volumes) once every namespace is done. */
  writeCluster: (
    scope: {days: string[]; namespaces: readonly string[] | '*'},
    rows: {nodes: NodeHoursRow[]; volumes: VolumeHoursRow[]},
  ) => void
  /** Marks what was covered, last, so an interrupted run leaves no day marked as collected. */
  writeCoverage: (rows: HistoryCoverage[]) => void
}

export interface PrometheusHistorySummary {
  /** kube-state-metrics found (else nothing is written and allocation keeps using the snapshot). */
  source: 'kube-state-metrics' | 'unavailable'
  days: number
  namespaces: number
  containerRows: number
  nodeDays: number
  volumeDays: number
  loadBalancerDays: number
  queries: number
  /** Days of the window with no kube-state-metrics sample at all (past retention): not written, so stored history stays. */
  missingDays: string[]
  /** Days written with hours Prometheus has no sample for (an outage): those hours are charged to nobody. */
  gaps: {day: string; hours: number}[]
}

/** What a reader of `collect usage` must know about days the history could not fully cover. */
export function historyShortfalls(
  history: Pick<PrometheusHistorySummary, 'missingDays' | 'gaps'> | undefined,
): string[] {
  const out: string[] = []
  if (history?.missingDays.length)
    out.push(
      `Prometheus has no kube-state-metrics samples for ${history.missingDays.join(', ')} (past its retention?): ` +
        'history stored earlier for those days is kept; days without any are modelled from the snapshot',
    )
  for (const g of history?.gaps ?? [])
    out.push(
      `${g.day}: Prometheus has no kube-state-metrics samples for ${g.hours.toFixed(1)} hours of the day (an outage or a scrape gap); ` +
        'nodes and pods are charged only for the hours it saw',
    )
  return out
}

/** A day missing less than this (a late scrape, the window's first instant) is not reported as a gap. */
const GAP_SECONDS = 300

const quote = (v: string) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`
const dayName = (t: number) => new Date(t * 1000).toISOString().slice(0, 10)

/** A day of the window and the instant its subqueries are evaluated at (its last instant, or the window end). */
interface DaySlot {
  day: string
  start: number
  at: number
  /**
   * Subquery range in seconds: covers the instants start..at. One second short of the span, so
   * the instant before `start` is out whether ranges are left-closed (Prometheus 2) or open (3).
   */
  range: number
}

/** The window's days; full days share one range so a range query with a 1-day step covers several. */
export function daySlots(start: number, end: number, resolution: number): DaySlot[] {
  const slots: DaySlot[] = []
  for (let dayStart = start; dayStart <= end; dayStart += DAY_S) {
    const at = Math.min(dayStart + DAY_S - resolution, Math.floor(end / resolution) * resolution)
    if (at < dayStart) break
    slots.push({day: dayName(dayStart), start: dayStart, at, range: at - dayStart + resolution - 1})
  }
  return slots
}

/** Groups consecutive slots with the same range into runs of at most `maxDays` (one range query each). */
function slotRuns(slots: readonly DaySlot[], maxDays: number): DaySlot[][] {
  const runs: DaySlot[][] = []
  for (const slot of slots) {
    const last = runs.at(-1)
    if (last && last.length < maxDays && last[0]!.range === slot.range) last.push(slot)
    else runs.push([slot])
  }
  return runs
}

/**
 * How a series is read at an instant. Prometheus' default 5-minute lookback keeps a deleted pod's
 * last sample visible for up to 5 minutes when no staleness marker was written (backfilled or
 * remote-written data, a missed scrape); reading the last sample within about one scrape interval
 * instead counts each pod to within a scrape at either end, as staleness markers would.
 */
export const presence = (selector: string, freshSeconds: number | undefined): string =>
  freshSeconds ? `last_over_time(${selector}[${freshSeconds}s])` : selector

/**
 * The PromQL of the history, in one place so it can be read (and sharded: every selector takes a
 * namespace and the extra matchers, so a shard is a namespace list or a cluster label).
 */
export function historyQueries(
  selector: string,
  options: {resolution: number; rateWindow: string; freshSeconds?: number},
) {
  const r = `${options.resolution}s`
  const at = (m: string) => presence(m, options.freshSeconds)
  const running =
    `max by (namespace, pod, container) ` +
    `((${at(`kube_pod_container_status_running{${selector}}`)} or ${at(`kube_pod_init_container_status_running{${selector}}`)}) == 1)`
  // One node per pod and instant even when a recreated pod's old series has not gone stale yet.
  const onNode = `topk by (namespace, pod) (1, max by (namespace, pod, node) (${at(`kube_pod_info{${selector},node!=""}`)}))`
  const placed = `(${running} * on (namespace, pod) group_left (node) ${onNode})`
  const requests =
    `max by (namespace, pod, container, resource) ` +
    `(${at(
      `kube_pod_container_resource_requests{${selector},` + `resource=~"${REQUEST_RESOURCES}"}`,
    )} or ${at(`kube_pod_init_container_resource_requests{${selector},resource=~"${REQUEST_RESOURCES}"}`)})`
  const cadvisor = `container!="",container!="POD",${selector}`
  return {
    /** Instants each container ran on each node (resource="_running"), and its requests summed over those instants. */
    requests: (range: string) =>
      `sum by (namespace, pod, container, node, resource) ` +
      `(sum_over_time((${requests} * on (namespace, pod, container) group_left (node) ${placed})[${range}:${r}]))` +
      ` or label_replace(sum by (namespace, pod, container, node) (count_over_time(${placed}[${range}:${r}])), "resource", "_running", "", "")`,
    /** CPU (cores) and memory (bytes) used, summed over the instants the container ran. */
    usage: (range: string) =>
      `label_replace(sum by (namespace, pod, container, node) (sum_over_time((sum by (namespace, pod, container) ` +
      `(rate(container_cpu_usage_seconds_total{${cadvisor}}[${options.rateWindow}])) * on (namespace, pod, container) group_left ` +
      `(node) ${placed})[${range}:${r}])), "resource", "_cpu", "", "")` +
      ` or label_replace(sum by (namespace, pod, container, node) (sum_over_time((max by (namespace, pod, container) ` +
      `(container_memory_working_set_bytes{${cadvisor}}) * on (namespace, pod, container) group_left ` +
      `(node) ${placed})[${range}:${r}])), "resource", "_memory", "", "")`,
    /** Owners of the pods seen in a window (pods, ReplicaSets, Jobs). */
    owners: (range: string) =>
      `max by (namespace, pod, owner_kind, owner_name) (last_over_time(kube_pod_owner{${selector}}[${range}]))` +
      ` or max by (namespace, replicaset, owner_kind, owner_name) (last_over_time(kube_replicaset_owner{${selector}}[${range}]))` +
      ` or max by (namespace, job_name, owner_kind, owner_name) (last_over_time(kube_job_owner{${selector}}[${range}]))`,
    /**
     * Per day: the instants each pod mounting a claim was running (a claim goes to the workload that
     * ran on it longest, not to the one with the most pods: an hourly CronJob's 24 short pods against
     * one replica that ran all day), claims' volumes, and instants each LoadBalancer Service existed.
     */
    objects: (range: string) =>
      `count_over_time((max by (namespace, pod, persistentvolumeclaim) ` +
      `(${at(`kube_pod_spec_volumes_persistentvolumeclaims_info{${selector}}`)}) and on (namespace, pod) ${running})[${range}:${r}])` +
      ` or max by (namespace, persistentvolumeclaim, volumename) (max_over_time(kube_persistentvolumeclaim_info{${selector},volumename!=""}[${range}]))` +
      ` or label_replace(count_over_time(max by (namespace, service) ` +
      `(${at(`kube_service_spec_type{${selector},type="LoadBalancer"}`)})[${range}:${r}]), "type", "LoadBalancer", "", "")`,
    /** Bytes each pod transmitted (cAdvisor's pod-level network series). */
    network: (range: string) =>
      `sum by (namespace, pod) (increase(container_network_transmit_bytes_total{${selector},pod!=""}[${range}]))`,
  }
}

/** Cluster-wide queries: nodes and persistent volumes. */
export function clusterQueries(extra: string, options: {resolution: number; freshSeconds?: number}) {
  const r = `${options.resolution}s`
  const at = (m: string) => presence(m, options.freshSeconds)
  const sel = (more: string) => [extra, more].filter(Boolean).join(',')
  return {
    nodes: (range: string) =>
      `label_replace(count_over_time(max by (node) (${at(`kube_node_info{${sel('')}}`)})[${range}:${r}]), "resource", "_present", "", "")` +
      ` or max by (node, resource) (max_over_time(kube_node_status_capacity{${sel(`resource=~"cpu|memory|${GPU_RESOURCE_PATTERN}"`)}}[${range}]))`,
    /**
     * Samples of each instance id and label set a node name had: a name can change hands within a day
     * (an EC2 private DNS name reused with its IP), and the day goes to the one it had the longest.
     */
    nodeInfo: (range: string) =>
      `sum by (node, provider_id) (count_over_time(kube_node_info{${sel('')}}[${range}]))` +
      ` or count_over_time(kube_node_labels{${sel('')}}[${range}])`,
    /** Instants of the range at which kube-state-metrics reported anything (of `metric`): less than all is a gap. */
    seen: (range: string, metric: string) => `count_over_time(group(${at(`${metric}{${sel('')}}`)})[${range}:${r}])`,
    volumes: (range: string) =>
      `label_replace(count_over_time(max by (persistentvolume) ` +
      `(${at(`kube_persistentvolume_capacity_bytes{${sel('')}}`)})[${range}:${r}]), "measure", "instants", "", "")` +
      ` or label_replace(max by (persistentvolume) (max_over_time(kube_persistentvolume_capacity_bytes{${sel('')}}[${range}])), "measure", "bytes", "", "")` +
      ` or max by (persistentvolume, storageclass, ebs_volume_id, csi_volume_handle, gce_persistent_disk_name, azure_disk_name) ` +
      `(max_over_time(kube_persistentvolume_info{${sel('')}}[${range}]))`,
    /** Samples per hour of the nodes' kube-state-metrics series: its scrape interval is 3600 / that. */
    scrapesPerHour: () => `quantile(0.5, count_over_time(kube_node_info{${sel('')}}[1h]))`,
  }
}

/**
 * kube-state-metrics' scrape interval, x1.25 for jitter, from the median node series' samples in the
 * last hour of the window; undefined when it cannot be told (then the default lookback applies).
 */
async function scrapeInterval(prom: PrometheusApi, query: string, at: number): Promise<number | undefined> {
  const perHour = Number((await prom.query(query, at))[0]?.value?.[1])
  if (!(perHour >= 2)) return undefined
  return Math.ceil((3600 / perHour) * 1.25)
}

/** Runs a query over a run of day slots: a range query with a 1-day step, or an instant query for one slot. */
async function overSlots(
  prom: PrometheusApi,
  run: readonly DaySlot[],
  build: (range: string) => string,
): Promise<{series: PrometheusSeries; values: [DaySlot, number][]}[]> {
  const query = build(`${run[0]!.range}s`)
  const bySecond = new Map(run.map((s) => [s.at, s]))
  const result =
    run.length === 1
      ? await prom.query(query, run[0]!.at)
      : await prom.queryRange(query, run[0]!.at, run.at(-1)!.at, DAY_S)
  return result.map((series) => {
    const points = series.values ?? (series.value ? [series.value] : [])
    const values: [DaySlot, number][] = []
    for (const [t, v] of points) {
      const slot = run.length === 1 ? run[0]! : bySecond.get(Math.round(Number(t)))
      const n = Number(v)
      if (slot && Number.isFinite(n)) values.push([slot, n])
    }
    return {series, values}
  })
}

/** A stable order of label sets, so equal sample counts pick the same series whatever order Prometheus returns. */
const labelOrder = (a: Record<string, string>, b: Record<string, string>): number => {
  const text = (m: Record<string, string>) => JSON.stringify(Object.entries(m).sort(([x], [y]) => (x < y ? -1 : 1)))
  const [x, y] = [text(a), text(b)]
  return x < y ? -1 : x > y ? 1 : 0
}

type Workload = {kind: WorkloadKind; name: string}

const WORKLOAD_KINDS = new Set<string>(['Deployment', 'StatefulSet', 'DaemonSet', 'CronJob', 'Job', 'ReplicaSet'])

/** Maps pods to workloads: the snapshot first, then kube_pod_owner up to the Deployment or CronJob. */
class PodOwners {
  private readonly pods = new Map<string, {kind: string; name: string}>()
  private readonly replicaSets = new Map<string, {kind: string; name: string}>()
  private readonly jobs = new Map<string, {kind: string; name: string}>()
  private readonly known = new Map<string, Workload>()

  constructor(namespace: string, inventory?: Inventory) {
    for (const w of inventory?.workloads ?? [])
      if (w.namespace === namespace) for (const p of w.pods) this.known.set(p.name, {kind: w.kind, name: w.name})
  }

  add(series: PrometheusSeries): void {
    const m = series.metric
    const owner = {kind: m.owner_kind ?? '', name: m.owner_name ?? ''}
    if (m.pod) this.pods.set(m.pod, owner)
    else if (m.replicaset) this.replicaSets.set(m.replicaset, owner)
    else if (m.job_name) this.jobs.set(m.job_name, owner)
  }

  of(pod: string): Workload {
    const known = this.known.get(pod)
    if (known) return known
    const owner = this.pods.get(pod)
    if (!owner) return guessWorkloadForPod(pod)
    const none = (o: {kind: string; name: string} | undefined) => !o || !o.kind || o.kind === '<none>'
    if (owner.kind === 'ReplicaSet') {
      const up = this.replicaSets.get(owner.name)
      return !none(up) && up!.kind === 'Deployment'
        ? {kind: 'Deployment', name: up!.name}
        : {kind: 'ReplicaSet', name: owner.name}
    }
    if (owner.kind === 'Job') {
      const up = this.jobs.get(owner.name)
      return !none(up) && up!.kind === 'CronJob' ? {kind: 'CronJob', name: up!.name} : {kind: 'Job', name: owner.name}
    }
    if (WORKLOAD_KINDS.has(owner.kind)) return {kind: owner.kind as WorkloadKind, name: owner.name}
    // Bare pods, static pods (owned by their Node) and pods of operators' own kinds are their own workload.
    return {kind: 'Pod', name: pod}
  }
}

interface ContainerAccumulator {
  row: ContainerHoursRow
  pods: Set<string>
}

/**
 * Reads what ran where over the window from kube-state-metrics and cAdvisor, aggregated by
 * Prometheus into per-day sums (subqueries at `resolutionSeconds`), and writes per workload,
 * container, node and day: running hours, requested and used CPU, memory and GPUs; node hours and
 * capacity; volume and LoadBalancer hours; optionally bytes transmitted. Memory holds one
 * namespace's days at a time, never samples.
 */
export async function collectPrometheusHistory(
  prom: PrometheusApi,
  options: PrometheusHistoryOptions,
): Promise<PrometheusHistorySummary> {
  const resolution = options.resolutionSeconds
  const hours = (instants: number) => (instants * resolution) / 3600
  const extra = options.extraSelector ?? ''
  let slots = daySlots(options.start, options.end, resolution)
  const summary: PrometheusHistorySummary = {
    source: 'unavailable',
    days: slots.length,
    namespaces: 0,
    containerRows: 0,
    nodeDays: 0,
    volumeDays: 0,
    loadBalancerDays: 0,
    queries: 0,
    missingDays: [],
    gaps: [],
  }
  if (slots.length === 0) return summary
  const windowRange = `${Math.max(resolution, options.end - options.start + resolution)}s`

  // Which namespaces had pods, and how many: batches are namespaces, days per query scale with pods.
  const sel = (more: string) => [more, extra].filter(Boolean).join(',')
  const counted = await prom.query(
    `count by (namespace) (max by (namespace, pod) (last_over_time(kube_pod_info{${sel('')}}[${windowRange}])))`,
    options.end,
  )
  summary.queries++
  const wanted = options.namespaces ? new Set(options.namespaces) : undefined
  const podCounts = new Map<string, number>()
  for (const s of counted) {
    const ns = s.metric.namespace
    if (ns && (!wanted || wanted.has(ns))) podCounts.set(ns, Number(s.value?.[1] ?? 0))
  }
  const nodeSeriesProbe = await prom.query(
    `group(last_over_time(kube_node_info{${sel('')}}[${windowRange}]))`,
    options.end,
  )
  summary.queries++
  if (nodeSeriesProbe.length === 0 && counted.length === 0) return summary
  summary.source = 'kube-state-metrics'
  summary.namespaces = podCounts.size
  const cluster = clusterQueries(extra, {resolution})
  const freshSeconds = options.freshSeconds ?? (await scrapeInterval(prom, cluster.scrapesPerHour(), options.end))
  summary.queries++
  const clusterWide = clusterQueries(extra, {resolution, freshSeconds})

  // A day without a single kube-state-metrics sample is past Prometheus' retention (or before it
  // scraped kube-state-metrics): writing it would replace history stored earlier with nothing and
  // mark the day covered, so it is left alone (allocation then keeps what the store has, or models it
  // from the snapshot). A day with fewer instants than it has is an outage: said per day, and stored.
  const seenMetric = nodeSeriesProbe.length > 0 ? 'kube_node_info' : 'kube_pod_info'
  const seen = new Map<string, number>()
  for (const run of slotRuns(slots, 31)) {
    summary.queries++
    for (const {values} of await overSlots(prom, run, (range) => clusterWide.seen(range, seenMetric)))
      for (const [slot, v] of values) seen.set(slot.day, v)
  }
  const missingSeconds = new Map<string, number>()
  for (const slot of slots) {
    const instants = Math.floor((slot.at - slot.start) / resolution) + 1
    missingSeconds.set(slot.day, Math.max(0, instants - (seen.get(slot.day) ?? 0)) * resolution)
  }
  summary.missingDays = slots.filter((s) => !((seen.get(s.day) ?? 0) > 0)).map((s) => s.day)
  slots = slots.filter((s) => (seen.get(s.day) ?? 0) > 0)
  summary.days = slots.length
  summary.gaps = slots
    .filter((s) => (missingSeconds.get(s.day) ?? 0) >= GAP_SECONDS)
    .map((s) => ({day: s.day, hours: Math.round(((missingSeconds.get(s.day) ?? 0) / 3600) * 100) / 100}))
  if (slots.length === 0) return summary

  const instantsPerDay = DAY_S / resolution
  const maxPodInstants = options.maxPodInstantsPerQuery ?? 5_000_000
  // Claims of the collected namespaces: volume -> {namespace, claim} and the pods mounting it, per day.
  const claims = new Map<string, Map<string, {namespace: string; claim: string; owners: Map<string, number>}>>()

  for (const [namespace, pods] of [...podCounts].sort((a, b) => a[0].localeCompare(b[0]))) {
    const queries = historyQueries(sel(`namespace=${quote(namespace)}`), {
      resolution,
      rateWindow: options.rateWindow,
      freshSeconds,
    })
    const daysPerQuery = Math.max(1, Math.min(31, Math.floor(maxPodInstants / Math.max(1, pods * instantsPerDay))))
    for (const run of slotRuns(slots, daysPerQuery)) {
      const owners = new PodOwners(namespace, options.inventory)
      const firstStart = run[0]!.start
      const lastAt = run.at(-1)!.at
      for (const s of await prom.query(queries.owners(`${lastAt - firstStart + resolution}s`), lastAt)) owners.add(s)
      const containers = new Map<string, ContainerAccumulator>()
      const accumulator = (m: Record<string, string>, slot: DaySlot): ContainerAccumulator => {
        const w = owners.of(m.pod!)
        const id = `${w.kind}/${w.name}/${m.container}/${m.node}/${slot.day}`
        let a = containers.get(id)
        if (!a) {
          a = {
            pods: new Set(),
            row: {
              cluster: options.cluster,
              namespace,
              kind: w.kind,
              workload: w.name,
              container: m.container!,
              node: m.node!,
              day: slot.day,
              pods: 0,
              runningHours: 0,
              cpuRequestCoreHours: 0,
              memoryRequestGiBHours: 0,
              cpuUsageCoreHours: 0,
              memoryUsageGiBHours: 0,
              gpuRequestHours: {},
            },
          }
          containers.set(id, a)
        }
        return a
      }
      for (const {series, values} of await overSlots(prom, run, queries.requests)) {
        const m = series.metric
        if (!m.pod || !m.container || !m.node) continue
        for (const [slot, v] of values) {
          const a = accumulator(m, slot)
          if (m.resource === '_running') {
            a.row.runningHours += hours(v)
            a.pods.add(m.pod)
          } else if (m.resource === 'cpu') a.row.cpuRequestCoreHours += hours(v)
          else if (m.resource === 'memory') a.row.memoryRequestGiBHours += hours(v) / GIB
          else if (m.resource) a.row.gpuRequestHours[m.resource] = (a.row.gpuRequestHours[m.resource] ?? 0) + hours(v)
        }
      }
      for (const {series, values} of await overSlots(prom, run, queries.usage)) {
        const m = series.metric
        if (!m.pod || !m.container || !m.node) continue
        for (const [slot, v] of values) {
          const a = accumulator(m, slot)
          if (m.resource === '_cpu') a.row.cpuUsageCoreHours += hours(v)
          else if (m.resource === '_memory') a.row.memoryUsageGiBHours += hours(v) / GIB
        }
      }
      const services: ServiceHoursRow[] = []
      const objects = await overSlots(prom, run, queries.objects)
      for (const {series, values} of objects) {
        const m = series.metric
        for (const [slot, v] of values) {
          if (m.service && m.type === 'LoadBalancer') {
            services.push({
              cluster: options.cluster,
              namespace,
              service: m.service,
              day: slot.day,
              type: 'LoadBalancer',
              hours: hours(v),
            })
          } else if (m.volumename && m.persistentvolumeclaim) {
            const day = claims.get(slot.day) ?? new Map()
            claims.set(slot.day, day)
            day.set(m.volumename, {namespace, claim: m.persistentvolumeclaim, owners: new Map<string, number>()})
          }
        }
      }
      // Mounts after claims: a pod names its claim, the claim's row of the same day names the volume.
      for (const {series, values} of objects) {
        const m = series.metric
        if (!m.pod || !m.persistentvolumeclaim) continue
        for (const [slot, instants] of values) {
          for (const entry of claims.get(slot.day)?.values() ?? []) {
            if (entry.namespace !== namespace || entry.claim !== m.persistentvolumeclaim) continue
            const w = owners.of(m.pod)
            const id = `${w.kind}/${w.name}`
            entry.owners.set(id, (entry.owners.get(id) ?? 0) + instants)
          }
        }
      }
      const network: NetworkRow[] = []
      if (options.network) {
        // Evaluated at each day's end (not its last instant) so increase() covers exactly the day.
        // A day the window ends at the start of has sent nothing yet (and a 0s range is refused).
        const dayEnds = run
          .map((s) => {
            const at = Math.min(s.start + DAY_S, options.end)
            return {...s, at, range: at - s.start}
          })
          .filter((s) => s.range > 0)
        const byWorkload = new Map<string, NetworkRow>()
        for (const netRun of slotRuns(dayEnds, daysPerQuery)) {
          summary.queries++
          for (const {series, values} of await overSlots(prom, netRun, queries.network)) {
            const m = series.metric
            if (!m.pod) continue
            const w = owners.of(m.pod)
            for (const [slot, v] of values) {
              const id = `${w.kind}/${w.name}/${slot.day}`
              const row = byWorkload.get(id) ?? {
                cluster: options.cluster,
                namespace,
                kind: w.kind,
                workload: w.name,
                day: slot.day,
                transmitGiB: 0,
              }
              row.transmitGiB += v / GIB
              byWorkload.set(id, row)
            }
          }
        }
        network.push(...byWorkload.values())
      }
      summary.queries += 4
      const rows = [...containers.values()].map((a) => ({...a.row, pods: a.pods.size}))
      summary.containerRows += rows.length
      summary.loadBalancerDays += services.length
      options.writeNamespace({namespace, days: run.map((s) => s.day)}, {containers: rows, services, network})
    }
  }

  // Nodes and volumes, cluster-wide, per run of days.
  const nodes: NodeHoursRow[] = []
  const volumes: VolumeHoursRow[] = []
  for (const run of slotRuns(slots, 31)) {
    const byNode = new Map<string, NodeHoursRow>()
    const nodeRow = (node: string, slot: DaySlot): NodeHoursRow => {
      const id = `${node}/${slot.day}`
      let row = byNode.get(id)
      if (!row) {
        row = {
          cluster: options.cluster,
          node,
          day: slot.day,
          hours: 0,
          cpuCores: 0,
          memoryBytes: 0,
          gpus: {},
          providerId: '',
          labels: {},
        }
        byNode.set(id, row)
      }
      return row
    }
    for (const {series, values} of await overSlots(prom, run, clusterWide.nodes)) {
      const m = series.metric
      if (!m.node) continue
      for (const [slot, v] of values) {
        const row = nodeRow(m.node, slot)
        if (m.resource === '_present') row.hours = hours(v)
        else if (m.resource === 'cpu') row.cpuCores = v
        else if (m.resource === 'memory') row.memoryBytes = v
        else if (m.resource) row.gpus[m.resource] = v
      }
    }
    // Per node-day, the instance id and the label set with the most samples (ties: the first in label order).
    const longest = new Map<string, {samples: number; metric: Record<string, string>}>()
    for (const {series, values} of await overSlots(prom, run, clusterWide.nodeInfo)) {
      const m = series.metric
      if (!m.node) continue
      const what = 'provider_id' in m ? 'id' : 'labels'
      for (const [slot, samples] of values) {
        const id = `${what}/${m.node}/${slot.day}`
        const best = longest.get(id)
        if (!best || samples > best.samples || (samples === best.samples && labelOrder(m, best.metric) < 0))
          longest.set(id, {samples, metric: m})
      }
    }
    for (const [id, {metric: m}] of longest) {
      const row = byNode.get(id.slice(id.indexOf('/') + 1))
      if (!row) continue
      if (m.provider_id) row.providerId = m.provider_id
      for (const [k, value] of Object.entries(m)) if (k.startsWith('label_')) row.labels[k.slice(6)] = value
    }
    for (const row of byNode.values()) if (row.hours > 0) nodes.push(row)

    const pv = new Map<string, {instants: number; bytes: number; info: Record<string, string>}>()
    for (const {series, values} of await overSlots(prom, run, clusterWide.volumes)) {
      const m = series.metric
      if (!m.persistentvolume) continue
      for (const [slot, v] of values) {
        const id = `${m.persistentvolume}/${slot.day}`
        const entry = pv.get(id) ?? {instants: 0, bytes: 0, info: {}}
        pv.set(id, entry)
        if (m.measure === 'instants') entry.instants = v
        else if (m.measure === 'bytes') entry.bytes = v
        else entry.info = m
      }
    }
    for (const [id, entry] of pv) {
      const slash = id.lastIndexOf('/')
      const volume = id.slice(0, slash)
      const day = id.slice(slash + 1)
      if (entry.instants <= 0) continue
      const claim = claims.get(day)?.get(volume)
      // With --namespace, only the volumes claimed in the namespaces collected.
      if (wanted && !claim) continue
      const owner = claim && [...claim.owners].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0]
      const [ownerKind = '', ...ownerName] = owner ? owner.split('/') : []
      volumes.push({
        cluster: options.cluster,
        volume,
        day,
        hours: hours(entry.instants),
        sizeBytes: entry.bytes,
        storageClass: entry.info.storageclass ?? '',
        handle:
          entry.info.ebs_volume_id ??
          entry.info.csi_volume_handle ??
          entry.info.gce_persistent_disk_name ??
          entry.info.azure_disk_name ??
          '',
        claimNamespace: claim?.namespace ?? '',
        claim: claim?.claim ?? '',
        ownerKind,
        ownerWorkload: ownerName.join('/'),
      })
    }
    summary.queries += 3
  }
  summary.nodeDays = nodes.length
  summary.volumeDays = volumes.length
  options.writeCluster({days: slots.map((s) => s.day), namespaces: options.namespaces ?? '*'}, {nodes, volumes})
  options.writeCoverage(
    slots.flatMap((s) =>
      (options.namespaces ?? ['*']).map((namespace) => ({
        cluster: options.cluster,
        day: s.day,
        namespace,
        through: new Date(Math.min(s.start + DAY_S, options.end + resolution) * 1000).toISOString(),
        resolutionSeconds: resolution,
        missingSeconds: missingSeconds.get(s.day) ?? 0,
      })),
    ),
  )
  return summary
}
