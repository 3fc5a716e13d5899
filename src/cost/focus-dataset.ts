import {storeError} from '../errors.js'
import {CHARGE_CATEGORIES, CHARGE_FREQUENCIES, SERVICE_CATEGORIES} from '../model/cost.js'
import type {FocusGrainRow} from '../store/focus-export.js'

/**
 * The columns of the FOCUS 1.0 dataset we write: the 21 the spec makes mandatory, plus the
 * conditional ones the store can fill (ChargeFrequency, RegionId, SubAccountId/Name, Tags).
 * Unit prices, SKUs and resources are not kept at the store's grain, so those columns are left out,
 * as the spec allows for conditional columns.
 */
export const FOCUS_COLUMNS = [
  'BillingAccountId',
  'BillingAccountName',
  'BillingCurrency',
  'BillingPeriodStart',
  'BillingPeriodEnd',
  'ChargePeriodStart',
  'ChargePeriodEnd',
  'ChargeCategory',
  'ChargeClass',
  'ChargeDescription',
  'ChargeFrequency',
  'ProviderName',
  'PublisherName',
  'InvoiceIssuerName',
  'ServiceName',
  'ServiceCategory',
  'RegionId',
  'SubAccountId',
  'SubAccountName',
  'PricingQuantity',
  'PricingUnit',
  'BilledCost',
  'EffectiveCost',
  'ListCost',
  'ContractedCost',
  'Tags',
] as const
export type FocusColumnName = (typeof FOCUS_COLUMNS)[number]

/** A value as written: text, a number (never quoted or defused), or null (an empty CSV field). */
export type FocusValue = string | number | null
export type FocusRecord = Record<FocusColumnName, FocusValue>

const squash = (v: string): string => v.toLowerCase().replace(/[\s_-]+/g, '')
const lookup = (values: readonly string[]): Map<string, string> => new Map(values.map((v) => [squash(v), v]))
const CATEGORY = lookup(CHARGE_CATEGORIES)
const FREQUENCY = lookup(CHARGE_FREQUENCIES)
const SERVICE_CATEGORY = lookup(SERVICE_CATEGORIES)

/** FOCUS DateTime: ISO 8601 in UTC with seconds and a Z. */
export const focusDateTime = (day: string): string => `${day}T00:00:00Z`

const nextDay = (day: string): string =>
  new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10)

/**
 * The store keeps only a billing period's start; billing periods are monthly for every provider we
 * collect, so the end (exclusive) is the same day of the next month, clamped to that month's length.
 */
export function billingPeriodEnd(start: string): string {
  const [y, m, d] = start.split('-').map(Number) as [number, number, number]
  const lastOfNext = new Date(Date.UTC(y, m + 1, 0)).getUTCDate()
  return new Date(Date.UTC(y, m, Math.min(d, lastOfNext))).toISOString().slice(0, 10)
}

const required = (column: FocusColumnName, value: string, row: FocusGrainRow): string => {
  if (value !== '') return value
  throw storeError(
    `the store has ${row.provider || 'a provider'} costs on ${row.day} without ${column}, which FOCUS requires`,
    're-collect that period from its source, then export again',
  )
}

/**
 * One FOCUS record from one row of the store's grain. Pure. Values the store does not know stay
 * null where the spec allows null; where it does not, the closest value the store holds is used:
 * - ChargeFrequency missing (cloud APIs do not report it): Usage -> Usage-Based, else One-Time;
 * - ServiceCategory missing or not a FOCUS value: Other;
 * - PublisherName and InvoiceIssuerName: the provider (the store does not keep marketplace sellers or resellers);
 * - ChargeClass: null, because corrections are folded into the billing period they restate;
 * - PricingQuantity and PricingUnit: null, as the spec requires when there is no SkuPriceId.
 */
export function toFocusRecord(row: FocusGrainRow): FocusRecord {
  const provider = required('ProviderName', row.provider, row)
  const category = CATEGORY.get(squash(row.chargeCategory))
  if (category === undefined)
    throw storeError(
      `the store has ChargeCategory '${row.chargeCategory}' (${provider}, ${row.day}), which is not a FOCUS 1.0 value (${CHARGE_CATEGORIES.join(', ')})`,
      're-import that billing period from a corrected file, then export again',
    )
  const frequency = FREQUENCY.get(squash(row.chargeFrequency)) ?? (category === 'Usage' ? 'Usage-Based' : 'One-Time')
  const serviceName = required('ServiceName', row.serviceName, row)
  const [billed, effective, list, contracted] = row.costs
  return {
    BillingAccountId: required('BillingAccountId', row.billingAccountId, row),
    BillingAccountName: row.billingAccountName,
    BillingCurrency: required('BillingCurrency', row.currency, row),
    BillingPeriodStart: focusDateTime(row.billingPeriodStart),
    BillingPeriodEnd: focusDateTime(billingPeriodEnd(row.billingPeriodStart)),
    ChargePeriodStart: focusDateTime(row.day),
    ChargePeriodEnd: focusDateTime(nextDay(row.day)),
    ChargeCategory: category,
    ChargeClass: null,
    ChargeDescription: `${serviceName} ${category.toLowerCase()} on ${row.day} (daily total)`,
    ChargeFrequency: frequency,
    ProviderName: provider,
    PublisherName: provider,
    InvoiceIssuerName: provider,
    ServiceName: serviceName,
    ServiceCategory: SERVICE_CATEGORY.get(squash(row.serviceCategory)) ?? 'Other',
    RegionId: row.regionId === '' ? null : row.regionId,
    SubAccountId: row.subAccountId === '' ? null : row.subAccountId,
    SubAccountName: row.subAccountId === '' ? null : row.subAccountName,
    PricingQuantity: null,
    PricingUnit: null,
    BilledCost: billed,
    EffectiveCost: effective,
    ListCost: list,
    ContractedCost: contracted,
    Tags: row.tags === '{}' || row.tags === '' ? null : row.tags,
  }
}
