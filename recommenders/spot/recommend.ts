import {type PdbSpec, type Workload, workloadKeyId} from '../../src/model/k8s.js'
import {
  type KindId,
  type RecommenderInput,
  type RecommenderResult,
  recommendationId,
  requestsPerReplica,
  workloadTarget,
} from '../context.js'
import {monthlyCost, type WorkloadRates} from '../pricing.js'
import type {SpotSettings} from '../settings.js'
import type {RiskLevel} from '../../src/model/recommendation.js'
import {roundMoney} from '../../src/money.js'

export const SPOT = {kind: 'spot', idPrefix: 'spot'} as const satisfies KindId

/** Controllers whose pods are interchangeable and recreated elsewhere when a spot node goes away. */
const SPOT_KINDS = new Set(['Deployment', 'ReplicaSet'])
/** Volumes that tie a pod to a node or to data a replacement pod cannot take along. */
const STATEFUL_VOLUMES = new Set(['hostPath', 'local', 'persistentVolumeClaim'])
/** Labels and annotations that say "only one of me may run" (leader-elected or explicitly singleton). */
const SINGLETON_MARKERS = ['finops.io/singleton', 'app.kubernetes.io/singleton']

export interface SpotCheck {
  name: string
  ok: boolean
  detail: string
}

/** The eligibility checklist, every item with its verdict so a rejection says exactly why. */
export function spotChecklist(
  workload: Workload,
  rates: Pick<WorkloadRates, 'capacityType' | 'provider'>,
  settings: SpotSettings,
): SpotCheck[] {
  const replicas = workload.hpa ? Math.min(workload.hpa.minReplicas, workload.replicas) : workload.replicas
  const stateful = workload.volumes.filter((v) => STATEFUL_VOLUMES.has(v.kind) || v.nodeLocal)
  const notice =
    settings.noticeSeconds[
      (['aws', 'gcp', 'azure'].includes(rates.provider)
        ? rates.provider
        : 'other') as keyof SpotSettings['noticeSeconds']
    ]
  const grace = workload.terminationGracePeriodSeconds ?? 30
  const singleton = SINGLETON_MARKERS.find((key) =>
    ['true', '1', 'yes'].includes((workload.labels[key] ?? workload.annotations[key] ?? '').toLowerCase()),
  )
  const pdb = pdbRoom(workload.pdbs, workload.replicas)
  return [
    {
      name: 'controller',
      ok: SPOT_KINDS.has(workload.kind),
      detail: SPOT_KINDS.has(workload.kind)
        ? workload.kind
        : `${workload.kind} pods are not interchangeable (Deployment/ReplicaSet only)`,
    },
    {
      name: 'replicas',
      ok: replicas >= 2,
      detail: workload.hpa
        ? `HPA minReplicas ${workload.hpa.minReplicas}, ${workload.replicas} now`
        : `${replicas} replica(s)`,
    },
    {
      name: 'not-singleton',
      ok: singleton === undefined,
      detail: singleton ? `marked ${singleton}` : 'no singleton marker',
    },
    {name: 'pdb', ok: pdb.ok, detail: pdb.detail},
    {
      name: 'volumes',
      ok: stateful.length === 0,
      detail:
        stateful.length === 0
          ? 'no local or persistent volumes'
          : `uses ${stateful.map((v) => `${v.kind} ${v.name}`).join(', ')}`,
    },
    {
      name: 'grace-period',
      ok: grace <= notice,
      detail: `terminationGracePeriodSeconds ${grace}s vs ${rates.provider} notice ${notice}s`,
    },
    {
      name: 'not-on-spot',
      ok: rates.capacityType !== 'spot',
      detail: rates.capacityType === 'spot' ? 'already on spot nodes' : 'runs on on-demand nodes',
    },
  ]
}

/** Whether the PDBs leave room to evict a pod when a spot node is reclaimed. */
function pdbRoom(pdbs: readonly PdbSpec[], replicas: number): {ok: boolean; detail: string} {
  if (pdbs.length === 0) return {ok: true, detail: 'no PodDisruptionBudget (evictions are not limited)'}
  for (const pdb of pdbs) {
    if (pdb.disruptionsAllowed !== undefined && pdb.disruptionsAllowed < 1)
      return {ok: false, detail: `PDB ${pdb.name} allows no disruption now`}
    const minAvailable = resolveCount(pdb.minAvailable, replicas)
    if (minAvailable !== undefined && minAvailable >= replicas)
      return {
        ok: false,
        detail: `PDB ${pdb.name} minAvailable ${pdb.minAvailable} leaves no room at ${replicas} replicas`,
      }
    const maxUnavailable = resolveCount(pdb.maxUnavailable, replicas)
    if (maxUnavailable !== undefined && maxUnavailable < 1)
      return {ok: false, detail: `PDB ${pdb.name} maxUnavailable ${pdb.maxUnavailable} allows no eviction`}
  }
  return {ok: true, detail: `PDB ${pdbs.map((p) => p.name).join(', ')} leaves room`}
}

/** A PDB count or percentage against the replica count; percentages round up, as the disruption controller does. */
function resolveCount(value: number | string | undefined, replicas: number): number | undefined {
  if (value === undefined) return undefined
  if (typeof value === 'number') return value
  const match = /^(\d+)%$/.exec(value.trim())
  if (match) return Math.ceil((Number(match[1]) / 100) * replicas)
  const n = Number(value)
  return Number.isFinite(n) ? n : undefined
}

/**
 * Spot migration for stateless, replicated workloads on on-demand nodes: savings are the requests'
 * on-demand cost minus the same at the spot ratio from the store's catalog (or per-provider default).
 */
export function recommendSpot(input: RecommenderInput): RecommenderResult {
  const result: RecommenderResult = {recommendations: [], skipped: []}
  const settings = input.settings.spot
  for (const workload of input.inventory.workloads) {
    if (
      workload.kind === 'Pod' ||
      workload.kind === 'Job' ||
      (workload.kind === 'ReplicaSet' && workload.owners.length > 0)
    )
      continue
    const target = workloadTarget(workload)
    const rates = input.prices.rates(workload)
    const checks = spotChecklist(workload, rates, settings)
    const failed = checks.filter((c) => !c.ok)
    if (failed.length > 0) {
      result.skipped.push({
        kind: 'spot',
        target,
        reason: `not eligible: ${failed.map((c) => `${c.name} (${c.detail})`).join('; ')}`,
      })
      continue
    }
    const key = workloadKeyId(workload)
    if (input.planned?.idle.has(key)) {
      result.skipped.push({kind: 'spot', target, reason: 'superseded: idle, proposed for scale to zero in this run'})
      continue
    }
    const {cores, bytes, planned} = requestsPerReplica(input, workload)
    // Replica-hours a downtime schedule already removes cannot be saved again on spot.
    const running = 1 - (input.planned?.downtime.get(key) ?? 0)
    if (cores === 0 && bytes === 0) {
      result.skipped.push({
        kind: 'spot',
        target,
        reason: 'no requests set: the saving cannot be priced (rightsize it first)',
      })
      continue
    }
    const spot = input.prices.spotRatio(rates.provider, rates.region)
    const replicas = workload.hpa?.currentReplicas ?? workload.replicas
    const onDemand = monthlyCost(rates, cores, bytes, replicas) * running
    const savings = onDemand * (1 - spot.ratio)

    const reasons: string[] = []
    let level: RiskLevel = 'low'
    const raise = (to: RiskLevel, reason: string) => {
      reasons.push(reason)
      if (to === 'high' || (to === 'medium' && level === 'low')) level = to
    }
    if (workload.restarts > settings.maxRestarts)
      raise(
        'high',
        `${workload.restarts} container restarts in current pods: unstable workloads suffer most from interruptions`,
      )
    else if (workload.restarts > 0) raise('medium', `${workload.restarts} container restart(s) in current pods`)
    const minReplicas = workload.hpa ? Math.min(workload.hpa.minReplicas, workload.replicas) : workload.replicas
    if (minReplicas < 3) raise('medium', `${minReplicas} replicas: one reclaimed node can take half the capacity`)
    if (workload.pdbs.length === 0) raise('medium', 'no PodDisruptionBudget: a drain may evict every replica at once')
    const hostnames = new Set(workload.pods.map((p) => p.node).filter(Boolean))
    if (workload.pods.length >= 2 && hostnames.size === 1)
      raise('medium', 'all pods on one node today: add topology spread so one interruption does not take them all')
    const pinned = onDemandPin(workload)
    if (pinned) raise('medium', `pinned to on-demand nodes by ${pinned}: the move must change it`)
    if (reasons.length === 0) reasons.push('replicated, stateless, PDB-protected and stable')

    result.recommendations.push({
      id: recommendationId(SPOT, target),
      kind: 'spot',
      target,
      current: {capacityType: 'on-demand', replicas, cpuRequest: round(cores), memoryRequest: Math.round(bytes)},
      proposed: {capacityType: 'spot', replicas, cpuRequest: round(cores), memoryRequest: Math.round(bytes)},
      monthlySavings: roundMoney(savings),
      currency: input.prices.currency,
      risk: {level, reasons},
      evidence: {
        percentiles: {spotPriceRatio: Math.round(spot.ratio * 1000) / 1000, onDemandMonthly: roundMoney(onDemand)},
        notes: [
          ...checks.map((c) => `${c.name}: ${c.detail}`),
          `spot price ratio ${spot.ratio.toFixed(3)} from ${spot.source}`,
          `priced per replica from ${planned ? 'the rightsized ' : ''}requests (${rates.source})`,
          ...(running < 1
            ? [`${Math.round((1 - running) * 1000) / 10}% of replica-hours already removed by the downtime schedule`]
            : []),
        ],
      },
    })
  }
  return result
}

/** Node labels that select a capacity type, with the values that mean on-demand. */
const CAPACITY_LABELS: Record<string, string[]> = {
  'eks.amazonaws.com/capacityType': ['ON_DEMAND'],
  'karpenter.sh/capacity-type': ['on-demand'],
  'cloud.google.com/gke-spot': ['false'],
  'kubernetes.azure.com/scalesetpriority': ['regular'],
}

/** The nodeSelector entry or required affinity term that keeps the workload on on-demand nodes, if any. */
function onDemandPin(workload: Workload): string | undefined {
  for (const [key, values] of Object.entries(CAPACITY_LABELS)) {
    const selected = workload.placement.nodeSelector[key]
    if (selected !== undefined && values.includes(selected)) return `nodeSelector ${key}=${selected}`
  }
  return workload.placement.requiredNodeAffinity.find(
    (term) => Object.keys(CAPACITY_LABELS).some((key) => term.startsWith(key)) && !/spot|SPOT/.test(term),
  )
}

const round = (cores: number): number => Math.round(cores * 1000) / 1000
