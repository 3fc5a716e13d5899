import {once} from 'node:events'
import type {Writable} from 'node:stream'

import {addDays, monthEnd, parseDay, reversedWindowError, WINDOW_END, WINDOW_START} from '../dates.js'
import {storeError} from '../errors.js'
import {DIMENSIONS, type DimensionName, type GroupKey, groupKeyLabel} from '../model/cost.js'
import {csvLine, plainNumber} from '../output/format.js'
import {writeOutputFile} from '../output/output-file.js'
import {buildCostSql} from '../store/cost-dimensions.js'
import {parseFilters, parseGroupKeys} from './dimension-keys.js'
import type {Db} from '../store/open.js'

export type ExportFormat = 'csv' | 'json'
export type ExportGranularity = 'day' | 'month'

export interface CostExportRequest {
  format: ExportFormat
  granularity: ExportGranularity
  /** Empty: every dimension and the tag set (the store's full grain). */
  groupBy: readonly string[]
  filters: readonly string[]
  from?: string
  to?: string
}

export interface CostExportSummary {
  rows: number
  from: string | null
  to: string | null
  columns: string[]
  out: string
}

const COST_COLUMNS = [
  ['BilledCost', 'billed_cost'],
  ['EffectiveCost', 'effective_cost'],
  ['ListCost', 'list_cost'],
  ['ContractedCost', 'contracted_cost'],
] as const

/** Dimensions in FOCUS column order; currency is always its own column, never summed across. */
const DIMENSION_ORDER: DimensionName[] = [
  'provider',
  'account',
  'sub-account',
  'service',
  'service-category',
  'region',
  'charge-category',
  'charge-frequency',
]

interface ExportQuery {
  sql: string
  params: unknown[]
  columns: string[]
  /** Whether the last key column is the raw tag set JSON (full-grain export). */
  tagsColumn: boolean
}

/** Builds the streaming query: stable FOCUS column order, periods as ISO dates with an exclusive end. */
export function buildExportQuery(request: CostExportRequest): ExportQuery {
  const requested = parseGroupKeys(request.groupBy).filter((k) => !(k.kind === 'dimension' && k.name === 'currency'))
  const fullGrain = requested.length === 0
  const keys: GroupKey[] = fullGrain ? DIMENSION_ORDER.map((name) => ({kind: 'dimension', name})) : requested
  const sql = buildCostSql(keys, parseFilters(request.filters))
  const periodExpr = request.granularity === 'month' ? "substr(c.day, 1, 7) || '-01'" : 'c.day'
  const keyExprs = [...sql.groupExprs, ...(fullGrain ? ['ts.tags'] : [])]
  const joins = [...sql.joins, ...(fullGrain ? ['JOIN tag_sets ts ON ts.id = c.tag_set_id'] : [])]
  const where = [...sql.where]
  const params: unknown[] = [...sql.joinParams]
  params.push(...sql.whereParams)
  const from = request.from === undefined ? undefined : parseDay(request.from, WINDOW_START)
  const to = request.to === undefined ? undefined : parseDay(request.to, WINDOW_END)
  if (from && to && from > to) throw reversedWindowError(from, to)
  if (from) {
    where.push('c.day >= ?')
    params.push(from)
  }
  if (to) {
    where.push('c.day <= ?')
    params.push(to)
  }
  const groupCols = [periodExpr, ...keyExprs, 'c.currency']
  const text = `SELECT ${groupCols.map((e, i) => `${e} AS g${i}`).join(', ')}, ${COST_COLUMNS.map(([, col]) => `SUM(c.${col})`).join(', ')}
    FROM cost_daily c ${joins.join(' ')}
    ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
    GROUP BY ${groupCols.map((_, i) => `g${i}`).join(', ')}
    ORDER BY ${groupCols.map((_, i) => `g${i}`).join(', ')}`
  const keyNames = keys.map((k) => (k.kind === 'dimension' ? DIMENSIONS[k.name].focus : groupKeyLabel(k)))
  const columns = [
    'ChargePeriodStart',
    'ChargePeriodEnd',
    ...keyNames,
    ...(fullGrain ? ['Tags'] : []),
    'BillingCurrency',
    ...COST_COLUMNS.map(([name]) => name),
  ]
  return {sql: text, params, columns, tagsColumn: fullGrain}
}

const periodEnd = (start: string, granularity: ExportGranularity): string =>
  granularity === 'month' ? addDays(monthEnd(start), 1) : addDays(start, 1)

/**
 * Streams the export to `out` row by row (SQLite iterator, stream backpressure honoured), so the
 * memory used does not grow with the number of rows.
 */
export async function writeCostExport(
  db: Db,
  request: CostExportRequest,
  out: Writable,
): Promise<Omit<CostExportSummary, 'out'>> {
  const query = buildExportQuery(request)
  const stmt = db.prepare(query.sql).raw()
  let rows = 0
  let first: string | null = null
  let last: string | null = null
  const write = async (chunk: string): Promise<void> => {
    if (!out.write(chunk)) await once(out, 'drain')
  }
  if (request.format === 'csv') await write(csvLine(query.columns))
  else await write('[')
  for (const raw of stmt.iterate(...query.params) as Iterable<unknown[]>) {
    const start = String(raw[0])
    const keyCount = raw.length - 1 - COST_COLUMNS.length
    const keys = raw.slice(1, 1 + keyCount).map((v) => String(v ?? ''))
    const costs = raw.slice(1 + keyCount).map(Number)
    const values: (string | number)[] = [start, periodEnd(start, request.granularity), ...keys, ...costs]
    first ??= start
    last = start
    if (request.format === 'csv') {
      await write(csvLine(values))
    } else {
      const record: Record<string, unknown> = {}
      query.columns.forEach((column, i) => {
        const value = values[i]!
        if (query.tagsColumn && column === 'Tags') record[column] = JSON.parse(String(value))
        else record[column] = typeof value === 'number' ? Number(plainNumber(value)) : value
      })
      await write(`${rows === 0 ? '\n' : ',\n'}${JSON.stringify(record)}`)
    }
    rows++
  }
  if (request.format === 'json') await write(rows === 0 ? ']\n' : '\n]\n')
  return {rows, from: first, to: last, columns: query.columns}
}

/** Exports to a user-named file through the one safe writer (temporary sibling, renamed only over a regular file). */
export async function exportCostsToFile(db: Db, request: CostExportRequest, file: string): Promise<CostExportSummary> {
  try {
    const {result, out} = await writeOutputFile(file, (stream) => writeCostExport(db, request, stream))
    return {...result, out}
  } catch (error) {
    if ((error as {code?: string}).code?.startsWith('SQLITE'))
      throw storeError(`export failed: ${(error as Error).message}`, 'check the store', error)
    throw error
  }
}
