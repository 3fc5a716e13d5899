import type {CostFilter, GroupKey, Metric} from '../model/cost.js'
import {type CostQueryPath, type CostSeries, planCostQuery, storedDayRange} from './cost-queries.js'

import {dayText} from './day-numbers.js'
import type {Db} from './open.js'

export type {CostSeries} from './cost-queries.js'

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
 * The same daily costs as queryDailyCosts, one series per group and currency (see CostSeries): a
 * report adds them up with no JS object or array per day, which was most of its time on a year of
 * a tag with hundreds of values.
 */
export function queryDailyCostSeries(db: Db, query: CostSeriesQuery, path?: CostQueryPath): CostSeries[] {
  return planCostQuery(db, query, path).series()
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
