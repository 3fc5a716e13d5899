import {z} from 'zod'

import {APPLY_KINDS} from '../../recommenders/registry.js'
import {type ActionKind, ACTION_STATUSES} from '../model/action.js'

/** The kinds of change the journal records: every kind apply can make, the end-of-window restore and the pod resize. */
export const ACTION_KINDS = [...APPLY_KINDS, 'restore', 'resize'] as [ActionKind, ...ActionKind[]]

/**
 * The --json contracts of `finops apply`, `finops rollback` and `finops actions list`, published as
 * JSON Schemas in docs/schemas (test/apply/schemas.test.ts keeps them in sync) and used by the
 * CLI tests to validate real output.
 */
const target = z.strictObject({
  namespace: z.string(),
  kind: z.string(),
  name: z.string(),
  container: z.string().optional(),
})

const toleration = z.strictObject({
  key: z.string().optional(),
  operator: z.string().optional(),
  value: z.string().optional(),
  effect: z.string().optional(),
  tolerationSeconds: z.number().optional(),
})

/** Only the fields the action changes; an annotation whose value is null is absent. */
export const fieldSetSchema = z.strictObject({
  replicas: z.number().int().min(0).optional(),
  suspend: z.boolean().optional().describe("a CronJob's spec.suspend"),
  minReplicas: z.number().int().min(1).optional().describe("a HorizontalPodAutoscaler's spec.minReplicas"),
  annotations: z.record(z.string(), z.string().nullable()).optional(),
  container: z
    .strictObject({
      name: z.string(),
      requests: z.record(z.string(), z.string()),
      limits: z.record(z.string(), z.string()),
    })
    .optional(),
  nodeSelector: z.record(z.string(), z.string()).optional(),
  tolerations: z.array(toleration).optional(),
})

const actionKind = z.enum(ACTION_KINDS)
const actionStatus = z.enum(ACTION_STATUSES)

const planned = {
  kind: actionKind,
  target,
  before: fieldSetSchema,
  after: fieldSetSchema,
  resourceVersion: z.string().optional(),
  recommendationId: z.string().optional(),
  restoresActionId: z.string().optional(),
  schedule: z.string().optional(),
  monthlySavings: z.number().optional(),
  currency: z.string().optional(),
  risk: z.enum(['low', 'medium', 'high']).optional(),
  reason: z.string(),
}

export const applySchema = z.strictObject({
  runId: z.string(),
  mode: z.enum(['dry-run', 'enforce']),
  identity: z.string(),
  actions: z.array(
    z.strictObject({
      ...planned,
      id: z.string().optional(),
      status: z.union([actionStatus, z.literal('planned')]),
      error: z.string().optional(),
    }),
  ),
  skipped: z.array(z.strictObject({kind: actionKind, target, code: z.string(), reason: z.string()})),
  recovered: z.array(z.strictObject({id: z.string(), status: actionStatus, note: z.string()})),
  notes: z.array(z.string()),
  summary: z.strictObject({
    planned: z.number().int(),
    applied: z.number().int(),
    failed: z.number().int(),
    skipped: z.number().int(),
    monthlySavingsApplied: z.number(),
  }),
})

export const actionsListSchema = z.strictObject({
  actions: z.array(
    z.strictObject({
      ...planned,
      id: z.string(),
      runId: z.string(),
      identity: z.string(),
      status: actionStatus,
      error: z.string().optional(),
      attempts: z.number().int(),
      createdAt: z.string(),
      finishedAt: z.string().optional(),
      rolledBackAt: z.string().optional(),
    }),
  ),
})

export const rollbackSchema = z.strictObject({
  target: z.string(),
  mode: z.enum(['dry-run', 'enforce']),
  results: z.array(
    z.strictObject({
      id: z.string(),
      kind: actionKind,
      target,
      current: fieldSetSchema.optional(),
      restore: fieldSetSchema,
      status: z.enum(['planned', 'rolled-back', 'already', 'skipped', 'failed']),
      reason: z.string().optional(),
    }),
  ),
  summary: z.strictObject({rolledBack: z.number().int(), skipped: z.number().int(), failed: z.number().int()}),
})
