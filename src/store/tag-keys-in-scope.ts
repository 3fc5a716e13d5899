import type {CostFilter} from '../model/cost.js'
import {costTableFor, keySqlParts} from './cost-queries.js'
import {dayNumber} from './day-numbers.js'
import type {Db} from './open.js'

/**
 * The tag keys the rows of a scope carry on days from..to, most used first (at most `limit`): the
 * keys worth grouping by when explaining what moved inside it. Keys with too many values to be kept
 * in the summaries (per-resource ids) are left out: they name single resources, not groups.
 */
export function tagKeysInScope(
  db: Db,
  scope: {from: string; to: string; filters: readonly CostFilter[]},
  limit: number,
): string[] {
  const {table, setColumn} = costTableFor(db, [], scope.filters)
  const source = table === 'cost_day_keys' ? 'cost_summary' : table
  const column = table === 'cost_day_keys' ? 'summary_set_id' : setColumn
  const parts = keySqlParts(db, column, [], scope.filters)
  const sql = `SELECT tk.key FROM ${source} r JOIN cost_keys k ON k.id = r.key_id ${parts.joins}
    JOIN tag_set_pairs p ON p.tag_set_id = r.${column}
    JOIN tag_keys tk ON tk.id = p.key_id AND tk.summarized = 1
    WHERE r.day BETWEEN ? AND ? ${parts.where.map((w) => `AND ${w}`).join(' ')}
    GROUP BY tk.key ORDER BY COUNT(*) DESC, tk.key LIMIT ?`
  return db
    .prepare(sql)
    .pluck()
    .all(...parts.joinParams, dayNumber(scope.from), dayNumber(scope.to), ...parts.whereParams, limit) as string[]
}
