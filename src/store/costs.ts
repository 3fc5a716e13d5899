import type {CostFilter, GroupKey, Metric} from '../model/cost.js'
import {type CostQueryPath, planCostQuery, storedDayRange} from './cost-queries.js'
import {dayText} from './day-numbers.js'
import type {Db} from './open.js'

export {
  type CostImportRecord,
  type CostScope,
  type CostWriter,
  openCostWriter,
  replaceCosts,
  type ReplaceCostsResult,
} from './cost-writer.js'

export interface CostSeriesQuery {
  from: string
  to: string
  groupBy: readonly GroupKey[]
  filters: readonly CostFilter[]
  metric: Metric
}

/** One day's cost for one group: `keys` follow the query's groupBy order. */
export interface CostSeriesPoint {
  keys: string[]
  currency: string
  day: string
  cost: number
}

/**
 * Daily cost per group and currency over [from, to]; currencies are never summed together. Answered
 * from the narrowest summary that holds the query's keys (see cost-queries.ts); `path` forces one,
 * e.g. the scan of every rollup row that tests compare the summaries with.
 */
export function queryDailyCosts(db: Db, query: CostSeriesQuery, path?: CostQueryPath): CostSeriesPoint[] {
  const plan = planCostQuery(db, query, path)
  const rows = plan.run()
  const n = plan.keys
  return rows.map((r) => ({
    keys: r.slice(0, n).map(String),
    currency: String(r[n]),
    day: dayText(Number(r[n + 1])),
    cost: Number(r[n + 2]),
  }))
}

/**
 * The same daily costs as queryDailyCosts, as the query returns them: per row the `keyCount` key
 * values, then the currency, the day number (days since 1970-01-01) and the cost. A year of a
 * per-resource tag is ~100,000 rows; a report that folds them straight into its rows skips an
 * object and a day string per point, which was most of its time.
 */
export interface DailyCostRows {
  keyCount: number
  rows: readonly (readonly unknown[])[]
}

/** queryDailyCosts without a JS object per point (see DailyCostRows). */
export function queryDailyCostRows(db: Db, query: CostSeriesQuery, path?: CostQueryPath): DailyCostRows {
  const plan = planCostQuery(db, query, path)
  return {keyCount: plan.keys, rows: plan.run()}
}

/** First and last day with cost data, or undefined for an empty store. */
export function costDataRange(db: Db): {first: string; last: string} | undefined {
  const row = storedDayRange(db)
  return row[0] !== null && row[1] !== null ? {first: dayText(row[0]), last: dayText(row[1])} : undefined
}

/** Display names for accounts seen in billing data, keyed by account id. */
export function accountNames(db: Db): Map<string, string> {
  const rows = db.prepare('SELECT account_id, name FROM accounts').raw().all() as [string, string][]
  return new Map(rows)
}
