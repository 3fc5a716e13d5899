import {
  targetColumns,
  type Recommendation,
  type RecommendationKind,
  type SkippedRecommendation,
} from '../model/recommendation.js'
import type {Db} from './open.js'
import {roundMoney} from '../money.js'

/** What a recommend run computed: its scope decides which stored rows it replaces. */
export interface RecommendationRunInput {
  kinds: readonly RecommendationKind[]
  /** Namespaces the run was limited to; empty = all. */
  namespaces: readonly string[]
  /** Set when the run was limited to these workloads (a label selector): only their rows are replaced. */
  workloads?: readonly {cluster: string; namespace: string; kind: string; name: string}[]
  windowStart?: string
  windowEnd?: string
  currency: string
  recommendations: readonly Recommendation[]
  skipped: readonly SkippedRecommendation[]
  createdAt?: string
}

/**
 * Replaces the stored recommendations (and skips) of the run's kinds and namespaces with this run's,
 * in one transaction: `finops apply` always plans from the latest complete set, and a failure leaves
 * the previous one.
 */
export function saveRecommendations(db: Db, run: RecommendationRunInput): number {
  const scoped = run.namespaces.length > 0
  const kindList = run.kinds.map(() => '?').join(', ')
  const nsList = run.namespaces.map(() => '?').join(', ')
  const scope = `kind IN (${kindList})${scoped ? ` AND namespace IN (${nsList})` : ''}`
  const params = [...run.kinds, ...run.namespaces]
  const insertRec =
    db.prepare(`INSERT OR REPLACE INTO recommendations (id, run_id, kind, cluster, namespace, target_kind, name, container, monthly_savings, risk, doc)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
  const insertSkip =
    db.prepare(`INSERT INTO recommendation_skips (run_id, kind, cluster, namespace, target_kind, name, container, reason)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
  return db
    .transaction((): number => {
      if (run.workloads) {
        const byTarget = `${scope} AND cluster = ? AND namespace = ? AND target_kind = ? AND name = ?`
        const deleteRecs = db.prepare(`DELETE FROM recommendations WHERE ${byTarget}`)
        const deleteSkips = db.prepare(`DELETE FROM recommendation_skips WHERE ${byTarget}`)
        for (const w of run.workloads) {
          deleteRecs.run(...params, w.cluster, w.namespace, w.kind, w.name)
          deleteSkips.run(...params, w.cluster, w.namespace, w.kind, w.name)
        }
      } else {
        db.prepare(`DELETE FROM recommendations WHERE ${scope}`).run(...params)
        db.prepare(`DELETE FROM recommendation_skips WHERE ${scope}`).run(...params)
      }
      const total = roundMoney(run.recommendations.reduce((s, r) => s + r.monthlySavings, 0))
      const runId = Number(
        db
          .prepare(
            `INSERT INTO recommendation_runs (created_at, kinds, namespaces, window_start, window_end, recommendations, skipped, \
total_monthly_savings, currency)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(
            run.createdAt ?? new Date().toISOString(),
            JSON.stringify(run.kinds),
            JSON.stringify(run.namespaces),
            run.windowStart ?? null,
            run.windowEnd ?? null,
            run.recommendations.length,
            run.skipped.length,
            total,
            run.currency,
          ).lastInsertRowid,
      )
      for (const r of run.recommendations) {
        insertRec.run(
          r.id,
          runId,
          r.kind,
          ...targetColumns(r.target),
          r.monthlySavings,
          r.risk.level,
          JSON.stringify(r),
        )
      }
      for (const s of run.skipped) {
        insertSkip.run(runId, s.kind, ...targetColumns(s.target), s.reason)
      }
      return runId
    })
    .immediate()
}

export interface RecommendationQuery {
  kinds?: readonly RecommendationKind[]
  namespaces?: readonly string[]
  ids?: readonly string[]
}

/** A WHERE clause keeping rows whose column is in each given list ('' when no list has values). */
function inFilters(filters: readonly (readonly [string, readonly string[] | undefined])[]): {
  where: string
  params: string[]
} {
  const where: string[] = []
  const params: string[] = []
  for (const [column, values] of filters) {
    if (!values || values.length === 0) continue
    where.push(`${column} IN (${values.map(() => '?').join(', ')})`)
    params.push(...values)
  }
  return {where: where.length > 0 ? `WHERE ${where.join(' AND ')}` : '', params}
}

/** The stored (latest) recommendations, largest monthly savings first. */
export function listRecommendations(db: Db, query: RecommendationQuery = {}): Recommendation[] {
  const {where, params} = inFilters([
    ['kind', query.kinds],
    ['namespace', query.namespaces],
    ['id', query.ids],
  ])
  const rows = db
    .prepare(
      `SELECT doc FROM recommendations ${where}
    ORDER BY monthly_savings DESC, id`,
    )
    .pluck()
    .all(...params) as string[]
  return rows.map((doc) => JSON.parse(doc) as Recommendation)
}

/** One stored recommendation by id, or undefined. */
export function getRecommendation(db: Db, id: string): Recommendation | undefined {
  const doc = db.prepare('SELECT doc FROM recommendations WHERE id = ?').pluck().get(id) as string | undefined
  return doc === undefined ? undefined : (JSON.parse(doc) as Recommendation)
}

/** The stored skips with their reasons. */
export function listSkipped(db: Db, query: Omit<RecommendationQuery, 'ids'> = {}): SkippedRecommendation[] {
  const {where, params} = inFilters([
    ['kind', query.kinds],
    ['namespace', query.namespaces],
  ])
  const rows = db
    .prepare(
      `SELECT kind, cluster, namespace, target_kind, name, container, reason FROM recommendation_skips
    ${where} ORDER BY kind, cluster, namespace, target_kind, name, container`,
    )
    .all(...params) as {
    kind: RecommendationKind
    cluster: string
    namespace: string
    target_kind: string
    name: string
    container: string
    reason: string
  }[]
  return rows.map((r) => ({
    kind: r.kind,
    reason: r.reason,
    target: {
      ...(r.cluster ? {cluster: r.cluster} : {}),
      namespace: r.namespace,
      kind: r.target_kind,
      name: r.name,
      ...(r.container ? {container: r.container} : {}),
    },
  }))
}

/** When recommendations were last computed, or undefined if never. */
export function lastRecommendationRun(
  db: Db,
): {id: number; createdAt: string; windowStart?: string; windowEnd?: string} | undefined {
  const row = db
    .prepare('SELECT id, created_at, window_start, window_end FROM recommendation_runs ORDER BY id DESC LIMIT 1')
    .get() as {id: number; created_at: string; window_start: string | null; window_end: string | null} | undefined
  return row
    ? {
        id: row.id,
        createdAt: row.created_at,
        windowStart: row.window_start ?? undefined,
        windowEnd: row.window_end ?? undefined,
      }
    : undefined
}
