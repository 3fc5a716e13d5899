import type {ApplyConfig} from '../config/sections/apply.js'
import {checkContainerLimits, type ClusterLimits} from './resource-limits.js'
import type {RiskLevel} from '../model/recommendation.js'
import {type LabelSelector, selectorMatches, type WorkloadObject} from './fields.js'
import {
  type ActionKind,
  APPLICABLE_KINDS,
  type ContainerResources,
  FINOPS_ANNOTATIONS,
  type SkippedAction,
} from '../model/action.js'

/** What the guardrails look at besides the workload: its namespace, HPAs and PDBs, read fresh. */
export interface TargetContext {
  workload: WorkloadObject
  namespace: {name: string; labels: Record<string, string>; annotations: Record<string, string>}
  /** utilizationOf: resources (cpu, memory) the HPA scales on as a percentage of the pods' requests. */
  hpas: {name: string; scaleTargetRef: {kind: string; name: string}; utilizationOf?: string[]}[]
  pdbs: {
    name: string
    selector?: LabelSelector
    minAvailable?: number | string
    maxUnavailable?: number | string
    disruptionsAllowed?: number
  }[]
  /** The namespace's LimitRanges and the largest node's allocatable (absent: not known, nothing checked). */
  limits?: ClusterLimits
}

export type Guardrail = Pick<SkippedAction, 'code' | 'reason'>

/** Labels and annotations by which Argo CD and Flux mark what they manage (and would revert). */
export const GITOPS_MARKERS = [
  {where: 'label', key: 'argocd.argoproj.io/instance', tool: 'Argo CD'},
  {where: 'annotation', key: 'argocd.argoproj.io/tracking-id', tool: 'Argo CD'},
  {where: 'label', key: 'kustomize.toolkit.fluxcd.io/name', tool: 'Flux'},
  {where: 'label', key: 'helm.toolkit.fluxcd.io/name', tool: 'Flux'},
] as const

const RISK_ORDER: Record<RiskLevel, number> = {low: 0, medium: 1, high: 2}

/**
 * The guardrails every change passes before it is planned, in the order they are reported: the
 * first that objects names the skip. Restores of our own scale-downs skip these: undoing a change
 * we made must not be blocked by a rule added since.
 */
export function checkCommonGuardrails(
  kind: ActionKind,
  ctx: TargetContext,
  settings: ApplyConfig,
  risk?: RiskLevel,
): Guardrail | undefined {
  const workloadKind = ctx.workload.kind ?? ''
  if (!(APPLICABLE_KINDS as readonly string[]).includes(workloadKind)) {
    return {
      code: 'unsupported',
      reason: `${workloadKind || 'this kind'} is not changed by ${kind} (Deployments and StatefulSets only)`,
    }
  }
  return checkScheduleGuardrails(ctx, settings, risk)
}

/**
 * The guardrails of a scheduled scale-down (any schedulable kind): exclusions, GitOps ownership,
 * and the recommendation's risk when there is one.
 */
export function checkScheduleGuardrails(
  ctx: TargetContext,
  settings: ApplyConfig,
  risk?: RiskLevel,
): Guardrail | undefined {
  const {workload, namespace} = ctx
  if (settings.excludeNamespaces.includes(namespace.name))
    return {code: 'excluded', reason: `namespace ${namespace.name} is excluded (apply.excludeNamespaces)`}
  if (isTrue(namespace.annotations[FINOPS_ANNOTATIONS.exclude]))
    return {code: 'excluded', reason: `namespace annotation ${FINOPS_ANNOTATIONS.exclude}: "true"`}
  if (isTrue(workload.metadata?.annotations?.[FINOPS_ANNOTATIONS.exclude]))
    return {code: 'excluded', reason: `workload annotation ${FINOPS_ANNOTATIONS.exclude}: "true"`}
  if (!settings.allowGitOps) {
    const marker = gitOpsMarker(workload)
    if (marker)
      return {
        code: 'gitops',
        reason: `managed by ${marker.tool} (${marker.where} ${marker.key}); it would revert the change: change Git, or set apply.allowGitOps`,
      }
  }
  if (risk && RISK_ORDER[risk] > RISK_ORDER[settings.maxRisk])
    return {code: 'risk', reason: `risk ${risk} is above apply.maxRisk ${settings.maxRisk}`}
  return undefined
}

export function gitOpsMarker(workload: WorkloadObject): (typeof GITOPS_MARKERS)[number] | undefined {
  return GITOPS_MARKERS.find(
    (m) => (m.where === 'label' ? workload.metadata?.labels : workload.metadata?.annotations)?.[m.key] !== undefined,
  )
}

/**
 * A scheduled scale-down's replica rules: not below apply.downtimeMinReplicas, and not above zero
 * while an HPA owns the count (it would scale straight back; at zero replicas an HPA stands still
 * until the workload is scaled up again). No PDB rule: scaling a controller down is not an eviction.
 */
export function checkDowntimeFloor(ctx: TargetContext, target: number, floor: number): Guardrail | undefined {
  const {workload} = ctx
  if (target < floor)
    return {code: 'floor', reason: `${target} is below the floor of ${floor} (apply.downtimeMinReplicas)`}
  if (workload.kind === 'HorizontalPodAutoscaler' || target === 0) return undefined
  const hpa = ctx.hpas.find(
    (h) => h.scaleTargetRef.kind === workload.kind && h.scaleTargetRef.name === workload.metadata?.name,
  )
  if (hpa)
    return {
      code: 'hpa',
      reason: `HorizontalPodAutoscaler ${hpa.name} owns the replicas and would scale them back: schedule the HPA instead (apply.schedules.kinds)`,
    }
  return undefined
}

/** Replica changes: not when an HPA owns the count, not below the floor, not below what a PDB requires. */
export function checkReplicaGuardrails(
  ctx: TargetContext,
  targetReplicas: number,
  floor: number,
  floorField: string,
): Guardrail | undefined {
  const {workload} = ctx
  const hpa = ctx.hpas.find(
    (h) => h.scaleTargetRef.kind === workload.kind && h.scaleTargetRef.name === workload.metadata?.name,
  )
  if (hpa) return {code: 'hpa', reason: `replicas are managed by HorizontalPodAutoscaler ${hpa.name}`}
  if (targetReplicas < floor)
    return {code: 'floor', reason: `${targetReplicas} replicas is below the floor of ${floor} (${floorField})`}
  const current = workload.spec?.replicas ?? 1
  for (const pdb of matchingPdbs(ctx)) {
    const required = requiredAvailable(pdb, current)
    if (targetReplicas < required) {
      return {
        code: 'pdb',
        reason: `PodDisruptionBudget ${pdb.name} requires ${required} available pods; ${targetReplicas} replicas would violate it`,
      }
    }
  }
  return undefined
}

/**
 * An HPA that scales on utilization (usage / request) reacts to a request change: lowering the CPU
 * request of a workload scaled on CPU utilization makes it scale out, eating the savings.
 */
export function checkHpaUtilization(ctx: TargetContext, changedResources: readonly string[]): Guardrail | undefined {
  const {workload} = ctx
  const hpa = ctx.hpas.find(
    (h) => h.scaleTargetRef.kind === workload.kind && h.scaleTargetRef.name === workload.metadata?.name,
  )
  const overlap = (hpa?.utilizationOf ?? []).filter((r) => changedResources.includes(r))
  if (!hpa || overlap.length === 0) return undefined
  return {
    code: 'hpa',
    reason: `HorizontalPodAutoscaler ${hpa.name} scales on ${overlap.join(' and ')} utilization of requests: changing the request would change its scaling`,
  }
}

/** Pod template changes roll the pods: not with the Recreate strategy, not while a PDB allows no disruption. */
export function checkRolloutGuardrails(ctx: TargetContext, settings: ApplyConfig): Guardrail | undefined {
  const {workload} = ctx
  if (workload.kind === 'Deployment' && workload.spec?.strategy?.type === 'Recreate' && !settings.allowRecreate) {
    return {
      code: 'strategy',
      reason:
        'the Deployment uses the Recreate strategy: the rollout would stop every pod at once (set apply.allowRecreate to allow)',
    }
  }
  for (const pdb of matchingPdbs(ctx)) {
    if (pdb.disruptionsAllowed !== undefined && pdb.disruptionsAllowed < 1) {
      return {
        code: 'pdb',
        reason: `PodDisruptionBudget ${pdb.name} allows no disruption now; the rolling update would violate it`,
      }
    }
  }
  return undefined
}

function matchingPdbs(ctx: TargetContext): TargetContext['pdbs'] {
  const labels = ctx.workload.spec?.template?.metadata?.labels ?? {}
  return ctx.pdbs.filter((pdb) => selectorMatches(pdb.selector, labels))
}

/** Pods a PDB requires available at `replicas`; percentages round up as the disruption controller does. */
export function requiredAvailable(
  pdb: {minAvailable?: number | string; maxUnavailable?: number | string},
  replicas: number,
): number {
  const resolve = (value: number | string): number => {
    if (typeof value === 'number') return value
    const percent = /^(\d+)%$/.exec(value.trim())
    return percent ? Math.ceil((Number(percent[1]) / 100) * replicas) : Number(value)
  }
  if (pdb.minAvailable !== undefined) return resolve(pdb.minAvailable)
  if (pdb.maxUnavailable !== undefined) return Math.max(0, replicas - resolve(pdb.maxUnavailable))
  return 0
}

/** Spot migration is opt-in per namespace: listed in apply.spot.namespaces or annotated finops.io/spot: "true". */
export function checkSpotOptIn(ctx: TargetContext, settings: ApplyConfig): Guardrail | undefined {
  if (
    settings.spot.namespaces.includes(ctx.namespace.name) ||
    isTrue(ctx.namespace.annotations[FINOPS_ANNOTATIONS.spot])
  )
    return undefined
  return {
    code: 'opt-in',
    reason: `spot migration is opt-in: add ${ctx.namespace.name} to apply.spot.namespaces or annotate the namespace ${FINOPS_ANNOTATIONS.spot}: "true"`,
  }
}

const isTrue = (value: string | undefined): boolean => (value ?? '').trim().toLowerCase() === 'true'

/**
 * A container change must fit the cluster's own limits: its namespace's LimitRanges and the largest
 * node. The API server takes the Deployment patch either way and only refuses the pods afterwards.
 */
export function checkClusterLimits(
  ctx: TargetContext,
  container: ContainerResources,
  others: readonly ContainerResources[],
): Guardrail | undefined {
  if (!ctx.limits) return undefined
  const [first] = checkContainerLimits(container, others, ctx.limits)
  return first && {code: 'limits', reason: `${container.name} ${first.field}: ${first.problem}`}
}
