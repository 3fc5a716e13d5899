import {AMOUNT_SQL_COLUMNS, NANOS_PER_UNIT, sumAllAmountsSql} from './amounts.js'
import type {Db} from './open.js'

/**
 * The summaries reports read instead of the rollup's rows, all derived from cost_rollup:
 * - cost_summary: the rollup with each tag set reduced to its summarized keys (tag keys with at most
 *   SUMMARIZED_TAG_VALUES values: team, env, application; not per-resource names);
 * - cost_day_keys: per grain key, billing period and day, tags dropped;
 * - cost_by_key: per day, one built-in dimension or summarized tag key, and currency;
 * - cost_service_days: per day, provider, billing account, service, region and currency (the
 *   groupings reports combine most: service by region, filtered by provider or account).
 * The cost writer keeps them in step with every write by adding what it writes and subtracting what
 * it deletes (amounts are exact integers, so this never drifts); summaries of a scope are deleted
 * with it. Each row counts the rollup groups it stands for, so a group whose amounts sum to zero
 * still exists in every summary.
 */

/** A tag key with more distinct values than this is left out of the summaries (it is per resource). */
export const SUMMARIZED_TAG_VALUES = 500

/** The built-in dimensions kept in cost_by_key, with their cost_keys column. */
export const BY_KEY_DIMENSIONS = {
  provider: 'provider',
  account: 'billing_account_id',
  'sub-account': 'sub_account_id',
  service: 'service_name',
  'service-category': 'service_category',
  region: 'region_id',
  'charge-category': 'charge_category',
  'charge-frequency': 'charge_frequency',
  currency: 'currency',
} as const
type ByKeyDimension = keyof typeof BY_KEY_DIMENSIONS
const DIMENSION_NAMES = Object.keys(BY_KEY_DIMENSIONS) as ByKeyDimension[]

/** The built-in dimensions cost_service_days keeps, in its primary key's order after the day. */
export const SERVICE_DAY_DIMENSIONS = ['provider', 'account', 'service', 'region', 'currency'] as const
const SERVICE_DAY_COLUMNS = SERVICE_DAY_DIMENSIONS.map((d) => BY_KEY_DIMENSIONS[d])

/** Amount columns then the group count, as one accumulator: 8 integers (units, nanos per amount) + count. */
export type Accumulator = Float64Array
export const ACCUMULATOR_SIZE = AMOUNT_SQL_COLUMNS.length + 1

const AMOUNTS = `${AMOUNT_SQL_COLUMNS.join(', ')}, row_count`
const PLACEHOLDERS = Array.from({length: ACCUMULATOR_SIZE}, () => '?').join(', ')
const ADD = [...AMOUNT_SQL_COLUMNS, 'row_count'].map((c) => `${c} = ${c} + excluded.${c}`).join(', ')

/** Adds `from` (times `sign`) into `into`, carrying whole units out of the nanos so both stay exact. */
export function accumulate(into: Accumulator, from: ArrayLike<number>, sign = 1): void {
  for (let i = 0; i < AMOUNT_SQL_COLUMNS.length; i += 2) {
    let units = into[i]! + sign * from[i]!
    let nanos = into[i + 1]! + sign * from[i + 1]!
    if (nanos >= NANOS_PER_UNIT || nanos <= -NANOS_PER_UNIT) {
      const carry = Math.trunc(nanos / NANOS_PER_UNIT)
      units += carry
      nanos -= carry * NANOS_PER_UNIT
    }
    into[i] = units
    into[i + 1] = nanos
  }
  into[ACCUMULATOR_SIZE - 1] = into[ACCUMULATOR_SIZE - 1]! + sign * from[ACCUMULATOR_SIZE - 1]!
}

const addInto = (map: Map<string, Accumulator>, key: string, from: ArrayLike<number>, sign = 1): void => {
  let acc = map.get(key)
  if (!acc) map.set(key, (acc = new Float64Array(ACCUMULATOR_SIZE)))
  accumulate(acc, from, sign)
}

/** What a grain key id stands for, as the summaries need it. */
interface KeyDims {
  values: Record<ByKeyDimension, string>
}

/** A summary set's (tag key, value) pairs, each with whether its key is summarized now. */
type SetPairs = readonly (readonly [key: string, value: string, summarized: boolean])[]

/**
 * Pending changes to the summaries of one write, flushed in batches so memory stays bounded however
 * many groups are written.
 */
export interface SummaryDeltas {
  /** Adds one rollup group: `amounts` are the 8 amount integers and the group count. */
  add(keyId: number, billingPeriod: number, day: number, summarySetId: number, amounts: ArrayLike<number>): void
  /** Subtracts the summaries of the stored rollup rows about to be deleted, and deletes those summary rows. */
  removeScope(keyIds: readonly number[], where: {billingPeriod: number} | {from: number; to: number}): void
  /** Writes what is pending; at the end of a write, also drops cost_by_key rows left empty and keys no longer summarized. */
  flush(final?: boolean): void
}

/** Pending entries (day_keys + summary) before a flush: ~100 bytes each. */
const FLUSH_ENTRIES = 100_000

export function openSummaryDeltas(db: Db): SummaryDeltas {
  const upsertDayKeys = db.prepare(`INSERT INTO cost_day_keys (key_id, billing_period, day, ${AMOUNTS})
    VALUES (?, ?, ?, ${PLACEHOLDERS}) ON CONFLICT DO UPDATE SET ${ADD}`)
  const upsertSummary = db.prepare(`INSERT INTO cost_summary (key_id, billing_period, day, summary_set_id, ${AMOUNTS})
    VALUES (?, ?, ?, ?, ${PLACEHOLDERS}) ON CONFLICT DO UPDATE SET ${ADD}`)
  const upsertByKey = db.prepare(`INSERT INTO cost_by_key (dimension, day, value, currency, ${AMOUNTS})
    VALUES (?, ?, ?, ?, ${PLACEHOLDERS}) ON CONFLICT DO UPDATE SET ${ADD}`)
  const upsertServiceDay =
    db.prepare(`INSERT INTO cost_service_days (day, ${SERVICE_DAY_COLUMNS.join(', ')}, ${AMOUNTS})
    VALUES (?, ${SERVICE_DAY_COLUMNS.map(() => '?').join(', ')}, ${PLACEHOLDERS}) ON CONFLICT DO UPDATE SET ${ADD}`)
  const keyRow = db.prepare(`SELECT ${Object.values(BY_KEY_DIMENSIONS).join(', ')} FROM cost_keys WHERE id = ?`).raw()
  const setRows = db
    .prepare(
      `SELECT k.key, p.value, k.summarized FROM tag_set_pairs s JOIN tag_keys k ON k.id = s.key_id
       JOIN tag_pairs p ON p.id = s.pair_id WHERE s.tag_set_id = ?`,
    )
    .raw()
  const dayKeysOfPeriod = db
    .prepare(
      `SELECT key_id, billing_period, day, ${AMOUNTS} FROM cost_day_keys WHERE key_id = ? AND billing_period = ?`,
    )
    .raw()
  const dayKeysOfDays = db
    .prepare(
      `SELECT key_id, billing_period, day, ${AMOUNTS} FROM cost_day_keys WHERE key_id = ? AND day BETWEEN ? AND ?`,
    )
    .raw()
  const summaryOfPeriod = db
    .prepare(
      `SELECT key_id, billing_period, day, summary_set_id, ${AMOUNTS} FROM cost_summary WHERE key_id = ? AND billing_period = ?`,
    )
    .raw()
  const summaryOfDays = db
    .prepare(
      `SELECT key_id, billing_period, day, summary_set_id, ${AMOUNTS} FROM cost_summary WHERE key_id = ? AND day BETWEEN ? AND ?`,
    )
    .raw()
  const deleteDayKeysOfPeriod = db.prepare('DELETE FROM cost_day_keys WHERE key_id = ? AND billing_period = ?')
  const deleteDayKeysOfDays = db.prepare('DELETE FROM cost_day_keys WHERE key_id = ? AND day BETWEEN ? AND ?')
  const deleteSummaryOfPeriod = db.prepare('DELETE FROM cost_summary WHERE key_id = ? AND billing_period = ?')
  const deleteSummaryOfDays = db.prepare('DELETE FROM cost_summary WHERE key_id = ? AND day BETWEEN ? AND ?')

  const keys = new Map<number, KeyDims>()
  const sets = new Map<number, SetPairs>()
  let dayKeys = new Map<string, Accumulator>()
  let summary = new Map<string, Accumulator>()

  const dimsOf = (keyId: number): KeyDims => {
    let dims = keys.get(keyId)
    if (dims) return dims
    const row = keyRow.get(keyId) as string[]
    dims = {values: Object.fromEntries(DIMENSION_NAMES.map((d, i) => [d, row[i]!])) as Record<ByKeyDimension, string>}
    if (keys.size > 50_000) keys.clear()
    keys.set(keyId, dims)
    return dims
  }
  const pairsOf = (setId: number): SetPairs => {
    if (setId === 0) return []
    let pairs = sets.get(setId)
    if (pairs) return pairs
    pairs = (setRows.all(setId) as [string, string, number][]).map(([k, v, s]) => [k, v, s === 1] as const)
    if (sets.size > 50_000) sets.clear()
    sets.set(setId, pairs)
    return pairs
  }

  /** cost_by_key and cost_service_days deltas of day_keys and summary deltas (sign already applied). */
  const byKeyOf = (
    dayKeyEntries: Iterable<[string, Accumulator]>,
    summaryEntries: Iterable<[string, Accumulator]>,
  ): {byKey: Map<string, Accumulator>; serviceDays: Map<string, Accumulator>} => {
    const byKey = new Map<string, Accumulator>()
    const serviceDays = new Map<string, Accumulator>()
    for (const [id, acc] of dayKeyEntries) {
      const [keyId, , day] = id.split(',').map(Number) as [number, number, number]
      const dims = dimsOf(keyId).values
      for (const dimension of DIMENSION_NAMES)
        addInto(byKey, `${dimension}\u0000${day}\u0000${dims[dimension]}\u0000${dims.currency}`, acc)
      addInto(serviceDays, JSON.stringify([day, ...SERVICE_DAY_DIMENSIONS.map((d) => dims[d])]), acc)
    }
    for (const [id, acc] of summaryEntries) {
      const [keyId, , day, setId] = id.split(',').map(Number) as [number, number, number, number]
      const currency = dimsOf(keyId).values.currency
      for (const [key, value, summarized] of pairsOf(setId))
        if (summarized) addInto(byKey, `tag:${key}\u0000${day}\u0000${value}\u0000${currency}`, acc)
    }
    return {byKey, serviceDays}
  }

  const byId = ([a]: [string, Accumulator], [b]: [string, Accumulator]): number => (a < b ? -1 : a > b ? 1 : 0)
  const writeByKey = ({byKey, serviceDays}: ReturnType<typeof byKeyOf>): void => {
    for (const [id, acc] of [...byKey.entries()].sort(byId)) {
      const [dimension, day, value, currency] = id.split('\u0000') as [string, string, string, string]
      upsertByKey.run(dimension, Number(day), value, currency, ...acc)
    }
    for (const [id, acc] of [...serviceDays.entries()].sort(byId))
      upsertServiceDay.run(...(JSON.parse(id) as unknown[]), ...acc)
  }

  const flush = (final = false): void => {
    // Sets' summarized flags may have changed since they were cached; a key never becomes summarized again.
    sets.clear()
    writeByKey(byKeyOf(dayKeys, summary))
    for (const [id, acc] of [...dayKeys.entries()].sort(byNumericKey)) {
      const [keyId, bp, day] = id.split(',').map(Number) as [number, number, number]
      upsertDayKeys.run(keyId, bp, day, ...acc)
    }
    for (const [id, acc] of [...summary.entries()].sort(byNumericKey)) {
      const [keyId, bp, day, setId] = id.split(',').map(Number) as [number, number, number, number]
      upsertSummary.run(keyId, bp, day, setId, ...acc)
    }
    dayKeys = new Map()
    summary = new Map()
    if (final) {
      db.prepare('DELETE FROM cost_by_key WHERE row_count = 0').run()
      db.prepare('DELETE FROM cost_service_days WHERE row_count = 0').run()
      db.prepare(
        `DELETE FROM cost_by_key WHERE dimension IN (SELECT 'tag:' || key FROM tag_keys WHERE summarized = 0)`,
      ).run()
    }
  }

  return {
    add(keyId, billingPeriod, day, summarySetId, amounts) {
      addInto(dayKeys, `${keyId},${billingPeriod},${day}`, amounts)
      addInto(summary, `${keyId},${billingPeriod},${day},${summarySetId}`, amounts)
      if (dayKeys.size + summary.size >= FLUSH_ENTRIES) flush()
    },
    removeScope(keyIds, where) {
      const removedDayKeys: [string, Accumulator][] = []
      const removedSummary: [string, Accumulator][] = []
      const negative = (row: unknown[], from: number): Accumulator =>
        Float64Array.from(row.slice(from) as number[], (v) => -v)
      for (const keyId of keyIds) {
        const dayRows = (
          'billingPeriod' in where
            ? dayKeysOfPeriod.all(keyId, where.billingPeriod)
            : dayKeysOfDays.all(keyId, where.from, where.to)
        ) as unknown[][]
        for (const row of dayRows) removedDayKeys.push([`${row[0]},${row[1]},${row[2]}`, negative(row, 3)])
        const summaryRows = (
          'billingPeriod' in where
            ? summaryOfPeriod.all(keyId, where.billingPeriod)
            : summaryOfDays.all(keyId, where.from, where.to)
        ) as unknown[][]
        for (const row of summaryRows)
          removedSummary.push([`${row[0]},${row[1]},${row[2]},${row[3]}`, negative(row, 4)])
        if ('billingPeriod' in where) {
          deleteDayKeysOfPeriod.run(keyId, where.billingPeriod)
          deleteSummaryOfPeriod.run(keyId, where.billingPeriod)
        } else {
          deleteDayKeysOfDays.run(keyId, where.from, where.to)
          deleteSummaryOfDays.run(keyId, where.from, where.to)
        }
      }
      if (removedDayKeys.length + removedSummary.length > 0) writeByKey(byKeyOf(removedDayKeys, removedSummary))
    },
    flush,
  }
}

const byNumericKey = ([a]: [string, Accumulator], [b]: [string, Accumulator]): number => {
  const x = a.split(',')
  const y = b.split(',')
  for (let i = 0; i < x.length; i++) {
    const d = Number(x[i]) - Number(y[i])
    if (d !== 0) return d
  }
  return 0
}

/** The built-in dimensions that are columns of cost_service_days: summed from its rows, far fewer than cost_day_keys'. */
const SERVICE_DAY_BY_KEY = DIMENSION_NAMES.filter((d) => (SERVICE_DAY_DIMENSIONS as readonly string[]).includes(d))

/**
 * Builds the summaries of whole billing periods from their rollup rows, in SQL: the bulk path of a
 * streamed import, which writes every rollup row of the periods it replaced (their old summaries are
 * already gone, see removeScope) and summarizes them once at the end instead of group by group.
 * Each summary is summed from the smallest one already built: cost_summary from the rollup,
 * cost_day_keys from cost_summary, the periods' service days from cost_day_keys into a temporary
 * table (then added to cost_service_days), and the built-in dimensions that are service-day columns
 * from that table instead of cost_day_keys. Gives the same summaries as adding each group (sums of
 * exact integers, in any grouping).
 */
export function summarizeBillingPeriods(
  db: Db,
  periods: Iterable<{keyIds: readonly number[]; billingPeriod: number}>,
): void {
  db.exec(`CREATE TEMP TABLE IF NOT EXISTS summarized_periods (
    key_id INTEGER NOT NULL, billing_period INTEGER NOT NULL, PRIMARY KEY (key_id, billing_period)) WITHOUT ROWID;
    DELETE FROM temp.summarized_periods;`)
  const add = db.prepare('INSERT OR IGNORE INTO temp.summarized_periods (key_id, billing_period) VALUES (?, ?)')
  for (const {keyIds, billingPeriod} of periods) for (const keyId of keyIds) add.run(keyId, billingPeriod)
  const sumRollup = `${sumAllAmountsSql('r')}, count(*)`
  const sumSummary = (alias: string): string => `${sumAllAmountsSql(alias)}, SUM(${alias}.row_count)`
  const written = (alias: string): string =>
    `temp.summarized_periods w JOIN ${alias === 'r' ? 'cost_rollup' : alias === 's' ? 'cost_summary' : 'cost_day_keys'} ${alias}
      ON ${alias}.key_id = w.key_id AND ${alias}.billing_period = w.billing_period`
  const serviceDayColumns = SERVICE_DAY_COLUMNS.join(', ')
  const byDimension = Object.entries(BY_KEY_DIMENSIONS).map(([name, column]) =>
    SERVICE_DAY_BY_KEY.includes(name as ByKeyDimension)
      ? `INSERT INTO cost_by_key (dimension, day, value, currency, ${AMOUNTS})
      SELECT '${name}', v.day, v.${column}, v.currency, ${sumSummary('v')}
      FROM temp.summarized_service_days v WHERE true GROUP BY v.day, v.${column}, v.currency
      ON CONFLICT DO UPDATE SET ${ADD};`
      : `INSERT INTO cost_by_key (dimension, day, value, currency, ${AMOUNTS})
      SELECT '${name}', d.day, k.${column}, k.currency, ${sumSummary('d')}
      FROM ${written('d')} JOIN cost_keys k ON k.id = d.key_id WHERE true GROUP BY d.day, k.${column}, k.currency
      ON CONFLICT DO UPDATE SET ${ADD};`,
  )
  // The periods' summary rows were all deleted (removeScope) or never existed: plain inserts.
  db.exec(`
DROP TABLE IF EXISTS temp.summarized_service_days;
INSERT INTO cost_summary (key_id, billing_period, day, summary_set_id, ${AMOUNTS})
  SELECT r.key_id, r.billing_period, r.day, t.summary_set_id, ${sumRollup}
  FROM ${written('r')} JOIN cost_tag_sets t ON t.id = r.tag_set_id
  GROUP BY r.key_id, r.billing_period, r.day, t.summary_set_id;
INSERT INTO cost_day_keys (key_id, billing_period, day, ${AMOUNTS})
  SELECT s.key_id, s.billing_period, s.day, ${sumSummary('s')} FROM ${written('s')}
  GROUP BY s.key_id, s.billing_period, s.day;
CREATE TEMP TABLE summarized_service_days AS
  SELECT d.day AS day, ${SERVICE_DAY_COLUMNS.map((c) => `k.${c} AS ${c}`).join(', ')},
    ${AMOUNT_SQL_COLUMNS.map((c) => `SUM(d.${c}) AS ${c}`).join(', ')}, SUM(d.row_count) AS row_count
  FROM ${written('d')} JOIN cost_keys k ON k.id = d.key_id
  GROUP BY d.day, ${SERVICE_DAY_COLUMNS.map((c) => `k.${c}`).join(', ')};
INSERT INTO cost_service_days (day, ${serviceDayColumns}, ${AMOUNTS})
  SELECT day, ${serviceDayColumns}, ${AMOUNTS} FROM temp.summarized_service_days WHERE true
  ON CONFLICT DO UPDATE SET ${ADD};
${byDimension.join('\n')}
INSERT INTO cost_by_key (dimension, day, value, currency, ${AMOUNTS})
  SELECT 'tag:' || tk.key, s.day, p.value, k.currency, ${sumSummary('s')}
  FROM ${written('s')} JOIN cost_keys k ON k.id = s.key_id
    JOIN tag_set_pairs sp ON sp.tag_set_id = s.summary_set_id
    JOIN tag_keys tk ON tk.id = sp.key_id AND tk.summarized = 1 JOIN tag_pairs p ON p.id = sp.pair_id
  WHERE true GROUP BY tk.key, s.day, p.value, k.currency
  ON CONFLICT DO UPDATE SET ${ADD};
DROP TABLE temp.summarized_service_days;
DELETE FROM temp.summarized_periods;`)
}

/**
 * SQL that builds every summary from cost_rollup (the migration that introduced them runs it on
 * existing stores): summarized keys, each tag set's summary set, then the three tables.
 */
export function buildSummariesSql(): string {
  const sumRollup = (alias: string): string => `${sumAllAmountsSql(alias)}, count(*)`
  const sumSummary = (alias: string): string => `${sumAllAmountsSql(alias)}, SUM(${alias}.row_count)`
  const byDimension = Object.entries(BY_KEY_DIMENSIONS).map(
    ([name, column]) => `INSERT INTO cost_by_key (dimension, day, value, currency, ${AMOUNTS})
      SELECT '${name}', d.day, k.${column}, k.currency, ${sumSummary('d')}
      FROM cost_day_keys d JOIN cost_keys k ON k.id = d.key_id GROUP BY d.day, k.${column}, k.currency;`,
  )
  return `
UPDATE tag_keys SET summarized = ((SELECT count(*) FROM tag_pairs p WHERE p.key_id = tag_keys.id) <= ${SUMMARIZED_TAG_VALUES});
CREATE TEMP TABLE cost_projection (id INTEGER PRIMARY KEY, pairs TEXT NOT NULL);
INSERT INTO temp.cost_projection (id, pairs)
  SELECT s.tag_set_id, group_concat(s.pair_id, ',' ORDER BY s.pair_id) FROM tag_set_pairs s
  JOIN tag_keys k ON k.id = s.key_id AND k.summarized = 1 GROUP BY s.tag_set_id;
INSERT OR IGNORE INTO cost_tag_sets (pairs, summary_set_id) SELECT DISTINCT pairs, -1 FROM temp.cost_projection;
INSERT OR IGNORE INTO tag_set_pairs (tag_set_id, key_id, pair_id)
  SELECT n.id, s.key_id, s.pair_id FROM cost_tag_sets n JOIN temp.cost_projection j ON j.pairs = n.pairs
  JOIN tag_set_pairs s ON s.tag_set_id = j.id JOIN tag_keys k ON k.id = s.key_id AND k.summarized = 1
  WHERE n.summary_set_id = -1;
UPDATE cost_tag_sets SET summary_set_id = id WHERE summary_set_id = -1;
UPDATE cost_tag_sets SET summary_set_id = coalesce((SELECT n.id FROM temp.cost_projection j
  JOIN cost_tag_sets n ON n.pairs = j.pairs WHERE j.id = cost_tag_sets.id), 0);
DROP TABLE temp.cost_projection;
INSERT INTO cost_summary (key_id, billing_period, day, summary_set_id, ${AMOUNTS})
  SELECT r.key_id, r.billing_period, r.day, s.summary_set_id, ${sumRollup('r')}
  FROM cost_rollup r JOIN cost_tag_sets s ON s.id = r.tag_set_id
  GROUP BY r.key_id, r.billing_period, r.day, s.summary_set_id;
INSERT INTO cost_day_keys (key_id, billing_period, day, ${AMOUNTS})
  SELECT key_id, billing_period, day, ${sumSummary('s')} FROM cost_summary s GROUP BY key_id, billing_period, day;
${byDimension.join('\n')}
INSERT INTO cost_by_key (dimension, day, value, currency, ${AMOUNTS})
  SELECT 'tag:' || tk.key, s.day, p.value, k.currency, ${sumSummary('s')}
  FROM cost_summary s JOIN cost_keys k ON k.id = s.key_id
    JOIN tag_set_pairs sp ON sp.tag_set_id = s.summary_set_id
    JOIN tag_keys tk ON tk.id = sp.key_id AND tk.summarized = 1 JOIN tag_pairs p ON p.id = sp.pair_id
  GROUP BY tk.key, s.day, p.value, k.currency;
`
}

/** SQL that builds cost_service_days from cost_day_keys (the migration that introduced it runs it on existing stores). */
export function buildServiceDaysSql(): string {
  const columns = SERVICE_DAY_COLUMNS.map((c) => `k.${c}`).join(', ')
  return `
INSERT INTO cost_service_days (day, ${SERVICE_DAY_COLUMNS.join(', ')}, ${AMOUNTS})
  SELECT d.day, ${columns}, ${sumAllAmountsSql('d')}, SUM(d.row_count)
  FROM cost_day_keys d JOIN cost_keys k ON k.id = d.key_id GROUP BY d.day, ${columns};
`
}
