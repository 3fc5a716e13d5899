import {AMOUNT_SQL_COLUMNS} from '../../store/amounts.js'
import type {ColumnMapping, FocusColumn} from './columns.js'
import type {FocusFile} from './files.js'

/**
 * The one DuckDB query an import runs over all its files. Each row is projected once (dates parsed,
 * costs parsed and checked) and then aggregated by GROUPING SETS into every rollup at the same time,
 * so adding a rollup (another grain, more columns) never reads the files a second time.
 */

/** Largest amount accepted in a cost column, in the billing currency: beyond it, a value is out of range. */
export const MAX_ABS_AMOUNT = 1e12

/**
 * Reader buffer per thread. DuckDB's default (32 MB, several alive per thread) would be most of a
 * small budget; 4 MB keeps the reader's share small and was not slower (docs/benchmarks.md). A line
 * must fit in it, so it is also the longest line accepted.
 */
export const CSV_BUFFER_BYTES = 4 * 1024 * 1024

/** Why a row cannot be imported (its first unusable column), decided per row; '' when it is fine. */
export const ROW_PROBLEMS = [
  '',
  'ChargePeriodStart',
  'BillingPeriodStart',
  'BillingCurrency',
  'BilledCost',
  'EffectiveCost',
  'ListCost',
  'ContractedCost',
  'Tags',
] as const
const problemCode = (column: (typeof ROW_PROBLEMS)[number]): number => ROW_PROBLEMS.indexOf(column)

/** A rollup computed in the import's single pass: the row projection's columns it groups on. */
export interface RollupDefinition {
  id: string
  keys: readonly RowColumn[]
  /** A rollup below the grain (cost details): the columns holding its value and display label. */
  detail?: {value: RowColumn; label: RowColumn}
  /** Keys handed to the importer packed as one JSON array (in the detail column), in this order. */
  packed?: readonly RowColumn[]
}

/** Columns of the per-row projection that rollups can group on. */
export type RowColumn =
  | 'day'
  | 'bp_text'
  | 'provider'
  | 'account'
  | 'account_name'
  | 'sub'
  | 'sub_name'
  | 'service'
  | 'category'
  | 'region'
  | 'charge_category'
  | 'frequency'
  | 'currency'
  | 'tags'
  | 'file'
  | 'problem'
  | 'sku'
  | 'sku_label'
  | 'commitment_hour'
  | 'commitment_span'
  | 'pricing'
  | 'commitment_id'
  | 'commitment_category'
  | 'commitment_type'
  | 'commitment_status'

/** The grain's cost dimensions (with their display names), carried as one JSON array per grain key. */
export const GRAIN_DIMENSIONS = [
  'provider',
  'account',
  'account_name',
  'sub',
  'sub_name',
  'service',
  'category',
  'region',
  'charge_category',
  'frequency',
  'currency',
] as const satisfies readonly RowColumn[]

/** The store's daily grain, with the display names and the row problem (bad rows are their own groups). */
export const DAILY_COST_ROLLUP: RollupDefinition = {
  id: 'daily-cost',
  keys: ['day', 'bp_text', ...GRAIN_DIMENSIONS, 'tags', 'problem'],
}

/** The grain without tags, for the cost details (a detail is summed over the key's tag sets). */
const GRAIN_WITHOUT_TAGS = DAILY_COST_ROLLUP.keys.filter((k) => k !== 'tags')

/** Cost by usage type (SkuId, described by ChargeDescription) under each grain key and day. */
export const USAGE_TYPE_ROLLUP: RollupDefinition = {
  id: 'usage-type',
  keys: [...GRAIN_WITHOUT_TAGS, 'sku', 'sku_label'],
  detail: {value: 'sku', label: 'sku_label'},
}

/** The keys of COMMITMENT_USAGE_ROLLUP beyond the grain, in the order the importer unpacks them. */
export const COMMITMENT_USAGE_KEYS = [
  'commitment_hour',
  'commitment_span',
  'pricing',
  'commitment_id',
  'commitment_category',
  'commitment_type',
  'commitment_status',
] as const satisfies readonly RowColumn[]

/**
 * Spend a commitment could cover or did cover, per grain key and charge period (hour), with its
 * pricing and commitment columns; rows that are not eligible have a null hour and are dropped by
 * the importer (they form one group per grain key and period, not per hour).
 */
export const COMMITMENT_USAGE_ROLLUP: RollupDefinition = {
  id: 'commitment-usage',
  keys: [...GRAIN_WITHOUT_TAGS.filter((k) => k !== 'day'), ...COMMITMENT_USAGE_KEYS],
  packed: COMMITMENT_USAGE_KEYS,
}

/** Rows per file and problem: the import's per-file counts. */
export const FILE_ROLLUP: RollupDefinition = {id: 'file', keys: ['file', 'problem']}

const sqlString = (value: string): string => `'${value.replaceAll("'", "''")}'`
const ident = (name: string): string => `"${name.replaceAll('"', '""')}"`

/** The files as one relation: every part of an export read together, columns matched by name. */
/** DuckDB's column list of one Parquet file (its header). */
export const describeParquetQuery = (file: FocusFile): string =>
  `DESCRIBE SELECT * FROM read_parquet(${sqlString(file.path)})`

/** DuckDB's column list of all the files read together, as the import reads them. */
export const describeSourceQuery = (files: readonly FocusFile[]): string =>
  `DESCRIBE SELECT * FROM (${sourceRelation(files)})`

export function sourceRelation(files: readonly FocusFile[]): string {
  const list = (format: FocusFile['format']) =>
    `[${files
      .filter((f) => f.format === format)
      .map((f) => sqlString(f.path))
      .join(', ')}]`
  const csv = files.some((f) => f.format === 'csv')
    ? `SELECT * FROM read_csv(${list('csv')}, all_varchar = true, header = true, delim = ',', quote = '"', escape = '"',
        nullstr = ['NULL', ''], union_by_name = true, filename = '__finops_file', buffer_size = ${CSV_BUFFER_BYTES},
        max_line_size = ${CSV_BUFFER_BYTES}, auto_detect = false)`
    : undefined
  const parquet = files.some((f) => f.format === 'parquet')
    ? `SELECT * FROM read_parquet(${list('parquet')}, union_by_name = true, filename = '__finops_file')`
    : undefined
  return [csv, parquet].filter(Boolean).join(' UNION ALL BY NAME ')
}

/**
 * Copies the columns the import reads (as the files hold them) and each row's file name into one
 * Parquet file at `target`, in one read of the files. The import's queries then read that copy:
 * a CSV is parsed once instead of once per query (and once per hash partition when memory runs
 * short), and the copy, a small fraction of the CSV, lives in the spill directory beside DuckDB's
 * other spill files. COPY streams, so its memory is DuckDB's budget.
 */
export function stagingQuery(files: readonly FocusFile[], mapping: ColumnMapping, target: string): string {
  const columns = [...new Set(Object.values(mapping).filter((c): c is string => c !== undefined))].map(ident)
  return `COPY (SELECT ${[...columns, '__finops_file'].join(', ')} FROM (${sourceRelation(files)}))
    TO ${sqlString(target)} (FORMAT parquet, ROW_GROUP_SIZE ${STAGED_ROW_GROUP_ROWS})`
}

/** Rows per row group of the staged copy: a group is buffered whole per thread while it is written. */
const STAGED_ROW_GROUP_ROWS = 32_768

/** The staged copy as the relation the import's queries read (its file column is a column already). */
export const stagedRelation = (target: string): string => `SELECT * FROM read_parquet(${sqlString(target)})`

/** SQL for a column as text, NULL when the file lacks it. */
export const raw = (mapping: ColumnMapping, column: FocusColumn): string =>
  mapping[column] === undefined ? 'NULL::VARCHAR' : `CAST(${ident(mapping[column])} AS VARCHAR)`
const costSql = (mapping: ColumnMapping, column: FocusColumn): string =>
  mapping[column] === undefined ? '0::DOUBLE' : `TRY_CAST(${raw(mapping, column)} AS DOUBLE)`
/** Service categories whose usage the clouds sell commitments for (FOCUS ServiceCategory, lower case). */
const COMMITMENT_ELIGIBLE_CATEGORIES = ['compute', 'databases', 'ai and machine learning']

/** SQL: a text column's value lower-cased, '' when absent, empty or the text null. */
const lowered = (mapping: ColumnMapping, column: FocusColumn): string =>
  `CASE WHEN lower(trim(coalesce(${raw(mapping, column)}, ''))) = 'null' THEN '' ELSE lower(trim(coalesce(${raw(mapping, column)}, ''))) END`

/**
 * SQL: whether a row belongs in the commitment usage: usage a commitment covered (it names one), or
 * usage of an eligible category not priced dynamically (spot), or the purchase of a commitment.
 */
function commitmentEligibleSql(mapping: ColumnMapping): string {
  const charge = lowered(mapping, 'ChargeCategory')
  const named = `${lowered(mapping, 'CommitmentDiscountId')} <> ''`
  const eligible = `${lowered(mapping, 'ServiceCategory')} IN (${COMMITMENT_ELIGIBLE_CATEGORIES.map(sqlString).join(', ')})`
  return `((${charge} = 'usage' AND (${named} OR (${eligible} AND ${lowered(mapping, 'PricingCategory')} NOT IN ('dynamic', 'other'))))
    OR (${charge} = 'purchase' AND ${named}))`
}

/** SQL: the hour (since the epoch) a row's charge period starts in, for eligible rows; else null. */
function commitmentHourSql(mapping: ColumnMapping): string {
  const start = `TRY_CAST(${raw(mapping, 'ChargePeriodStart')} AS TIMESTAMPTZ)`
  return `CASE WHEN ${commitmentEligibleSql(mapping)} THEN CAST(floor(epoch(${start}) / 3600) AS BIGINT) END`
}

/** SQL: how many hours an eligible row's charge period covers (1 when its end is absent or odd, at most a month). */
function commitmentSpanSql(mapping: ColumnMapping): string {
  if (mapping.ChargePeriodEnd === undefined) return 'NULL::INTEGER'
  const start = `TRY_CAST(${raw(mapping, 'ChargePeriodStart')} AS TIMESTAMPTZ)`
  const end = `TRY_CAST(${raw(mapping, 'ChargePeriodEnd')} AS TIMESTAMPTZ)`
  return `CASE WHEN ${commitmentEligibleSql(mapping)} THEN
      greatest(1, least(744, coalesce(CAST(round((epoch(${end}) - epoch(${start})) / 3600) AS INTEGER), 1))) END`
}

const daySql = (mapping: ColumnMapping): string =>
  `CAST(CAST(TRY_CAST(${raw(mapping, 'ChargePeriodStart')} AS TIMESTAMPTZ) AS DATE) - DATE '1970-01-01' AS INTEGER)`

/**
 * SQL for the row's problem code (index in ROW_PROBLEMS). A cost is bad when present but not a
 * finite number within range: NaN, Infinity and 1e400 parse as doubles, hence the range test, which
 * NaN fails too. Empty and the text NULL (Parquet has no null string) mean no value. Tags must be a
 * JSON object (the importer parses each distinct set again, and refuses one DuckDB let through).
 * Written without column aliases so a file's own column names cannot shadow them.
 */
function problemSql(mapping: ColumnMapping): string {
  const present = (column: FocusColumn): string =>
    `(${raw(mapping, column)} IS NOT NULL AND trim(${raw(mapping, column)}) NOT IN ('', 'NULL'))`
  const badCost = (column: FocusColumn): string =>
    mapping[column] === undefined
      ? 'false'
      : `((${costSql(mapping, column)} IS NULL AND ${present(column)}) OR NOT (abs(${costSql(mapping, column)}) <= ${MAX_ABS_AMOUNT}))`
  const badTags =
    mapping.Tags === undefined
      ? 'false'
      : `(${present('Tags')} AND NOT CASE WHEN json_valid(${raw(mapping, 'Tags')}) THEN json_type(${raw(mapping, 'Tags')}) = 'OBJECT' ELSE false END)`
  return `CASE
      WHEN ${daySql(mapping)} IS NULL THEN ${problemCode('ChargePeriodStart')}
      WHEN TRY_CAST(${raw(mapping, 'BillingPeriodStart')} AS TIMESTAMPTZ) IS NULL THEN ${problemCode('BillingPeriodStart')}
      WHEN NOT ${present('BillingCurrency')} THEN ${problemCode('BillingCurrency')}
      WHEN ${badCost('BilledCost')} THEN ${problemCode('BilledCost')}
      WHEN ${badCost('EffectiveCost')} THEN ${problemCode('EffectiveCost')}
      WHEN ${badCost('ListCost')} THEN ${problemCode('ListCost')}
      WHEN ${badCost('ContractedCost')} THEN ${problemCode('ContractedCost')}
      WHEN ${badTags} THEN ${problemCode('Tags')}
      ELSE 0
    END`
}

/**
 * A cost as exact integers: whole units and nanos (rounded). They are summed as doubles, which is
 * exact for integers below 2^53 (the importer refuses larger sums), cheaper in memory than integer
 * sums, and independent of the order rows are added in, so every rollup of the same rows agrees.
 */
const splitCost = (mapping: ColumnMapping, column: FocusColumn, alias: string): string => {
  const value = costSql(mapping, column)
  return `trunc(${value}) AS ${alias}_units, round((${value} - trunc(${value})) * 1e9) AS ${alias}_nanos`
}

/** The per-row projection: each rollup key and the parsed costs. */
export function rowProjection(mapping: ColumnMapping): string {
  return `
    ${daySql(mapping)} AS day,
    ${raw(mapping, 'BillingPeriodStart')} AS bp_text,
    ${raw(mapping, 'ProviderName')} AS provider,
    ${raw(mapping, 'BillingAccountId')} AS account,
    ${raw(mapping, 'BillingAccountName')} AS account_name,
    ${raw(mapping, 'SubAccountId')} AS sub,
    ${raw(mapping, 'SubAccountName')} AS sub_name,
    ${raw(mapping, 'ServiceName')} AS service,
    ${raw(mapping, 'ServiceCategory')} AS category,
    ${raw(mapping, 'RegionId')} AS region,
    ${raw(mapping, 'ChargeCategory')} AS charge_category,
    ${raw(mapping, 'ChargeFrequency')} AS frequency,
    ${raw(mapping, 'BillingCurrency')} AS currency,
    ${raw(mapping, 'Tags')} AS tags,
    ${raw(mapping, 'SkuId')} AS sku,
    ${raw(mapping, 'ChargeDescription')} AS sku_label,
    ${commitmentHourSql(mapping)} AS commitment_hour,
    ${commitmentSpanSql(mapping)} AS commitment_span,
    ${raw(mapping, 'PricingCategory')} AS pricing,
    ${raw(mapping, 'CommitmentDiscountId')} AS commitment_id,
    ${raw(mapping, 'CommitmentDiscountCategory')} AS commitment_category,
    ${raw(mapping, 'CommitmentDiscountType')} AS commitment_type,
    ${raw(mapping, 'CommitmentDiscountStatus')} AS commitment_status,
    __finops_file AS file,
    ${splitCost(mapping, 'BilledCost', 'billed')},
    ${splitCost(mapping, 'EffectiveCost', 'effective')},
    ${splitCost(mapping, 'ListCost', 'list')},
    ${splitCost(mapping, 'ContractedCost', 'contracted')},
    ${problemSql(mapping)} AS problem`
}

/**
 * The import query: one pass over `source` (the staged files, see stagingQuery), one GROUPING SET per rollup; with `partition`, only the
 * rows whose grain hashes to it (each row is in exactly one partition). `set_id` tells the rollup
 * of each output row (its index in `rollups`). Per group (not per row), the billing period is
 * parsed and the grain's text columns are packed into one JSON array, so the importer receives two
 * strings per group (grain, tags) instead of fourteen.
 */
export function importQuery(
  source: string,
  mapping: ColumnMapping,
  rollups: readonly RollupDefinition[],
  partition: {index: number; count: number} = {index: 0, count: 1},
): string {
  const keys = [...new Set(rollups.flatMap((r) => r.keys))]
  const bit = (key: RowColumn) => 1 << (keys.length - 1 - keys.indexOf(key))
  // GROUPING(...) over every key sets a bit for each key a set does not group on.
  const masks = rollups.map((r) => keys.reduce((mask, key) => (r.keys.includes(key) ? mask : mask | bit(key)), 0))
  const setId = `CASE grouping(${keys.join(', ')}) ${masks.map((m, i) => `WHEN ${m} THEN ${i}`).join(' ')} END`
  // Rollups at (or below) the grain carry its key; details their value and label.
  const keyed = rollups.flatMap((r, i) => (r.keys.includes('service') ? [i] : []))
  const detailColumn = (part: 'value' | 'label'): string => {
    const cases = rollups.flatMap((r, i) =>
      r.detail
        ? [`WHEN ${i} THEN ${r.detail[part]}`]
        : r.packed && part === 'value'
          ? [`WHEN ${i} THEN to_json([${r.packed.map((k) => `CAST(${k} AS VARCHAR)`).join(', ')}])::VARCHAR`]
          : [],
    )
    return cases.length > 0 ? `CASE set_id ${cases.join(' ')} END` : 'NULL::VARCHAR'
  }
  return `
    SELECT set_id, day, CAST(CAST(TRY_CAST(bp_text AS TIMESTAMPTZ) AS DATE) - DATE '1970-01-01' AS INTEGER) AS bp,
      CASE WHEN set_id IN (${keyed.join(', ')}) THEN to_json([${GRAIN_DIMENSIONS.join(', ')}])::VARCHAR END AS dims, tags, file,
      problem, rows, ${AMOUNT_SQL_COLUMNS.join(', ')}, ${detailColumn('value')} AS detail,
      ${detailColumn('label')} AS detail_label
    FROM (
      SELECT ${setId} AS set_id, ${keys.join(', ')}, count(*)::DOUBLE AS rows,
        ${AMOUNT_SQL_COLUMNS.map((c) => `coalesce(sum(${c}), 0) AS ${c}`).join(', ')}
      FROM (SELECT ${rowProjection(mapping)} FROM (${source}))
      ${partition.count > 1 ? `WHERE hash(${DAILY_COST_ROLLUP.keys.join(', ')}) % ${partition.count} = ${partition.index}` : ''}
      GROUP BY GROUPING SETS (${rollups.map((r) => `(${r.keys.join(', ')})`).join(', ')})
    )`
}

/**
 * Finds the first row of `file` (read in order) whose problem code is `problem`, or whose `column`
 * holds `value`: its 1-based row number (header excluded) and the offending text. Only on the error path.
 */
export function locateQuery(
  file: FocusFile,
  mapping: ColumnMapping,
  where: {problem: number} | {column: FocusColumn; value: string | null},
): string {
  const shownFor = (column: FocusColumn) => raw(mapping, column)
  const predicate =
    'problem' in where
      ? `problem = ${where.problem}`
      : where.value === null
        ? 'shown IS NULL'
        : `shown = ${sqlString(where.value)}`
  const shown =
    'problem' in where
      ? `CASE ${problemSql(mapping)} ${ROW_PROBLEMS.slice(1)
          .map((column, i) => `WHEN ${i + 1} THEN ${shownFor(column as FocusColumn)}`)
          .join(' ')} END`
      : shownFor(where.column)
  return `
    SELECT row_number::DOUBLE, shown FROM (
      SELECT row_number() OVER () AS row_number, ${shown} AS shown, ${problemSql(mapping)} AS problem
      FROM (${sourceRelation([file])})
    ) WHERE ${predicate} ORDER BY row_number LIMIT 1`
}
