import type {GroupKey} from '../model/cost.js'
import type {CostFilter} from '../model/cost.js'
import {keySqlParts} from './cost-queries.js'
import {exportScan, TAG_SET_JSON_SQL} from './export-sql.js'
import {dayText} from './day-numbers.js'
import type {Db} from './open.js'

export interface CostExportQuery {
  granularity: 'day' | 'month'
  /** Group keys in column order, or 'full' for the store's grain: every dimension listed plus the tag set. */
  groupBy: readonly GroupKey[]
  fullGrain: boolean
  filters: readonly CostFilter[]
  from?: string
  to?: string
}

/** One exported row: period start, key values in order, the tag set (full grain) and the four costs. */
export interface CostExportRow {
  periodStart: string
  keys: string[]
  /** Canonical JSON object (keys sorted) of the row's tags, full grain only. */
  tags?: string
  currency: string
  /** BilledCost, EffectiveCost, ListCost, ContractedCost. */
  costs: [number, number, number, number]
}

/**
 * Streams the export's rows in period, key and currency order (SQLite iterator: memory does not
 * grow with the number of rows). Sums are over the rollup's exact amounts.
 */
export function* iterateCostExport(db: Db, query: CostExportQuery): Generator<CostExportRow> {
  const parts = keySqlParts(db, 'tag_set_id', query.groupBy, query.filters)
  const period =
    query.granularity === 'month'
      ? `CAST(julianday(date(r.day * 86400, 'unixepoch', 'start of month')) - 2440587.5 AS INTEGER)`
      : 'r.day'
  const tagsJson = TAG_SET_JSON_SQL
  const keyExprs = [...parts.groupExprs, ...(query.fullGrain ? [tagsJson] : [])]
  const groupCols = [period, ...keyExprs, 'k.currency']
  const {where, params, sums} = exportScan(parts, query)
  const stmt = db
    .prepare(
      `SELECT ${groupCols.map((e, i) => `${e} AS g${i}`).join(', ')}, ${sums}
      FROM cost_rollup r JOIN cost_keys k ON k.id = r.key_id ${parts.joins}
      ${where}
      GROUP BY ${groupCols.map((_, i) => `g${i}`).join(', ')}
      ORDER BY ${groupCols.map((_, i) => `g${i}`).join(', ')}`,
    )
    .raw()
  const keyCount = parts.groupExprs.length
  for (const raw of stmt.iterate(...params) as Iterable<unknown[]>) {
    yield {
      periodStart: dayText(Number(raw[0])),
      keys: raw.slice(1, 1 + keyCount).map((v) => String(v ?? '')),
      tags: query.fullGrain ? String(raw[1 + keyCount]) : undefined,
      currency: String(raw[groupCols.length - 1]),
      costs: raw.slice(groupCols.length).map(Number) as [number, number, number, number],
    }
  }
}
