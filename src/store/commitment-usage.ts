import {AMOUNT_SQL_COLUMNS, sumAmountSql} from './amounts.js'
import {dayNumber} from './day-numbers.js'
import type {Db} from './open.js'

/** One hour's (or one charge period's) commitment-relevant spend of a grain key, as a bill states it. */
export interface CommitmentUsageGroup {
  /** Hours since 1970-01-01 UTC of the charge period's start. */
  hour: number
  /** Hours the charge period covers (1 hourly, 24 daily). */
  spanHours: number
  /** standard | committed | dynamic | other | '' (the bill did not say). */
  pricingCategory: string
  /** CommitmentDiscountId, '' for none. */
  commitmentId: string
  /** used | unused | ''. */
  commitmentStatus: string
  commitmentCategory: string
  commitmentType: string
}

/** Writes commitment usage inside the cost writer's transaction (see migrations/commitment-usage.ts). */
export interface CommitmentUsageWriter {
  /** Upserts one group (same key, period, hour, span, pricing, commitment and status: summed); amounts as in CostWriter.insertGroup. */
  add(keyId: number, billingPeriod: number, group: CommitmentUsageGroup, amounts: ArrayLike<number>): void
  /** Deletes the rows of these keys in a billing period or a day range (a scope being replaced). */
  clear(keyIds: readonly number[], range: {billingPeriod: number} | {from: number; to: number}): void
}

const KEY = 'key_id, billing_period, hour, span_hours, pricing_category, commitment_id, commitment_status'

export function openCommitmentUsageWriter(db: Db): CommitmentUsageWriter {
  const upsert = db.prepare(`INSERT INTO commitment_usage
    (${KEY}, commitment_category, commitment_type, ${AMOUNT_SQL_COLUMNS.join(', ')})
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ${AMOUNT_SQL_COLUMNS.map(() => '?').join(', ')})
    ON CONFLICT DO UPDATE SET ${AMOUNT_SQL_COLUMNS.map((c) => `${c} = ${c} + excluded.${c}`).join(', ')}`)
  const clearPeriod = db.prepare('DELETE FROM commitment_usage WHERE key_id = ? AND billing_period = ?')
  // A day range covers the hours of its days.
  const clearHours = db.prepare('DELETE FROM commitment_usage WHERE key_id = ? AND hour BETWEEN ? AND ?')
  const values = new Array<number>(AMOUNT_SQL_COLUMNS.length)
  return {
    add(keyId, billingPeriod, g, amounts) {
      for (let i = 0; i < values.length; i++) values[i] = amounts[i]!
      upsert.run(
        keyId,
        billingPeriod,
        g.hour,
        g.spanHours,
        g.pricingCategory,
        g.commitmentId,
        g.commitmentStatus,
        g.commitmentCategory,
        g.commitmentType,
        ...values,
      )
    },
    clear(keyIds, range) {
      for (const id of keyIds)
        if ('billingPeriod' in range) clearPeriod.run(id, range.billingPeriod)
        else clearHours.run(id, range.from * 24, range.to * 24 + 23)
    },
  }
}

/** Where and what a commitment-usage row is: the grain key's columns with its pricing and commitment. */
export interface CommitmentUsageRow {
  provider: string
  billingAccountId: string
  subAccountId: string
  serviceCategory: string
  serviceName: string
  regionId: string
  chargeCategory: string
  currency: string
  pricingCategory: string
  commitmentId: string
  commitmentStatus: string
  commitmentCategory: string
  commitmentType: string
  billedCost: number
  effectiveCost: number
  listCost: number
  contractedCost: number
}

/** A row per charge period: the hour it starts and how many hours it covers. */
export interface CommitmentUsageHourRow extends CommitmentUsageRow {
  hour: number
  spanHours: number
}

const GROUP = `k.provider, k.billing_account_id, k.sub_account_id, k.service_category, k.service_name, k.region_id,
  k.charge_category, k.currency, u.pricing_category, u.commitment_id, u.commitment_status`
const SELECTED = `k.provider AS provider, k.billing_account_id AS billingAccountId, k.sub_account_id AS subAccountId,
  k.service_category AS serviceCategory, k.service_name AS serviceName, k.region_id AS regionId,
  k.charge_category AS chargeCategory, k.currency AS currency, u.pricing_category AS pricingCategory,
  u.commitment_id AS commitmentId, u.commitment_status AS commitmentStatus,
  max(u.commitment_category) AS commitmentCategory, max(u.commitment_type) AS commitmentType,
  ${sumAmountSql('billed', 'u')} AS billedCost, ${sumAmountSql('effective', 'u')} AS effectiveCost,
  ${sumAmountSql('list', 'u')} AS listCost, ${sumAmountSql('contracted', 'u')} AS contractedCost`

/** Hours since the epoch of the first hour of `from` and the last hour of `to` (YYYY-MM-DD, inclusive). */
const hourRange = (range: {from: string; to: string}): [number, number] => [
  dayNumber(range.from) * 24,
  dayNumber(range.to) * 24 + 23,
]

/** Commitment usage summed over the charge periods starting in [from, to], per key, pricing and commitment. */
export function readCommitmentUsageTotals(db: Db, range: {from: string; to: string}): CommitmentUsageRow[] {
  return db
    .prepare(
      `SELECT ${SELECTED} FROM commitment_usage u JOIN cost_keys k ON k.id = u.key_id
       WHERE u.hour BETWEEN ? AND ? GROUP BY ${GROUP} ORDER BY ${GROUP}`,
    )
    .all(...hourRange(range)) as CommitmentUsageRow[]
}

/**
 * Usage rows (charge category Usage) per charge period starting in [from, to], hour and span kept,
 * in hour order, one at a time: a year of hourly rows over many scopes never sits in memory at once.
 */
export function iterateCommitmentUsageHours(
  db: Db,
  range: {from: string; to: string},
): IterableIterator<CommitmentUsageHourRow> {
  return db
    .prepare(
      `SELECT u.hour AS hour, u.span_hours AS spanHours, ${SELECTED} FROM commitment_usage u JOIN cost_keys k ON k.id = u.key_id
       WHERE u.hour BETWEEN ? AND ? AND k.charge_category = 'Usage' GROUP BY u.hour, u.span_hours, ${GROUP} ORDER BY u.hour`,
    )
    .iterate(...hourRange(range)) as IterableIterator<CommitmentUsageHourRow>
}

/** The first and last hour holding commitment usage, or undefined for none. */
export function commitmentUsageExtent(db: Db): {first: number; last: number} | undefined {
  const row = db
    .prepare('SELECT min(hour) AS first, max(hour + span_hours - 1) AS last FROM commitment_usage')
    .get() as {first: number | null; last: number | null} | undefined
  return row && row.first !== null && row.last !== null ? {first: row.first, last: row.last} : undefined
}
