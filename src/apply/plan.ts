import type {ApplyConfig} from '../config/sections/apply.js'
import {formatCpu, formatMemory, parseQuantity} from '../k8s/quantity.js'
import type {Recommendation} from '../model/recommendation.js'
import {canonical, extractFields, readContainer} from './fields.js'
import {
  checkClusterLimits,
  checkCommonGuardrails,
  checkDowntimeFloor,
  checkHpaUtilization,
  checkReplicaGuardrails,
  checkRolloutGuardrails,
  checkScheduleGuardrails,
  checkSpotOptIn,
  type Guardrail,
  type TargetContext,
} from './guardrails.js'
import {DOWNSCALER_ANNOTATIONS, type SchedulableKind} from '../k8s/downscaler.js'
import {judgeSchedule, objectScale, type ScheduleCandidate, scheduleFields, type ScheduleSettings} from './schedules.js'
import {SPOT_PLACEMENT} from './spot.js'
import {
  type ActionKind,
  type FieldSet,
  FINOPS_ANNOTATIONS,
  type PlannedAction,
  type WorkloadRef,
} from '../model/action.js'

/**
 * Something apply may act on: a recommendation to apply now (idle scale-down, rightsizing, spot), or
 * an object whose schedule (kube-downscaler annotations, finops.yaml) says it should be down or up.
 */
export type Candidate =
  | {kind: 'scale-down'; target: WorkloadRef; recommendation: Recommendation; replicas: number}
  | {kind: 'rightsize'; target: WorkloadRef & {container: string}; recommendation: Recommendation}
  | {kind: 'spot'; target: WorkloadRef; recommendation: Recommendation}
  | ScheduleCandidate

/** What the journal knows about our open (not yet restored or rolled back) idle scale-down of a target. */
export interface OpenScaleDown {
  actionId: string
  originalReplicas: number
  replicas: number
}

export type PlanDecision = {type: 'action'; action: PlannedAction} | {type: 'skip'; code: string; reason: string}

const skip = (g: Guardrail): PlanDecision => ({type: 'skip', ...g})
const noop = (reason: string): PlanDecision => ({type: 'skip', code: 'noop', reason})

/**
 * Plans one candidate against the live workload: guardrails first, then the before/after field
 * sets. Pure: the same inputs always give the same plan, and a target already in the desired state
 * plans nothing (which is what makes a second apply a no-op).
 */
export function planCandidate(
  candidate: Candidate,
  ctx: TargetContext,
  settings: ApplyConfig,
  open?: OpenScaleDown,
  schedules?: ScheduleSettings,
): PlanDecision {
  if (candidate.kind === 'schedule') {
    if (!schedules) throw new Error('planning a schedule needs the schedule settings')
    return planSchedule(candidate, ctx, settings, schedules)
  }
  const rec = candidate.recommendation
  const common = checkCommonGuardrails(candidate.kind, ctx, settings, rec.risk.level)
  if (common) return skip(common)
  const base = {
    kind: candidate.kind as ActionKind,
    target: candidate.target,
    recommendationId: rec.id,
    monthlySavings: rec.monthlySavings,
    currency: rec.currency,
    risk: rec.risk.level,
    resourceVersion: ctx.workload.metadata?.resourceVersion,
  }
  if (candidate.kind === 'scale-down') {
    const guard = checkReplicaGuardrails(ctx, candidate.replicas, settings.minReplicas, 'apply.minReplicas')
    if (guard) return skip(guard)
    const live = ctx.workload.spec?.replicas ?? 1
    const annotated = ctx.workload.metadata?.annotations?.[FINOPS_ANNOTATIONS.originalReplicas]
    // The original count: the journal's, else (store lost) the annotation while we are still scaled down, else the live count.
    const original =
      open?.originalReplicas ??
      (annotated !== undefined && /^\d+$/.test(annotated) && live <= candidate.replicas ? Number(annotated) : live)
    if (original <= candidate.replicas && annotated === undefined) return noop(`already at ${live} replicas`)
    const after: FieldSet = {
      replicas: candidate.replicas,
      annotations: {[FINOPS_ANNOTATIONS.originalReplicas]: String(original)},
    }
    const before = extractFields(ctx.workload, after)
    if (canonical(before) === canonical(after))
      return noop(`already scaled down to ${candidate.replicas} (original ${original})`)
    return {
      type: 'action',
      action: {...base, before, after, reason: `idle workload: ${live} -> ${candidate.replicas} replicas`},
    }
  }
  if (candidate.kind === 'rightsize') {
    const guard = checkRolloutGuardrails(ctx, settings)
    if (guard) return skip(guard)
    const container = readContainer(ctx.workload, candidate.target.container)
    if (!container)
      return {
        type: 'skip',
        code: 'not-found',
        reason: `container ${candidate.target.container} is not in the pod template`,
      }
    const after = {name: container.name, requests: {...container.requests}, limits: {...container.limits}}
    const proposed = rec.proposed
    setQuantity(after.requests, 'cpu', proposed.cpuRequest, formatCpu)
    setQuantity(after.limits, 'cpu', proposed.cpuLimit, formatCpu)
    setQuantity(after.requests, 'memory', proposed.memoryRequest, formatMemory)
    setQuantity(after.limits, 'memory', proposed.memoryLimit, formatMemory)
    if (canonical(after) === canonical(container)) return noop('requests and limits already match the recommendation')
    const changedRequests = ['cpu', 'memory'].filter((r) => after.requests[r] !== container.requests[r])
    const hpa = checkHpaUtilization(ctx, changedRequests)
    if (hpa) return skip(hpa)
    const others = (ctx.workload.spec?.template?.spec?.containers ?? [])
      .filter((c) => c.name !== container.name)
      .map((c) => readContainer(ctx.workload, c.name)!)
    const limits = checkClusterLimits(ctx, after, others)
    if (limits) return skip(limits)
    const describe = (r: Record<string, string>): string =>
      ['cpu', 'memory'].map((k) => `${k}=${r[k] ?? '-'}`).join(' ')
    return {
      type: 'action',
      action: {
        ...base,
        before: {container},
        after: {container: after},
        reason: `requests ${describe(container.requests)} -> ${describe(after.requests)}`,
      },
    }
  }
  const optIn = checkSpotOptIn(ctx, settings)
  if (optIn) return skip(optIn)
  const rollout = checkRolloutGuardrails(ctx, settings)
  if (rollout) return skip(rollout)
  const placement = SPOT_PLACEMENT[settings.spot.provider]
  const before = extractFields(ctx.workload, {nodeSelector: {}, tolerations: []})
  const tolerations = [...before.tolerations!]
  for (const t of placement.tolerations)
    if (!tolerations.some((x) => canonical(x) === canonical(t))) tolerations.push(t)
  const after: FieldSet = {nodeSelector: {...before.nodeSelector, ...placement.nodeSelector}, tolerations}
  if (canonical(before) === canonical(after)) return noop(`already placed on ${settings.spot.provider} spot capacity`)
  return {
    type: 'action',
    action: {
      ...base,
      before,
      after,
      reason: `move to ${settings.spot.provider} spot nodes (${Object.entries(placement.nodeSelector)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ')})`,
    },
  }
}

// Only write a quantity when it really changes, so "0.5" and "500m" never cause a rollout.
function setQuantity(
  map: Record<string, string>,
  key: string,
  value: number | undefined,
  format: (n: number) => string,
): void {
  if (value === undefined || !Number.isFinite(value) || value <= 0) return
  const current = parseQuantity(map[key])
  const next = format(value)
  if (current !== undefined && Math.abs(current - (parseQuantity(next) ?? Number.NaN)) < 1e-9) return
  map[key] = next
}

/** Kinds that are suspended or running rather than counted: no replica floor applies to them. */
const SUSPENDED_KINDS = new Set<SchedulableKind>(['CronJob', 'Job', 'DaemonSet'])

const UNITS: Record<SchedulableKind, string> = {
  Deployment: 'replicas',
  StatefulSet: 'replicas',
  Rollout: 'replicas',
  HorizontalPodAutoscaler: 'minReplicas',
  CronJob: '',
  DaemonSet: '',
  Job: '',
}

/** A count as the kind shows it: '3 replicas', 'minReplicas 2', 'suspended' / 'running' for a CronJob, Job or DaemonSet. */
function describeCount(kind: SchedulableKind, count: number): string {
  if (SUSPENDED_KINDS.has(kind)) return count === 0 ? 'suspended' : 'running'
  return kind === 'HorizontalPodAutoscaler' ? `minReplicas ${count}` : `${count} ${UNITS[kind]}`
}

/**
 * A schedule candidate against the live object: kube-downscaler's decision again (the listing may be
 * a moment old), then, for a scale-down, the guardrails; restores (up) undo a scale-down by either
 * tool and pass no guardrail.
 */
function planSchedule(
  candidate: ScheduleCandidate,
  ctx: TargetContext,
  settings: ApplyConfig,
  schedules: ScheduleSettings,
): PlanDecision {
  const live = ctx.workload
  const kind = candidate.target.kind as SchedulableKind
  const {resolution, decision} = judgeSchedule(live, ctx.namespace.annotations, schedules, {
    podsForceUptime: candidate.podsForceUptime,
    minDowntimeReplicas: candidate.minDowntimeReplicas,
  })
  if (decision.action === 'none') {
    const code = ['uptime', 'downtime', 'ignore'].includes(decision.code) ? 'noop' : decision.code
    return {type: 'skip', code, reason: decision.why}
  }
  const current = objectScale(live).replicas
  const text = resolution.policy?.text || undefined
  const rec = candidate.recommendation
  if (decision.action === 'down') {
    if (!candidate.mayScaleDown)
      return {type: 'skip', code: 'not-listed', reason: `${decision.why}: not in the recommendations given`}
    const common = checkScheduleGuardrails(ctx, settings, rec?.risk.level)
    if (common) return skip(common)
    if (!SUSPENDED_KINDS.has(kind)) {
      const floor = checkDowntimeFloor(ctx, decision.replicas, settings.downtimeMinReplicas)
      if (floor) return skip(floor)
    }
    const after = scheduleFields(kind, decision, live)
    const before = extractFields(live, after)
    if (canonical(before) === canonical(after)) return noop(`already ${describeCount(kind, decision.replicas)}`)
    return {
      type: 'action',
      action: {
        kind: 'scale-down',
        target: candidate.target,
        recommendationId: rec?.id,
        monthlySavings: rec?.monthlySavings,
        currency: rec?.currency,
        risk: rec?.risk.level,
        resourceVersion: live.metadata?.resourceVersion,
        schedule: text,
        before,
        after,
        reason: `${decision.why}: ${describeCount(kind, current)} -> ${describeCount(kind, decision.replicas)}`,
      },
    }
  }
  const after = scheduleFields(kind, decision, live)
  const before = extractFields(live, after)
  if (canonical(before) === canonical(after)) return noop('already restored')
  const restored =
    decision.action === 'forget'
      ? `already at ${describeCount(kind, current)}: ${DOWNSCALER_ANNOTATIONS.originalReplicas} removed`
      : `${describeCount(kind, current)} -> ${describeCount(kind, decision.replicas)}`
  return {
    type: 'action',
    action: {
      kind: 'restore',
      target: candidate.target,
      before,
      after,
      restoresActionId: candidate.journal?.actionId,
      schedule: text,
      resourceVersion: live.metadata?.resourceVersion,
      reason: `${decision.why}: ${restored} (original ${decision.original})`,
    },
  }
}
