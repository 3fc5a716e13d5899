import {CPU_SCHEME, mergeDigests, quantile} from '../../src/k8s/digest.js'
import {type Workload, workloadContainerKeyId} from '../../src/model/k8s.js'
import {
  type KindId,
  type RecommenderInput,
  type RecommenderResult,
  recommendationId,
  requestsPerReplica,
  workloadTarget,
} from '../context.js'
import {monthlyCost} from '../pricing.js'
import {HOURS_PER_MONTH} from '../../src/money.js'
import {DOWNSCALER_ANNOTATIONS, type DownscalerPolicy, downtimeShare, resolvePolicy} from '../../src/k8s/downscaler.js'
import type {Recommendation, RiskLevel, SkippedRecommendation} from '../../src/model/recommendation.js'
import {roundMoney} from '../../src/money.js'

export const SCALE_DOWN = {kind: 'scale-down', idPrefix: 'sd'} as const satisfies KindId

/** Controllers whose replica count can be set to zero and back. */
const SCALABLE = new Set(['Deployment', 'StatefulSet', 'ReplicaSet'])

/** The share of the next four weeks a policy keeps a workload down, computed once per distinct policy. */
function shareCache(now: Date): (policy: DownscalerPolicy) => number {
  const cache = new Map<string, number>()
  return (policy) => {
    const key = `${policy.text}\u0000${policy.holidays.join(',')}\u0000${policy.holidayTimeZone}`
    let share = cache.get(key)
    if (share === undefined) cache.set(key, (share = downtimeShare(policy, now, 28)))
    return share
  }
}

/**
 * Scale-down: idle workloads (CPU near zero over the idle window) are proposed for zero replicas;
 * others with an off-hours schedule (kube-downscaler annotations or finops.yaml) for their downtime
 * replicas during downtime, saving the downtime share of their monthly cost.
 */
export function recommendScaleDown(input: RecommenderInput): RecommenderResult {
  const result: RecommenderResult = {recommendations: [], skipped: []}
  const settings = input.settings.scaleDown
  const namespaces = new Map(input.inventory.namespaces.map((n) => [`${n.cluster}/${n.name}`, n]))
  const share = shareCache(input.now)
  for (const workload of input.inventory.workloads) {
    if (!SCALABLE.has(workload.kind) || (workload.kind === 'ReplicaSet' && workload.owners.length > 0)) continue
    const target = workloadTarget(workload)
    // Scaled down for the night (by finops or kube-downscaler): priced at the count it returns to.
    const original = Number(workload.annotations[DOWNSCALER_ANNOTATIONS.originalReplicas])
    if (workload.replicas === 0 && !(Number.isInteger(original) && original > 0)) continue
    const idle = workload.replicas === 0 ? ({kind: 'unknown'} as const) : idleEvidence(input, workload)
    if (idle.kind === 'idle') {
      if (workload.hpa) {
        result.skipped.push({
          kind: 'scale-down',
          target,
          reason:
            `idle (CPU p99 ${idle.cpuP99.toFixed(4)} cores ` +
            `over ${idle.days} days) but HPA ${workload.hpa.name} keeps minReplicas ${workload.hpa.minReplicas}: lower it or remove the HPA`,
        })
        continue
      }
      result.recommendations.push(idleRecommendation(input, workload, idle))
      continue
    }
    const ns = namespaces.get(`${workload.cluster}/${workload.namespace}`)
    const resolution = resolvePolicy(
      {
        namespace: workload.namespace,
        annotations: workload.annotations,
        labels: workload.labels,
        namespaceAnnotations: ns?.annotations ?? {},
      },
      settings.schedules,
      {
        holidays: settings.holidays,
        timeZone: settings.timeZone,
        defaultTimeZone: settings.defaultTimeZone,
        defaultWeekFrame: settings.defaultWeekFrame,
      },
      input.now,
    )
    // One mistyped annotation must not stop every other recommendation (kube-downscaler skips it too).
    if (resolution.problem) {
      result.skipped.push({kind: 'scale-down', target, reason: `schedule cannot be read: ${resolution.problem}`})
      continue
    }
    if (resolution.excluded) {
      result.skipped.push({kind: 'scale-down', target, reason: `excluded by ${resolution.excluded}`})
      continue
    }
    const policy = resolution.policy!
    if (!policy.scheduled) continue
    const scheduled = scheduleRecommendation(input, workload, policy, share(policy))
    if ('reason' in scheduled) result.skipped.push(scheduled)
    else result.recommendations.push(scheduled)
  }
  return result
}

type IdleEvidence =
  | {kind: 'idle'; cpuP99: number; days: number; samples: number; first: string; last: string}
  | {kind: 'busy'}
  | {kind: 'unknown'}

/** Idle when every container has at least idleDays of usage and their summed CPU p99 stays under the threshold. */
function idleEvidence(input: RecommenderInput, workload: Workload): IdleEvidence {
  const settings = input.settings.scaleDown
  let cpuP99 = 0
  let days = Number.POSITIVE_INFINITY
  let samples = 0
  let first = '9999-12-31'
  let last = ''
  if (workload.containers.length === 0) return {kind: 'unknown'}
  for (const container of workload.containers) {
    const usage = input.usage.get(workloadContainerKeyId(workload, container.name))
    if (!usage || usage.days.length < settings.idleDays) return {kind: 'unknown'}
    const merged = mergeDigests(usage.days)
    if (merged.cpu.count === 0) return {kind: 'unknown'}
    cpuP99 += quantile(merged.cpu, 0.99, CPU_SCHEME)
    days = Math.min(days, usage.days.length)
    samples += merged.samples
    for (const d of usage.days) {
      if (d.day < first) first = d.day
      if (d.day > last) last = d.day
    }
  }
  return cpuP99 < settings.idleCpuCores ? {kind: 'idle', cpuP99, days, samples, first, last} : {kind: 'busy'}
}

function idleRecommendation(
  input: RecommenderInput,
  workload: Workload,
  idle: Extract<IdleEvidence, {kind: 'idle'}>,
): Recommendation {
  const rates = input.prices.rates(workload)
  // Everything goes away, so the saving is today's requests, not a rightsized version of them.
  const {cores, bytes} = requestsPerReplica({}, workload)
  const target = workloadTarget(workload)
  const reasons = [
    'idle judged from CPU only: no traffic metric (requests, network) is collected, so check nothing calls it',
  ]
  let level: RiskLevel = 'medium'
  if (workload.kind === 'StatefulSet') {
    level = 'high'
    reasons.push('StatefulSet: its volumes stay, but clients lose it until scaled back up')
  }
  return {
    id: recommendationId(SCALE_DOWN, target),
    kind: 'scale-down',
    target,
    current: {replicas: workload.replicas},
    proposed: {replicas: 0},
    monthlySavings: roundMoney(monthlyCost(rates, cores, bytes, workload.replicas)),
    currency: input.prices.currency,
    risk: {level, reasons},
    evidence: {
      windowStart: `${idle.first}T00:00:00Z`,
      windowEnd: `${idle.last}T23:59:59Z`,
      samples: idle.samples,
      percentiles: {cpuP99: Math.round(idle.cpuP99 * 1e5) / 1e5, days: idle.days},
      notes: [
        `idle: summed CPU p99 ${idle.cpuP99.toFixed(4)} cores < ${input.settings.scaleDown.idleCpuCores} over ${idle.days} days`,
        `priced from requests (${rates.source})`,
      ],
    },
  }
}

function scheduleRecommendation(
  input: RecommenderInput,
  workload: Workload,
  policy: DownscalerPolicy,
  downShare: number,
): Recommendation | SkippedRecommendation {
  const target = workloadTarget(workload)
  const original = Number(workload.annotations[DOWNSCALER_ANNOTATIONS.originalReplicas])
  const replicas =
    workload.replicas <= policy.downtimeReplicas && Number.isInteger(original) && original > workload.replicas
      ? original
      : workload.replicas
  if (policy.downtimeReplicas >= replicas) {
    return {
      kind: 'scale-down',
      target,
      reason: `schedule (${policy.text}) keeps ${policy.downtimeReplicas} replica(s) in downtime: nothing to save at ${replicas}`,
    }
  }
  if (downShare === 0)
    return {
      kind: 'scale-down',
      target,
      reason: `schedule (${policy.text}) has no downtime in the next four weeks`,
    }
  const rates = input.prices.rates(workload)
  const {cores, bytes, planned} = requestsPerReplica(input, workload)
  const saved = replicas - policy.downtimeReplicas
  const reasons = ['scaled back up at the start of each uptime window']
  let level: RiskLevel = 'low'
  if (workload.hpa) {
    level = 'medium'
    reasons.push(
      policy.downtimeReplicas === 0
        ? `HPA ${workload.hpa.name}: it pauses while the workload is at 0 replicas and resumes when it is scaled back up`
        : `HPA ${workload.hpa.name} keeps minReplicas ${workload.hpa.minReplicas}: schedule the HPA too (apply.schedules.kinds), or apply skips the scale-down`,
    )
  }
  if (workload.kind === 'StatefulSet') {
    level = 'medium'
    reasons.push('StatefulSet: ordered restart after each downtime takes longer')
  }
  return {
    id: recommendationId(SCALE_DOWN, target),
    kind: 'scale-down',
    target,
    current: {replicas},
    proposed: {replicas: policy.downtimeReplicas, schedule: policy.text},
    monthlySavings: roundMoney(monthlyCost(rates, cores, bytes, saved) * downShare),
    currency: input.prices.currency,
    risk: {level, reasons},
    evidence: {
      percentiles: {
        downtimeShare: Math.round(downShare * 10_000) / 10_000,
        downtimeHoursPerMonth: Math.round(downShare * HOURS_PER_MONTH * 10) / 10,
      },
      notes: [
        `schedule: ${policy.text} (${policy.sources.join(', ')})`,
        ...(workload.replicas !== replicas
          ? [`scaled down now (downscaler/original-replicas ${replicas}): priced at ${replicas} replicas`]
          : []),
        ...(policy.holidays.length > 0 ? [`holidays (${policy.holidayTimeZone}): ${policy.holidays.join(', ')}`] : []),
        `downtime share measured over the four weeks from ${input.now.toISOString().slice(0, 10)}`,
        `priced from ${planned ? 'the rightsized ' : ''}requests (${rates.source}) x ${saved} replica(s)`,
      ],
    },
  }
}
