import {DIMENSIONS, type GroupKey, type Metric} from '../model/cost.js'
import {type AmountColumn, exactAmount, nanosColumn, sumAmountSql, unitsColumn} from './amounts.js'
import type {CostFilter} from '../model/cost.js'
import {NONE_LABEL, UNTAGGED_LABEL} from '../model/cost.js'
import {SERVICE_DAY_DIMENSIONS} from './cost-summaries.js'
import {dayNumber} from './day-numbers.js'
import type {Db} from './open.js'

/**
 * Which table answers a cost query. Every path sums the same exact integers, so all give the very
 * same numbers; the narrowest one that holds the query's keys is chosen:
 * - `by-key`: one dimension or summarized tag key (plus currency), from cost_by_key;
 * - `service-days`: provider, account, service, region and currency, from cost_service_days;
 * - `day-keys`: any built-in dimensions, from cost_day_keys;
 * - `summary`: dimensions and summarized tag keys, from cost_summary;
 * - `rollup`: anything, including tag keys with per-resource values, from every rollup row.
 */
export type CostQueryPath = 'by-key' | 'service-days' | 'day-keys' | 'summary' | 'rollup'

export interface CostPlanInput {
  from: string
  to: string
  groupBy: readonly GroupKey[]
  filters: readonly CostFilter[]
  metric: Metric
}

export interface CostQueryPlan {
  path: CostQueryPath
  /** Number of key columns before currency, day and cost. */
  keys: number
  /** Runs the query: rows of the key values, currency, day number and cost. */
  run(): unknown[][]
  /** Runs the query as one series per group and currency: the same costs, with no JS array per day. */
  series(): CostSeries[]
}

/**
 * One group's daily costs in one currency. A report adds each group's days up in day order, so a
 * series carries them in that order, interleaved in one array of numbers: a year of a tag with
 * hundreds of values is a few hundred arrays rather than ~100,000 rows (and their garbage).
 */
export interface CostSeries {
  /** The key values, in the query's groupBy order. */
  keys: string[]
  currency: string
  /** [day, cost, day, cost, ...]: day numbers (days since 1970-01-01) ascending, each day once. */
  points: number[]
}

/**
 * SQL concatenating a group's `day,units,nanos,count` per day (days ascending) into one text, which
 * JSON.parse turns into numbers far faster than a row array per day is made. Integers only: a REAL
 * printed as text would lose digits, so the costs are made from the exact sums in JS (exactAmount).
 */
const seriesTextSql = (units: string, nanos: string, count: string): string =>
  `group_concat(day || ',' || ${units} || ',' || ${nanos} || ',' || ${count}, ',' ORDER BY day)`

/** The numbers of a seriesTextSql text: day, units, nanos and count per day. */
const seriesNumbers = (text: string): number[] => JSON.parse(`[${text}]`) as number[]

/** Day and cost pairs from seriesNumbers' quadruples, made in the same array (no second one). */
function seriesPoints(numbers: number[]): number[] {
  let j = 0
  for (let i = 0; i < numbers.length; i += 4) {
    numbers[j] = numbers[i]!
    numbers[j + 1] = exactAmount(numbers[i + 1]!, numbers[i + 2]!)
    j += 2
  }
  numbers.length = j
  return numbers
}

/** Series from rows of key values, currency, day and cost, each group's rows in the order they come. */
function seriesOfRows(rows: readonly unknown[][], keys: number): CostSeries[] {
  const found = new Map<string, CostSeries>()
  for (const row of rows) {
    const id = JSON.stringify(row.slice(0, keys + 1))
    let series = found.get(id)
    if (!series)
      found.set(id, (series = {keys: row.slice(0, keys).map(String), currency: String(row[keys]), points: []}))
    series.points.push(Number(row[keys + 1]), Number(row[keys + 2]))
  }
  return [...found.values()]
}

const AMOUNT: Record<Metric, AmountColumn> = {billed: 'billed', effective: 'effective', list: 'list'}

interface TagKeyInfo {
  id: number
  summarized: boolean
}

function tagKeyInfo(db: Db, key: string): TagKeyInfo | undefined {
  const row = db.prepare('SELECT id, summarized FROM tag_keys WHERE key = ?').raw().get(key) as
    [number, number] | undefined
  return row ? {id: row[0], summarized: row[1] === 1} : undefined
}

const sameKey = (a: GroupKey, b: GroupKey): boolean =>
  a.kind === b.kind && (a.kind === 'tag' ? a.key === (b as {key: string}).key : a.name === (b as {name: string}).name)
const isCurrency = (k: GroupKey): boolean => k.kind === 'dimension' && k.name === 'currency'

/** Chooses the path for a query (or takes the one forced, e.g. the full scan a test compares with). */
export function planCostQuery(db: Db, query: CostPlanInput, forced?: CostQueryPath): CostQueryPlan {
  const tags = new Map<string, TagKeyInfo | undefined>()
  for (const key of [...query.groupBy, ...query.filters.map((f) => f.key)])
    if (key.kind === 'tag' && !tags.has(key.key)) tags.set(key.key, tagKeyInfo(db, key.key))
  const usesTags = tags.size > 0
  const allSummarized = [...tags.values()].every((t) => t === undefined || t.summarized)

  let path: CostQueryPath = 'rollup'
  const single = query.groupBy.filter((k) => !isCurrency(k))
  const byKey = single.length <= 1 ? (single[0] ?? {kind: 'dimension', name: 'currency'}) : undefined
  if (
    byKey &&
    (byKey.kind === 'dimension' || allSummarized) &&
    query.filters.every((f) => sameKey(f.key, byKey) || isCurrency(f.key))
  )
    path = 'by-key'
  else if (
    [...query.groupBy, ...query.filters.map((f) => f.key)].every(
      (k) => k.kind === 'dimension' && (SERVICE_DAY_DIMENSIONS as readonly string[]).includes(k.name),
    )
  )
    path = 'service-days'
  else if (!usesTags) path = 'day-keys'
  else if (allSummarized) path = 'summary'
  path = forced ?? path

  const from = dayNumber(query.from)
  const to = dayNumber(query.to)
  const amount = AMOUNT[query.metric]
  if (path === 'by-key') return byKeyPlan(db, byKey ?? {kind: 'dimension', name: 'currency'}, query, amount, from, to)
  if (path === 'service-days') return serviceDaysPlan(db, query, amount, from, to)
  return scanPlan(db, path, query, tags, amount, from, to)
}

/**
 * One dimension or tag key from cost_by_key. Its rows are unique per (day, value, currency), the
 * primary key's order, so they are read straight off the index without any GROUP BY, and their
 * exact sums are turned into costs here (the same numbers as amountSql, without evaluating it per
 * row in SQL). A tag's "(untagged)" is the day's currency total minus the key's other values, so a
 * row whose value is literally "(untagged)" lands in the same group, as in the rollup's scan.
 */
function byKeyPlan(
  db: Db,
  key: GroupKey,
  query: CostPlanInput,
  amount: AmountColumn,
  from: number,
  to: number,
): CostQueryPlan {
  const dimension = key.kind === 'tag' ? `tag:${key.key}` : key.name
  const columns = `value, currency, day, ${amount}_units, ${amount}_nanos, row_count`
  const read = db.prepare(`SELECT ${columns} FROM cost_by_key WHERE dimension = ? AND day BETWEEN ? AND ?`).raw()
  const accepted: {currency?: Set<string>; value?: Set<string>} = {}
  for (const filter of query.filters) {
    const values = filter.values.map((v) => (filter.key.kind === 'dimension' && v === NONE_LABEL ? '' : v))
    const which =
      isCurrency(filter.key) && !(key.kind === 'dimension' && key.name === 'currency') ? 'currency' : 'value'
    const previous = accepted[which]
    accepted[which] = new Set(previous ? values.filter((v) => previous.has(v)) : values)
  }
  const keep = (value: string, currency: string): boolean =>
    (accepted.value?.has(value) ?? true) && (accepted.currency?.has(currency) ?? true)
  const keyColumns = query.groupBy.map((k) => (isCurrency(k) ? 1 : 0))
  // One key that is the value (the common report): the stored row [value, currency, day, units, ...]
  // becomes [value, currency, day, cost] in place, rather than a second array per row for the collector.
  const inPlace = keyColumns.length === 1 && keyColumns[0] === 0
  const out = (
    rows: unknown[][],
    value: string,
    currency: string,
    day: number,
    units: number,
    nanos: number,
    stored?: unknown[],
  ): void => {
    if (inPlace && stored) {
      stored[3] = exactAmount(units, nanos)
      stored.length = 4
      rows.push(stored)
      return
    }
    const row: unknown[] = keyColumns.map((c) => (c === 1 ? currency : value))
    row.push(currency, day, exactAmount(units, nanos))
    rows.push(row)
  }

  const run = (): unknown[][] => {
    const rows: unknown[][] = []
    const stored = read.all(dimension, from, to) as [string, string, number, number, number, number][]
    if (key.kind === 'dimension') {
      for (const row of stored) {
        const [value, currency, day, units, nanos] = row
        if (keep(value, currency)) out(rows, value, currency, day, units, nanos, row)
      }
      return rows
    }
    // The key's values per currency and day, to subtract from the day's total.
    const tagged = new Map<string, Map<number, [number, number, number]>>()
    const taggedOn = (currency: string): Map<number, [number, number, number]> => {
      let days = tagged.get(currency)
      if (!days) tagged.set(currency, (days = new Map()))
      return days
    }
    for (const row of stored) {
      const [value, currency, day, units, nanos, count] = row
      if (value === UNTAGGED_LABEL) continue
      const days = taggedOn(currency)
      const sum = days.get(day)
      if (sum) {
        sum[0] += units
        sum[1] += nanos
        sum[2] += count
      } else days.set(day, [units, nanos, count])
      if (keep(value, currency)) out(rows, value, currency, day, units, nanos, row)
    }
    if (accepted.value && !accepted.value.has(UNTAGGED_LABEL)) return rows
    const totals = read.all('currency', from, to) as [string, string, number, number, number, number][]
    for (const [, currency, day, units, nanos, count] of totals) {
      const sum = tagged.get(currency)?.get(day) ?? [0, 0, 0]
      if (count - sum[2] > 0 && keep(UNTAGGED_LABEL, currency))
        out(rows, UNTAGGED_LABEL, currency, day, units - sum[0], nanos - sum[1])
    }
    return rows
  }

  // The same rows as run's, one series per value and currency (value, then currency order, as the
  // rollup's scan groups them); "(untagged)" after the values, one series per currency.
  const readSeries = db
    .prepare(
      `SELECT value, currency, ${seriesTextSql(unitsColumn(amount), nanosColumn(amount), 'row_count')}
       FROM cost_by_key WHERE dimension = ? AND day BETWEEN ? AND ? GROUP BY value, currency`,
    )
    .raw()
  const keysOf = (value: string, currency: string): string[] => keyColumns.map((c) => (c === 1 ? currency : value))
  const series = (): CostSeries[] => {
    const found: CostSeries[] = []
    const stored = readSeries.all(dimension, from, to) as [string, string, string][]
    const untagged = key.kind === 'tag' && (!accepted.value || accepted.value.has(UNTAGGED_LABEL))
    const totals = untagged
      ? (read.all('currency', from, to) as [string, string, number, number, number, number][])
      : []
    // The key's units, nanos and row count per currency and day (from the first total's day), to subtract.
    const first = totals[0]?.[2] ?? 0
    const days = totals.length > 0 ? totals.at(-1)![2] - first + 1 : 0
    const tagged = new Map<string, Float64Array>()
    for (const [value, currency, text] of stored) {
      if (key.kind === 'tag' && value === UNTAGGED_LABEL) continue
      const numbers = seriesNumbers(text)
      if (untagged) {
        let sums = tagged.get(currency)
        if (!sums) tagged.set(currency, (sums = new Float64Array(3 * days)))
        for (let i = 0; i < numbers.length; i += 4) {
          const at = 3 * (numbers[i]! - first)
          if (at < 0 || at >= sums.length) continue
          sums[at]! += numbers[i + 1]!
          sums[at + 1]! += numbers[i + 2]!
          sums[at + 2]! += numbers[i + 3]!
        }
      }
      if (keep(value, currency)) found.push({keys: keysOf(value, currency), currency, points: seriesPoints(numbers)})
    }
    const remainders = new Map<string, number[]>()
    for (const [, currency, day, units, nanos, count] of totals) {
      const sums = tagged.get(currency)
      const at = 3 * (day - first)
      if (count - (sums?.[at + 2] ?? 0) <= 0 || !keep(UNTAGGED_LABEL, currency)) continue
      let points = remainders.get(currency)
      if (!points) remainders.set(currency, (points = []))
      points.push(day, exactAmount(units - (sums?.[at] ?? 0), nanos - (sums?.[at + 1] ?? 0)))
    }
    for (const currency of [...remainders.keys()].sort())
      found.push({keys: keysOf(UNTAGGED_LABEL, currency), currency, points: remainders.get(currency)!})
    return found
  }
  return {path: 'by-key', keys: keyColumns.length, run, series}
}

/**
 * The narrowest table holding every row the keys and filters need (for queries that do not sum,
 * such as the last day with data): cost_day_keys without tags, cost_summary with summarized tag keys,
 * else cost_rollup.
 */
export function costTableFor(
  db: Db,
  groupBy: readonly GroupKey[],
  filters: readonly CostFilter[],
): {table: string; setColumn: string} {
  const tagKeys = [...groupBy, ...filters.map((f) => f.key)].filter((k) => k.kind === 'tag')
  if (tagKeys.length === 0) return {table: 'cost_day_keys', setColumn: 'summary_set_id'}
  if (tagKeys.every((k) => tagKeyInfo(db, k.key)?.summarized !== false))
    return {table: 'cost_summary', setColumn: 'summary_set_id'}
  return {table: 'cost_rollup', setColumn: 'tag_set_id'}
}

/** SQL pieces for grouping and filtering rows of `r` (a rollup or summary table) joined to cost_keys `k`. */
export interface KeySqlParts {
  joins: string
  joinParams: unknown[]
  groupExprs: string[]
  where: string[]
  whereParams: unknown[]
}

/**
 * Key expressions and filters over `r JOIN cost_keys k`: a dimension is a cost_keys column, a tag key
 * joins the set's pair for that key ("(untagged)" when absent); `(none)` filters an empty dimension.
 */
export function keySqlParts(
  db: Db,
  setColumn: string,
  groupBy: readonly GroupKey[],
  filters: readonly CostFilter[],
  tags: Map<string, {id: number} | undefined> = new Map(),
  dimensionAlias = 'k',
): KeySqlParts {
  const joins: string[] = []
  const joinParams: unknown[] = []
  const aliases = new Map<string, string>()
  const exprFor = (key: GroupKey): string => {
    if (key.kind === 'dimension') return `${dimensionAlias}.${DIMENSIONS[key.name].column}`
    let alias = aliases.get(key.key)
    if (!alias) {
      alias = `t${aliases.size}`
      aliases.set(key.key, alias)
      joins.push(
        `LEFT JOIN tag_set_pairs ${alias}s ON ${alias}s.tag_set_id = r.${setColumn} AND ${alias}s.key_id = ?
         LEFT JOIN tag_pairs ${alias} ON ${alias}.id = ${alias}s.pair_id`,
      )
      if (!tags.has(key.key)) tags.set(key.key, tagKeyInfo(db, key.key))
      joinParams.push(tags.get(key.key)?.id ?? -1)
    }
    return `COALESCE(${alias}.value, '${UNTAGGED_LABEL.replaceAll("'", "''")}')`
  }
  const groupExprs = groupBy.map(exprFor)
  const where: string[] = []
  const whereParams: unknown[] = []
  for (const filter of filters) {
    const expr = exprFor(filter.key)
    const values = filter.values.map((v) => (filter.key.kind === 'dimension' && v === NONE_LABEL ? '' : v))
    where.push(`${expr} IN (${values.map(() => '?').join(', ')})`)
    whereParams.push(...values)
  }
  return {joins: joins.join(' '), joinParams, groupExprs, where, whereParams}
}

/**
 * First and last stored day numbers (nulls when empty). Two subqueries: SQLite answers a lone MIN
 * or MAX from the day index, but scans the whole table for both in one SELECT.
 */
export function storedDayRange(db: Db): [number | null, number | null] {
  return db
    .prepare('SELECT (SELECT MIN(day) FROM cost_day_keys), (SELECT MAX(day) FROM cost_day_keys)')
    .raw()
    .get() as [number | null, number | null]
}

/** Whether [from, to] holds at least a quarter of the days the store has costs for. */
function coversMostDays(db: Db, from: number, to: number): boolean {
  const [first, last] = storedDayRange(db)
  if (first === null || last === null) return false
  const covered = Math.min(to, last) - Math.max(from, first) + 1
  return covered * 4 >= last - first + 1
}

/**
 * Built-in dimensions that cost_service_days holds, from its rows alone: its primary key starts with
 * the day, so a window is one range of it, and its dimensions are its own columns (no join).
 */
function serviceDaysPlan(db: Db, query: CostPlanInput, amount: AmountColumn, from: number, to: number): CostQueryPlan {
  const parts = keySqlParts(db, '', query.groupBy, query.filters, new Map(), 'r')
  const keyCols = parts.groupExprs.map((expr, i) => `${expr} AS k${i}`)
  const sql = `SELECT ${[...keyCols, 'r.currency AS currency', 'r.day AS day'].join(', ')}, ${sumAmountSql(amount, 'r')}
    FROM cost_service_days r
    WHERE ${['r.day BETWEEN ? AND ?', ...parts.where].join(' AND ')}
    GROUP BY ${[...parts.groupExprs.map((_, i) => `k${i}`), 'currency', 'day'].join(', ')}`
  const params = [from, to, ...parts.whereParams]
  const keys = parts.groupExprs.map((_, i) => `k${i}`)
  // Service by region over most stored days: along the index in the GROUP BY's order, with no sort.
  const byService = parts.groupExprs.join() === 'r.service_name,r.region_id' && coversMostDays(db, from, to)
  const seriesSql = `SELECT ${[...keys, 'currency'].join(', ')}, ${seriesTextSql('u', 'n', '0')}
    FROM (SELECT ${[...keyCols, 'r.currency AS currency', 'r.day AS day'].join(', ')},
        SUM(r.${unitsColumn(amount)}) AS u, SUM(r.${nanosColumn(amount)}) AS n
      FROM cost_service_days r ${byService ? 'INDEXED BY cost_service_days_by_service' : ''}
      WHERE ${[byService ? '+r.day BETWEEN ? AND ?' : 'r.day BETWEEN ? AND ?', ...parts.where].join(' AND ')}
      GROUP BY ${[...keys, 'currency', 'day'].join(', ')})
    GROUP BY ${[...keys, 'currency'].join(', ')}`
  return {
    path: 'service-days',
    keys: keys.length,
    run: () =>
      db
        .prepare(sql)
        .raw()
        .all(...params) as unknown[][],
    series: () =>
      (
        db
          .prepare(seriesSql)
          .raw()
          .all(...params) as string[][]
      ).map((row) => ({
        keys: row.slice(0, keys.length).map(String),
        currency: String(row[keys.length]),
        points: seriesPoints(seriesNumbers(row[keys.length + 1]!)),
      })),
  }
}

/** The same query over cost_day_keys, cost_summary or cost_rollup: key columns joined from cost_keys and the tag tables. */
function scanPlan(
  db: Db,
  path: Exclude<CostQueryPath, 'by-key' | 'service-days'>,
  query: CostPlanInput,
  tags: Map<string, TagKeyInfo | undefined>,
  amount: AmountColumn,
  from: number,
  to: number,
): CostQueryPlan {
  const table = {rollup: 'cost_rollup', summary: 'cost_summary', 'day-keys': 'cost_day_keys'}[path]
  const parts = keySqlParts(db, path === 'rollup' ? 'tag_set_id' : 'summary_set_id', query.groupBy, query.filters, tags)
  const keyCols = parts.groupExprs.map((expr, i) => `${expr} AS k${i}`)
  // A window over most of the stored days is read grain key by grain key along the primary key
  // (a few hundred seeks, then sequential rows: ~40% less work than a row lookup per entry of
  // the day index); a short window still goes through the day index.
  const wide = path !== 'rollup' && coversMostDays(db, from, to)
  const scan = wide
    ? `cost_keys k CROSS JOIN ${table} r ON r.key_id = k.id`
    : `${table} r JOIN cost_keys k ON k.id = r.key_id`
  const sql = `SELECT ${[...keyCols, 'k.currency AS currency', 'r.day AS day'].join(', ')},
      ${sumAmountSql(amount, 'r')}
    FROM ${scan} ${parts.joins}
    WHERE ${[wide ? '+r.day BETWEEN ? AND ?' : 'r.day BETWEEN ? AND ?', ...parts.where].join(' AND ')}
    GROUP BY ${[...parts.groupExprs.map((_, i) => `k${i}`), 'currency', 'day'].join(', ')}`
  const params = [...parts.joinParams, from, to, ...parts.whereParams]
  const run = (): unknown[][] =>
    db
      .prepare(sql)
      .raw()
      .all(...params) as unknown[][]
  return {path, keys: parts.groupExprs.length, run, series: () => seriesOfRows(run(), parts.groupExprs.length)}
}
