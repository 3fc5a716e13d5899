import {DigestBuilder, SmoothingBuilder, type HistogramBuilder} from '../../k8s/digest.js'
import {HourlyCpuBuilder, utcHourOf} from '../../k8s/hourly-cpu.js'
import {guessWorkloadForPod, workloadForPod} from '../../k8s/inventory.js'
import type {ContainerKey, Inventory, WorkloadKind} from '../../model/k8s.js'
import {inputError} from '../../errors.js'
import type {UsageRow} from '../../store/usage.js'
import type {UsageHoursRow} from '../../store/usage-hours.js'
import type {PrometheusApi} from './prometheus-client.js'
import type {SeriesSink} from './prometheus-matrix.js'
import {groupSeries} from './series-group.js'

const DAY_S = 86_400
/** Prometheus refuses a range query whose (end - start) / step exceeds this. */
const MAX_POINTS_PER_SERIES = 11_000

export interface PrometheusUsageOptions {
  cluster: string
  /** Window: [start, end] in unix seconds; start should be a UTC midnight so every day is whole. */
  start: number
  end: number
  stepSeconds: number
  rateWindow: string
  /** Upper bound on pod series per range query; larger namespaces are split by workload. */
  maxSeriesPerQuery: number
  /** Upper bound on samples (series x points) per range query; longer windows are split into day chunks. */
  maxSamplesPerQuery?: number
  concurrency: number
  /** Extra label matchers, e.g. `cluster="prod"`, added to every selector. */
  extraSelector?: string
  namespaces?: readonly string[]
  /** The inventory maps pods (also ones long gone) to their workloads; without it names are guessed. */
  inventory?: Inventory
  /**
   * Receives each finished batch of container-day digests and their CPU by hour of day (written to
   * the store by the caller, together).
   */
  write: (rows: UsageRow[], hours: UsageHoursRow[]) => void
  onProgress?: (done: number, total: number) => void
}

export interface PrometheusUsageSummary {
  namespaces: number
  containers: number
  days: number
  containerDays: number
  samples: number
  queries: number
  oomKills: number
  /** Whether kube-state-metrics' termination reasons were found (else OOM counts are unknown, not zero). */
  oomSource: 'kube-state-metrics' | 'unavailable'
}

interface Batch {
  namespace: string
  /** Pods in this batch, with their workload. */
  pods: Map<string, {kind: WorkloadKind; name: string}>
}

const quote = (v: string) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`
const escapeRegex = (v: string) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/**
 * Reads CPU and memory usage per container from Prometheus range queries and folds every sample
 * straight into per-container, per-day digests. Batches are one namespace, or a group of whole
 * workloads of a large namespace (so a workload's digests are complete when its batch ends), and
 * long windows are split into day chunks: memory holds one batch's digests and one response at a
 * time per concurrent query, never the window's samples.
 */
export async function collectPrometheusUsage(
  prom: PrometheusApi,
  options: PrometheusUsageOptions,
): Promise<PrometheusUsageSummary> {
  const extra = options.extraSelector ? `,${options.extraSelector}` : ''
  const base = `container!="",container!="POD"${extra}`
  const lookback = `${Math.max(1, Math.ceil((options.end - options.start) / 3600))}h`

  // 1. Which pods had container metrics in the window (one cheap instant query, aggregated server-side).
  const discovered = await prom.query(
    `group by (namespace, pod) (last_over_time(container_memory_working_set_bytes{${base}}[${lookback}]))`,
    options.end,
  )
  const wanted = options.namespaces && options.namespaces.length > 0 ? new Set(options.namespaces) : undefined
  const podsByNamespace = new Map<string, string[]>()
  for (const s of discovered) {
    const ns = s.metric.namespace
    const pod = s.metric.pod
    if (!ns || !pod || (wanted && !wanted.has(ns))) continue
    const list = podsByNamespace.get(ns) ?? []
    list.push(pod)
    podsByNamespace.set(ns, list)
  }
  if (podsByNamespace.size === 0) {
    throw inputError(
      `Prometheus has no container_memory_working_set_bytes series${wanted ? ` in ${[...wanted].join(', ')}` : ''} in the window`,
      (n) =>
        `check that cAdvisor (kubelet) metrics are scraped, the window (${n({key: 'days', label: 'days'})}), and kubernetes.prometheus.extraSelector`,
    )
  }

  // 2. Batches of whole workloads, at most maxSeriesPerQuery pods each.
  const batches: Batch[] = []
  // The inventory's workloads by namespace, read once (a large cluster has thousands of namespaces).
  const workloadsIn = new Map<string, Inventory['workloads']>()
  for (const w of options.inventory?.workloads ?? []) {
    const list = workloadsIn.get(w.namespace)
    if (list) list.push(w)
    else workloadsIn.set(w.namespace, [w])
  }
  for (const [namespace, pods] of [...podsByNamespace].sort((a, b) => a[0].localeCompare(b[0]))) {
    const inNamespace = workloadsIn.get(namespace) ?? []
    const candidates = inNamespace.map((w) => ({kind: w.kind, name: w.name}))
    const known = new Map<string, {kind: WorkloadKind; name: string}>()
    for (const w of inNamespace) for (const p of w.pods) known.set(p.name, {kind: w.kind, name: w.name})
    const byWorkload = new Map<string, Map<string, {kind: WorkloadKind; name: string}>>()
    for (const pod of pods.sort()) {
      const workload = known.get(pod) ?? workloadForPod(pod, candidates) ?? guessWorkloadForPod(pod)
      const id = `${workload.kind}/${workload.name}`
      const group = byWorkload.get(id) ?? new Map()
      group.set(pod, workload)
      byWorkload.set(id, group)
    }
    let current: Batch = {namespace, pods: new Map()}
    for (const group of byWorkload.values()) {
      if (current.pods.size > 0 && current.pods.size + group.size > options.maxSeriesPerQuery) {
        batches.push(current)
        current = {namespace, pods: new Map()}
      }
      for (const [pod, w] of group) current.pods.set(pod, w)
    }
    if (current.pods.size > 0) batches.push(current)
  }

  // Whether kube-state-metrics is scraped at all, asked directly: the OOM join below is empty both
  // without it and on a cluster where nothing was OOM-killed, so its result cannot tell them apart.
  const ksm = await prom.query(
    `group(last_over_time(kube_pod_container_status_restarts_total{${options.extraSelector ?? ''}}[${lookback}]))`,
    options.end,
  )
  const summary: PrometheusUsageSummary = {
    namespaces: podsByNamespace.size,
    containers: 0,
    days: 0,
    containerDays: 0,
    samples: 0,
    queries: 2,
    oomKills: 0,
    oomSource: ksm.length > 0 ? 'kube-state-metrics' : 'unavailable',
  }
  const days = new Set<string>()
  const maxSamples = options.maxSamplesPerQuery ?? 250_000
  let done = 0

  // How many query steps each rate() value spans: 2 with a 10m window at 5-minute steps.
  const windowSteps = Math.max(1, Math.round(durationSeconds(options.rateWindow) / options.stepSeconds))

  const runBatch = async (batch: Batch): Promise<void> => {
    const podMatcher =
      batch.pods.size === podsByNamespace.get(batch.namespace)!.length
        ? ''
        : `,pod=~${quote([...batch.pods.keys()].map(escapeRegex).join('|'))}`
    const selector = `${base},namespace=${quote(batch.namespace)}${podMatcher}`
    // Not aggregated in PromQL: the series of one container (several scrape jobs, a restarted
    // cgroup) are summed (CPU) or maxed (memory) here, as `sum by` / `max by` would.
    const cpuQuery = `rate(container_cpu_usage_seconds_total{${selector}}[${options.rateWindow}])`
    const memoryQuery = `container_memory_working_set_bytes{${selector}}`
    // The restart count while the last termination was an OOM kill: each rise is one OOM event.
    const ksmSelector = `namespace=${quote(batch.namespace)}${podMatcher}${extra}`
    const oomQuery =
      `max by (namespace, pod, container) (kube_pod_container_status_restarts_total{${ksmSelector}}) * on (namespace, pod, container) ` +
      `max by (namespace, pod, container) (kube_pod_container_status_last_terminated_reason{reason="OOMKilled",${ksmSelector}})`

    const builders = new Map<string, {key: ContainerKey; day: string; digest: DigestBuilder; hours: HourlyCpuBuilder}>()
    const builderFor = (pod: string, container: string, day: string) => {
      const w = batch.pods.get(pod) ?? guessWorkloadForPod(pod)
      const id = `${w.kind}/${w.name}/${container}/${day}`
      let b = builders.get(id)
      if (!b) {
        b = {
          key: {cluster: options.cluster, namespace: batch.namespace, kind: w.kind, workload: w.name, container},
          day,
          digest: new DigestBuilder(),
          hours: new HourlyCpuBuilder(),
        }
        builders.set(id, b)
      }
      return b
    }
    const dayNames = new Map<number, string>()
    const dayOf = (t: number): string => {
      const index = Math.floor(t / DAY_S)
      let name = dayNames.get(index)
      if (name === undefined) dayNames.set(index, (name = new Date(index * DAY_S * 1000).toISOString().slice(0, 10)))
      return name
    }
    // Folds one series' points into its container-day sketches as they are read, looking the sketch
    // up once per day, not per sample. CPU also goes by UTC hour of day, for an hourly request.
    const foldInto =
      (pick: (d: DigestBuilder) => HistogramBuilder, byHour: boolean): SeriesSink =>
      (metric) => {
        const pod = metric.pod!
        const container = metric.container!
        let day = -1
        let target: HistogramBuilder | undefined
        let hours: HourlyCpuBuilder | undefined
        return (t, v) => {
          const index = Math.floor(t / DAY_S)
          if (index !== day || !target) {
            day = index
            const b = builderFor(pod, container, dayOf(t))
            target = pick(b.digest)
            if (byHour) hours = b.hours
          }
          target.add(v)
          hours?.add(utcHourOf(t), v)
        }
      }
    const podContainer = (m: Record<string, string>) =>
      m.pod === undefined || m.container === undefined ? undefined : `${m.pod}\n${m.container}`
    // CPU also feeds the smoothing sums: each value with the one a step before it in the same series.
    const lastCpu = new Map<string, {t: number; v: number}>()
    const cpuInto = foldInto((d) => d.cpu, true)
    const foldCpu = groupSeries(podContainer, 'sum', (metric) => {
      const point = cpuInto(metric)
      if (!point) return undefined
      // The series' last point, carried across day chunks so chunking does not drop pairs.
      const id = `${metric.pod}\n${metric.container}`
      const last = lastCpu.get(id) ?? {t: Number.NaN, v: Number.NaN}
      lastCpu.set(id, last)
      let day = -1
      let smoothing: SmoothingBuilder | undefined
      return (t, v) => {
        point(t, v)
        const index = Math.floor(t / DAY_S)
        if (index !== day || !smoothing) {
          day = index
          const digest = builderFor(metric.pod!, metric.container!, dayOf(t)).digest
          smoothing = digest.smoothing ??= new SmoothingBuilder(windowSteps)
        }
        smoothing.add(v, t - last.t === options.stepSeconds ? last.v : undefined)
        last.t = t
        last.v = v
      }
    })
    const foldMemory = groupSeries(
      podContainer,
      'max',
      foldInto((d) => d.memory, false),
    )
    const containers = new Set<string>()
    // The OOM series' last value per pod/container, carried across chunks.
    const lastOom = new Map<string, number>()
    // Chunks are whole days and a batch holds whole workloads, so after each chunk its days are
    // final: write them and drop the builders, keeping memory to one chunk's digests.
    const flush = () => {
      const rows: UsageRow[] = []
      const hours: UsageHoursRow[] = []
      for (const b of builders.values()) {
        const digest = b.digest.toDigest()
        if (digest.samples === 0 && digest.oomKills === 0) continue
        rows.push({key: b.key, day: b.day, source: 'prometheus', digest})
        if (digest.cpu.count > 0) hours.push({key: b.key, day: b.day, cpuByHour: b.hours.toHours()})
        containers.add(`${b.key.kind}/${b.key.workload}/${b.key.container}`)
        days.add(b.day)
        summary.samples += digest.samples
        summary.oomKills += digest.oomKills
      }
      builders.clear()
      summary.containerDays += rows.length
      if (rows.length > 0) options.write(rows, hours)
    }

    // Day-aligned chunks sized so series x points stays under maxSamples, and each series under the
    // 11,000 points Prometheus allows per range query (it answers 400 bad_data beyond that).
    const pointsPerDay = DAY_S / options.stepSeconds
    const chunkDays = Math.max(
      1,
      Math.min(
        Math.floor(maxSamples / Math.max(1, batch.pods.size * pointsPerDay)),
        Math.floor(MAX_POINTS_PER_SERIES / pointsPerDay),
      ),
    )
    for (let chunkStart = options.start; chunkStart <= options.end; chunkStart += chunkDays * DAY_S) {
      const chunkEnd = Math.min(options.end, chunkStart + chunkDays * DAY_S - options.stepSeconds)
      // One response at a time per batch, folded in as it is read (about 30 bytes of answer text per
      // point, no object per sample) and dropped before the next.
      await prom.eachRange(cpuQuery, chunkStart, chunkEnd, options.stepSeconds, foldCpu.read)
      foldCpu.flush()
      await prom.eachRange(memoryQuery, chunkStart, chunkEnd, options.stepSeconds, foldMemory.read)
      foldMemory.flush()
      const oom = await prom.queryRange(oomQuery, chunkStart, chunkEnd, options.stepSeconds)
      summary.queries += 3
      if (oom.length > 0) summary.oomSource = 'kube-state-metrics'
      for (const s of oom) {
        const id = `${s.metric.pod}/${s.metric.container}`
        let previous = lastOom.get(id)
        for (const [t, raw] of s.values ?? []) {
          const v = Number(raw)
          // A series that appears after the window's first step is a fresh OOM kill; one present at the
          // start may be older than the window and is not counted.
          const rose = previous === undefined ? t > options.start : v > previous
          if (rose)
            builderFor(s.metric.pod!, s.metric.container!, dayOf(t)).digest.oomKills +=
              previous === undefined ? 1 : v - previous
          previous = v
        }
        if (previous !== undefined) lastOom.set(id, previous)
      }
      flush()
    }

    summary.containers += containers.size
    options.onProgress?.(++done, batches.length)
  }

  // A small worker pool: `concurrency` batches in flight.
  let next = 0
  const worker = async () => {
    while (next < batches.length) await runBatch(batches[next++]!)
  }
  await Promise.all(Array.from({length: Math.min(options.concurrency, batches.length)}, worker))
  summary.days = days.size
  return summary
}

/**
 * The window a usage collection reads, in unix seconds: from the UTC midnight `days` days before
 * today, to the last whole step before `nowMs`, so a run at midnight does not open a new day.
 */
export function usageWindow(nowMs: number, days: number, stepSeconds: number): {start: number; end: number} {
  return {
    start: Math.floor(nowMs / 86_400_000) * 86_400 - days * 86_400,
    end: Math.floor((nowMs / 1000 - 1) / stepSeconds) * stepSeconds,
  }
}

/** Seconds of a PromQL duration like 5m (the config admits digits and one of s, m, h). */
function durationSeconds(text: string): number {
  const m = /^(\d+)([smh])$/.exec(text)
  if (!m) throw inputError(`kubernetes.prometheus.rateWindow: expected a duration like 5m, got ${text}`)
  return Number(m[1]) * {s: 1, m: 60, h: 3600}[m[2] as 's' | 'm' | 'h']
}
