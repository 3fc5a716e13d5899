import {notFoundError} from '../errors.js'
import {getAction, listActions, markRolledBack} from '../store/actions.js'
import type {Db} from '../store/open.js'
import {ConflictError, type WorkloadCluster} from './cluster.js'
import {canonical, changedKeys, extractFields} from './fields.js'
import {messageOf} from './execute.js'
import {stamp} from './identity.js'
import type {ActionRecord, FieldSet} from '../model/action.js'

export interface RollbackOptions {
  enforce: boolean
  /** Restore even when the live state has drifted from what apply left. */
  force: boolean
  conflictRetries: number
}

export interface RollbackResult {
  id: string
  kind: ActionRecord['kind']
  target: ActionRecord['target']
  /** The live fields now, and the before-state that is (or would be) written back. */
  current?: FieldSet
  restore: FieldSet
  status: 'planned' | 'rolled-back' | 'already' | 'skipped' | 'failed'
  reason?: string
}

export interface RollbackReport {
  target: string
  mode: 'dry-run' | 'enforce'
  results: RollbackResult[]
  summary: {rolledBack: number; skipped: number; failed: number}
}

const ROLLBACK_STATUSES = new Set(['applied', 'pending', 'failed'])

/** The journal rows a rollback target names: one action, or every action of a run, newest first. */
export function resolveRollbackTarget(db: Db, idOrRun: string): ActionRecord[] {
  const single = getAction(db, idOrRun)
  if (single) return [single]
  const run = listActions(db, {runId: idOrRun})
  if (run.length === 0) throw notFoundError(`no action or run with id ${idOrRun}`, 'see finops actions list for ids')
  return run
}

/**
 * Writes each action's before-state back, newest first (so stacked changes unwind in order). A
 * workload that drifted from both before and after since apply is left alone unless forced: a
 * rollback must not clobber someone else's later change.
 */
export async function rollbackActions(
  db: Db,
  cluster: WorkloadCluster,
  idOrRun: string,
  options: RollbackOptions,
): Promise<RollbackReport> {
  const rows = resolveRollbackTarget(db, idOrRun)
  const results: RollbackResult[] = []
  for (const row of rows) {
    const base = {id: row.id, kind: row.kind, target: row.target, restore: row.before}
    if (!ROLLBACK_STATUSES.has(row.status)) {
      results.push({...base, status: 'skipped', reason: `status is ${row.status}`})
      continue
    }
    results.push(await rollbackOne(db, cluster, row, options, base))
  }
  return {
    target: idOrRun,
    mode: options.enforce ? 'enforce' : 'dry-run',
    results,
    summary: {
      rolledBack: results.filter((r) => r.status === 'rolled-back' || r.status === 'already').length,
      skipped: results.filter((r) => r.status === 'skipped').length,
      failed: results.filter((r) => r.status === 'failed').length,
    },
  }
}

async function rollbackOne(
  db: Db,
  cluster: WorkloadCluster,
  row: ActionRecord,
  options: RollbackOptions,
  base: Omit<RollbackResult, 'status'>,
): Promise<RollbackResult> {
  for (let attempt = 0; ; attempt++) {
    try {
      const live = await cluster.readWorkload(row.target)
      if (!live) return {...base, status: 'failed', reason: 'the workload no longer exists'}
      const current = extractFields(live, row.before)
      if (canonical(current) === canonical(row.before)) {
        if (options.enforce)
          markRolledBack(db, row.id, stamp(), row.status === 'applied' ? undefined : 'nothing had changed')
        return {...base, current, status: 'already', reason: 'the live state already equals the before-state'}
      }
      const drifted = changedKeys(row.before, current).filter((k) => canonical(current[k]) !== canonical(row.after[k]))
      if (drifted.length > 0 && !options.force) {
        return {
          ...base,
          current,
          status: 'skipped',
          reason: `changed since apply (${drifted.join(', ')}); use --force to restore anyway`,
        }
      }
      if (!options.enforce) return {...base, current, status: 'planned'}
      await cluster.writeFields(row.target, live, row.before)
      markRolledBack(db, row.id, stamp())
      return {...base, current, status: 'rolled-back'}
    } catch (error) {
      if (error instanceof ConflictError && attempt < options.conflictRetries) continue
      return {...base, status: 'failed', reason: messageOf(error)}
    }
  }
}
