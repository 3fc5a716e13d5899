import type {Db} from './open.js'

/** Where a cloud collector got to for one scope (account, Azure scope, BigQuery table). */
export interface Watermark {
  source: string
  scope: string
  /** Last day the latest successful run collected (YYYY-MM-DD). */
  collectedThrough: string
  /** Days up to here are settled: before the restatement window and before the current month. */
  finalThrough: string
  lastRunAt: string
  lastRequests: number
}

export function getWatermark(db: Db, source: string, scope: string): Watermark | undefined {
  const row = db
    .prepare(
      `SELECT source, scope, collected_through AS collectedThrough, final_through AS finalThrough,
    last_run_at AS lastRunAt, last_requests AS lastRequests FROM collector_watermarks WHERE source = ? AND scope = ?`,
    )
    .get(source, scope)
  return row as Watermark | undefined
}

/**
 * Records a successful run. A run over an older explicit window (--from/--to) never moves the
 * watermark backwards, so the next incremental run still starts from where collection got to.
 */
export function saveWatermark(db: Db, mark: Watermark): void {
  db.prepare(
    `INSERT INTO collector_watermarks (source, scope, collected_through, final_through, last_run_at, last_requests)
    VALUES (@source, @scope, @collectedThrough, @finalThrough, @lastRunAt, @lastRequests)
    ON CONFLICT (source, scope) DO UPDATE SET
      collected_through = MAX(collected_through, excluded.collected_through),
      final_through = MAX(final_through, excluded.final_through),
      last_run_at = excluded.last_run_at, last_requests = excluded.last_requests`,
  ).run(mark)
}
