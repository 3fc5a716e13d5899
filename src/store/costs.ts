import type {DailyCostRow, GroupKey, Metric} from '../model/cost.js'
import {METRICS} from '../model/cost.js'
import {type CostFilter} from '../model/cost.js'
import {buildCostSql} from './cost-dimensions.js'
import type {Db} from './open.js'

/** What an import or collection run replaces: whole FOCUS billing periods, or a day range. */
export type CostScope =
  | {kind: 'billing-period'; source: string; provider: string; billingAccountId: string; billingPeriodStart: string}
  | {kind: 'days'; source: string; provider: string; billingAccountId: string; from: string; to: string}

export interface CostImportRecord {
  source: string
  location: string
  startedAt: string
  rowsRead: number
  rowsSkipped: number
}

export interface ReplaceCostsResult {
  importId: number
  rollupRows: number
}

/**
 * Replaces the given scopes with `rows` in one transaction: a re-import of the same data leaves
 * totals unchanged, a restated export replaces the older one, and a failure leaves the store as it
 * was. Rows with the same grain are summed.
 */
export function replaceCosts(
  db: Db,
  scopes: readonly CostScope[],
  rows: Iterable<DailyCostRow>,
  record: CostImportRecord,
): ReplaceCostsResult {
  return db
    .transaction((): ReplaceCostsResult => {
      const writer = openCostWriter(db)
      // Every scope is cleared, also those without rows now: a restated window can be empty.
      for (const scope of scopes) writer.clear(scope)
      let rollupRows = 0
      for (const row of rows) {
        writer.insert(record.source, row)
        rollupRows++
      }
      return writer.finish(record, rollupRows)
    })
    .immediate()
}

/**
 * Writes cost rows incrementally inside a transaction the caller holds (so rows can be streamed
 * from an async source). Each scope is cleared the first time a row for it arrives, then rows are
 * upserted (same grain: summed). `checkpoint`/`rollbackTo` pair with a SQL SAVEPOINT so a part of
 * the write can be redone.
 */
export interface CostWriter {
  /** Deletes what the store holds for the scope, once per writer. */
  clear(scope: CostScope): void
  /** Upserts one row (same grain: summed). */
  insert(source: string, row: DailyCostRow): void
  /** clear(scope) the first time it is seen, then insert. */
  write(scope: CostScope, row: DailyCostRow): void
  /** Scopes replaced so far, in first-seen order. */
  scopes(): CostScope[]
  checkpoint(): void
  rollbackTo(): void
  /** Records the import; rollup rows are the given count or else those now held for its scopes. */
  finish(record: CostImportRecord, rollupRows?: number): ReplaceCostsResult
}

const scopeKey = (scope: CostScope): string =>
  scope.kind === 'billing-period'
    ? `p\u0000${scope.source}\u0000${scope.provider}\u0000${scope.billingAccountId}\u0000${scope.billingPeriodStart}`
    : `d\u0000${scope.source}\u0000${scope.provider}\u0000${scope.billingAccountId}\u0000${scope.from}\u0000${scope.to}`

export function openCostWriter(db: Db): CostWriter {
  const deletePeriod = db.prepare(
    `DELETE FROM cost_daily WHERE source = ? AND provider = ? AND billing_account_id = ? AND billing_period_start = ?`,
  )
  const deleteDays = db.prepare(
    `DELETE FROM cost_daily WHERE source = ? AND provider = ? AND billing_account_id = ? AND day BETWEEN ? AND ?`,
  )
  const countPeriod = db
    .prepare(
      `SELECT count(*) FROM cost_daily WHERE source = ? AND provider = ? AND billing_account_id = ? AND billing_period_start = ?`,
    )
    .pluck()
  const countDays = db
    .prepare(
      `SELECT count(*) FROM cost_daily WHERE source = ? AND provider = ? AND billing_account_id = ? AND day BETWEEN ? AND ?`,
    )
    .pluck()
  const insert = db.prepare(`
    INSERT INTO cost_daily (source, billing_period_start, day, provider, billing_account_id, sub_account_id, service_name,
      service_category, region_id, charge_category, charge_frequency, currency, tag_set_id,
      billed_cost, effective_cost, list_cost, contracted_cost)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT DO UPDATE SET billed_cost = billed_cost + excluded.billed_cost,
      effective_cost = effective_cost + excluded.effective_cost, list_cost = list_cost + excluded.list_cost,
      contracted_cost = contracted_cost + excluded.contracted_cost`)
  const upsertAccount = db.prepare(`INSERT INTO accounts (provider, account_id, name) VALUES (?, ?, ?)
    ON CONFLICT DO UPDATE SET name = excluded.name`)
  const insertImport =
    db.prepare(`INSERT INTO imports (source, location, started_at, finished_at, rows_read, rows_skipped, rollup_rows, scopes)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
  let tagSets = tagSetResolver(db)
  let cleared = new Map<string, CostScope>()
  let named = new Set<string>()
  let saved: {cleared: Map<string, CostScope>; named: Set<string>} | undefined

  const clear = (scope: CostScope): void => {
    const key = scopeKey(scope)
    if (cleared.has(key)) return
    if (scope.kind === 'billing-period')
      deletePeriod.run(scope.source, scope.provider, scope.billingAccountId, scope.billingPeriodStart)
    else deleteDays.run(scope.source, scope.provider, scope.billingAccountId, scope.from, scope.to)
    cleared.set(key, scope)
  }
  const insertRow = (source: string, row: DailyCostRow): void => {
    insert.run(
      source,
      row.billingPeriodStart,
      row.day,
      row.provider,
      row.billingAccountId,
      row.subAccountId,
      row.serviceName,
      row.serviceCategory,
      row.regionId,
      row.chargeCategory,
      row.chargeFrequency,
      row.currency,
      tagSets(row.tags),
      row.billedCost,
      row.effectiveCost,
      row.listCost,
      row.contractedCost,
    )
    for (const [id, name] of [
      [row.billingAccountId, row.billingAccountName],
      [row.subAccountId, row.subAccountName],
    ] as const) {
      if (!id || !name || named.has(`${row.provider}\u0000${id}`)) continue
      named.add(`${row.provider}\u0000${id}`)
      upsertAccount.run(row.provider, id, name)
    }
  }

  return {
    clear,
    insert: insertRow,
    write(scope, row) {
      clear(scope)
      insertRow(scope.source, row)
    },
    scopes: () => [...cleared.values()],
    checkpoint() {
      saved = {cleared: new Map(cleared), named: new Set(named)}
    },
    rollbackTo() {
      if (!saved) return
      cleared = new Map(saved.cleared)
      named = new Set(saved.named)
      // Tag sets created after the savepoint are gone from the database; forget their ids.
      tagSets = tagSetResolver(db)
    },
    finish(record, counted) {
      const scopes = [...cleared.values()]
      let rollupRows = counted ?? 0
      for (const scope of counted === undefined ? scopes : []) {
        rollupRows += Number(
          scope.kind === 'billing-period'
            ? countPeriod.get(scope.source, scope.provider, scope.billingAccountId, scope.billingPeriodStart)
            : countDays.get(scope.source, scope.provider, scope.billingAccountId, scope.from, scope.to),
        )
      }
      const info = insertImport.run(
        record.source,
        record.location,
        record.startedAt,
        new Date().toISOString(),
        record.rowsRead,
        record.rowsSkipped,
        rollupRows,
        JSON.stringify(scopes),
      )
      return {importId: Number(info.lastInsertRowid), rollupRows}
    },
  }
}

function tagSetResolver(db: Db): (tags: Record<string, string>) => number {
  const find = db.prepare('SELECT id FROM tag_sets WHERE tags = ?').pluck()
  const create = db.prepare('INSERT INTO tag_sets (tags) VALUES (?)')
  const addValue = db.prepare('INSERT OR IGNORE INTO tag_values (key, tag_set_id, value) VALUES (?, ?, ?)')
  const cache = new Map<string, number>()
  return (tags) => {
    const keys = Object.keys(tags).sort()
    if (keys.length === 0) return 0
    const canonical = JSON.stringify(Object.fromEntries(keys.map((k) => [k, tags[k]])))
    let id = cache.get(canonical)
    if (id !== undefined) return id
    id = find.get(canonical) as number | undefined
    if (id === undefined) {
      id = Number(create.run(canonical).lastInsertRowid)
      for (const key of keys) addValue.run(key, id, tags[key])
    }
    cache.set(canonical, id)
    return id
  }
}

export interface CostSeriesQuery {
  from: string
  to: string
  groupBy: readonly GroupKey[]
  filters: readonly CostFilter[]
  metric: Metric
}

/** One day's cost for one group: `keys` follow the query's groupBy order. */
export interface CostSeriesPoint {
  keys: string[]
  currency: string
  day: string
  cost: number
}

/** Daily cost per group and currency over [from, to]; currencies are never summed together. */
export function queryDailyCosts(db: Db, query: CostSeriesQuery): CostSeriesPoint[] {
  const sql = buildCostSql(query.groupBy, query.filters)
  const keyCols = sql.groupExprs.map((expr, i) => `${expr} AS k${i}`)
  const stmt = db.prepare(`
    SELECT ${[...keyCols, 'c.currency AS currency', 'c.day AS day', `SUM(c.${METRICS[query.metric]}) AS cost`].join(', ')}
    FROM cost_daily c ${sql.joins.join(' ')}
    WHERE c.day BETWEEN ? AND ? ${sql.where.map((w) => `AND ${w}`).join(' ')}
    GROUP BY ${[...sql.groupExprs.map((_, i) => `k${i}`), 'c.currency', 'c.day'].join(', ')}`)
  const params = [...sql.joinParams, query.from, query.to, ...sql.whereParams]
  const rows = stmt.raw().all(...params) as unknown[][]
  const n = query.groupBy.length
  return rows.map((r) => ({
    keys: r.slice(0, n).map(String),
    currency: String(r[n]),
    day: String(r[n + 1]),
    cost: Number(r[n + 2]),
  }))
}

/** First and last day with cost data (optionally in one currency), or undefined for an empty store. */
export function costDataRange(db: Db): {first: string; last: string} | undefined {
  const row = db.prepare('SELECT MIN(day) AS first, MAX(day) AS last FROM cost_daily').get() as {
    first: string | null
    last: string | null
  }
  return row.first && row.last ? {first: row.first, last: row.last} : undefined
}

/** Display names for accounts seen in billing data, keyed by account id. */
export function accountNames(db: Db): Map<string, string> {
  const rows = db.prepare('SELECT account_id, name FROM accounts').raw().all() as [string, string][]
  return new Map(rows)
}
