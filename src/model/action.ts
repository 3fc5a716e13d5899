import type {ApplyKind} from '../../recommenders/registry.js'
import type {RiskLevel} from './recommendation.js'

/**
 * The kinds of change recorded in the journal: the configurable kinds, the end-of-window restore, and
 * the in-place resize of one running pod's CPU request to the hour's value of its schedule.
 */
export type ActionKind = ApplyKind | 'restore' | 'resize'

/** Journal states of an action. */
export const ACTION_STATUSES = ['pending', 'applied', 'failed', 'superseded', 'rolled-back'] as const

/**
 * The workload kinds rightsizing, spot migration and idle scale-down change (both have the scale
 * subresource and a pod template). Schedules (kube-downscaler annotations) also scale CronJobs,
 * HorizontalPodAutoscalers and Argo Rollouts: see SCHEDULABLE_KINDS in src/k8s/downscaler.ts.
 */
export const APPLICABLE_KINDS = ['Deployment', 'StatefulSet'] as const

export interface WorkloadRef {
  namespace: string
  kind: string
  name: string
}

export interface Toleration {
  key?: string
  operator?: string
  value?: string
  effect?: string
  tolerationSeconds?: number
}

/** One container's requests and limits as Kubernetes quantities ({} when unset). */
export interface ContainerResources {
  name: string
  requests: Record<string, string>
  limits: Record<string, string>
}

/**
 * The fields one action changes, read from or written to a workload. An action's before and after
 * hold the same keys, so a rollback writes back exactly what the journal saw. An annotation whose
 * value is null is absent.
 */
export interface FieldSet {
  /** spec.replicas (Deployment, StatefulSet, Rollout), changed through the scale subresource. */
  replicas?: number
  /** A CronJob's spec.suspend (absent = false). */
  suspend?: boolean
  /** A HorizontalPodAutoscaler's spec.minReplicas (absent = 1). */
  minReplicas?: number
  annotations?: Record<string, string | null>
  container?: ContainerResources
  /** The pod template's whole nodeSelector ({} when none). */
  nodeSelector?: Record<string, string>
  /** The pod template's whole toleration list ([] when none). */
  tolerations?: Toleration[]
}

/** A change apply intends to make, or made. */
export interface PlannedAction {
  kind: ActionKind
  target: WorkloadRef & {container?: string}
  before: FieldSet
  after: FieldSet
  resourceVersion?: string
  recommendationId?: string
  restoresActionId?: string
  schedule?: string
  monthlySavings?: number
  currency?: string
  risk?: RiskLevel
  /** Why: the recommendation's gist or the window that ended. */
  reason: string
}

/** A candidate that apply did not act on: a guardrail, a missing target, the cap, or nothing to do. */
export interface SkippedAction {
  kind: ActionKind
  target: WorkloadRef & {container?: string}
  reason: string
  /** Stable code for scripts: excluded, gitops, hpa, pdb, floor, cap, risk, opt-in, unsupported, not-found, noop, ... */
  code: string
}

export type ActionStatus = (typeof ACTION_STATUSES)[number]

/** A journal row as listed by `finops actions list`. */
export interface ActionRecord extends PlannedAction {
  id: string
  runId: string
  identity: string
  status: ActionStatus
  error?: string
  attempts: number
  createdAt: string
  finishedAt?: string
  rolledBackAt?: string
}

/**
 * Finops's own annotations on workloads. Scheduled scale-downs record their original count in
 * kube-downscaler's `downscaler/original-replicas` (so either tool restores the other's); these are
 * for finops's own idle scale-downs, which no schedule undoes.
 */
export const FINOPS_ANNOTATIONS = {
  /** Replicas before an idle scale-down: the restore source for a rollback when the store is lost. */
  originalReplicas: 'finops.io/original-replicas',
  /** Written with the original count by finops versions that kept scheduled scale-downs apart; read to restore them. */
  downtimeSchedule: 'finops.io/downtime-schedule',
  /** "true" on a workload or namespace: never touch. */
  exclude: 'finops.io/exclude',
  /** "true" on a namespace: opt in to spot migration. */
  spot: 'finops.io/spot',
} as const
