/**
 * Domain types shared across collectors, the store, reports and forecasters. FOCUS is the lingua
 * franca: field comments name the FOCUS column each one carries.
 */

/** FOCUS ChargeCategory values, canonical spelling. */
export const CHARGE_CATEGORIES = ['Usage', 'Purchase', 'Tax', 'Credit', 'Adjustment'] as const
/** FOCUS ChargeFrequency values, canonical spelling. */
export const CHARGE_FREQUENCIES = ['One-Time', 'Recurring', 'Usage-Based'] as const
/** FOCUS 1.0 ServiceCategory values, canonical spelling. */
export const SERVICE_CATEGORIES = [
  'AI and Machine Learning',
  'Analytics',
  'Business Applications',
  'Compute',
  'Databases',
  'Developer Tools',
  'Multicloud',
  'Identity',
  'Integration',
  'Internet of Things',
  'Management and Governance',
  'Media',
  'Migration',
  'Mobile',
  'Networking',
  'Security',
  'Storage',
  'Web',
  'Other',
] as const

/** One row of the daily rollup: the grain plus the summed cost metrics. */
export interface DailyCostRow {
  /** YYYY-MM-DD (UTC) of ChargePeriodStart. */
  day: string
  /** YYYY-MM-DD of BillingPeriodStart (FOCUS restatements replace whole billing periods). */
  billingPeriodStart: string
  /** ProviderName */
  provider: string
  /** BillingAccountId */
  billingAccountId: string
  /** BillingAccountName, kept for display only (not part of the grain). */
  billingAccountName?: string
  /** SubAccountId ('' when absent) */
  subAccountId: string
  /** SubAccountName, display only. */
  subAccountName?: string
  /** ServiceName */
  serviceName: string
  /** ServiceCategory */
  serviceCategory: string
  /** RegionId */
  regionId: string
  /** ChargeCategory, canonical spelling */
  chargeCategory: string
  /** ChargeFrequency, canonical spelling ('' when absent) */
  chargeFrequency: string
  /** BillingCurrency, upper-case ISO 4217 */
  currency: string
  /** Tags as a flat string map ({} when untagged). */
  tags: Record<string, string>
  billedCost: number
  effectiveCost: number
  listCost: number
  contractedCost: number
  /**
   * Below the grain, kept apart for explaining changes (not summed into reports): the row's usage
   * type (FOCUS SkuId, a cloud's usage type, meter or SKU) and its resource, where the source has them.
   */
  usageType?: string
  usageTypeLabel?: string
  resourceId?: string
  resourceName?: string
}

/** The grain's dimensions besides the day, billing period and tags: what the store keys cost on. */
export type CostDimensions = Pick<
  DailyCostRow,
  | 'provider'
  | 'billingAccountId'
  | 'subAccountId'
  | 'serviceName'
  | 'serviceCategory'
  | 'regionId'
  | 'chargeCategory'
  | 'chargeFrequency'
  | 'currency'
>

/** The cost metrics a report or forecast can use. */
export const METRICS = {
  billed: 'billed_cost',
  effective: 'effective_cost',
  list: 'list_cost',
} as const
export type Metric = keyof typeof METRICS

/** Grouping dimensions shared by report, export, forecast and budgets; value is the column. */
export const DIMENSIONS = {
  provider: {column: 'provider', focus: 'ProviderName'},
  account: {column: 'billing_account_id', focus: 'BillingAccountId'},
  'sub-account': {column: 'sub_account_id', focus: 'SubAccountId'},
  service: {column: 'service_name', focus: 'ServiceName'},
  'service-category': {column: 'service_category', focus: 'ServiceCategory'},
  region: {column: 'region_id', focus: 'RegionId'},
  'charge-category': {column: 'charge_category', focus: 'ChargeCategory'},
  'charge-frequency': {column: 'charge_frequency', focus: 'ChargeFrequency'},
  currency: {column: 'currency', focus: 'BillingCurrency'},
} as const
export type DimensionName = keyof typeof DIMENSIONS

/** A dimension key as users write it: a named dimension or `tag:<key>`. */
export type GroupKey = {kind: 'dimension'; name: DimensionName} | {kind: 'tag'; key: string}

/** The label of a group key, as users write it: `service`, `tag:team`. */
export const groupKeyLabel = (key: GroupKey): string => (key.kind === 'tag' ? `tag:${key.key}` : key.name)

/** A cost filter: rows whose key has any of `values`. */
export interface CostFilter {
  key: GroupKey
  values: string[]
}

/** Label shown for an empty grain value ('' in the store). */
export const NONE_LABEL = '(none)'
/** Label shown for rows that do not carry the grouped tag key. */
export const UNTAGGED_LABEL = '(untagged)'
