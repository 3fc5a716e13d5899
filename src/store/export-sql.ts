import {dayNumber} from './day-numbers.js'

/**
 * SQL shared by the store's two export queries (the CSV export and the FOCUS dataset), which both
 * read the rollup row by row at the full grain.
 */

/** A rollup row's tag set as canonical JSON (keys sorted), so equal tag sets give equal text. */
export const TAG_SET_JSON_SQL = `(SELECT '{' || coalesce(group_concat(json_quote(tk.key) || ':' || json_quote(tp.value), ',' ORDER BY tk.key), '') || '}'
      FROM tag_set_pairs ts JOIN tag_keys tk ON tk.id = ts.key_id JOIN tag_pairs tp ON tp.id = ts.pair_id
      WHERE ts.tag_set_id = r.tag_set_id)`

/** Adds the inclusive day window, when given, to a query's conditions and parameters. */
export function addDayWindow(window: {from?: string; to?: string}, where: string[], params: unknown[]): void {
  if (window.from) {
    where.push('r.day >= ?')
    params.push(dayNumber(window.from))
  }
  if (window.to) {
    where.push('r.day <= ?')
    params.push(dayNumber(window.to))
  }
}
