import type {ApplyConfig} from '../config/sections/apply.js'
import {formatCpu, formatMemory, parseQuantity} from '../k8s/quantity.js'
import type {Recommendation} from '../model/recommendation.js'
import {canonical, extractFields, readContainer} from './fields.js'
import {
  checkCommonGuardrails,
  checkHpaUtilization,
  checkReplicaGuardrails,
  checkRolloutGuardrails,
  checkSpotOptIn,
  type Guardrail,
  type TargetContext,
} from './guardrails.js'
import {SPOT_PLACEMENT} from './spot.js'
import {
  type ActionKind,
  type FieldSet,
  FINOPS_ANNOTATIONS,
  type PlannedAction,
  type WorkloadRef,
} from '../model/action.js'

/** Something apply may act on: a recommendation to apply now, or one of our scale-downs to restore. */
export type Candidate =
  | {kind: 'scale-down'; target: WorkloadRef; recommendation: Recommendation; replicas: number; schedule?: string}
  | {kind: 'rightsize'; target: WorkloadRef & {container: string}; recommendation: Recommendation}
  | {kind: 'spot'; target: WorkloadRef; recommendation: Recommendation}
  | {kind: 'restore'; target: WorkloadRef; schedule?: string; reason: string}

/** What the journal knows about our open (not yet restored or rolled back) scale-down of a target. */
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
): PlanDecision {
  if (candidate.kind === 'restore') return planRestore(candidate, ctx, open)
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
    const floor = candidate.schedule ? settings.downtimeMinReplicas : settings.minReplicas
    const guard = checkReplicaGuardrails(
      ctx,
      candidate.replicas,
      floor,
      candidate.schedule ? 'apply.downtimeMinReplicas' : 'apply.minReplicas',
    )
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
      annotations: {
        [FINOPS_ANNOTATIONS.originalReplicas]: String(original),
        [FINOPS_ANNOTATIONS.downtimeSchedule]: candidate.schedule ?? null,
      },
    }
    const before = extractFields(ctx.workload, after)
    if (canonical(before) === canonical(after))
      return noop(`already scaled down to ${candidate.replicas} (original ${original})`)
    const why = candidate.schedule ? `downtime window (${candidate.schedule})` : 'idle workload'
    return {
      type: 'action',
      action: {
        ...base,
        schedule: candidate.schedule,
        before,
        after,
        reason: `${why}: ${live} -> ${candidate.replicas} replicas`,
      },
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

/** The end of a downtime window: scale back to the journal's original count, or the annotation's. */
function planRestore(
  candidate: Extract<Candidate, {kind: 'restore'}>,
  ctx: TargetContext,
  open?: OpenScaleDown,
): PlanDecision {
  const annotated = ctx.workload.metadata?.annotations?.[FINOPS_ANNOTATIONS.originalReplicas]
  const original =
    open?.originalReplicas ?? (annotated !== undefined && /^\d+$/.test(annotated) ? Number(annotated) : undefined)
  if (original === undefined) return noop('no original replica count in the store or the workload annotation')
  const live = ctx.workload.spec?.replicas ?? 1
  // Someone scaled it up by hand meanwhile: keep their count, only clear our annotations.
  const replicas = live >= original ? live : original
  const after: FieldSet = {
    replicas,
    annotations: {[FINOPS_ANNOTATIONS.originalReplicas]: null, [FINOPS_ANNOTATIONS.downtimeSchedule]: null},
  }
  const before = extractFields(ctx.workload, after)
  if (canonical(before) === canonical(after)) return noop('already restored')
  return {
    type: 'action',
    action: {
      kind: 'restore',
      target: candidate.target,
      before,
      after,
      restoresActionId: open?.actionId,
      schedule: candidate.schedule,
      resourceVersion: ctx.workload.metadata?.resourceVersion,
      reason: `${candidate.reason}: ${live} -> ${replicas} replicas (${open ? 'from the journal' : 'from the annotation'})`,
    },
  }
}
