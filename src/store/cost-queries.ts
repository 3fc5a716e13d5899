import {DIMENSIONS, type GroupKey, type Metric} from '../model/cost.js'
import {type AmountColumn, exactAmount, sumAmountSql} from './amounts.js'
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
  return {path: 'by-key', keys: keyColumns.length, run}
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
  return {
    path: 'service-days',
    keys: parts.groupExprs.length,
    run: () =>
      db
        .prepare(sql)
        .raw()
        .all(...params) as unknown[][],
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
  return {
    path,
    keys: parts.groupExprs.length,
    run: () =>
      db
        .prepare(sql)
        .raw()
        .all(...params) as unknown[][],
  }
}
