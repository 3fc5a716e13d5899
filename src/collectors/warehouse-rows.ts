import type {DailyCostRow} from '../model/cost.js'
import {chargeOf} from './aws/record-types.js'
import {
  canonicalChargeCategory,
  canonicalChargeFrequency,
  canonicalServiceCategory,
  parseTags,
} from './focus/normalize.js'

/**
 * One row of a rollup a warehouse computed (Athena over AWS Data Exports, BigQuery over the GCP FOCUS
 * view) as the store's daily row. The queries name their columns alike (`day`, `billing_account_id`,
 * `billed_cost`, ... as text), so one mapper serves both; values are normalized as `collect focus`
 * normalizes a file's (enum spellings, tags), so the same bill lands the same way whichever path.
 */
export const WAREHOUSE_COLUMNS = [
  'day',
  'billing_period_start',
  'provider',
  'billing_account_id',
  'billing_account_name',
  'sub_account_id',
  'sub_account_name',
  'service_name',
  'service_category',
  'region_id',
  'charge_category',
  'charge_frequency',
  'currency',
  'tags',
  'billed_cost',
  'effective_cost',
  'list_cost',
  'contracted_cost',
] as const
export type WarehouseColumn = (typeof WAREHOUSE_COLUMNS)[number]

/** `focus`: FOCUS columns and a JSON Tags object (or BigQuery's key/value array); `cur2`: CUR 2.0's line item types and resource_tags keys. */
export type WarehouseLayout = 'focus' | 'cur2'

/** CUR 2.0 line item types beyond Cost Explorer's record types, as the export spells them. */
const CUR_LINE_ITEM_TYPES: Record<string, string> = {
  EdpDiscount: 'Enterprise Discount Program Discount',
  PrivateRateDiscount: 'Private Rate Card Discount',
  SppDiscount: 'Solution Provider Program Discount',
  DistributorDiscount: 'Distributor Discount',
}

/** CUR's resource_tags keys: user-defined tags are user_<key>, AWS-generated ones aws_<key> (aws:<key> as written). */
function curTagKey(key: string): string {
  if (key.startsWith('user_')) return key.slice(5)
  if (key.startsWith('aws_')) return `aws:${key.slice(4)}`
  return key
}

/** Tags as JSON text: an object, or an array of {key, value} (BigQuery's labels and FOCUS view Tags). */
function tagsOf(text: string): Record<string, string> {
  const trimmed = text.trim()
  if (!trimmed.startsWith('[')) return parseTags(trimmed) ?? {}
  const out: Record<string, string> = {}
  try {
    for (const item of JSON.parse(trimmed) as unknown[]) {
      const {key, value} = (item ?? {}) as {key?: unknown; value?: unknown}
      if (typeof key === 'string' && value !== null && value !== undefined)
        out[key] = typeof value === 'string' ? value : JSON.stringify(value)
    }
  } catch {
    return {}
  }
  return out
}

export function toDailyCostRow(
  cell: (column: WarehouseColumn) => string | null,
  layout: WarehouseLayout,
): DailyCostRow {
  const get = (column: WarehouseColumn): string => {
    const value = cell(column)
    return value === null || value.trim().toUpperCase() === 'NULL' ? '' : value.trim()
  }
  const money = (column: WarehouseColumn): number => (get(column) === '' ? 0 : Number(get(column)))
  const charge =
    layout === 'cur2'
      ? chargeOf(CUR_LINE_ITEM_TYPES[get('charge_category')] ?? get('charge_category'))
      : {
          category: canonicalChargeCategory(get('charge_category')),
          frequency: canonicalChargeFrequency(get('charge_frequency')),
        }
  const parsed = tagsOf(get('tags'))
  const tags =
    layout === 'cur2' ? Object.fromEntries(Object.entries(parsed).map(([k, v]) => [curTagKey(k), v])) : parsed
  return {
    day: get('day'),
    billingPeriodStart: get('billing_period_start') || `${get('day').slice(0, 7)}-01`,
    provider: get('provider'),
    billingAccountId: get('billing_account_id'),
    billingAccountName: get('billing_account_name') || undefined,
    subAccountId: get('sub_account_id'),
    subAccountName: get('sub_account_name') || undefined,
    serviceName: get('service_name'),
    serviceCategory: canonicalServiceCategory(get('service_category')),
    regionId: get('region_id'),
    chargeCategory: charge.category,
    chargeFrequency: charge.frequency,
    currency: get('currency').toUpperCase(),
    tags,
    billedCost: money('billed_cost'),
    effectiveCost: money('effective_cost'),
    listCost: money('list_cost'),
    contractedCost: money('contracted_cost'),
  }
}
