import {storeError} from '../errors.js'
import type {CostDimensions, DailyCostRow} from '../model/cost.js'
import {AMOUNT_SQL_COLUMNS, splitAmount} from './amounts.js'
import {type CommitmentUsageGroup, type CommitmentUsageWriter, openCommitmentUsageWriter} from './commitment-usage.js'
import {deferBulkIndexes} from './bulk-indexes.js'
import {type CostDetailKind, type CostDetailWriter, openCostDetailWriter} from './cost-details.js'
import {ACCUMULATOR_SIZE, openSummaryDeltas, summarizeBillingPeriods} from './cost-summaries.js'
import {dayNumber, dayText} from './day-numbers.js'
import type {Db} from './open.js'
import {openTagSetResolver} from './tag-sets.js'

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

/** A usage type or resource below the grain of a row written in the same call (a cloud collector's details). */
export interface GrainDetail {
  row: DailyCostRow
  kind: CostDetailKind
  value: string
  label: string
  billedCost: number
  effectiveCost: number
}

export interface ReplaceCostsResult {
  importId: number
  rollupRows: number
  /** commitment_usage rows written (a cloud collector's days of commitment usage). */
  commitmentRows: number
}

/** A day of commitment usage of a row's grain key (a cloud collector's), written as one 24-hour charge period. */
export interface DayCommitmentUsage {
  row: DailyCostRow
  usage: Omit<CommitmentUsageGroup, 'hour' | 'spanHours'>
}

/** The grain's columns other than day, billing period and tags (stored once per combination). */
export type CostKey = {source: string} & CostDimensions

/** Billed cost of one currency, as exact units and nanos. */
export interface ExactTotal {
  currency: string
  units: number
  nanos: number
}

/** How a replaced billing period compares with what the store held for it (per currency). */
export interface ScopeRestatement {
  scope: CostScope
  /** Days with rows before the write and none after it (YYYY-MM-DD, ascending). */
  removedDays: string[]
  before: ExactTotal[]
  after: ExactTotal[]
}

/**
 * Writes cost rows inside a transaction the caller holds (so rows can be streamed from an async
 * source). Each scope is cleared the first time it is named, rows with the same grain are summed,
 * and `finish` brings every summary table in step with what was written: this is the store's one
 * write path for costs, used by FOCUS imports and the cloud collectors alike.
 */
export interface CostWriter {
  /** Deletes what the store holds for the scope, once per writer. */
  clear(scope: CostScope): void
  /** Upserts one row (same grain: summed). */
  insert(source: string, row: DailyCostRow): void
  /** clear(scope) the first time it is seen, then insert. */
  write(scope: CostScope, row: DailyCostRow): void
  /** The id of a grain key (created when new); ids are cached, so callers may call it per row. */
  keyId(key: CostKey): number
  /** The id of a tag set (0 for none), created when new. */
  tagSetId(tags: Readonly<Record<string, string>>): number
  /**
   * Upserts one row by ids: billing period and day as day numbers (days since 1970-01-01),
   * `amounts` as exact integers, units then nanos of billed, effective, list and contracted cost
   * (nanos may exceed a billion: they are sums).
   */
  insertGroup(keyId: number, billingPeriod: number, day: number, tagSetId: number, amounts: ArrayLike<number>): void
  /** Upserts one detail below the grain (a usage type or resource of a key's day), amounts as for insertGroup. */
  insertDetail: CostDetailWriter['add']
  /** Upserts one detail of a row's grain key (the key is created when new). */
  insertGrainDetail(source: string, detail: GrainDetail): void
  /** Upserts one charge period of commitment-relevant spend of a key (see commitment-usage.ts), amounts as for insertGroup. */
  insertCommitmentUsage: CommitmentUsageWriter['add']
  /** Upserts one day of commitment usage of a row's grain key (the key is created when new). */
  insertDayCommitmentUsage(source: string, usage: DayCommitmentUsage): void
  /** Records a display name for an account or sub-account id. */
  nameAccount(provider: string, accountId: string, name: string): void
  /** Scopes replaced so far, in first-seen order. */
  scopes(): CostScope[]
  /** For each replaced billing period: days it loses and its billed totals before and after. */
  restatements(): ScopeRestatement[]
  /** Brings the summaries in step and records the import; rollup rows are the given count or those now held for its scopes. */
  finish(record: CostImportRecord, rollupRows?: number): ReplaceCostsResult
}

const scopeKey = (scope: CostScope): string =>
  scope.kind === 'billing-period'
    ? `p\u0000${scope.source}\u0000${scope.provider}\u0000${scope.billingAccountId}\u0000${dayNumber(scope.billingPeriodStart)}`
    : `d\u0000${scope.source}\u0000${scope.provider}\u0000${scope.billingAccountId}\u0000${scope.from}\u0000${scope.to}`

const periodKey = (source: string, provider: string, account: string, billingPeriod: number): string =>
  `p\u0000${source}\u0000${provider}\u0000${account}\u0000${billingPeriod}`

const KEY_COLUMNS =
  'source, provider, billing_account_id, sub_account_id, service_name, service_category, region_id, charge_category, charge_frequency, currency'

/** Rows of one scope before and after the write, for the restatement check. */
interface ScopeTally {
  scope: CostScope
  beforeDays: Set<number>
  before: Map<string, [number, number]>
  afterDays: Set<number>
  after: Map<string, [number, number]>
}

interface KeyInfo {
  period: (billingPeriod: number) => string
  currency: string
}

const KEY_SCOPE = 'k.source = ? AND k.provider = ? AND k.billing_account_id = ?'

/**
 * How the summaries follow the rollup: `per-group` adds each written group to them as it goes
 * (any scope, rows summed into existing grains); `per-period` summarizes each replaced billing
 * period from its rows once, at finish, in SQL: much faster for a large import, and it requires
 * every written group to fall in a billing period cleared by this writer.
 */
export type SummaryMode = 'per-group' | 'per-period'

export function openCostWriter(db: Db, mode: SummaryMode = 'per-group'): CostWriter {
  const findKey = db.prepare(`SELECT id FROM cost_keys WHERE (${KEY_COLUMNS}) = (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).pluck()
  const createKey = db.prepare(`INSERT INTO cost_keys (${KEY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
  const keyById = db.prepare('SELECT source, provider, billing_account_id, currency FROM cost_keys WHERE id = ?').raw()
  const scopeKeys = db.prepare(`SELECT id FROM cost_keys k WHERE ${KEY_SCOPE}`).pluck()
  const periodTotals = db
    .prepare(
      `SELECT r.day, k.currency, SUM(r.billed_units), SUM(r.billed_nanos) FROM cost_rollup r JOIN cost_keys k ON k.id = r.key_id
       WHERE ${KEY_SCOPE} AND r.billing_period = ? GROUP BY r.day, k.currency`,
    )
    .raw()
  const deletePeriod = db.prepare('DELETE FROM cost_rollup WHERE key_id = ? AND billing_period = ?')
  const deleteDays = db.prepare(
    `DELETE FROM cost_rollup WHERE key_id IN (SELECT id FROM cost_keys k WHERE ${KEY_SCOPE}) AND day BETWEEN ? AND ?`,
  )
  const countPeriod = db
    .prepare(
      `SELECT count(*) FROM cost_rollup WHERE key_id IN (SELECT id FROM cost_keys k WHERE ${KEY_SCOPE}) AND billing_period = ?`,
    )
    .pluck()
  const countDays = db
    .prepare(
      `SELECT count(*) FROM cost_rollup WHERE key_id IN (SELECT id FROM cost_keys k WHERE ${KEY_SCOPE}) AND day BETWEEN ? AND ?`,
    )
    .pluck()
  const insert = db.prepare(`
    INSERT INTO cost_rollup (key_id, billing_period, day, tag_set_id, ${AMOUNT_SQL_COLUMNS.join(', ')})
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT DO UPDATE SET ${AMOUNT_SQL_COLUMNS.map((c) => `${c} = ${c} + excluded.${c}`).join(', ')}`)
  const upsertAccount = db.prepare(`INSERT INTO accounts (provider, account_id, name) VALUES (?, ?, ?)
    ON CONFLICT DO UPDATE SET name = excluded.name`)
  const insertImport =
    db.prepare(`INSERT INTO imports (source, location, started_at, finished_at, rows_read, rows_skipped, rollup_rows, scopes)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)

  const tagSets = openTagSetResolver(db)
  const keyIds = new Map<string, number>()
  const keyInfo = new Map<number, KeyInfo>()
  const cleared = new Map<string, CostScope>()
  const tallies = new Map<string, ScopeTally>()
  const named = new Set<string>()
  const summaries = openSummaryDeltas(db)
  const details = openCostDetailWriter(db)
  const commitmentUsage = openCommitmentUsageWriter(db)
  const summarySetOf = db.prepare('SELECT summary_set_id FROM cost_tag_sets WHERE id = ?').pluck()
  const summarySets = new Map<number, number>()
  const group = new Float64Array(ACCUMULATOR_SIZE)

  const infoOf = (keyId: number): KeyInfo => {
    let info = keyInfo.get(keyId)
    if (info) return info
    const [source, provider, account, currency] = keyById.get(keyId) as [string, string, string, string]
    info = {period: (bp) => periodKey(source, provider, account, bp), currency}
    if (keyInfo.size > 100_000) keyInfo.clear()
    keyInfo.set(keyId, info)
    return info
  }

  const keyId = (key: CostKey): number => {
    const values = [
      key.source,
      key.provider,
      key.billingAccountId,
      key.subAccountId,
      key.serviceName,
      key.serviceCategory,
      key.regionId,
      key.chargeCategory,
      key.chargeFrequency,
      key.currency,
    ]
    const text = values.join('\u0000')
    let id = keyIds.get(text)
    if (id !== undefined) return id
    id = (findKey.get(...values) as number | undefined) ?? Number(createKey.run(...values).lastInsertRowid)
    if (keyIds.size > 100_000) keyIds.clear()
    keyIds.set(text, id)
    return id
  }

  const addTo = (totals: Map<string, [number, number]>, currency: string, units: number, nanos: number): void => {
    const total = totals.get(currency)
    if (total) {
      total[0] += units
      total[1] += nanos
    } else totals.set(currency, [units, nanos])
  }

  const clear = (scope: CostScope): void => {
    const key = scopeKey(scope)
    if (cleared.has(key)) return
    cleared.set(key, scope)
    const ids = scopeKeys.all(scope.source, scope.provider, scope.billingAccountId) as number[]
    if (scope.kind === 'billing-period') {
      const bp = dayNumber(scope.billingPeriodStart)
      const tally: ScopeTally = {
        scope,
        beforeDays: new Set(),
        before: new Map(),
        afterDays: new Set(),
        after: new Map(),
      }
      for (const [day, currency, units, nanos] of periodTotals.iterate(
        scope.source,
        scope.provider,
        scope.billingAccountId,
        bp,
      ) as Iterable<[number, string, number, number]>) {
        tally.beforeDays.add(day)
        addTo(tally.before, currency, units, nanos)
      }
      tallies.set(periodKey(scope.source, scope.provider, scope.billingAccountId, bp), tally)
      summaries.removeScope(ids, {billingPeriod: bp})
      details.clear(ids, {billingPeriod: bp})
      commitmentUsage.clear(ids, {billingPeriod: bp})
      for (const id of ids) deletePeriod.run(id, bp)
    } else {
      const from = dayNumber(scope.from)
      const to = dayNumber(scope.to)
      summaries.removeScope(ids, {from, to})
      details.clear(ids, {from, to})
      commitmentUsage.clear(ids, {from, to})
      deleteDays.run(scope.source, scope.provider, scope.billingAccountId, from, to)
    }
  }

  const summarySetId = (tagSetId: number): number => {
    if (tagSetId === 0) return 0
    let id = summarySets.get(tagSetId)
    if (id === undefined) {
      id = summarySetOf.get(tagSetId) as number
      if (summarySets.size > 100_000) summarySets.clear()
      summarySets.set(tagSetId, id)
    }
    return id
  }

  const insertGroup: CostWriter['insertGroup'] = (key, billingPeriod, day, tagSetId, amounts) => {
    insert.run(
      key,
      billingPeriod,
      day,
      tagSetId,
      amounts[0],
      amounts[1],
      amounts[2],
      amounts[3],
      amounts[4],
      amounts[5],
      amounts[6],
      amounts[7],
    )
    if (mode === 'per-group') {
      for (let i = 0; i < 8; i++) group[i] = amounts[i]!
      group[8] = 1
      summaries.add(key, billingPeriod, day, summarySetId(tagSetId), group)
      if (tallies.size === 0) return
    }
    const info = infoOf(key)
    const tally = tallies.get(info.period(billingPeriod))
    if (!tally) {
      // Summarized at finish from the replaced periods' rows: a row outside them would be missed.
      if (mode === 'per-period')
        throw new Error('a cost row outside the billing periods this write replaces (per-period summaries)')
      return
    }
    tally.afterDays.add(day)
    addTo(tally.after, info.currency, amounts[0]!, amounts[1]!)
  }

  const rowKeyId = (source: string, row: DailyCostRow): number =>
    keyId({
      source,
      provider: row.provider,
      billingAccountId: row.billingAccountId,
      subAccountId: row.subAccountId,
      serviceName: row.serviceName,
      serviceCategory: row.serviceCategory,
      regionId: row.regionId,
      chargeCategory: row.chargeCategory,
      chargeFrequency: row.chargeFrequency,
      currency: row.currency,
    })

  const refuseUnusable = (amounts: readonly number[], row: DailyCostRow): void => {
    if (!amounts.every(Number.isFinite))
      throw storeError(
        `refusing a cost row with an amount that is not a finite number (${row.provider} ${row.serviceName} ${row.day})`,
        'the source returned an unusable amount; nothing was written',
      )
  }

  const insertGrainDetail = (source: string, detail: GrainDetail): void => {
    const amounts = [detail.billedCost, detail.effectiveCost, 0, 0] as const
    refuseUnusable(amounts, detail.row)
    const {row} = detail
    details.add(
      rowKeyId(source, row),
      dayNumber(row.billingPeriodStart),
      dayNumber(row.day),
      detail.kind,
      detail.value,
      detail.label,
      amounts.flatMap(splitAmount),
    )
  }

  const insertDayCommitmentUsage = (source: string, {row, usage}: DayCommitmentUsage): void => {
    const amounts = [row.billedCost, row.effectiveCost, row.listCost, row.contractedCost] as const
    refuseUnusable(amounts, row)
    const day = dayNumber(row.day)
    commitmentUsage.add(
      rowKeyId(source, row),
      dayNumber(row.billingPeriodStart),
      {...usage, hour: day * 24, spanHours: 24},
      amounts.flatMap(splitAmount),
    )
  }

  const insertRow = (source: string, row: DailyCostRow): void => {
    const amounts = [row.billedCost, row.effectiveCost, row.listCost, row.contractedCost] as const
    refuseUnusable(amounts, row)
    const id = rowKeyId(source, row)
    const split = amounts.flatMap(splitAmount)
    const billingPeriod = dayNumber(row.billingPeriodStart)
    const day = dayNumber(row.day)
    insertGroup(id, billingPeriod, day, tagSets.resolve(row.tags), split)
    if (row.usageType) details.add(id, billingPeriod, day, 'usage-type', row.usageType, row.usageTypeLabel ?? '', split)
    if (row.resourceId) details.add(id, billingPeriod, day, 'resource', row.resourceId, row.resourceName ?? '', split)
    for (const [account, name] of [
      [row.billingAccountId, row.billingAccountName],
      [row.subAccountId, row.subAccountName],
    ] as const) {
      if (account && name) nameAccount(row.provider, account, name)
    }
  }

  const nameAccount = (provider: string, account: string, name: string): void => {
    const key = `${provider}\u0000${account}\u0000${name}`
    if (named.has(key)) return
    if (named.size > 100_000) named.clear()
    named.add(key)
    upsertAccount.run(provider, account, name)
  }

  return {
    clear,
    insert: insertRow,
    write(scope, row) {
      clear(scope)
      insertRow(scope.source, row)
    },
    keyId,
    tagSetId: (tags) => tagSets.resolve(tags),
    insertGroup,
    insertDetail: details.add,
    insertGrainDetail,
    insertCommitmentUsage: commitmentUsage.add,
    insertDayCommitmentUsage,
    nameAccount,
    scopes: () => [...cleared.values()],
    restatements: () =>
      [...tallies.values()].map((t) => ({
        scope: t.scope,
        removedDays: [...t.beforeDays]
          .filter((d) => !t.afterDays.has(d))
          .sort((a, b) => a - b)
          .map(dayText),
        before: exactTotals(t.before),
        after: exactTotals(t.after),
      })),
    finish(record, counted) {
      details.finish()
      const scopes = [...cleared.values()]
      if (mode === 'per-period')
        summarizeBillingPeriods(
          db,
          scopes.flatMap((scope) =>
            scope.kind === 'billing-period'
              ? [
                  {
                    keyIds: scopeKeys.all(scope.source, scope.provider, scope.billingAccountId) as number[],
                    billingPeriod: dayNumber(scope.billingPeriodStart),
                  },
                ]
              : [],
          ),
        )
      summaries.flush(true)
      let rollupRows = counted ?? 0
      for (const scope of counted === undefined ? scopes : []) {
        rollupRows += Number(
          scope.kind === 'billing-period'
            ? countPeriod.get(scope.source, scope.provider, scope.billingAccountId, dayNumber(scope.billingPeriodStart))
            : countDays.get(
                scope.source,
                scope.provider,
                scope.billingAccountId,
                dayNumber(scope.from),
                dayNumber(scope.to),
              ),
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
      return {importId: Number(info.lastInsertRowid), rollupRows, commitmentRows: 0}
    },
  }
}

const exactTotals = (totals: Map<string, [number, number]>): ExactTotal[] =>
  [...totals.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([currency, [units, nanos]]) => ({currency, units, nanos}))

/**
 * Replaces the given scopes with `rows` (and the details below their grain) in one transaction: a
 * re-import of the same data leaves totals and details unchanged, a restated export replaces the
 * older one, and a failure leaves the store as it was. Rows with the same grain are summed.
 */
export function replaceCosts(
  db: Db,
  scopes: readonly CostScope[],
  rows: Iterable<DailyCostRow>,
  record: CostImportRecord,
  grainDetails: Iterable<GrainDetail> = [],
  commitments: Iterable<DayCommitmentUsage> = [],
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
      for (const detail of grainDetails) writer.insertGrainDetail(record.source, detail)
      let commitmentRows = 0
      for (const usage of commitments) {
        writer.insertDayCommitmentUsage(record.source, usage)
        commitmentRows++
      }
      return {...writer.finish(record, rollupRows), commitmentRows}
    })
    .immediate()
}

/** Settings for a long write: how much page cache SQLite may use (part of the caller's memory budget). */
export interface CostWriteOptions {
  cacheBytes?: number
  /** How the summaries follow the written rows (default per-group). */
  summaries?: SummaryMode
  /** Builds the secondary indexes of tables empty at the start once, at the end (a bulk first import). */
  deferIndexes?: boolean
}

/**
 * Runs an asynchronous write (a streamed import) in one transaction: committed when `work`
 * resolves, rolled back when it throws, so the store sees all of it or none of it.
 */
export async function writeCostsInTransaction<T>(
  db: Db,
  work: (writer: CostWriter) => Promise<T>,
  options: CostWriteOptions = {},
): Promise<T> {
  const previousCache = db.pragma('cache_size', {simple: true}) as number
  if (options.cacheBytes) db.pragma(`cache_size = ${-Math.max(2048, Math.floor(options.cacheBytes / 1024))}`)
  try {
    db.exec('BEGIN IMMEDIATE')
  } catch (error) {
    db.pragma(`cache_size = ${previousCache}`)
    throw describeWriteError(error)
  }
  try {
    const rebuildIndexes = options.deferIndexes ? deferBulkIndexes(db) : undefined
    const result = await work(openCostWriter(db, options.summaries))
    rebuildIndexes?.()
    db.exec('COMMIT')
    return result
  } catch (error) {
    if (db.inTransaction) db.exec('ROLLBACK')
    throw describeWriteError(error)
  } finally {
    db.pragma(`cache_size = ${previousCache}`)
  }
}

/** SQLite's own failures during a write, as store errors that say what ran out; anything else passes through. */
function describeWriteError(error: unknown): unknown {
  const code = (error as {code?: unknown}).code
  if (typeof code !== 'string' || !code.startsWith('SQLITE')) return error
  if (code === 'SQLITE_FULL')
    return storeError(
      'the disk holding the store (or its temporary files) is full; nothing was written',
      'free disk space where the store lives, or move the store with --db',
      error,
    )
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED')
    return storeError('the store is locked by another process; nothing was written', 'retry when it finishes', error)
  if (code === 'SQLITE_NOMEM')
    return storeError('SQLite ran out of memory while writing; nothing was written', 'retry with more memory', error)
  return storeError(
    `the store could not be written: ${(error as Error).message}; nothing was written`,
    'check the store',
    error,
  )
}
