import {AMOUNT_COLUMNS, sumAmountSql} from './amounts.js'
import {dayNumber} from './day-numbers.js'

/**
 * SQL shared by the store's two export queries (the CSV export and the FOCUS dataset), which both
 * read the rollup row by row at the full grain.
 */

/** A rollup row's tag set as canonical JSON (keys sorted), so equal tag sets give equal text. */
export const TAG_SET_JSON_SQL = `(SELECT '{' || coalesce(group_concat(json_quote(tk.key) || ':' || json_quote(tp.value), ',' ORDER BY tk.key), '') || '}'
      FROM tag_set_pairs ts JOIN tag_keys tk ON tk.id = ts.key_id JOIN tag_pairs tp ON tp.id = ts.pair_id
      WHERE ts.tag_set_id = r.tag_set_id)`

/**
 * A rollup scan's WHERE clause ('' when nothing narrows it) and parameters: the key filters'
 * conditions (after their joins' parameters) and the inclusive day window; with the summed amounts.
 */
export function exportScan(
  parts: {where: readonly string[]; joinParams: readonly unknown[]; whereParams: readonly unknown[]},
  window: {from?: string; to?: string},
): {where: string; params: unknown[]; sums: string} {
  const where = [...parts.where]
  const params: unknown[] = [...parts.joinParams, ...parts.whereParams]
  if (window.from) {
    where.push('r.day >= ?')
    params.push(dayNumber(window.from))
  }
  if (window.to) {
    where.push('r.day <= ?')
    params.push(dayNumber(window.to))
  }
  return {
    where: where.length > 0 ? `WHERE ${where.join(' AND ')}` : '',
    params,
    sums: AMOUNT_COLUMNS.map((a) => sumAmountSql(a, 'r')).join(', '),
  }
}
