import {once} from 'node:events'
import type {Writable} from 'node:stream'

import {addDays, monthEnd, parseDay, reversedWindowError, WINDOW_END, WINDOW_START} from '../dates.js'
import {storeError, usageError} from '../errors.js'
import {DIMENSIONS, type DimensionName, type GroupKey, groupKeyLabel} from '../model/cost.js'
import {csvLine, plainNumber} from '../csv.js'
import {writeOutputFile} from '../output-file.js'
import {type CostExportQuery, iterateCostExport} from '../store/cost-export.js'
import {iterateFocusGrain} from '../store/focus-export.js'
import {FOCUS_COLUMNS, toFocusRecord} from './focus-dataset.js'
import {parseFilters, parseGroupKeys} from './dimension-keys.js'
import type {Db} from '../store/open.js'

/** `focus`: a FOCUS 1.0 dataset (CSV) at the store's full grain. */
export type ExportFormat = 'csv' | 'json' | 'focus'
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

const COST_COLUMNS = ['BilledCost', 'EffectiveCost', 'ListCost', 'ContractedCost'] as const

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

/** The export's columns and the store query behind them (pure: no store access). */
export function planExport(request: CostExportRequest): {query: CostExportQuery; columns: string[]} {
  if (request.format === 'focus') {
    // A FOCUS dataset needs every mandatory column, so it is always the store's full daily grain.
    if (request.groupBy.some((g) => g.trim() !== ''))
      throw usageError(
        "a FOCUS dataset is at the store's full grain and cannot be grouped",
        'drop --group-by (filters still apply)',
      )
    if (request.granularity !== 'day')
      throw usageError('a FOCUS dataset has one row per day (ChargePeriodStart/End)', 'drop --granularity month')
  }
  const requested = parseGroupKeys(request.groupBy).filter((k) => !(k.kind === 'dimension' && k.name === 'currency'))
  const fullGrain = requested.length === 0
  const keys: GroupKey[] = fullGrain ? DIMENSION_ORDER.map((name) => ({kind: 'dimension', name})) : requested
  const from = request.from === undefined ? undefined : parseDay(request.from, WINDOW_START)
  const to = request.to === undefined ? undefined : parseDay(request.to, WINDOW_END)
  if (from && to && from > to) throw reversedWindowError(from, to)
  const keyNames = keys.map((k) => (k.kind === 'dimension' ? DIMENSIONS[k.name].focus : groupKeyLabel(k)))
  const columns = [
    'ChargePeriodStart',
    'ChargePeriodEnd',
    ...keyNames,
    ...(fullGrain ? ['Tags'] : []),
    'BillingCurrency',
    ...COST_COLUMNS,
  ]
  return {
    query: {
      granularity: request.granularity,
      groupBy: keys,
      fullGrain,
      filters: parseFilters(request.filters),
      from,
      to,
    },
    columns,
  }
}

const periodEnd = (start: string, granularity: ExportGranularity): string =>
  granularity === 'month' ? addDays(monthEnd(start), 1) : addDays(start, 1)

/**
 * Streams the export to `out` row by row (stream backpressure honoured), so the memory used does
 * not grow with the number of rows.
 */
export async function writeCostExport(
  db: Db,
  request: CostExportRequest,
  out: Writable,
): Promise<Omit<CostExportSummary, 'out'>> {
  const {query, columns} = planExport(request)
  if (request.format === 'focus') return writeFocusExport(db, query, out)
  let rows = 0
  let first: string | null = null
  let last: string | null = null
  const write = async (chunk: string): Promise<void> => {
    if (!out.write(chunk)) await once(out, 'drain')
  }
  if (request.format === 'csv') await write(csvLine(columns))
  else await write('[')
  for (const row of iterateCostExport(db, query)) {
    const start = row.periodStart
    const values: (string | number)[] = [
      start,
      periodEnd(start, request.granularity),
      ...row.keys,
      ...(row.tags === undefined ? [] : [row.tags]),
      row.currency,
      ...row.costs,
    ]
    first ??= start
    last = start
    if (request.format === 'csv') {
      await write(csvLine(values))
    } else {
      const record: Record<string, unknown> = {}
      columns.forEach((column, i) => {
        const value = values[i]!
        if (row.tags !== undefined && column === 'Tags') record[column] = JSON.parse(String(value))
        else record[column] = typeof value === 'number' ? Number(plainNumber(value)) : value
      })
      await write(`${rows === 0 ? '\n' : ',\n'}${JSON.stringify(record)}`)
    }
    rows++
  }
  if (request.format === 'json') await write(rows === 0 ? ']\n' : '\n]\n')
  return {rows, from: first, to: last, columns}
}

/** The FOCUS 1.0 CSV: numbers as plain numbers (so a credit's '-' is never defused), nulls as empty fields. */
async function writeFocusExport(
  db: Db,
  query: CostExportQuery,
  out: Writable,
): Promise<Omit<CostExportSummary, 'out'>> {
  const write = async (chunk: string): Promise<void> => {
    if (!out.write(chunk)) await once(out, 'drain')
  }
  await write(csvLine(FOCUS_COLUMNS))
  let rows = 0
  let first: string | null = null
  let last: string | null = null
  for (const row of iterateFocusGrain(db, {filters: query.filters, from: query.from, to: query.to})) {
    const record = toFocusRecord(row)
    await write(csvLine(FOCUS_COLUMNS.map((column) => record[column])))
    first ??= row.day
    last = row.day
    rows++
  }
  return {rows, from: first, to: last, columns: [...FOCUS_COLUMNS]}
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
