import type {DuckDBConnection} from '@duckdb/node-api'
import fs from 'node:fs'
import {pipeline} from 'node:stream/promises'
import {Writable} from 'node:stream'
import zlib from 'node:zlib'

import {inputError} from '../../errors.js'
import {type ColumnMapping, type FocusColumn, resolveColumns} from './columns.js'
import type {FocusFile} from './files.js'

/**
 * One group of a file's rows at the store's grain, summed by DuckDB. Values are as written in the
 * file (trimmed, `NULL` and '' as null); enum spelling and tags are normalized afterwards in JS on
 * the few groups rather than on every row.
 */
export interface RawFocusGroup {
  day: string | null
  billingPeriodStart: string | null
  provider: string | null
  billingAccountId: string | null
  billingAccountName: string | null
  subAccountId: string | null
  subAccountName: string | null
  serviceName: string | null
  serviceCategory: string | null
  regionId: string | null
  chargeCategory: string | null
  chargeFrequency: string | null
  currency: string | null
  tags: string | null
  billedCost: number
  effectiveCost: number
  listCost: number
  contractedCost: number
  rows: number
  /** The first column that made these rows unusable, or null. */
  badColumn: string | null
}

export interface AggregateOptions {
  /** Called about five times a second with the fraction done (0..1), while DuckDB reads. */
  onProgress?: (fraction: number) => void
  /** Receives the groups a chunk (~2,000) at a time, so memory does not grow with their number. */
  onGroups: (groups: RawFocusGroup[], mapping: ColumnMapping) => Promise<void> | void
  /** Use the row-exact query (needed when some costs are not numbers). */
  precise?: boolean
}

export interface AggregateOutcome {
  mapping: ColumnMapping
  /**
   * The fast pass met a cost that is not a number: the caller discards what it received for this
   * file and calls again with `precise`.
   */
  needsPrecise: boolean
}

const sqlString = (value: string): string => `'${value.replaceAll("'", "''")}'`
const ident = (name: string): string => `"${name.replaceAll('"', '""')}"`

function relation(file: FocusFile): string {
  return file.format === 'parquet'
    ? `read_parquet(${sqlString(file.path)})`
    : `read_csv(${sqlString(file.path)}, all_varchar = true, header = true, buffer_size = ${CSV_BUFFER_BYTES})`
}

/**
 * DuckDB's CSV reader buffer (default 32 MB, several alive per thread): 4 MB keeps the importer's
 * peak RSS near 240 MB on 1M and 2M-row exports and was not slower (docs/benchmarks.md). A line
 * must fit in it.
 */
const CSV_BUFFER_BYTES = 4 * 1024 * 1024

/** SQL for a trimmed text value, with '' and the literal NULL as null. */
function text(mapping: ColumnMapping, column: FocusColumn): string {
  const name = mapping[column]
  return name === undefined ? 'NULL::VARCHAR' : `nullif(nullif(trim(CAST(${ident(name)} AS VARCHAR)), ''), 'NULL')`
}

/** The per-row projections and the first failing column, shared by the aggregate and locate queries. */
function rowProjection(mapping: ColumnMapping): string {
  const num = (column: FocusColumn) => `TRY_CAST(${text(mapping, column)} AS DOUBLE)`
  const badNumber = (column: FocusColumn) => `(${text(mapping, column)} IS NOT NULL AND ${num(column)} IS NULL)`
  const date = (column: FocusColumn) => `CAST(TRY_CAST(${text(mapping, column)} AS TIMESTAMPTZ) AS DATE)::VARCHAR`
  return `
    ${date('ChargePeriodStart')} AS day,
    ${date('BillingPeriodStart')} AS billing_period_start,
    ${text(mapping, 'ProviderName')} AS provider,
    ${text(mapping, 'BillingAccountId')} AS billing_account_id,
    ${text(mapping, 'BillingAccountName')} AS billing_account_name,
    ${text(mapping, 'SubAccountId')} AS sub_account_id,
    ${text(mapping, 'SubAccountName')} AS sub_account_name,
    ${text(mapping, 'ServiceName')} AS service_name,
    ${text(mapping, 'ServiceCategory')} AS service_category,
    ${text(mapping, 'RegionId')} AS region_id,
    ${text(mapping, 'ChargeCategory')} AS charge_category,
    ${text(mapping, 'ChargeFrequency')} AS charge_frequency,
    upper(${text(mapping, 'BillingCurrency')}) AS currency,
    ${text(mapping, 'Tags')} AS tags,
    coalesce(${num('BilledCost')}, 0) AS billed_cost,
    coalesce(${num('EffectiveCost')}, 0) AS effective_cost,
    coalesce(${num('ListCost')}, 0) AS list_cost,
    coalesce(${num('ContractedCost')}, 0) AS contracted_cost,
    CASE
      WHEN ${date('ChargePeriodStart')} IS NULL THEN 'ChargePeriodStart'
      WHEN ${date('BillingPeriodStart')} IS NULL THEN 'BillingPeriodStart'
      WHEN ${badNumber('BilledCost')} THEN 'BilledCost'
      WHEN ${badNumber('EffectiveCost')} THEN 'EffectiveCost'
      WHEN ${badNumber('ListCost')} THEN 'ListCost'
      WHEN ${badNumber('ContractedCost')} THEN 'ContractedCost'
      WHEN ${text(mapping, 'BillingCurrency')} IS NULL THEN 'BillingCurrency'
      ELSE NULL
    END AS bad_column`
}

/** Reads a file's header (column names) without reading its rows. */
async function readHeader(connection: DuckDBConnection, file: FocusFile): Promise<string[]> {
  const result = await connection.runAndReadAll(`DESCRIBE SELECT * FROM ${relation(file)}`)
  return result.getRows().map((row) => String(row[0]))
}

/**
 * Aggregates one FOCUS file to the daily grain inside DuckDB (streamed: memory grows with the number
 * of groups, not rows) and returns the groups. Missing required columns and unreadable files raise
 * an input error naming the file.
 */
export async function aggregateFocusFile(
  connection: DuckDBConnection,
  file: FocusFile,
  options: AggregateOptions,
): Promise<AggregateOutcome> {
  if (file.bytes === 0)
    throw inputError(
      `${file.path}: the file is empty`,
      'export the billing data again; a FOCUS file has a header row and at least one charge',
    )
  const header = await withFileErrors(file, () => readHeader(connection, file))
  const {mapping, missing} = resolveColumns(header)
  if (missing.length > 0) {
    await assertGzipIntact(file)
    throw inputError(
      `${file.path}: missing required FOCUS column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`,
      'is this a FOCUS export (AWS Data Exports FOCUS, Azure FocusCost, GCP FOCUS view)? Cost-and-usage reports in other layouts are not FOCUS',
    )
  }

  const progress = options.onProgress
  const timer = progress
    ? setInterval(() => {
        const {percentage} = connection.progress
        if (percentage >= 0) progress(Math.min(1, percentage / 100))
      }, 200)
    : undefined
  try {
    // Fast path: group on the raw values (as cheap as a plain GROUP BY) and clean up the groups in
    // JS. Only when a cost is unparseable does the row-exact query run.
    const sql = options.precise ? preciseAggregateSql(file, mapping) : fastAggregateSql(file, mapping)
    const result = await withFileErrors(file, () => connection.stream(sql))
    for (;;) {
      const chunk = await withFileErrors(file, () => result.fetchChunk())
      if (!chunk || chunk.rowCount === 0) break
      const rows = chunk.getRows()
      if (!options.precise && rows.some((r) => Number(r[19]) !== 0)) return {mapping, needsPrecise: true}
      await options.onGroups(rows.map(options.precise ? toGroup : toFastGroup), mapping)
    }
    // DuckDB's figure covers all of the query's pipelines and ends short of 100 for a GROUP BY.
    progress?.(1)
    return {mapping, needsPrecise: false}
  } finally {
    if (timer) clearInterval(timer)
  }
}

/** One pass, grouping on raw text; per group, how many rows had a cost that is not a number. */
function fastAggregateSql(file: FocusFile, mapping: ColumnMapping): string {
  const raw = (column: FocusColumn): string => {
    const name = mapping[column]
    return name === undefined ? 'NULL::VARCHAR' : `CAST(${ident(name)} AS VARCHAR)`
  }
  const day = (column: FocusColumn) => `CAST(TRY_CAST(${raw(column)} AS TIMESTAMPTZ) AS DATE)::VARCHAR`
  const cost = (column: FocusColumn) =>
    mapping[column] === undefined ? '0::DOUBLE' : `coalesce(sum(TRY_CAST(${raw(column)} AS DOUBLE)), 0)`
  // Non-null texts minus parsed numbers = values that are not numbers (' NULL ' with spaces too,
  // which the precise path then treats as null).
  const bad = (column: FocusColumn) =>
    mapping[column] === undefined ? '0' : `(count(${raw(column)}) - count(TRY_CAST(${raw(column)} AS DOUBLE)))`
  const source =
    file.format === 'parquet'
      ? `read_parquet(${sqlString(file.path)})`
      : `read_csv(${sqlString(file.path)}, all_varchar = true, header = true, nullstr = ['NULL', ''], buffer_size = ${CSV_BUFFER_BYTES})`
  // BillingPeriodStart has one value per month: it is grouped as text and parsed once per group in
  // the outer query (parsing it on every row cost ~20% of the pass). Two spellings of one date give
  // two groups with the same grain, which the store's upsert adds together.
  return `
    SELECT day, CAST(TRY_CAST(bp_text AS TIMESTAMPTZ) AS DATE)::VARCHAR AS bp, provider, account, account_name, sub, sub_name,
      service, category, region, charge_category, frequency, currency, tags, billed, effective, list, contracted, n, bad
    FROM (
      SELECT ${day('ChargePeriodStart')} AS day, ${raw('BillingPeriodStart')} AS bp_text, ${raw('ProviderName')} AS provider,
        ${raw('BillingAccountId')} AS account, any_value(${raw('BillingAccountName')}) AS account_name, ${raw('SubAccountId')} AS sub,
        any_value(${raw('SubAccountName')}) AS sub_name, ${raw('ServiceName')} AS service, ${raw('ServiceCategory')} AS category,
        ${raw('RegionId')} AS region, ${raw('ChargeCategory')} AS charge_category, ${raw('ChargeFrequency')} AS frequency,
        ${raw('BillingCurrency')} AS currency, ${raw('Tags')} AS tags,
        ${cost('BilledCost')} AS billed, ${cost('EffectiveCost')} AS effective, ${cost('ListCost')} AS list,
        ${cost('ContractedCost')} AS contracted, count(*)::DOUBLE AS n,
        ${bad('BilledCost')} + ${bad('EffectiveCost')} + ${bad('ListCost')} + ${bad('ContractedCost')} AS bad
      FROM ${source}
      GROUP BY day, bp_text, provider, account, sub, service, category, region, charge_category, frequency, currency, tags
    )
    -- In the store's primary-key order, so SQLite appends to its B-tree instead of inserting at random.
    ORDER BY provider, account, bp, day, sub, service, category, region, charge_category, frequency, currency, tags`
}

/** Row-exact: each row's first bad column is part of the grouping, so --skip-invalid drops exactly the bad rows. */
function preciseAggregateSql(file: FocusFile, mapping: ColumnMapping): string {
  return `
    SELECT day, billing_period_start, provider, billing_account_id, any_value(billing_account_name), sub_account_id,
      any_value(sub_account_name), service_name, service_category, region_id, charge_category, charge_frequency,
      currency, tags, sum(billed_cost), sum(effective_cost), sum(list_cost), sum(contracted_cost), count(*)::DOUBLE, bad_column
    FROM (SELECT ${rowProjection(mapping)} FROM ${relation(file)})
    GROUP BY day, billing_period_start, provider, billing_account_id, sub_account_id, service_name, service_category,
      region_id, charge_category, charge_frequency, currency, tags, bad_column`
}

/** Raw text as the precise path sees it: trimmed, with '' and the literal NULL as null. */
const clean = (v: unknown): string | null => {
  if (v === null || v === undefined) return null
  const text = String(v).trim()
  return text === '' || text === 'NULL' ? null : text
}

function toFastGroup(r: unknown[]): RawFocusGroup {
  const group: RawFocusGroup = {
    day: clean(r[0]),
    billingPeriodStart: clean(r[1]),
    provider: clean(r[2]),
    billingAccountId: clean(r[3]),
    billingAccountName: clean(r[4]),
    subAccountId: clean(r[5]),
    subAccountName: clean(r[6]),
    serviceName: clean(r[7]),
    serviceCategory: clean(r[8]),
    regionId: clean(r[9]),
    chargeCategory: clean(r[10]),
    chargeFrequency: clean(r[11]),
    currency: clean(r[12])?.toUpperCase() ?? null,
    tags: clean(r[13]),
    billedCost: Number(r[14]),
    effectiveCost: Number(r[15]),
    listCost: Number(r[16]),
    contractedCost: Number(r[17]),
    rows: Number(r[18]),
    badColumn: null,
  }
  group.badColumn =
    group.day === null
      ? 'ChargePeriodStart'
      : group.billingPeriodStart === null
        ? 'BillingPeriodStart'
        : group.currency === null
          ? 'BillingCurrency'
          : null
  return group
}

const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v))

function toGroup(r: unknown[]): RawFocusGroup {
  return {
    day: str(r[0]),
    billingPeriodStart: str(r[1]),
    provider: str(r[2]),
    billingAccountId: str(r[3]),
    billingAccountName: str(r[4]),
    subAccountId: str(r[5]),
    subAccountName: str(r[6]),
    serviceName: str(r[7]),
    serviceCategory: str(r[8]),
    regionId: str(r[9]),
    chargeCategory: str(r[10]),
    chargeFrequency: str(r[11]),
    currency: str(r[12]),
    tags: str(r[13]),
    billedCost: Number(r[14]),
    effectiveCost: Number(r[15]),
    listCost: Number(r[16]),
    contractedCost: Number(r[17]),
    rows: Number(r[18]),
    badColumn: str(r[19]),
  }
}

/** Where a bad row is: 1-based data row and, for CSV, the line (the header is line 1). */
export interface BadRowLocation {
  row: number
  value: string | null
}

/**
 * Finds the first row whose `column` is bad (or, for Tags, holds exactly `tagsText`). Only runs on the
 * error path, so it may read the file once more in order.
 */
export async function locateBadRow(
  connection: DuckDBConnection,
  file: FocusFile,
  mapping: ColumnMapping,
  column: string,
  tagsText?: string,
): Promise<BadRowLocation | undefined> {
  const predicate = tagsText === undefined ? `bad_column = ${sqlString(column)}` : `tags = ${sqlString(tagsText)}`
  const raw = column in mapping ? text(mapping, column as FocusColumn) : 'NULL'
  const result = await connection.runAndReadAll(`
    SELECT rn, raw_value FROM (
      SELECT row_number() OVER () AS rn, ${raw} AS raw_value, ${rowProjection(mapping)} FROM ${relation(file)}
    ) WHERE ${predicate} ORDER BY rn LIMIT 1`)
  const row = result.getRows()[0]
  return row ? {row: Number(row[0]), value: str(row[1])} : undefined
}

/** Maps DuckDB's reader errors (truncated gzip, bad Parquet, unreadable file) to one clear line. */
async function withFileErrors<T>(file: FocusFile, run: () => Promise<T>): Promise<T> {
  try {
    return await run()
  } catch (error) {
    await assertGzipIntact(file)
    const message = error instanceof Error ? error.message : String(error)
    const firstLine = message.split('\n')[0] ?? message
    if (/gzip|zlib|inflate|compress/i.test(message)) {
      throw inputError(
        `${file.path}: the compressed file is truncated or corrupt (${firstLine})`,
        'download the export again',
        error,
      )
    }
    if (/parquet|magic bytes|footer/i.test(message)) {
      throw inputError(`${file.path}: not a readable Parquet file (${firstLine})`, 'download the export again', error)
    }
    if (/No files found|cannot open|permission/i.test(message)) {
      throw inputError(`${file.path}: cannot read the file (${firstLine})`, 'check the path and its permissions', error)
    }
    throw inputError(
      `${file.path}: cannot parse the file as FOCUS CSV (${firstLine})`,
      'check it is a comma-separated FOCUS export with a header row',
      error,
    )
  }
}

/**
 * On the error path only: a truncated .gz often surfaces from DuckDB as a bad header or a bad CSV
 * line; checking the gzip stream itself gives the user the real cause.
 */
async function assertGzipIntact(file: FocusFile): Promise<void> {
  if (!/\.gz$/i.test(file.path)) return
  try {
    await pipeline(
      fs.createReadStream(file.path),
      zlib.createGunzip(),
      new Writable({write: (_chunk, _enc, done) => done()}),
    )
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'Z_BUF_ERROR' ? 'unexpected end of file' : (error as Error).message
    throw inputError(
      `${file.path}: the gzip file is truncated or corrupt (${reason})`,
      'download the export again',
      error,
    )
  }
}
