import type {CostDimensions, CostFilter} from '../model/cost.js'
import {keySqlParts} from './cost-queries.js'
import {exportScan, TAG_SET_JSON_SQL} from './export-sql.js'
import {dayText} from './day-numbers.js'
import type {Db} from './open.js'

export interface FocusExportQuery {
  filters: readonly CostFilter[]
  from?: string
  to?: string
}

/** One row at the store's full grain: the day, its billing period, every dimension, the tag set and the costs. */
export interface FocusGrainRow extends CostDimensions {
  day: string
  billingPeriodStart: string
  /** Display name seen in billing data for the account, null when none was ever seen. */
  billingAccountName: string | null
  subAccountName: string | null
  /** Canonical JSON object (keys sorted) of the row's tags; '{}' when untagged. */
  tags: string
  /** BilledCost, EffectiveCost, ListCost, ContractedCost. */
  costs: [number, number, number, number]
}

/**
 * Streams the rollup at its own grain (day, billing period, dimensions, tag set), rows from different
 * collectors with the same grain summed, in day, dimension and tag order (the same data always
 * gives the same file, whatever order it was collected in). An iterator: memory does not grow with rows.
 */
export function* iterateFocusGrain(db: Db, query: FocusExportQuery): Generator<FocusGrainRow> {
  const parts = keySqlParts(db, 'tag_set_id', [], query.filters)
  const tagsJson = TAG_SET_JSON_SQL
  const dims = [
    'k.provider',
    'k.billing_account_id',
    'k.sub_account_id',
    'k.service_name',
    'k.service_category',
    'k.region_id',
    'k.charge_category',
    'k.charge_frequency',
    'k.currency',
  ]
  const groupCols = ['r.day', 'r.billing_period', ...dims, 'r.tag_set_id']
  const {where, params, sums} = exportScan(parts, query)
  const stmt = db
    .prepare(
      `SELECT ${groupCols.map((e, i) => `${e} AS g${i}`).join(', ')},
        (SELECT name FROM accounts a WHERE a.provider = k.provider AND a.account_id = k.billing_account_id),
        (SELECT name FROM accounts a WHERE a.provider = k.provider AND a.account_id = k.sub_account_id AND k.sub_account_id <> ''),
        ${tagsJson} AS tags, ${sums}
      FROM cost_rollup r JOIN cost_keys k ON k.id = r.key_id ${parts.joins}
      ${where}
      GROUP BY ${groupCols.map((_, i) => `g${i}`).join(', ')}
      ORDER BY ${groupCols
        .slice(0, -1)
        .map((_, i) => `g${i}`)
        .join(', ')}, tags`,
    )
    .raw()
  for (const raw of stmt.iterate(...params) as Iterable<unknown[]>) {
    const text = (i: number): string => String(raw[i] ?? '')
    const name = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null)
    yield {
      day: dayText(Number(raw[0])),
      billingPeriodStart: dayText(Number(raw[1])),
      provider: text(2),
      billingAccountId: text(3),
      subAccountId: text(4),
      serviceName: text(5),
      serviceCategory: text(6),
      regionId: text(7),
      chargeCategory: text(8),
      chargeFrequency: text(9),
      currency: text(10),
      billingAccountName: name(raw[12]),
      subAccountName: name(raw[13]),
      tags: text(14),
      costs: raw.slice(15, 19).map(Number) as [number, number, number, number],
    }
  }
}
