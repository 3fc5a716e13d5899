import os from 'node:os'
import path from 'node:path'

import {inputError} from '../../errors.js'
import type {CommitmentUsageGroup} from '../../store/commitment-usage.js'
import type {CostDetailKind} from '../../store/cost-details.js'
import {type CostScope, type CostWriter, writeCostsInTransaction} from '../../store/cost-writer.js'
import type {Db} from '../../store/open.js'
import {DEFAULT_IMPORT_MEMORY, formatByteSize, MIN_IMPORT_MEMORY, planBudget} from './budget.js'
import {type ColumnMapping, resolveColumns} from './columns.js'
import {
  describeResourceFailure,
  DuckDBFailure,
  type DuckDBSession,
  engine,
  openDuckDBSession,
} from './duckdb-session.js'
import {expandFocusPaths, type FocusFile} from './files.js'
import {
  COMMITMENT_USAGE_ROLLUP,
  DAILY_COST_ROLLUP,
  describeParquetQuery,
  describeSourceQuery,
  FILE_ROLLUP,
  USAGE_TYPE_ROLLUP,
  importQuery,
  locateQuery,
  MAX_ABS_AMOUNT,
  ROW_PROBLEMS,
  stagedRelation,
  stagingQuery,
} from './focus-query.js'
import {csvLineOfRow, gzipProblem, readCsvHeader} from './headers.js'
import type {FocusImportSummary} from './schema.js'
import {canonicalChargeCategory, canonicalChargeFrequency, canonicalServiceCategory, parseTags} from './normalize.js'
import {SKIP_INVALID_INPUT} from './inputs.js'
import {checkRestatements} from './restatements.js'
import {importResources} from './resources.js'
import {openResourceCostWriter, type ResourceCostWriter} from '../../store/resource-costs.js'
import {BoundedCache} from '../../bounded-cache.js'

export interface FocusImportOptions {
  /** Count and report bad rows instead of failing on the first one. */
  skipInvalid?: boolean
  /** Replace billing periods even when the import would remove stored days or much of their total. */
  allowShrink?: boolean
  /** The memory budget for the whole import, bytes (default DEFAULT_IMPORT_MEMORY). */
  memoryBytes?: number
  /** Where DuckDB spills beyond its budget (default: the store's directory). */
  tempDirectory?: string
  /** Progress across all files, a few times a second. */
  onProgress?: (progress: ImportProgress) => void
  /**
   * Hash partitions to start from (one of PARTITION_STEPS; default 1): the rollup is otherwise split
   * only after DuckDB ran out of memory unsplit. For tests of the split path.
   */
  partitions?: (typeof PARTITION_STEPS)[number]
}

export interface ImportProgress {
  /** reading: DuckDB scans and aggregates the files; writing: groups go into the store. */
  phase: 'reading' | 'writing'
  bytesDone: number
  bytesTotal: number
  /** Rows DuckDB has read so far (as it reports them). */
  rowsRead: number
  /** Daily rollup rows written so far. */
  groupsWritten: number
}

export type {FocusImportSummary}

/**
 * Usage types (SkuId) are one more grouping set of the main query; resources are a query of their
 * own (resources.ts): on a per-resource bill their groups are as many as the rollup's, and as a set
 * of the main query they cost a fifth more peak memory (docs/benchmarks.md).
 */
const ROLLUPS = [DAILY_COST_ROLLUP, FILE_ROLLUP, USAGE_TYPE_ROLLUP, COMMITMENT_USAGE_ROLLUP] as const
/** The kind of cost detail each detail rollup's rows are, by set id (its index in ROLLUPS). */
const DETAIL_KINDS = new Map<number, CostDetailKind>([[ROLLUPS.indexOf(USAGE_TYPE_ROLLUP), 'usage-type']])
const COMMITMENT_SET = ROLLUPS.indexOf(COMMITMENT_USAGE_ROLLUP)

/**
 * Imports FOCUS exports: every file given in one call is one export (a multi-part export imports
 * together, in one DuckDB pass over all parts), its billing periods replace what the store held for
 * the same provider + billing account + period, and it all lands in one transaction or not at all.
 * Memory is bounded by the budget whatever the number of rows or groups: DuckDB aggregates within
 * its share and spills the rest, and groups stream into SQLite a chunk at a time.
 */
export async function importFocusFiles(
  db: Db,
  paths: readonly string[],
  options: FocusImportOptions = {},
): Promise<FocusImportSummary> {
  const startedAt = new Date().toISOString()
  const files = expandFocusPaths(paths)
  for (const file of files)
    if (file.bytes === 0)
      throw inputError(
        `${file.path}: the file is empty`,
        'export the billing data again; a FOCUS file has a header row (and its charges)',
      )
  const memoryBytes = options.memoryBytes ?? DEFAULT_IMPORT_MEMORY
  if (memoryBytes < MIN_IMPORT_MEMORY)
    throw inputError(
      `an import memory budget of ${formatByteSize(memoryBytes)} is too small`,
      `give at least ${formatByteSize(MIN_IMPORT_MEMORY)}`,
    )
  const planned = planBudget(memoryBytes, os.availableParallelism())
  // DuckDB aggregates within its share of the budget and spills beyond it, but how much it must hold
  // at once still grows with the export. When that is more than the budget allows, the rollup is
  // split by a hash of its grain into partitions aggregated one after the other (each reads the
  // files again): slower, and within the same budget.
  let lastFailure: unknown
  for (const partitions of PARTITION_STEPS.filter((p) => p >= (options.partitions ?? 1))) {
    const budget = partitions === 1 ? planned : {...planned, threads: 1}
    const session = await openDuckDBSession(budget, options.tempDirectory ?? storeDirectory(db))
    try {
      const mapping = await resolveMapping(session, files)
      return await writeCostsInTransaction(
        db,
        (writer) =>
          runImport(session, writer, openResourceCostWriter(db), files, mapping, partitions, options, startedAt),
        {cacheBytes: budget.sqliteCacheBytes, summaries: 'per-period', deferIndexes: true},
      )
    } catch (error) {
      if (!(error instanceof DuckDBFailure)) throw error
      const resources = describeResourceFailure(error, budget, session.spillDirectory)
      if (!resources) throw await describeFileFailure(error, files)
      if (resources.message.includes('disk space')) throw resources
      lastFailure = resources
    } finally {
      session.close()
    }
  }
  throw lastFailure
}

/** How many hash partitions the rollup is split into, attempt after attempt, when memory runs out. */
const PARTITION_STEPS = [1, 4, 16, 64] as const

const storeDirectory = (db: Db): string => (db.memory ? os.tmpdir() : path.dirname(path.resolve(db.name)))

/** Checks every file's header (required columns present, none twice) and maps the columns of all of them together. */
async function resolveMapping(session: DuckDBSession, files: readonly FocusFile[]): Promise<ColumnMapping> {
  for (const file of files) {
    const header =
      file.format === 'csv' ? await readCsvHeader(file) : await describe(session, describeParquetQuery(file), files)
    if (!header)
      throw inputError(
        `${file.path}: cannot read a header row`,
        'is this a comma-separated FOCUS export (or a complete .gz)? download it again',
      )
    const {missing, duplicates} = resolveColumns(header)
    if (duplicates.length > 0)
      throw inputError(
        `${file.path}: the header names ${duplicates.join(', ')} more than once`,
        'which column is right cannot be known; export the data again or remove the extra column',
      )
    if (missing.length > 0)
      throw inputError(
        `${file.path}: missing required FOCUS column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`,
        'is this a FOCUS export (AWS Data Exports FOCUS, Azure FocusCost, GCP FOCUS view)? Cost-and-usage reports in other layouts are not FOCUS',
      )
  }
  return resolveColumns(await describe(session, describeSourceQuery(files), files)).mapping
}

async function describe(session: DuckDBSession, sql: string, files: readonly FocusFile[]): Promise<string[]> {
  try {
    const result = await engine(() => session.connection.runAndReadAll(sql))
    return result.getRows().map((row) => String(row[0]))
  } catch (error) {
    throw (
      describeResourceFailure(error, session.budget, session.spillDirectory) ??
      (await describeFileFailure(error, files))
    )
  }
}

interface Tally {
  rows: number
  skipped: number
  byColumn: Record<string, number>
}

/** What a group's grain text resolves to. */
interface GrainOutcome {
  keyId: number
  provider: string
  account: string
  currency: string
  serviceCategory: string
}

async function runImport(
  session: DuckDBSession,
  writer: CostWriter,
  resourceWriter: ResourceCostWriter,
  files: readonly FocusFile[],
  mapping: ColumnMapping,
  partitions: number,
  options: FocusImportOptions,
  startedAt: string,
): Promise<FocusImportSummary> {
  const grains = new BoundedCache<GrainOutcome>(50_000)
  const tagSets = new BoundedCache<number>(10_000)
  const cleared = new Set<number>()
  const perFile = new Map<string, Tally>()
  const total: Tally = {rows: 0, skipped: 0, byColumn: {}}
  const currencies = new Set<string>()
  let firstDay = Infinity
  let lastDay = -Infinity
  let groups = 0
  const amounts = new Float64Array(8)

  const bytesTotal = files.reduce((sum, f) => sum + f.bytes, 0)
  let phase: ImportProgress['phase'] = 'reading'
  let rowsSeen = 0
  const report = () => {
    if (!options.onProgress) return
    const {percentage, rows_processed} = session.connection.progress
    const fraction = phase === 'writing' || staged ? 1 : percentage >= 0 ? Math.min(1, percentage / 100) : 0
    if (rows_processed > rowsSeen) rowsSeen = Number(rows_processed)
    options.onProgress({
      phase,
      bytesDone: Math.round(fraction * bytesTotal),
      bytesTotal,
      rowsRead: rowsSeen,
      groupsWritten: groups,
    })
  }
  const timer = options.onProgress ? setInterval(report, 250) : undefined
  // Once staged, every byte of the files has been read (the queries after it read the copy).
  let staged = false

  const skip = (column: string, rows: number): void => {
    if (!options.skipInvalid) return
    total.skipped += rows
    total.byColumn[column] = (total.byColumn[column] ?? 0) + rows
  }

  const grainOf = (dims: string): GrainOutcome => {
    let outcome = grains.get(dims)
    if (outcome) return outcome
    const values = (JSON.parse(dims) as (string | null)[]).map(clean)
    const [provider, account, accountName, sub, subName, service, category, region, chargeCategory, frequency] = values
    // BillingCurrency is never empty here: such rows are refused (or skipped) by their problem code.
    const currency = values[10]?.toUpperCase() ?? ''
    {
      const serviceCategory = canonicalServiceCategory(category)
      const keyId = writer.keyId({
        source: 'focus',
        provider: provider ?? '',
        billingAccountId: account ?? '',
        subAccountId: sub ?? '',
        serviceName: service ?? '',
        serviceCategory,
        regionId: region ?? '',
        chargeCategory: canonicalChargeCategory(chargeCategory),
        chargeFrequency: canonicalChargeFrequency(frequency),
        currency,
      })
      if (account && accountName) writer.nameAccount(provider ?? '', account, accountName)
      if (sub && subName) writer.nameAccount(provider ?? '', sub, subName)
      outcome = {keyId, provider: provider ?? '', account: account ?? '', currency, serviceCategory}
    }
    grains.set(dims, outcome)
    return outcome
  }

  const tagSetOf = (text: string | null): number => {
    const raw = clean(text)
    if (raw === null) return 0
    let id = tagSets.get(raw)
    if (id !== undefined) return id
    const tags = parseTags(raw)
    id = tags === undefined ? -1 : writer.tagSetId(tags)
    tagSets.set(raw, id)
    return id
  }

  /** Replaces what the store held for the grain's billing period, before the first group of it is written. */
  const clearOnce = (grain: GrainOutcome, bp: number): void => {
    const scopeId = grain.keyId * 100_000 + bp
    if (cleared.has(scopeId)) return
    cleared.add(scopeId)
    writer.clear(billingPeriodScope(grain.provider, grain.account, bp))
  }

  const fail = async (problem: {code: number} | {column: string; value: string | null}): Promise<never> => {
    throw await badRowError(session, files, mapping, problem)
  }

  try {
    const stage = path.join(session.spillDirectory, 'staged.parquet')
    await engine(() => session.connection.run(stagingQuery(files, mapping, stage)))
    staged = true
    // The copy is small and columnar: one thread aggregates it about as fast as two, and holds one
    // hash table instead of two (peak RSS ~45 MB lower on 200k per-resource rows, docs/benchmarks.md).
    await engine(() => session.connection.run('SET threads = 1'))
    const source = stagedRelation(stage)
    for (let partition = 0; partition < partitions; partition++)
      await session.stream(
        importQuery(source, mapping, ROLLUPS, {index: partition, count: partitions}),
        async (columns, count) => {
          const [setIds, days, bps, dims, tags, fileNames, problems, rowCounts] = columns as [
            number[],
            number[],
            (number | null)[],
            (string | null)[],
            (string | null)[],
            (string | null)[],
            number[],
            number[],
          ]
          const amountColumns = columns.slice(8, 16) as number[][]
          const [details, detailLabels] = columns.slice(16) as [(string | null)[], (string | null)[]]
          phase = 'writing'
          for (let i = 0; i < count; i++) {
            const rows = rowCounts[i]!
            const problem = problems[i]!
            if (setIds[i] === COMMITMENT_SET) {
              // Bad rows are counted (or refused) by the grain's set; ineligible rows have no hour.
              const group = problem === 0 ? commitmentUsageGroup(details[i] ?? null) : undefined
              if (!group) continue
              const bp = bps[i]!
              const grain = grainOf(dims[i]!)
              clearOnce(grain, bp)
              for (let a = 0; a < 8; a++) amounts[a] = amountColumns[a]![i]!
              if (!amounts.every(Number.isSafeInteger)) throw tooLarge(files)
              writer.insertCommitmentUsage(grain.keyId, bp, group, amounts)
              continue
            }
            const detailKind = DETAIL_KINDS.get(setIds[i]!)
            if (detailKind) {
              // Below the grain, for explaining changes: bad rows are counted (or refused) by the grain's set.
              const value = clean(details[i] ?? null)
              if (problem !== 0 || value === null) continue
              const bp = bps[i]!
              const grain = grainOf(dims[i]!)
              clearOnce(grain, bp)
              for (let a = 0; a < 8; a++) amounts[a] = amountColumns[a]![i]!
              if (!amounts.every(Number.isSafeInteger)) throw tooLarge(files)
              writer.insertDetail(
                grain.keyId,
                bp,
                days[i]!,
                detailKind,
                value,
                clean(detailLabels[i] ?? null) ?? '',
                amounts,
              )
              continue
            }
            if (setIds[i] === 1) {
              const file = fileNames[i] ?? ''
              const tally = perFile.get(file) ?? {rows: 0, skipped: 0, byColumn: {}}
              tally.rows += rows
              if (problem !== 0) tally.skipped += rows
              perFile.set(file, tally)
              continue
            }
            total.rows += rows
            if (problem !== 0) {
              if (!options.skipInvalid) await fail({code: problem})
              skip(ROW_PROBLEMS[problem]!, rows)
              continue
            }
            const bp = bps[i]!
            const grain = grainOf(dims[i]!)
            const tagSetId = tagSetOf(tags[i] ?? null)
            // DuckDB accepts a little more JSON than JSON.parse (trailing commas, NaN): such a set is refused.
            if (tagSetId < 0) await fail({column: 'Tags', value: tags[i] ?? null})
            clearOnce(grain, bp)
            const day = days[i]!
            for (let a = 0; a < 8; a++) amounts[a] = amountColumns[a]![i]!
            if (!amounts.every(Number.isSafeInteger)) throw tooLarge(files)
            writer.insertGroup(grain.keyId, bp, day, tagSetId, amounts)
            currencies.add(grain.currency)
            if (day < firstDay) firstDay = day
            if (day > lastDay) lastDay = day
            groups++
          }
        },
      )
    await importResources({
      session,
      source,
      mapping,
      partitions,
      costs: writer,
      resources: resourceWriter,
      scopes: writer.scopes().filter((s) => s.kind === 'billing-period'),
      grainOf,
      clearPeriod: clearOnce,
      tooLarge: () => tooLarge(files),
    })
  } finally {
    if (timer) clearInterval(timer)
  }
  report()

  if (total.rows - total.skipped === 0)
    throw inputError(
      total.rows === 0
        ? `${files.length === 1 ? files[0]!.path : `the ${files.length} files`}: a header but no billing rows`
        : `every one of the ${total.rows} rows is invalid; nothing to import`,
      total.rows === 0
        ? 'check the export finished; an empty billing period has nothing to import'
        : 'fix the export, or check it is the file you meant',
    )
  if (!options.allowShrink) checkRestatements(writer.restatements())

  const result = writer.finish({
    source: 'focus',
    location: files.map((f) => f.path).join(', '),
    startedAt,
    rowsRead: total.rows,
    rowsSkipped: total.skipped,
  })
  const dayText = (n: number) => new Date(n * 86_400_000).toISOString().slice(0, 10)
  return {
    files: files.map((f) => {
      const tally = perFile.get(f.path)
      return {path: f.path, rows: tally?.rows ?? 0, skipped: tally?.skipped ?? 0}
    }),
    rowsRead: total.rows,
    rowsSkipped: total.skipped,
    skippedByColumn: total.byColumn,
    rollupRows: result.rollupRows,
    billingPeriods: writer
      .scopes()
      .filter((s): s is Extract<CostScope, {kind: 'billing-period'}> => s.kind === 'billing-period')
      .map((s) => ({
        provider: s.provider,
        billingAccountId: s.billingAccountId,
        billingPeriodStart: s.billingPeriodStart,
      }))
      .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    days: firstDay <= lastDay ? {first: dayText(firstDay), last: dayText(lastDay)} : undefined,
    currencies: [...currencies].sort(),
    importId: result.importId,
  }
}

const billingPeriodScope = (provider: string, account: string, bp: number): CostScope => ({
  kind: 'billing-period',
  source: 'focus',
  provider,
  billingAccountId: account,
  billingPeriodStart: new Date(bp * 86_400_000).toISOString().slice(0, 10),
})

/**
 * The commitment usage keys packed by the import query (COMMITMENT_USAGE_KEYS order), normalized:
 * pricing and status lower-cased (FOCUS 1.0-preview's On-Demand and Commitment-Based read as their
 * 1.0 names Standard and Committed); undefined for an ineligible row (no hour).
 */
function commitmentUsageGroup(packed: string | null): CommitmentUsageGroup | undefined {
  if (packed === null) return undefined
  const [hour, span, pricing, id, category, type, status] = JSON.parse(packed) as (string | null)[]
  if (hour === null || hour === undefined) return undefined
  const text = (v: string | null | undefined): string => {
    const t = clean(v ?? null)
    return t === null || t.toLowerCase() === 'null' ? '' : t
  }
  const pricingText = text(pricing)
    .toLowerCase()
    .replace(/[\s_]+/g, '-')
  const statusText = text(status).toLowerCase()
  return {
    hour: Number(hour),
    spanHours: span === null || span === undefined ? 1 : Number(span),
    pricingCategory: PRICING_ALIASES[pricingText] ?? (pricingText === '' ? '' : 'other'),
    commitmentId: text(id),
    commitmentStatus: statusText === 'used' || statusText === 'unused' ? statusText : '',
    commitmentCategory: text(category),
    commitmentType: text(type),
  }
}

const PRICING_ALIASES: Record<string, string> = {
  standard: 'standard',
  'on-demand': 'standard',
  ondemand: 'standard',
  committed: 'committed',
  'commitment-based': 'committed',
  dynamic: 'dynamic',
  other: 'other',
}

/** Raw text as the import treats it: trimmed, with '' and the literal NULL as null. */
const clean = (v: string | null): string | null => {
  if (v === null) return null
  const text = v.trim()
  return text === '' || text === 'NULL' ? null : text
}

/** The error for the first bad row: `file:line` (CSV) or `file row N` (Parquet), the column and its value. */
async function badRowError(
  session: DuckDBSession,
  files: readonly FocusFile[],
  mapping: ColumnMapping,
  problem: {code: number} | {column: string; value: string | null},
) {
  const column = 'code' in problem ? ROW_PROBLEMS[problem.code]! : problem.column
  let where = files.length === 1 ? files[0]!.path : `one of the ${files.length} files`
  let value: string | null = 'code' in problem ? null : problem.value
  // Ordered reading is only needed here, to name the first bad row of the first file that has one.
  await session.connection.run('SET preserve_insertion_order = true')
  for (const file of files) {
    const located = await session.connection.runAndReadAll(
      locateQuery(
        file,
        mapping,
        'code' in problem ? {problem: problem.code} : {column: problem.column as never, value: problem.value},
      ),
    )
    const row = located.getRows()[0]
    if (!row) continue
    const rowNumber = Number(row[0])
    value = row[1] === null ? null : String(row[1])
    const line = file.format === 'csv' ? await csvLineOfRow(file, rowNumber) : undefined
    where =
      file.format === 'csv'
        ? line === undefined
          ? `${file.path} row ${rowNumber}`
          : `${file.path}:${line}`
        : `${file.path} row ${rowNumber}`
    break
  }
  const shown = (v: string | null) => (v === null ? 'null' : v.length > 60 ? `${v.slice(0, 57)}...` : v)
  const what =
    column === 'Tags'
      ? `Tags is not a JSON object: ${shown(value)}`
      : column === 'BillingCurrency'
        ? 'BillingCurrency is empty'
        : column.endsWith('Start')
          ? `${column} ${value === null ? 'is empty' : `"${shown(value)}" is not a date`}`
          : `${column} "${shown(value)}" ${describeBadAmount(value)}`
  return inputError(
    `${where}: ${what}`,
    (n) => `fix or remove the row, or allow ${n(SKIP_INVALID_INPUT)} to import the rest and count the bad rows`,
  )
}

/** DuckDB's reader errors (truncated gzip, bad Parquet, unreadable or malformed CSV) as one line naming the file. */
async function describeFileFailure(error: unknown, files: readonly FocusFile[]) {
  // A truncated .gz often surfaces from DuckDB as a bad CSV line; the gzip stream itself tells the real cause.
  for (const file of files) {
    const broken = await gzipProblem(file)
    if (broken)
      return inputError(
        `${file.path}: the gzip file is truncated or corrupt (${broken})`,
        'download the export again',
        error,
      )
  }
  const message = error instanceof Error ? error.message : String(error)
  const firstLine = (message.split('\n')[0] ?? message).replace(/^[A-Za-z ]+Error: /, '')
  const named = files.find((f) => message.includes(f.path))
  const where = named?.path ?? (files.length === 1 ? files[0]!.path : `one of the ${files.length} files`)
  if (/gzip|zlib|inflate|compress|Z_BUF/i.test(message))
    return inputError(
      `${where}: the compressed file is truncated or corrupt (${firstLine})`,
      'download the export again',
      error,
    )
  if (/parquet|magic bytes|footer/i.test(message))
    return inputError(`${where}: not a readable Parquet file (${firstLine})`, 'download the export again', error)
  if (/maximum line size|line size/i.test(message))
    return inputError(
      `${where}: a line is longer than ${CSV_LINE_LIMIT_MB} MB (${firstLine})`,
      'a FOCUS row is far shorter; check the file is a FOCUS CSV export',
      error,
    )
  if (/No files found|cannot open|permission/i.test(message))
    return inputError(`${where}: cannot read the file (${firstLine})`, 'check the path and its permissions', error)
  return inputError(
    `${where}: cannot parse the file as FOCUS CSV (${firstLine})`,
    'check it is a comma-separated FOCUS export with a header row',
    error,
  )
}

const CSV_LINE_LIMIT_MB = 4

/** Why an amount is unusable: not a number, not finite, or beyond the accepted range. */
function describeBadAmount(value: string | null): string {
  const n = value === null ? NaN : Number(value.trim())
  if (value !== null && /^\s*[-+]?(nan|inf(inity)?)\s*$/i.test(value)) return 'is not a finite number'
  if (Number.isNaN(n)) return 'is not a number'
  return `is out of range (amounts must be finite and within ±${MAX_ABS_AMOUNT.toLocaleString('en-US')})`
}

/** A group's amount sums are exact integers only below 2^53: only absurd files get beyond. */
const tooLarge = (files: readonly FocusFile[]) =>
  inputError(
    `${files.length === 1 ? files[0]!.path : `the ${files.length} files`}: one day's costs for one service and tag set add up to more than ` +
      `9,007,199,254,740,991 in the billing currency`,
    'check the cost columns: no real bill is this large',
  )
