import type {CostFilter, Metric} from '../model/cost.js'
import {AMOUNT_SQL_COLUMNS, amountSql} from './amounts.js'
import {keySqlParts} from './cost-queries.js'
import {dayNumber, dayText} from './day-numbers.js'
import type {Db} from './open.js'

/** What a cost detail breaks a grain key's day down by. */
export type CostDetailKind = 'usage-type' | 'resource'
const KIND_CODE: Record<CostDetailKind, number> = {'usage-type': 0, resource: 1}

/**
 * Values kept per key, day and kind; the rest are summed under ''. Enough to name what drove a
 * change (the top contributors), while a bill with thousands of resources per service keeps one
 * row per key and day for its small ones.
 */
export const DETAIL_VALUES_KEPT = 20

/** Writes cost details inside the cost writer's transaction (see migrations/cost-details.ts). */
export interface CostDetailWriter {
  /** Upserts one detail (same key, period, day, kind and value: summed); amounts as in CostWriter.insertGroup. */
  add(
    keyId: number,
    billingPeriod: number,
    day: number,
    kind: CostDetailKind,
    value: string,
    label: string,
    amounts: ArrayLike<number>,
  ): void
  /** Deletes the details of these keys in a billing period or a day range (a scope being replaced). */
  clear(keyIds: readonly number[], range: {billingPeriod: number} | {from: number; to: number}): void
  /** Folds every key written to down to its largest DETAIL_VALUES_KEPT values per day and kind. */
  finish(): void
}

const KEY = 'key_id, billing_period, day, kind, value'

export function openCostDetailWriter(db: Db): CostDetailWriter {
  const upsert = db.prepare(`INSERT INTO cost_details (${KEY}, label, ${AMOUNT_SQL_COLUMNS.join(', ')})
    VALUES (?, ?, ?, ?, ?, ?, ${AMOUNT_SQL_COLUMNS.map(() => '?').join(', ')})
    ON CONFLICT DO UPDATE SET ${AMOUNT_SQL_COLUMNS.map((c) => `${c} = ${c} + excluded.${c}`).join(', ')}`)
  const clearPeriod = db.prepare('DELETE FROM cost_details WHERE key_id = ? AND billing_period = ?')
  const clearDays = db.prepare('DELETE FROM cost_details WHERE key_id = ? AND day BETWEEN ? AND ?')
  const touched = new Set<number>()
  const values = new Array<number>(AMOUNT_SQL_COLUMNS.length)
  return {
    add(keyId, billingPeriod, day, kind, value, label, amounts) {
      for (let i = 0; i < values.length; i++) values[i] = amounts[i]!
      upsert.run(keyId, billingPeriod, day, KIND_CODE[kind], value, label, ...values)
      touched.add(keyId)
    },
    clear(keyIds, range) {
      for (const id of keyIds)
        if ('billingPeriod' in range) clearPeriod.run(id, range.billingPeriod)
        else clearDays.run(id, range.from, range.to)
    },
    finish() {
      if (touched.size > 0) foldDetails(db, [...touched])
      touched.clear()
    },
  }
}

/** Sums each key's values beyond the largest DETAIL_VALUES_KEPT of a day and kind (by effective cost) under ''. */
function foldDetails(db: Db, keyIds: readonly number[]): void {
  db.exec(`CREATE TEMP TABLE IF NOT EXISTS cost_details_fold (
    key_id INTEGER, billing_period INTEGER, day INTEGER, kind INTEGER, value TEXT,
    PRIMARY KEY (key_id, billing_period, day, kind, value)) WITHOUT ROWID`)
  // Only the days with more values than are kept are ranked: a count over the key's rows in key
  // order finds them without sorting, and most days (all of them when DuckDB already ranked the
  // values, as for FOCUS resources) have no more than DETAIL_VALUES_KEPT.
  const select = db.prepare(`INSERT INTO cost_details_fold SELECT ${KEY} FROM (
      SELECT d.key_id, d.billing_period, d.day, d.kind, d.value, row_number() OVER (
          PARTITION BY d.key_id, d.billing_period, d.day, d.kind
          ORDER BY abs(d.effective_units + d.effective_nanos / 1e9) DESC, d.value) AS rank
      FROM (SELECT billing_period, day, kind FROM cost_details WHERE key_id = @key AND value <> ''
          GROUP BY billing_period, day, kind HAVING count(*) > ${DETAIL_VALUES_KEPT}) crowded
        JOIN cost_details d ON d.key_id = @key AND d.billing_period = crowded.billing_period
          AND d.day = crowded.day AND d.kind = crowded.kind AND d.value <> '')
    WHERE rank > ${DETAIL_VALUES_KEPT}`)
  db.exec('DELETE FROM cost_details_fold')
  for (const id of keyIds) select.run({key: id})
  db.exec(`INSERT INTO cost_details (${KEY}, label, ${AMOUNT_SQL_COLUMNS.join(', ')})
      SELECT d.key_id, d.billing_period, d.day, d.kind, '', '', ${AMOUNT_SQL_COLUMNS.map((c) => `SUM(d.${c})`).join(', ')}
      FROM cost_details d JOIN cost_details_fold f USING (${KEY}) GROUP BY d.key_id, d.billing_period, d.day, d.kind
    ON CONFLICT DO UPDATE SET ${AMOUNT_SQL_COLUMNS.map((c) => `${c} = ${c} + excluded.${c}`).join(', ')};
    DELETE FROM cost_details WHERE (${KEY}) IN (SELECT ${KEY} FROM cost_details_fold);
    DELETE FROM cost_details_fold;`)
}

export interface CostDetailQuery {
  from: string
  to: string
  kind: CostDetailKind
  /** Filters on built-in dimensions only: details carry no tags. */
  filters: readonly CostFilter[]
  metric: Metric
}

/** One value's cost on one day ('' is the rest of the key's day, beyond the values kept). */
export interface CostDetailPoint {
  value: string
  label: string
  currency: string
  day: string
  cost: number
}

/**
 * Daily cost by usage type or resource over [from, to] for the rows the filters select; undefined
 * when a filter is on a tag (details carry none, so they cannot answer it).
 */
export function queryCostDetails(db: Db, query: CostDetailQuery): CostDetailPoint[] | undefined {
  if (query.filters.some((f) => f.key.kind === 'tag')) return undefined
  const parts = keySqlParts(db, 'tag_set_id', [], query.filters)
  const units = `${query.metric}_units`
  const nanos = `${query.metric}_nanos`
  const rows = db
    .prepare(
      `SELECT r.value, max(r.label), k.currency, r.day, ${amountSql(`SUM(r.${units})`, `SUM(r.${nanos})`)}
       FROM cost_details r JOIN cost_keys k ON k.id = r.key_id
       WHERE r.kind = ? AND r.day BETWEEN ? AND ?${parts.where.map((w) => ` AND ${w}`).join('')}
       GROUP BY r.value, k.currency, r.day`,
    )
    .raw()
    .all(KIND_CODE[query.kind], dayNumber(query.from), dayNumber(query.to), ...parts.whereParams) as [
    string,
    string,
    string,
    number,
    number,
  ][]
  return rows.map(([value, label, currency, day, cost]) => ({value, label, currency, day: dayText(day), cost}))
}
