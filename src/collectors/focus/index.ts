import {DuckDBInstance} from '@duckdb/node-api'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {inputError, type UserInput} from '../../errors.js'

/** Whether rows that cannot be used are counted and left out instead of failing the import (`--skip-invalid`). */
const SKIP_INVALID_INPUT: UserInput = {key: 'skip-invalid', label: 'skipping invalid rows'}
import type {DailyCostRow} from '../../model/cost.js'
import {openCostWriter} from '../../store/costs.js'
import type {Db} from '../../store/open.js'
import type {ColumnMapping} from './columns.js'
import {aggregateFocusFile, type AggregateOutcome, locateBadRow, type RawFocusGroup} from './duckdb-reader.js'
import {expandFocusPaths, type FocusFile} from './files.js'
import type {FocusImportSummary} from './schema.js'
import {canonicalChargeCategory, canonicalChargeFrequency, canonicalServiceCategory, parseTags} from './normalize.js'

export interface FocusImportOptions {
  /** Count and report bad rows instead of failing on the first one. */
  skipInvalid?: boolean
  /** Progress per file: (file, fraction 0..1). */
  onProgress?: (file: FocusFile, fraction: number) => void
}

export type {FocusImportSummary}

/**
 * Imports FOCUS exports: every file given in one call is treated as one export (so a multi-part
 * export imports together), its billing periods replace what the store held for the same provider +
 * billing account + period, and it all lands in one transaction or not at all.
 */
export async function importFocusFiles(
  db: Db,
  paths: readonly string[],
  options: FocusImportOptions = {},
): Promise<FocusImportSummary> {
  const startedAt = new Date().toISOString()
  const files = expandFocusPaths(paths)
  const spill = fs.mkdtempSync(path.join(os.tmpdir(), 'finops-duckdb-'))
  // DuckDB aggregates within a fixed memory budget and spills to disk beyond it, so memory stays
  // flat however large the export. Two threads with 4 MB CSV buffers match DuckDB's own default
  // GROUP BY time on 2 cores at a peak RSS near 230 MB (docs/benchmarks.md); more threads would
  // each add reader buffers.
  const instance = await DuckDBInstance.create(':memory:', {
    threads: '2',
    memory_limit: '96MB',
    temp_directory: spill,
    preserve_insertion_order: 'false',
  })
  const connection = await instance.connect()
  // Timestamps without an offset are UTC in FOCUS; with one, they are converted to the UTC day.
  await connection.run("SET TimeZone = 'UTC'")
  // DuckDB tracks query progress only when asked to; we draw our own bar, so it must not print one.
  if (options.onProgress) await connection.run('SET enable_progress_bar = true; SET enable_progress_bar_print = false')
  const summary: FocusImportSummary = {
    files: [],
    rowsRead: 0,
    rowsSkipped: 0,
    skippedByColumn: {},
    rollupRows: 0,
    billingPeriods: [],
    days: undefined,
    currencies: [],
    importId: 0,
  }
  const currencies = new Set<string>()
  let firstDay: string | undefined
  let lastDay: string | undefined

  // One transaction for the whole import, held across the async DuckDB stream: the store sees all
  // of it or none of it. Each file has a savepoint so the exact (slower) pass can redo just that file.
  db.exec('BEGIN IMMEDIATE')
  try {
    const writer = openCostWriter(db)
    for (const file of files) {
      let rows = 0
      let skipped = 0
      const skippedByColumn: Record<string, number> = {}
      const onGroups = async (groups: RawFocusGroup[], mapping: ColumnMapping): Promise<void> => {
        for (const group of groups) {
          rows += group.rows
          const tags = parseTags(group.tags)
          const badColumn = group.badColumn ?? (tags === undefined ? 'Tags' : null)
          if (badColumn !== null) {
            if (!options.skipInvalid) {
              const where = await locateBadRow(
                connection,
                file,
                mapping,
                badColumn,
                badColumn === 'Tags' ? (group.tags ?? '') : undefined,
              )
              throw badRowError(file, badColumn, where?.row, where?.value ?? null)
            }
            skipped += group.rows
            skippedByColumn[badColumn] = (skippedByColumn[badColumn] ?? 0) + group.rows
            continue
          }
          const row = toDailyRow(group, tags ?? {})
          writer.write(
            {
              kind: 'billing-period',
              source: 'focus',
              provider: row.provider,
              billingAccountId: row.billingAccountId,
              billingPeriodStart: row.billingPeriodStart,
            },
            row,
          )
          currencies.add(row.currency)
          if (firstDay === undefined || row.day < firstDay) firstDay = row.day
          if (lastDay === undefined || row.day > lastDay) lastDay = row.day
        }
      }
      db.exec('SAVEPOINT focus_file')
      writer.checkpoint()
      let outcome: AggregateOutcome = await aggregateFocusFile(connection, file, {
        onGroups,
        onProgress: options.onProgress && ((f) => options.onProgress?.(file, f)),
      })
      if (outcome.needsPrecise) {
        db.exec('ROLLBACK TO focus_file')
        writer.rollbackTo()
        rows = 0
        skipped = 0
        for (const key of Object.keys(skippedByColumn)) delete skippedByColumn[key]
        outcome = await aggregateFocusFile(connection, file, {onGroups, precise: true})
      }
      db.exec('RELEASE focus_file')
      if (rows === 0)
        throw inputError(
          `${file.path}: the file has a header but no billing rows`,
          'check the export finished; an empty billing period has nothing to import',
        )
      for (const [column, n] of Object.entries(skippedByColumn))
        summary.skippedByColumn[column] = (summary.skippedByColumn[column] ?? 0) + n
      summary.files.push({path: file.path, rows, skipped})
      summary.rowsRead += rows
      summary.rowsSkipped += skipped
    }
    const result = writer.finish({
      source: 'focus',
      location: files.map((f) => f.path).join(', '),
      startedAt,
      rowsRead: summary.rowsRead,
      rowsSkipped: summary.rowsSkipped,
    })
    db.exec('COMMIT')
    const scopes = writer.scopes().sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))
    summary.importId = result.importId
    summary.rollupRows = result.rollupRows
    summary.billingPeriods = scopes.map((s) => ({
      provider: s.provider,
      billingAccountId: s.billingAccountId,
      billingPeriodStart: s.kind === 'billing-period' ? s.billingPeriodStart : '',
    }))
    summary.days = firstDay && lastDay ? {first: firstDay, last: lastDay} : undefined
    summary.currencies = [...currencies].sort()
    return summary
  } catch (error) {
    if (db.inTransaction) db.exec('ROLLBACK')
    throw error
  } finally {
    connection.closeSync()
    instance.closeSync()
    fs.rmSync(spill, {recursive: true, force: true})
  }
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

function badRowError(file: FocusFile, column: string, row: number | undefined, value: string | null) {
  const where =
    row === undefined ? file.path : file.format === 'csv' ? `${file.path}:${row + 1}` : `${file.path} row ${row}`
  const what =
    column === 'Tags'
      ? `Tags is not a JSON object: ${truncate(value)}`
      : column === 'BillingCurrency'
        ? 'BillingCurrency is empty'
        : column.endsWith('Start')
          ? `${column} ${value === null ? 'is empty' : `"${truncate(value)}" is not a date`}`
          : `${column} "${truncate(value)}" is not a number`
  return inputError(
    `${where}: ${what}`,
    (n) => `fix or remove the row, or allow ${n(SKIP_INVALID_INPUT)} to import the rest and count the bad rows`,
  )
}

const truncate = (value: string | null): string =>
  value === null ? 'null' : value.length > 60 ? `${value.slice(0, 57)}...` : value
