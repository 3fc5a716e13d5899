import type {CostFilter} from '../model/cost.js'
import {buildCostSql} from './cost-dimensions.js'
import type {Db} from './open.js'

/** The last day with cost data matching the filters, per currency (empty map: none). */
export function lastCostDays(db: Db, filters: readonly CostFilter[]): Map<string, string> {
  const sql = buildCostSql([], filters)
  const rows = db
    .prepare(
      `SELECT c.currency, MAX(c.day) FROM cost_daily c ${sql.joins.join(' ')} WHERE 1 = 1 ${sql.where.map((w) => `AND ${w}`).join(' ')} GROUP BY c.currency`,
    )
    .raw()
    .all(...sql.joinParams, ...sql.whereParams) as [string, string][]
  return new Map(rows)
}
