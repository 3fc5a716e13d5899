/**
 * The FOCUS columns the importer reads. Everything else (1.0/1.1/1.2 additions, x_ extensions,
 * provider-specific columns) is ignored. Names match case-insensitively because hand-edited and
 * some provider exports vary the case.
 */
export const REQUIRED_COLUMNS = [
  'BilledCost',
  'BillingAccountId',
  'BillingCurrency',
  'BillingPeriodStart',
  'ChargeCategory',
  'ChargePeriodStart',
  'EffectiveCost',
  'ServiceName',
] as const

export const OPTIONAL_COLUMNS = [
  'BillingAccountName',
  'ChargeDescription',
  'ChargeFrequency',
  'ChargePeriodEnd',
  'CommitmentDiscountCategory',
  'CommitmentDiscountId',
  'CommitmentDiscountStatus',
  'CommitmentDiscountType',
  'ConsumedQuantity',
  'ConsumedUnit',
  'ContractedCost',
  'ListCost',
  'PricingCategory',
  'PricingQuantity',
  'PricingUnit',
  'ProviderName',
  'RegionId',
  'ResourceId',
  'ResourceName',
  'ServiceCategory',
  'SkuId',
  'SubAccountId',
  'SubAccountName',
  'Tags',
] as const

/** FOCUS 1.3 renamed ProviderName to ServiceProviderName; either names the provider. */
const PROVIDER_ALIASES = ['ProviderName', 'ServiceProviderName'] as const

export type FocusColumn = (typeof REQUIRED_COLUMNS)[number] | (typeof OPTIONAL_COLUMNS)[number]

/** Maps each FOCUS column we read to the file's own header name, or undefined when absent. */
export type ColumnMapping = Record<FocusColumn, string | undefined>

export interface ResolvedColumns {
  mapping: ColumnMapping
  missing: string[]
  /** Columns we read that the header names more than once (which one would be right is unknowable). */
  duplicates: string[]
}

/** Matches a file's header against the columns we need; pure so it is a unit test away. */
export function resolveColumns(header: readonly string[]): ResolvedColumns {
  const byLower = new Map<string, string>()
  const seen = new Map<string, number>()
  for (const name of header) {
    const lower = name
      .replace(/^\uFEFF/, '')
      .trim()
      .toLowerCase()
    seen.set(lower, (seen.get(lower) ?? 0) + 1)
    if (!byLower.has(lower)) byLower.set(lower, name)
  }
  const find = (name: string): string | undefined => byLower.get(name.toLowerCase())
  const mapping = {} as ColumnMapping
  for (const name of [...REQUIRED_COLUMNS, ...OPTIONAL_COLUMNS]) mapping[name] = find(name)
  mapping.ProviderName = PROVIDER_ALIASES.map(find).find((v) => v !== undefined)
  const missing: string[] = REQUIRED_COLUMNS.filter((name) => mapping[name] === undefined)
  if (mapping.ProviderName === undefined) missing.push('ProviderName')
  const duplicates = [...REQUIRED_COLUMNS, ...OPTIONAL_COLUMNS, 'ServiceProviderName'].filter(
    (name) => (seen.get(name.toLowerCase()) ?? 0) > 1,
  )
  return {mapping, missing, duplicates}
}
