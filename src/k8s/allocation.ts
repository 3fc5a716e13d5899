import {type UserInput, usageError} from '../errors.js'
import {GIB, type NodePrice} from './prices.js'
import type {ContainerUsage, Inventory, Workload} from '../model/k8s.js'
import {containerKeyId, longRunningContainers} from '../model/k8s.js'

/**
 * Kubernetes cost allocation (pure). Every running pod's containers (native sidecars included) are charged, per day of the
 * window, max(request, mean usage that day) of CPU and memory at the rates of the node the pod runs
 * on; what the nodes cost beyond that is the `(idle)` row. Totals reconcile with the node costs:
 * allocations + idle = Σ node hourly price x hours, exactly. When usage above requests would charge
 * a node for more than it costs, that node's allocations are scaled down to its cost (idle 0).
 * The window uses the current snapshot's running pods and nodes for every day (usage varies by
 * day); a CronJob/Job with nothing running now is charged its sampled pod-hours instead.
 */

export type AllocationKey =
  | {kind: 'cluster'}
  | {kind: 'namespace'}
  | {kind: 'workload'}
  | {kind: 'controller-kind'}
  | {kind: 'node'}
  | {kind: 'capacity-type'}
  | {kind: 'container'}
  | {kind: 'label'; key: string}

export const ALLOCATION_KEYS_HELP =
  'cluster, namespace, workload, controller-kind, node, capacity-type, container, label:<key>'

export const IDLE = '(idle)'

/** Where allocation keys come from (`--group-by` on the command line). */
const GROUPING: UserInput = {key: 'group-by', label: 'grouping'}

/** Parses grouping keys (comma-separated or repeated). */
export function parseAllocationKeys(values: readonly string[] | undefined): AllocationKey[] {
  const out: AllocationKey[] = []
  for (const raw of (values ?? [])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean)) {
    if (raw.startsWith('label:')) {
      const key = raw.slice(6)
      if (!key)
        throw usageError((n) => `${n(GROUPING)} ${raw}: a label key is needed after "label:"`, 'for example label:team')
      out.push({kind: 'label', key})
    } else if (
      ['cluster', 'namespace', 'workload', 'controller-kind', 'node', 'capacity-type', 'container'].includes(raw)
    ) {
      out.push({kind: raw as Exclude<AllocationKey['kind'], 'label'>} as AllocationKey)
    } else {
      throw usageError(`unknown group-by key "${raw}"; valid keys: ${ALLOCATION_KEYS_HELP}`)
    }
  }
  return out.length > 0 ? out : [{kind: 'namespace'}]
}

export const allocationKeyLabel = (k: AllocationKey): string => (k.kind === 'label' ? `label:${k.key}` : k.kind)

export interface AllocationInput {
  inventory: Inventory
  /** Day digests in the window, any containers (others are ignored). */
  usage: readonly ContainerUsage[]
  /** Keyed `cluster/node`. */
  nodePrices: ReadonlyMap<string, NodePrice>
  /** Inclusive days (YYYY-MM-DD). */
  days: readonly string[]
  groupBy: readonly AllocationKey[]
  currency: string
  /** Step of Prometheus digests in seconds: a finished Job's pod-hours are its samples x step. */
  stepSeconds?: number
}

export interface AllocationRow {
  keys: string[]
  cpuCost: number
  memoryCost: number
  cost: number
  /** Charged core-hours and GiB-hours (max of request and usage). */
  cpuCoreHours: number
  memoryGiBHours: number
  /** Of the total node cost. */
  share: number
}

export interface NodeCost {
  cluster: string
  node: string
  capacityType: string
  hourly: number
  cost: number
  allocated: number
  idle: number
  source: string
}

export interface AllocationReport {
  from: string
  to: string
  days: number
  currency: string
  groupBy: string[]
  rows: AllocationRow[]
  idle: {cpuCost: number; memoryCost: number; cost: number; share: number}
  totals: {nodes: number; allocated: number; idle: number}
  nodes: NodeCost[]
  /** Pods skipped (not scheduled, or on a node the snapshot does not list). */
  warnings: string[]
}

interface Charge {
  keys: string[]
  node: string
  cpuCost: number
  memoryCost: number
  cpuCoreHours: number
  memoryGiBHours: number
}

function keyValue(
  k: AllocationKey,
  w: Workload,
  container: string,
  node: string,
  nodePrice: NodePrice | undefined,
  namespaceLabels: Record<string, string>,
): string {
  switch (k.kind) {
    case 'cluster':
      return w.cluster
    case 'namespace':
      return w.namespace
    case 'workload':
      return `${w.namespace}/${w.kind}/${w.name}`
    case 'controller-kind':
      return w.kind
    case 'node':
      return node
    case 'capacity-type':
      return nodePrice?.capacityType ?? 'unknown'
    case 'container':
      return `${w.namespace}/${w.name}/${container}`
    case 'label':
      return w.podLabels[k.key] ?? w.labels[k.key] ?? namespaceLabels[k.key] ?? `(no ${k.key})`
  }
}

/** Allocates node costs over the window to the chosen groups, plus the idle remainder. */
export function allocateCosts(input: AllocationInput): AllocationReport {
  const days = [...input.days].sort()
  const daySet = new Set(days)
  type DayUse = {cpu: number; memory: number; samples: number; source: string}
  const usageByKey = new Map<string, Map<string, DayUse>>()
  for (const c of input.usage) {
    const id = containerKeyId(c.key)
    const perDay = usageByKey.get(id) ?? new Map<string, DayUse>()
    usageByKey.set(id, perDay)
    for (const d of c.days) {
      if (!daySet.has(d.day)) continue
      perDay.set(d.day, {
        cpu: d.cpu.count > 0 ? d.cpu.sum / d.cpu.count : 0,
        memory: d.memory.count > 0 ? d.memory.sum / d.memory.count : 0,
        samples: d.samples,
        source: d.source,
      })
    }
  }
  const stepHours = (input.stepSeconds ?? 300) / 3600
  const namespaceLabels = new Map(input.inventory.namespaces.map((n) => [`${n.cluster}/${n.name}`, n.labels]))
  const warnings: string[] = []
  const charges: Charge[] = []
  let unscheduled = 0
  let unknownNode = 0

  const charge = (
    w: Workload,
    node: string,
    price: NodePrice,
    hoursOn: (usage: Map<string, DayUse> | undefined, day: string) => number,
  ) => {
    const nsLabels = namespaceLabels.get(`${w.cluster}/${w.namespace}`) ?? {}
    for (const container of longRunningContainers(w)) {
      const usage = usageByKey.get(
        containerKeyId({
          cluster: w.cluster,
          namespace: w.namespace,
          kind: w.kind,
          workload: w.name,
          container: container.name,
        }),
      )
      let cpuCoreHours = 0
      let memoryGiBHours = 0
      for (const day of days) {
        const hours = hoursOn(usage, day)
        if (hours <= 0) continue
        const used = usage?.get(day)
        cpuCoreHours += Math.max(container.requests.cpu ?? 0, used?.cpu ?? 0) * hours
        memoryGiBHours += (Math.max(container.requests.memory ?? 0, used?.memory ?? 0) / GIB) * hours
      }
      if (cpuCoreHours === 0 && memoryGiBHours === 0) continue
      charges.push({
        keys: input.groupBy.map((k) => keyValue(k, w, container.name, node, price, nsLabels)),
        node: `${w.cluster}/${node}`,
        cpuCost: cpuCoreHours * price.cpuCoreHour,
        memoryCost: memoryGiBHours * price.memoryGiBHour,
        cpuCoreHours,
        memoryGiBHours,
      })
    }
  }

  for (const w of input.inventory.workloads) {
    const running = w.pods.filter((pod) => pod.phase === undefined || pod.phase === 'Running')
    for (const pod of running) {
      if (!pod.node) {
        unscheduled++
        continue
      }
      const price = input.nodePrices.get(`${w.cluster}/${pod.node}`)
      if (!price) {
        unknownNode++
        continue
      }
      // A running pod is charged for every hour of the window.
      charge(w, pod.node, price, () => 24)
    }
    // Run-to-completion workloads with nothing running now (a nightly CronJob between runs): their
    // pod-hours per day come from the Prometheus samples (one per pod and step), on the node of the
    // latest pod.
    if (running.length === 0 && (w.kind === 'CronJob' || w.kind === 'Job')) {
      const latest = [...w.pods]
        .filter((p) => p.node)
        .sort((a, b) => (a.startTime ?? '').localeCompare(b.startTime ?? ''))
        .at(-1)
      const price = latest?.node ? input.nodePrices.get(`${w.cluster}/${latest.node}`) : undefined
      if (latest?.node && price) {
        // A container's own samples count its pods' steps; one container stands for the pod.
        charge(w, latest.node, price, (usage, day) => {
          const used = usage?.get(day)
          return used && used.source === 'prometheus' ? used.samples * stepHours : 0
        })
      }
    }
  }
  if (unscheduled > 0) warnings.push(`${unscheduled} running pods have no node and were not charged`)
  if (unknownNode > 0) warnings.push(`${unknownNode} pods run on nodes missing from the snapshot and were not charged`)

  // Node costs, and the scale-down of over-committed nodes so allocations never exceed them.
  const hours = days.length * 24
  const nodes: NodeCost[] = []
  const scale = new Map<string, number>()
  let idleCpu = 0
  let idleMemory = 0
  for (const [id, price] of input.nodePrices) {
    const onNode = charges.filter((c) => c.node === id)
    const cost = price.hourly * hours
    const charged = onNode.reduce((s, c) => s + c.cpuCost + c.memoryCost, 0)
    const factor = charged > cost && charged > 0 ? cost / charged : 1
    scale.set(id, factor)
    const allocated = charged * factor
    const idle = Math.max(0, cost - allocated)
    // Split the idle remainder into CPU and memory by what the node's unallocated cores and GiB are worth.
    const cpuCharged = onNode.reduce((s, c) => s + c.cpuCost, 0) * factor
    const cpuIdle = Math.max(0, Math.min(idle, price.cores * price.cpuCoreHour * hours - cpuCharged))
    idleCpu += cpuIdle
    idleMemory += idle - cpuIdle
    nodes.push({
      cluster: price.cluster,
      node: price.node,
      capacityType: price.capacityType,
      hourly: price.hourly,
      cost,
      allocated,
      idle,
      source: price.source,
    })
  }

  const groups = new Map<string, AllocationRow>()
  for (const c of charges) {
    const factor = scale.get(c.node) ?? 1
    const id = c.keys.join('\u0000')
    const row = groups.get(id) ?? {
      keys: c.keys,
      cpuCost: 0,
      memoryCost: 0,
      cost: 0,
      cpuCoreHours: 0,
      memoryGiBHours: 0,
      share: 0,
    }
    row.cpuCost += c.cpuCost * factor
    row.memoryCost += c.memoryCost * factor
    row.cost = row.cpuCost + row.memoryCost
    row.cpuCoreHours += c.cpuCoreHours
    row.memoryGiBHours += c.memoryGiBHours
    groups.set(id, row)
  }
  const nodeTotal = nodes.reduce((s, n) => s + n.cost, 0)
  const allocated = nodes.reduce((s, n) => s + n.allocated, 0)
  const idle = nodes.reduce((s, n) => s + n.idle, 0)
  const rows = [...groups.values()].sort((a, b) => b.cost - a.cost || a.keys.join('/').localeCompare(b.keys.join('/')))
  for (const r of rows) r.share = nodeTotal > 0 ? r.cost / nodeTotal : 0
  return {
    from: days[0] ?? '',
    to: days.at(-1) ?? '',
    days: days.length,
    currency: input.currency,
    groupBy: input.groupBy.map(allocationKeyLabel),
    rows,
    idle: {cpuCost: idleCpu, memoryCost: idleMemory, cost: idle, share: nodeTotal > 0 ? idle / nodeTotal : 0},
    totals: {nodes: nodeTotal, allocated, idle},
    nodes: nodes.sort((a, b) => b.cost - a.cost || a.node.localeCompare(b.node)),
    warnings,
  }
}
