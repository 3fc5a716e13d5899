import {
  type ConfiguredSchedule,
  DAEMONSET_SUSPEND_SELECTOR,
  decideDownscale,
  type DownscalerDecision,
  DOWNSCALER_ANNOTATIONS,
  type ObjectScale,
  type PolicyResolution,
  resolvePolicy,
  type SchedulableKind,
  SCHEDULABLE_KINDS,
  type ScheduleDefaults,
} from '../k8s/downscaler.js'
import type {Recommendation} from '../model/recommendation.js'
import type {WorkloadObject} from './fields.js'
import {type FieldSet, FINOPS_ANNOTATIONS, type WorkloadRef} from '../model/action.js'

/** The schedules apply enforces: finops.yaml's below the annotations, holidays, grace period, the clock. */
export interface ScheduleSettings {
  configured: readonly ConfiguredSchedule[]
  defaults: ScheduleDefaults
  now: Date
}

/** Our open scheduled scale-down of a target in the journal: a restore is linked to it. */
export interface JournalScaleDown {
  actionId: string
}

/** One object the schedule pass acts on: judged again against its live state when it is planned. */
export interface ScheduleCandidate {
  kind: 'schedule'
  target: WorkloadRef
  namespaceAnnotations: Readonly<Record<string, string>>
  /** A running pod in scope is annotated downscaler/force-uptime: "true". */
  podsForceUptime: boolean
  journal?: JournalScaleDown
  /** The stored (or reviewed) recommendation for this target: its savings, id and risk. */
  recommendation?: Recommendation
  /** False when a reviewed recommendations file did not list it: only restores then. */
  mayScaleDown: boolean
  /** A reviewed file's downtime replicas: the scale-down keeps at least these. */
  minDowntimeReplicas?: number
  /** The decision from the listing (ordering and the dry-run reason); planning decides again on the live object. */
  decision: DownscalerDecision
}

/** A Job some controller (a CronJob) owns is left to its owner, as kube-downscaler leaves it. */
export const leftToOwner = (kind: string | undefined, ownerReferences: readonly unknown[] | undefined): boolean =>
  kind === 'Job' && (ownerReferences?.length ?? 0) > 0

export const isSchedulableKind = (kind: string | undefined): kind is SchedulableKind =>
  (SCHEDULABLE_KINDS as readonly string[]).includes(kind ?? '')

const wholeNumber = (value: string | undefined): number | undefined =>
  value !== undefined && /^\s*\d+\s*$/.test(value) ? Number(value) : undefined

/**
 * kube-downscaler's view of an object's scale, and where its original count comes from: the shared
 * `downscaler/original-replicas` (the one source of truth both tools read and write), else the
 * annotation older finops versions wrote for scheduled scale-downs.
 */
export function objectScale(object: WorkloadObject): ObjectScale {
  const kind = object.kind as SchedulableKind
  const spec = object.spec ?? {}
  const replicas =
    kind === 'CronJob' || kind === 'Job'
      ? spec.suspend
        ? 0
        : 1
      : kind === 'DaemonSet'
        ? spec.template?.spec?.nodeSelector?.[DAEMONSET_SUSPEND_SELECTOR] !== undefined
          ? 0
          : 1
        : kind === 'HorizontalPodAutoscaler'
          ? (spec.minReplicas ?? 1)
          : (spec.replicas ?? 1)
  const annotations = object.metadata?.annotations ?? {}
  const legacy =
    annotations[FINOPS_ANNOTATIONS.downtimeSchedule] !== undefined
      ? wholeNumber(annotations[FINOPS_ANNOTATIONS.originalReplicas])
      : undefined
  const created = object.metadata?.creationTimestamp
  return {
    kind,
    replicas,
    maxReplicas: kind === 'HorizontalPodAutoscaler' ? spec.maxReplicas : undefined,
    originalReplicas: wholeNumber(annotations[DOWNSCALER_ANNOTATIONS.originalReplicas]) ?? legacy,
    createdAt: created instanceof Date ? created.toISOString() : created,
  }
}

/** Resolves the object's policy and decides what to do now. */
export function judgeSchedule(
  object: WorkloadObject,
  namespaceAnnotations: Readonly<Record<string, string>>,
  settings: ScheduleSettings,
  options: {podsForceUptime?: boolean; minDowntimeReplicas?: number} = {},
): {resolution: PolicyResolution; decision: DownscalerDecision} {
  const resolution = resolvePolicy(
    {
      namespace: object.metadata?.namespace ?? '',
      labels: object.metadata?.labels ?? {},
      annotations: object.metadata?.annotations ?? {},
      namespaceAnnotations,
    },
    settings.configured,
    settings.defaults,
    settings.now,
  )
  if (resolution.policy && options.minDowntimeReplicas !== undefined)
    resolution.policy.downtimeReplicas = Math.max(resolution.policy.downtimeReplicas, options.minDowntimeReplicas)
  const decision = decideDownscale(resolution, objectScale(object), settings.now, options.podsForceUptime ?? false)
  return {resolution, decision}
}

/**
 * Whether a decision could be changed by a pod forcing uptime, when no force-uptime is set anywhere:
 * a scale-down, or an object left down (in downtime, or outside both periods), which kube-downscaler
 * brings back up while such a pod runs.
 */
export const podsCouldMatter = (judged: {resolution: PolicyResolution; decision: DownscalerDecision}): boolean =>
  judged.resolution.policy?.forceUptime === undefined &&
  (judged.decision.action === 'down' ||
    (judged.decision.action === 'none' && ['downtime', 'ignore', 'grace'].includes(judged.decision.code)))

/**
 * The fields a decision changes on an object of this kind: replicas through the scale subresource,
 * a CronJob's or Job's suspend flag, a DaemonSet's nodeSelector, an HPA's minReplicas, with `downscaler/original-replicas` set on the way
 * down and removed on the way up (with the annotations older finops versions wrote).
 */
export function scheduleFields(
  kind: SchedulableKind,
  decision: Extract<DownscalerDecision, {action: 'down' | 'up' | 'forget'}>,
  live: WorkloadObject,
): FieldSet {
  const annotations: Record<string, string | null> = {
    [DOWNSCALER_ANNOTATIONS.originalReplicas]: decision.action === 'down' ? String(decision.original) : null,
  }
  const present = live.metadata?.annotations ?? {}
  if (decision.action !== 'down' && present[FINOPS_ANNOTATIONS.downtimeSchedule] !== undefined) {
    annotations[FINOPS_ANNOTATIONS.originalReplicas] = null
    annotations[FINOPS_ANNOTATIONS.downtimeSchedule] = null
  }
  if (decision.action === 'forget') return {annotations}
  const count = decision.replicas
  if (kind === 'CronJob' || kind === 'Job') return {suspend: count === 0, annotations}
  if (kind === 'DaemonSet') {
    const {[DAEMONSET_SUSPEND_SELECTOR]: _suspended, ...others} = live.spec?.template?.spec?.nodeSelector ?? {}
    return {nodeSelector: count === 0 ? {...others, [DAEMONSET_SUSPEND_SELECTOR]: 'true'} : others, annotations}
  }
  if (kind === 'HorizontalPodAutoscaler') return {minReplicas: count, annotations}
  return {replicas: count, annotations}
}
