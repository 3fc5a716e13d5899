import type {CostFilter} from '../model/cost.js'
import {costTableFor, keySqlParts} from './cost-queries.js'
import {dayText} from './day-numbers.js'
import type {Db} from './open.js'

/** The last day with cost data matching the filters, per currency (empty map: none). */
export function lastCostDays(db: Db, filters: readonly CostFilter[]): Map<string, string> {
  const {table, setColumn} = costTableFor(db, [], filters)
  const parts = keySqlParts(db, setColumn, [], filters)
  const rows = db
    .prepare(
      `SELECT k.currency, MAX(r.day) FROM ${table} r JOIN cost_keys k ON k.id = r.key_id ${parts.joins}
       ${parts.where.length > 0 ? `WHERE ${parts.where.join(' AND ')}` : ''} GROUP BY k.currency`,
    )
    .raw()
    .all(...parts.joinParams, ...parts.whereParams) as [string, number][]
  return new Map(rows.map(([currency, day]) => [currency, dayText(day)]))
}
