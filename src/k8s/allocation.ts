import {type UserInput, usageError} from '../errors.js'
import {
  addAmounts,
  type AllocationAmounts,
  type AllocationUnit,
  type ClusterIdle,
  type ContainerNodeDay,
  emptyAmounts,
  type LabelSource,
  type NetworkDay,
  type NodeDay,
  nodeDayKey,
  type ServiceDay,
  totalOf,
  type VolumeDay,
} from './allocation-model.js'
import {
  distributeIdle,
  distributeShared,
  efficiencyOf,
  type IdleMode,
  type SharePolicy,
} from './allocation-distribute.js'
import {gpuFraction} from './gpu.js'
import {namespaceSelected, type WorkloadFilter, workloadSelected} from './workload-filter.js'
import {ALLOCATION_KEYS_HELP} from './allocation-keys.js'

/**
 * Kubernetes cost allocation (pure). Each container is charged, per node and day, for the hours it
 * ran there: max(requested, used) core-hours and GiB-hours, plus its GPU requests (as fractions of
 * physical GPUs for MIG slices and time-sliced shares), at that node's rates that day. A node-day
 * whose charges would exceed its cost is scaled down to it; what is left of a node-day's cost is
 * idle. Persistent volumes, LoadBalancers and network egress are charged to their namespace and
 * workload on top. Totals reconcile exactly: rows + idle = nodes + volumes + load balancers + network.
 * Idle can stay a row or be shared out; shared namespaces and labels are spread over the rest.
 * Containers arrive as a stream in (cluster, day, node) order, so memory holds one node-day at a time
 * plus the per-container totals.
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

export {ALLOCATION_KEYS_HELP} from './allocation-keys.js'

export const IDLE = '(idle)'

/** Where allocation keys come from (`--group-by` on the command line). */
const GROUPING: UserInput = {key: 'group-by', label: 'grouping'}

/** Parses grouping keys (comma-separated or repeated). */
export function parseAllocationKeys(values: readonly string[] | undefined): AllocationKey[] {
  const out: AllocationKey[] = []
  const items = (values ?? []).flatMap((v) => v.split(',')).map((v) => v.trim())
  // A blank item would vanish and change the grouping the user asked for.
  if (items.some((v) => v === ''))
    throw usageError(
      (n) => `${n(GROUPING)} ${(values ?? []).join(',')}: an item is empty`,
      'for example namespace,workload',
    )
  for (const raw of items) {
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
  /** Inclusive days (YYYY-MM-DD). */
  days: readonly string[]
  groupBy: readonly AllocationKey[]
  currency: string
  nodeDays: readonly NodeDay[]
  /** Sorted by cluster, day, node (each node-day's rows together). */
  containers: Iterable<ContainerNodeDay>
  volumes?: readonly VolumeDay[]
  services?: readonly ServiceDay[]
  network?: readonly NetworkDay[]
  labels?: LabelSource
  idle?: IdleMode
  share?: SharePolicy
  /** Rows shown: namespace patterns and a label selector (on workload labels). Costs are computed on everything first. */
  filter?: WorkloadFilter
}

export interface AllocationRow extends AllocationAmounts {
  keys: string[]
  /** Of the total cost (nodes + volumes + load balancers + network). */
  share: number
  /** usage / request of CPU and memory, weighted by their cost (as kubectl-cost); null without CPU or memory cost. */
  efficiency: number | null
}

export interface NodeCost {
  cluster: string
  node: string
  capacityType: string
  /** Mean hourly price over the hours it existed in the window. */
  hourly: number
  hours: number
  gpus: number
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
  idleMode: IdleMode
  shared: {namespaces: string[]; labels: string[]; cost: number}
  rows: AllocationRow[]
  idle: {cpuCost: number; memoryCost: number; gpuCost: number; cost: number; share: number}
  totals: {
    nodes: number
    volumes: number
    loadBalancers: number
    network: number
    /** nodes + volumes + loadBalancers + network: what rows + idle add up to. */
    total: number
    /** Node cost charged to containers (before idle is shared). */
    allocated: number
    idle: number
  }
  nodes: NodeCost[]
  /** Which days came from kube-state-metrics history and which from the snapshot (filled by the report builder). */
  sources: {history: string[]; snapshot: string[]}
  warnings: string[]
}

interface Charge {
  row: ContainerNodeDay
  cpuCoreHours: number
  memoryGiBHours: number
  gpuHours: number
  gpuRequestHours: number
  cpuCost: number
  memoryCost: number
  gpuCost: number
}

function keyValue(k: AllocationKey, u: AllocationUnit, labels: LabelSource | undefined): string {
  switch (k.kind) {
    case 'cluster':
      return u.cluster
    case 'namespace':
      return u.namespace
    case 'workload':
      return `${u.namespace}/${u.kind}/${u.workload}`
    case 'controller-kind':
      return u.kind
    case 'node':
      return u.node || '(no node)'
    case 'capacity-type':
      return u.capacityType || '(no node)'
    case 'container':
      return `${u.namespace}/${u.workload}/${u.container}`
    case 'label':
      return (
        labels?.workload(u.cluster, u.namespace, u.kind, u.workload)?.[k.key] ??
        labels?.namespace(u.cluster, u.namespace)?.[k.key] ??
        `(no ${k.key})`
      )
  }
}

/** Allocates the window's node, volume, LoadBalancer and network costs to the chosen groups, plus idle. */
export function allocateCosts(input: AllocationInput): AllocationReport {
  const days = [...input.days].sort()
  const warnings: string[] = []
  const nodeDays = new Map(input.nodeDays.map((n) => [nodeDayKey(n), n]))
  const units = new Map<string, AllocationUnit>()
  const idleByCluster = new Map<string, ClusterIdle>()
  const nodes = new Map<string, NodeCost>()
  const charged = new Set<string>()
  const unpriced = {rows: 0, coreHours: 0, nodes: new Set<string>()}

  const unitFor = (
    c: {cluster: string; namespace: string; kind: string; workload: string},
    container: string,
    node: string,
    capacityType: string,
  ): AllocationUnit => {
    const id = [c.cluster, c.namespace, c.kind, c.workload, container, node].join('\u0000')
    let u = units.get(id)
    if (!u) {
      u = {
        ...emptyAmounts(),
        cluster: c.cluster,
        namespace: c.namespace,
        kind: c.kind,
        workload: c.workload,
        container,
        node,
        capacityType,
      }
      units.set(id, u)
    }
    return u
  }

  // One node-day's charges, scaled to its cost when over-committed; the remainder is its idle.
  const settle = (nodeDay: NodeDay, rows: readonly ContainerNodeDay[]) => {
    const p = nodeDay.price
    const hours = nodeDay.hours
    const charges: Charge[] = rows.map((row) => {
      const cpuCoreHours = Math.max(row.cpuRequestCoreHours, row.cpuUsageCoreHours)
      const memoryGiBHours = Math.max(row.memoryRequestGiBHours, row.memoryUsageGiBHours)
      let gpuHours = 0
      for (const [resource, unitHours] of Object.entries(row.gpuRequestHours))
        gpuHours += unitHours * gpuFraction(resource, nodeDay.labels)
      return {
        row,
        cpuCoreHours,
        memoryGiBHours,
        gpuHours,
        gpuRequestHours: gpuHours,
        cpuCost: cpuCoreHours * p.cpuCoreHour,
        memoryCost: memoryGiBHours * p.memoryGiBHour,
        gpuCost: gpuHours * p.gpuHour,
      }
    })
    const cost = p.hourly * hours
    const sum = (pick: (c: Charge) => number) => charges.reduce((s, c) => s + pick(c), 0)
    const total = sum((c) => c.cpuCost + c.memoryCost + c.gpuCost)
    const factor = total > cost && total > 0 ? cost / total : 1
    const allocated = total * factor
    const idle = Math.max(0, cost - allocated)
    // Idle by resource: what each resource's part of the node price left unclaimed.
    const gpuIdle = clamp(p.gpus * p.gpuHour * hours - sum((c) => c.gpuCost) * factor, 0, idle)
    const cpuIdle = clamp(p.cores * p.cpuCoreHour * hours - sum((c) => c.cpuCost) * factor, 0, idle - gpuIdle)
    const clusterIdle = idleByCluster.get(nodeDay.cluster) ?? {cpu: 0, memory: 0, gpu: 0}
    clusterIdle.gpu += gpuIdle
    clusterIdle.cpu += cpuIdle
    clusterIdle.memory += idle - gpuIdle - cpuIdle
    idleByCluster.set(nodeDay.cluster, clusterIdle)
    for (const c of charges) {
      const u = unitFor(c.row, c.row.container, nodeDay.node, p.capacityType)
      u.cpuCost += c.cpuCost * factor
      u.memoryCost += c.memoryCost * factor
      u.gpuCost += c.gpuCost * factor
      u.cpuCoreHours += c.cpuCoreHours
      u.memoryGiBHours += c.memoryGiBHours
      u.gpuHours += c.gpuHours
      u.gpuRequestHours += c.gpuRequestHours
      u.cpuRequestCoreHours += c.row.cpuRequestCoreHours
      u.cpuUsageCoreHours += c.row.cpuUsageCoreHours
      u.memoryRequestGiBHours += c.row.memoryRequestGiBHours
      u.memoryUsageGiBHours += c.row.memoryUsageGiBHours
    }
    const n = nodes.get(`${nodeDay.cluster}/${nodeDay.node}`) ?? {
      cluster: nodeDay.cluster,
      node: nodeDay.node,
      capacityType: p.capacityType,
      hourly: 0,
      hours: 0,
      gpus: p.gpus,
      cost: 0,
      allocated: 0,
      idle: 0,
      source: p.source,
    }
    n.hours += hours
    n.cost += cost
    n.allocated += allocated
    n.idle += idle
    n.hourly = n.hours > 0 ? n.cost / n.hours : p.hourly
    n.source = p.source
    n.gpus = Math.max(n.gpus, p.gpus)
    nodes.set(`${nodeDay.cluster}/${nodeDay.node}`, n)
    charged.add(nodeDayKey(nodeDay))
  }

  // Walk the container stream one node-day at a time.
  let group: ContainerNodeDay[] = []
  let groupKey: string | undefined
  const flush = () => {
    if (groupKey === undefined) return
    const nodeDay = nodeDays.get(groupKey)
    if (nodeDay) settle(nodeDay, group)
    else {
      unpriced.rows += group.length
      for (const r of group) unpriced.coreHours += Math.max(r.cpuRequestCoreHours, r.cpuUsageCoreHours)
      unpriced.nodes.add(`${group[0]!.node} on ${group[0]!.day}`)
    }
    group = []
  }
  for (const row of input.containers) {
    const key = nodeDayKey(row)
    if (key !== groupKey) {
      if (groupKey !== undefined && key < groupKey)
        throw new Error('allocateCosts: containers must be sorted by cluster, day and node')
      flush()
      groupKey = key
    }
    group.push(row)
  }
  flush()
  // Node-days no container ran on are idle whole.
  for (const [key, nodeDay] of nodeDays) if (!charged.has(key)) settle(nodeDay, [])
  if (unpriced.rows > 0) {
    const examples = [...unpriced.nodes].slice(0, 3).join(', ')
    warnings.push(
      `${unpriced.rows} container-days (${unpriced.coreHours.toFixed(1)} core-hours) ran on nodes with no price for that day and were not charged ` +
        `(${examples}${unpriced.nodes.size > 3 ? ', ...' : ''})`,
    )
  }

  let volumesTotal = 0
  for (const v of input.volumes ?? []) {
    const cost = v.billedCost ?? v.sizeGiB * v.hours * v.gibHour
    volumesTotal += cost
    const owned = v.ownerWorkload !== ''
    const u = unitFor(
      {
        cluster: v.cluster,
        namespace: v.namespace || '(unclaimed)',
        kind: owned ? v.ownerKind : v.claim ? 'PersistentVolumeClaim' : 'PersistentVolume',
        workload: owned ? v.ownerWorkload : v.claim || v.volume,
      },
      v.claim ? `(volume) ${v.claim}` : `(volume) ${v.volume}`,
      '',
      '',
    )
    u.storageCost += cost
  }
  let loadBalancersTotal = 0
  for (const s of input.services ?? []) {
    const cost = s.hours * s.hourly
    loadBalancersTotal += cost
    unitFor(
      {cluster: s.cluster, namespace: s.namespace, kind: 'Service', workload: s.service},
      '(load balancer)',
      '',
      '',
    ).loadBalancerCost += cost
  }
  let networkTotal = 0
  for (const n of input.network ?? []) {
    const cost = n.gib * n.perGiB
    networkTotal += cost
    unitFor(n, '(network)', '', '').networkCost += cost
  }

  const all = [...units.values()]
  for (const u of all) u.cost = totalOf(u)
  const idleMode = input.idle ?? 'separate'
  const idleLeft = distributeIdle(all, idleByCluster, idleMode)
  const share = input.share ?? {namespaces: [], labels: []}
  const shared = distributeShared(all, share, input.labels)
  const kept = shared.kept
  if (shared.unshared.length > 0)
    warnings.push(`cluster ${shared.unshared.join(', ')} has nothing but shared costs: they stay with their own rows`)

  // Rows shown: the filter applies to what was computed on everything (idle and shares included).
  const filter = input.filter
  const shown = filter
    ? kept.filter((u) => {
        if (!namespaceSelected(filter.namespaces, u.namespace)) return false
        if (!filter.selector) return true
        const labels = input.labels?.workload(u.cluster, u.namespace, u.kind, u.workload) ?? {}
        return workloadSelected({selector: filter.selector}, {namespace: u.namespace, labels})
      })
    : kept
  const groups = new Map<string, AllocationRow>()
  for (const u of shown) {
    const keys = input.groupBy.map((k) => keyValue(k, u, input.labels))
    const id = keys.join('\u0000')
    const row = groups.get(id) ?? {...emptyAmounts(), keys, share: 0, efficiency: null}
    addAmounts(row, u)
    groups.set(id, row)
  }
  const nodeList = [...nodes.values()]
  const nodesTotal = nodeList.reduce((s, n) => s + n.cost, 0)
  const allocated = nodeList.reduce((s, n) => s + n.allocated, 0)
  const total = nodesTotal + volumesTotal + loadBalancersTotal + networkTotal
  const idle = {
    cpuCost: sumIdle(idleLeft, 'cpu'),
    memoryCost: sumIdle(idleLeft, 'memory'),
    gpuCost: sumIdle(idleLeft, 'gpu'),
    cost: 0,
    share: 0,
  }
  idle.cost = idle.cpuCost + idle.memoryCost + idle.gpuCost
  idle.share = total > 0 ? idle.cost / total : 0
  const rows = [...groups.values()]
    .filter((r) => r.cost > 0 || r.cpuCoreHours > 0 || r.memoryGiBHours > 0)
    .sort((a, b) => b.cost - a.cost || a.keys.join('/').localeCompare(b.keys.join('/')))
  for (const r of rows) {
    r.share = total > 0 ? r.cost / total : 0
    r.efficiency = efficiencyOf(r)
  }
  return {
    from: days[0] ?? '',
    to: days.at(-1) ?? '',
    days: days.length,
    currency: input.currency,
    groupBy: input.groupBy.map(allocationKeyLabel),
    idleMode,
    shared: {
      namespaces: [...share.namespaces],
      labels: share.labels.map((l) => `${l.key}=${l.value}`),
      cost: shared.cost,
    },
    rows,
    idle,
    totals: {
      nodes: nodesTotal,
      volumes: volumesTotal,
      loadBalancers: loadBalancersTotal,
      network: networkTotal,
      total,
      allocated,
      idle: idle.cost,
    },
    nodes: nodeList.sort((a, b) => b.cost - a.cost || a.node.localeCompare(b.node)),
    sources: {history: [], snapshot: []},
    warnings,
  }
}

const clamp = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, v))

const sumIdle = (idle: ReadonlyMap<string, ClusterIdle>, r: keyof ClusterIdle) =>
  [...idle.values()].reduce((s, i) => s + i[r], 0)
