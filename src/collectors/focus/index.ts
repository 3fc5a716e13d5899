import {DuckDBInstance} from '@duckdb/node-api'

import {inputError} from '../../errors.js'
import type {DailyCostRow} from '../../model.js'
import {type CostScope, replaceCosts} from '../../store/costs.js'
import type {Db} from '../../store/open.js'
import {aggregateFocusFile, locateBadRow, type RawFocusGroup} from './duckdb-reader.js'
import {expandFocusPaths, type FocusFile} from './files.js'
import {canonicalChargeCategory, canonicalChargeFrequency, canonicalServiceCategory, parseTags} from './normalize.js'

export interface FocusImportOptions {
  /** Count and report bad rows instead of failing on the first one. */
  skipInvalid?: boolean
  /** Progress per file: (file, fraction 0..1). */
  onProgress?: (file: FocusFile, fraction: number) => void
}

export interface FocusImportSummary {
  files: {path: string; rows: number; skipped: number}[]
  rowsRead: number
  rowsSkipped: number
  /** Bad rows by the column that made them unusable (with --skip-invalid). */
  skippedByColumn: Record<string, number>
  rollupRows: number
  billingPeriods: {provider: string; billingAccountId: string; billingPeriodStart: string}[]
  days: {first: string; last: string} | undefined
  currencies: string[]
  importId: number
}

/**
 * Imports FOCUS exports: every file given in one call is treated as one export (so a multi-part
 * export imports together), its billing periods replace what the store held for the same provider +
 * billing account + period, and it all lands in one transaction or not at all.
 */
export async function importFocusFiles(db: Db, paths: readonly string[], options: FocusImportOptions = {}): Promise<FocusImportSummary> {
  const startedAt = new Date().toISOString()
  const files = expandFocusPaths(paths)
  const instance = await DuckDBInstance.create(':memory:', {threads: '2', memory_limit: '192MB'})
  const connection = await instance.connect()
  // Timestamps without an offset are UTC in FOCUS; with one, they are converted to the UTC day.
  await connection.run("SET TimeZone = 'UTC'")
  const merged = new Map<string, DailyCostRow>()
  const summary: FocusImportSummary = {files: [], rowsRead: 0, rowsSkipped: 0, skippedByColumn: {}, rollupRows: 0, billingPeriods: [], days: undefined, currencies: [], importId: 0}
  try {
    for (const file of files) {
      const {groups, mapping} = await aggregateFocusFile(connection, file, {onProgress: options.onProgress && ((f) => options.onProgress?.(file, f))})
      let rows = 0
      let skipped = 0
      for (const group of groups) {
        rows += group.rows
        const tags = parseTags(group.tags)
        const badColumn = group.badColumn ?? (tags === undefined ? 'Tags' : null)
        if (badColumn !== null) {
          if (!options.skipInvalid) {
            const where = await locateBadRow(connection, file, mapping, badColumn, badColumn === 'Tags' ? group.tags ?? '' : undefined)
            throw badRowError(file, badColumn, where?.row, where?.value ?? null)
          }
          skipped += group.rows
          summary.skippedByColumn[badColumn] = (summary.skippedByColumn[badColumn] ?? 0) + group.rows
          continue
        }
        mergeGroup(merged, toDailyRow(group, tags ?? {}))
      }
      if (rows === 0) throw inputError(`${file.path}: the file has a header but no billing rows`, 'check the export finished; an empty billing period has nothing to import')
      summary.files.push({path: file.path, rows, skipped})
      summary.rowsRead += rows
      summary.rowsSkipped += skipped
    }
  } finally {
    connection.closeSync()
    instance.closeSync()
  }

  const scopes = billingPeriodScopes(merged.values())
  const result = replaceCosts(db, scopes, merged.values(), {
    source: 'focus', location: files.map((f) => f.path).join(', '), startedAt, rowsRead: summary.rowsRead, rowsSkipped: summary.rowsSkipped,
  })
  summary.importId = result.importId
  summary.rollupRows = result.rollupRows
  summary.billingPeriods = scopes.map((s) => ({provider: s.provider, billingAccountId: s.billingAccountId, billingPeriodStart: s.kind === 'billing-period' ? s.billingPeriodStart : ''}))
  const days = [...merged.values()].map((r) => r.day).sort()
  summary.days = days.length > 0 ? {first: days[0]!, last: days.at(-1)!} : undefined
  summary.currencies = [...new Set([...merged.values()].map((r) => r.currency))].sort()
  return summary
}

function toDailyRow(group: RawFocusGroup, tags: Record<string, string>): DailyCostRow {
  return {
    day: group.day!,
    billingPeriodStart: group.billingPeriodStart!,
    provider: group.provider ?? '',
    billingAccountId: group.billingAccountId ?? '',
    billingAccountName: group.billingAccountName ?? undefined,
    subAccountId: group.subAccountId ?? '',
    subAccountName: group.subAccountName ?? undefined,
    serviceName: group.serviceName ?? '',
    serviceCategory: canonicalServiceCategory(group.serviceCategory),
    regionId: group.regionId ?? '',
    chargeCategory: canonicalChargeCategory(group.chargeCategory),
    chargeFrequency: canonicalChargeFrequency(group.chargeFrequency),
    currency: group.currency!,
    tags,
    billedCost: group.billedCost,
    effectiveCost: group.effectiveCost,
    listCost: group.listCost,
    contractedCost: group.contractedCost,
  }
}

/** Groups that differ only in spelling (`Usage-based` vs `Usage-Based`, tag key order) become one. */
function mergeGroup(merged: Map<string, DailyCostRow>, row: DailyCostRow): void {
  const tagKey = JSON.stringify(Object.keys(row.tags).sort().map((k) => [k, row.tags[k]]))
  const key = [row.day, row.billingPeriodStart, row.provider, row.billingAccountId, row.subAccountId, row.serviceName,
    row.serviceCategory, row.regionId, row.chargeCategory, row.chargeFrequency, row.currency, tagKey].join('\u0001')
  const existing = merged.get(key)
  if (!existing) {
    merged.set(key, row)
    return
  }
  existing.billedCost += row.billedCost
  existing.effectiveCost += row.effectiveCost
  existing.listCost += row.listCost
  existing.contractedCost += row.contractedCost
  existing.billingAccountName ??= row.billingAccountName
  existing.subAccountName ??= row.subAccountName
}

function billingPeriodScopes(rows: Iterable<DailyCostRow>): CostScope[] {
  const scopes = new Map<string, CostScope>()
  for (const row of rows) {
    const key = `${row.provider}\u0001${row.billingAccountId}\u0001${row.billingPeriodStart}`
    if (!scopes.has(key)) scopes.set(key, {kind: 'billing-period', source: 'focus', provider: row.provider, billingAccountId: row.billingAccountId, billingPeriodStart: row.billingPeriodStart})
  }
  return [...scopes.values()].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))
}

function badRowError(file: FocusFile, column: string, row: number | undefined, value: string | null) {
  const where = row === undefined ? file.path : file.format === 'csv' ? `${file.path}:${row + 1}` : `${file.path} row ${row}`
  const what = column === 'Tags' ? `Tags is not a JSON object: ${truncate(value)}`
    : column === 'BillingCurrency' ? 'BillingCurrency is empty'
    : column.endsWith('Start') ? `${column} ${value === null ? 'is empty' : `"${truncate(value)}" is not a date`}`
    : `${column} "${truncate(value)}" is not a number`
  return inputError(`${where}: ${what}`, 'fix or remove the row, or pass --skip-invalid to import the rest and count the bad rows')
}

const truncate = (value: string | null): string => (value === null ? 'null' : value.length > 60 ? `${value.slice(0, 57)}...` : value)
