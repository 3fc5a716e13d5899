import type {ActionRecord, ActionStatus, FieldSet, PlannedAction} from '../model/action.js'
import type {Db} from './open.js'

/**
 * The apply journal. `insertPending` is called BEFORE the cluster is touched, so a crash at any
 * point after it leaves a row whose before-state a rollback can restore.
 */
interface Row {
  id: string
  run_id: string
  kind: string
  namespace: string
  workload_kind: string
  workload_name: string
  container: string | null
  recommendation_id: string | null
  restores_action_id: string | null
  schedule: string | null
  reason: string
  identity: string
  before_state: string
  after_state: string
  resource_version: string | null
  status: string
  error: string | null
  attempts: number
  monthly_savings: number | null
  currency: string | null
  created_at: string
  finished_at: string | null
  rolled_back_at: string | null
}

export function insertPending(
  db: Db,
  entry: {id: string; runId: string; identity: string; action: PlannedAction; at: string},
): void {
  const {action} = entry
  db.prepare(
    `INSERT INTO apply_actions (id, run_id, kind, namespace, workload_kind, workload_name, container, recommendation_id,
      restores_action_id, schedule, reason, identity, before_state, after_state, resource_version, status, attempts, monthly_savings, currency, created_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?)`,
  ).run(
    entry.id,
    entry.runId,
    action.kind,
    action.target.namespace,
    action.target.kind,
    action.target.name,
    action.target.container ?? null,
    action.recommendationId ?? null,
    action.restoresActionId ?? null,
    action.schedule ?? null,
    action.reason,
    entry.identity,
    JSON.stringify(action.before),
    JSON.stringify(action.after),
    action.resourceVersion ?? null,
    action.monthlySavings ?? null,
    action.currency ?? null,
    entry.at,
  )
}

/** A re-plan after a resourceVersion conflict: the journal follows the new plan before it is sent. */
export function updatePlan(
  db: Db,
  id: string,
  plan: {before: FieldSet; after: FieldSet; resourceVersion?: string},
): void {
  db.prepare(
    'UPDATE apply_actions SET before_state = ?, after_state = ?, resource_version = ?, attempts = attempts + 1 WHERE id = ?',
  ).run(JSON.stringify(plan.before), JSON.stringify(plan.after), plan.resourceVersion ?? null, id)
}

/** A status-only update moved the object's resourceVersion: the plan stands, against the new version. */
export function updateResourceVersion(db: Db, id: string, resourceVersion: string | undefined): void {
  db.prepare('UPDATE apply_actions SET resource_version = ? WHERE id = ?').run(resourceVersion ?? null, id)
}

export function markFinished(
  db: Db,
  id: string,
  status: Exclude<ActionStatus, 'pending' | 'rolled-back'>,
  at: string,
  error?: string,
): void {
  db.prepare('UPDATE apply_actions SET status = ?, error = ?, finished_at = ? WHERE id = ?').run(
    status,
    error ?? null,
    at,
    id,
  )
}

export function markRolledBack(db: Db, id: string, at: string, note?: string): void {
  db.prepare(
    `UPDATE apply_actions SET status = 'rolled-back', rolled_back_at = ?, error = COALESCE(?, error) WHERE id = ?`,
  ).run(at, note ?? null, id)
}

export function getAction(db: Db, id: string): ActionRecord | undefined {
  const row = db.prepare('SELECT * FROM apply_actions WHERE id = ?').get(id) as Row | undefined
  return row && toRecord(row)
}

export interface ActionFilter {
  runId?: string
  namespace?: string
  status?: ActionStatus
  kind?: string
  limit?: number
}

/** Newest first. */
export function listActions(db: Db, filter: ActionFilter = {}): ActionRecord[] {
  const where: string[] = []
  const params: (string | number)[] = []
  const equal = {run_id: filter.runId, namespace: filter.namespace, status: filter.status, kind: filter.kind}
  for (const [column, value] of Object.entries(equal)) {
    if (!value) continue
    where.push(`${column} = ?`)
    params.push(value)
  }
  const sql =
    `SELECT * FROM apply_actions ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, rowid ` +
    `DESC${filter.limit ? ' LIMIT ?' : ''}`
  if (filter.limit) params.push(filter.limit)
  return (db.prepare(sql).all(...params) as Row[]).map(toRecord)
}

export const pendingActions = (db: Db): ActionRecord[] => listActions(db, {status: 'pending'}).reverse()

/**
 * Scale-downs still in effect: applied, not rolled back, and not undone by an applied restore.
 * Keyed by namespace/kind/name; the newest wins.
 */
export function openScaleDowns(db: Db): Map<string, ActionRecord> {
  const rows = db
    .prepare(
      `SELECT * FROM apply_actions a WHERE a.kind = 'scale-down' AND a.status = 'applied'
      AND NOT EXISTS (SELECT 1 FROM apply_actions r WHERE r.kind = 'restore' AND r.status = 'applied'
        AND r.namespace = a.namespace AND r.workload_kind = a.workload_kind AND r.workload_name = a.workload_name
        AND (r.restores_action_id = a.id OR r.created_at > a.created_at))
    ORDER BY created_at, rowid`,
    )
    .all() as Row[]
  const out = new Map<string, ActionRecord>()
  for (const row of rows)
    out.set(targetKey({namespace: row.namespace, kind: row.workload_kind, name: row.workload_name}), toRecord(row))
  return out
}

export const targetKey = (t: {namespace: string; kind: string; name: string}): string =>
  `${t.namespace}/${t.kind}/${t.name}`

/** A container of a workload or pod: namespace/kind/name:container. */
export const containerKey = (t: {namespace: string; kind: string; name: string; container?: string}): string =>
  `${targetKey(t)}:${t.container ?? ''}`

/**
 * The containers whose latest rightsize action is applied (not rolled back, not failed): the user
 * accepted that rightsizing, so its hour-of-day CPU schedule may be set on the running pods.
 */
export function appliedRightsizes(db: Db): Set<string> {
  const rows = db
    .prepare(
      `SELECT namespace, workload_kind, workload_name, container, status FROM apply_actions
       WHERE kind = 'rightsize' AND container IS NOT NULL ORDER BY created_at, rowid`,
    )
    .all() as Pick<Row, 'namespace' | 'workload_kind' | 'workload_name' | 'container' | 'status'>[]
  const latest = new Map<string, string>()
  for (const r of rows)
    latest.set(
      containerKey({namespace: r.namespace, kind: r.workload_kind, name: r.workload_name, container: r.container!}),
      r.status,
    )
  return new Set([...latest].filter(([, status]) => status === 'applied').map(([key]) => key))
}

/**
 * Pod resizes journaled at or after `since` (any outcome but superseded), keyed by containerKey of the
 * pod, with the newest time: a pod is resized at most once an hour.
 */
export function podResizesSince(db: Db, since: string): Map<string, string> {
  const rows = db
    .prepare(
      `SELECT namespace, workload_name, container, created_at FROM apply_actions
       WHERE kind = 'resize' AND workload_kind = 'Pod' AND created_at >= ? AND status != 'superseded'
       ORDER BY created_at, rowid`,
    )
    .all(since) as Pick<Row, 'namespace' | 'workload_name' | 'container' | 'created_at'>[]
  return new Map(
    rows.map((r) => [
      containerKey({namespace: r.namespace, kind: 'Pod', name: r.workload_name, container: r.container ?? ''}),
      r.created_at,
    ]),
  )
}

function toRecord(row: Row): ActionRecord {
  return {
    id: row.id,
    runId: row.run_id,
    kind: row.kind as ActionRecord['kind'],
    target: {
      namespace: row.namespace,
      kind: row.workload_kind,
      name: row.workload_name,
      ...(row.container ? {container: row.container} : {}),
    },
    recommendationId: row.recommendation_id ?? undefined,
    restoresActionId: row.restores_action_id ?? undefined,
    schedule: row.schedule ?? undefined,
    identity: row.identity,
    before: JSON.parse(row.before_state) as FieldSet,
    after: JSON.parse(row.after_state) as FieldSet,
    resourceVersion: row.resource_version ?? undefined,
    status: row.status as ActionStatus,
    error: row.error ?? undefined,
    attempts: row.attempts,
    monthlySavings: row.monthly_savings ?? undefined,
    currency: row.currency ?? undefined,
    reason: row.reason,
    createdAt: row.created_at,
    finishedAt: row.finished_at ?? undefined,
    rolledBackAt: row.rolled_back_at ?? undefined,
  }
}
