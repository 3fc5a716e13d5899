import {type UserInput, usageError} from '../errors.js'

/** Where shared namespaces and labels come from (`--share`, kubernetes.allocation.share). */
const SHARE_INPUT: UserInput = {key: 'share', label: 'kubernetes.allocation.share'}
import {
  type AllocationAmounts,
  type AllocationUnit,
  type ClusterIdle,
  type LabelSource,
  totalOf,
} from './allocation-model.js'
import {namespaceSelected, parseNamespacePatterns} from './workload-filter.js'

/**
 * Spreading idle and shared costs over allocation units (pure). Idle stays a row (`separate`) or
 * goes to each cluster's containers resource by resource, weighted by what they were charged for
 * that resource (`by-cost`, Kubecost's "share idle weighted") or by what they requested
 * (`by-requests`). Shared namespaces and labels (kube-system, monitoring, an ingress team) are
 * removed and their whole cost spread over the other units of their cluster, weighted by cost.
 */
export type IdleMode = 'separate' | 'by-cost' | 'by-requests'

export const IDLE_MODES: readonly IdleMode[] = ['separate', 'by-cost', 'by-requests']

export interface SharePolicy {
  /** Namespace names or globs. */
  namespaces: readonly string[]
  /** Workload (or namespace) label key=value pairs. */
  labels: readonly {key: string; value: string}[]
}

/** Parses `--share` values: namespaces (names or globs) and `label:key=value`, comma-separated or repeated. */
export function parseSharePolicy(values: readonly string[]): SharePolicy {
  const namespaces: string[] = []
  const labels: {key: string; value: string}[] = []
  for (const part of values.flatMap((v) => v.split(',')).map((v) => v.trim())) {
    if (part === '')
      throw usageError(
        (n) => `${n(SHARE_INPUT)}: an empty entry would share nothing (or everything)`,
        'name namespaces or label:key=value',
      )
    if (part.startsWith('label:')) {
      const m = /^label:([^=]+)=(.*)$/.exec(part)
      if (!m || !m[1]!.trim())
        throw usageError(
          (n) => `${n(SHARE_INPUT)} ${part}: expected label:key=value`,
          'for example label:team=platform',
        )
      labels.push({key: m[1]!.trim(), value: m[2]!.trim()})
    } else {
      namespaces.push(...parseNamespacePatterns([part]))
    }
  }
  return {namespaces, labels}
}

const idleWeights: Record<
  Exclude<IdleMode, 'separate'>,
  Record<keyof ClusterIdle, (u: AllocationAmounts) => number>
> = {
  'by-cost': {cpu: (u) => u.cpuCost, memory: (u) => u.memoryCost, gpu: (u) => u.gpuCost},
  'by-requests': {
    cpu: (u) => u.cpuRequestCoreHours,
    memory: (u) => u.memoryRequestGiBHours,
    gpu: (u) => u.gpuRequestHours,
  },
}

/**
 * Shares each cluster's idle over its units (mutating their idleCost and cost) and returns the
 * idle left over: everything for `separate`, and any resource no unit has a weight for.
 */
export function distributeIdle(
  units: readonly AllocationUnit[],
  idleByCluster: ReadonlyMap<string, ClusterIdle>,
  mode: IdleMode,
): Map<string, ClusterIdle> {
  const left = new Map([...idleByCluster].map(([c, i]) => [c, {...i}]))
  if (mode === 'separate') return left
  const weights = idleWeights[mode]
  for (const [cluster, idle] of left) {
    const inCluster = units.filter((u) => u.cluster === cluster)
    for (const resource of ['cpu', 'memory', 'gpu'] as const) {
      const weightOf = weights[resource]
      const sum = inCluster.reduce((s, u) => s + weightOf(u), 0)
      if (!(sum > 0) || idle[resource] <= 0) continue
      for (const u of inCluster) {
        const part = (idle[resource] * weightOf(u)) / sum
        u.idleCost += part
        u.cost += part
      }
      idle[resource] = 0
    }
  }
  return left
}

/** Whether a unit belongs to a shared namespace or carries a shared label. */
export function isShared(u: AllocationUnit, policy: SharePolicy, labels?: LabelSource): boolean {
  if (policy.namespaces.length > 0 && namespaceSelected(policy.namespaces, u.namespace)) return true
  if (policy.labels.length === 0) return false
  const own = labels?.workload(u.cluster, u.namespace, u.kind, u.workload) ?? {}
  const ns = labels?.namespace(u.cluster, u.namespace) ?? {}
  return policy.labels.some((l) => (own[l.key] ?? ns[l.key]) === l.value)
}

/**
 * Moves the cost of shared units to the rest of their cluster, weighted by the receivers' cost
 * (mutating sharedCost and cost). Returns the units that remain, the amount moved, and the clusters
 * whose shared cost had nowhere to go (they keep it).
 */
export function distributeShared(
  units: readonly AllocationUnit[],
  policy: SharePolicy,
  labels?: LabelSource,
): {kept: AllocationUnit[]; cost: number; unshared: string[]} {
  if (policy.namespaces.length === 0 && policy.labels.length === 0) return {kept: [...units], cost: 0, unshared: []}
  const shared = new Set(units.filter((u) => isShared(u, policy, labels)))
  const kept: AllocationUnit[] = []
  const unshared: string[] = []
  let moved = 0
  for (const cluster of new Set(units.map((u) => u.cluster))) {
    const givers = units.filter((u) => u.cluster === cluster && shared.has(u))
    const receivers = units.filter((u) => u.cluster === cluster && !shared.has(u))
    const weight = receivers.reduce((s, u) => s + totalOf(u), 0)
    const amount = givers.reduce((s, u) => s + totalOf(u), 0)
    if (givers.length > 0 && !(weight > 0)) {
      if (amount > 0) unshared.push(cluster)
      kept.push(...givers, ...receivers)
      continue
    }
    for (const u of receivers) {
      const part = weight > 0 ? (amount * totalOf(u)) / weight : 0
      u.sharedCost += part
      u.cost += part
    }
    moved += amount
    kept.push(...receivers)
  }
  return {kept, cost: moved, unshared}
}

/** usage / request for CPU and memory, weighted by their cost; null when the row has neither. */
export function efficiencyOf(a: AllocationAmounts): number | null {
  const ratio = (usage: number, request: number, cost: number) =>
    request > 0 ? usage / request : usage > 0 && cost > 0 ? 1 : 0
  const weight = a.cpuCost + a.memoryCost
  if (!(weight > 0)) return null
  return (
    (ratio(a.cpuUsageCoreHours, a.cpuRequestCoreHours, a.cpuCost) * a.cpuCost +
      ratio(a.memoryUsageGiBHours, a.memoryRequestGiBHours, a.memoryCost) * a.memoryCost) /
    weight
  )
}
