import {parse} from 'csv-parse/sync'

/**
 * A checker for FOCUS 1.0 datasets, written from the specification's column pages (feature level,
 * "Allows nulls", data type, value format, allowed values), independently of the exporter it checks.
 * Conditional columns are checked when present. Nulls are empty CSV fields.
 */
type FocusType = 'String' | 'Decimal' | 'DateTime' | 'KeyValue'
interface ColumnRule {
  type: FocusType
  mandatory: boolean
  nullable: boolean
  allowed?: readonly string[]
}

const CHARGE_CATEGORY = ['Adjustment', 'Credit', 'Purchase', 'Tax', 'Usage']
const CHARGE_FREQUENCY = ['One-Time', 'Recurring', 'Usage-Based']
const SERVICE_CATEGORY = [
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
]

const m = (type: FocusType, nullable: boolean, allowed?: readonly string[]): ColumnRule => ({
  type,
  mandatory: true,
  nullable,
  allowed,
})
const c = (type: FocusType, allowed?: readonly string[]): ColumnRule => ({
  type,
  mandatory: false,
  nullable: true,
  allowed,
})

export const FOCUS_1_0_RULES: Record<string, ColumnRule> = {
  BilledCost: m('Decimal', false),
  BillingAccountId: m('String', false),
  BillingAccountName: m('String', true),
  BillingCurrency: m('String', false),
  BillingPeriodEnd: m('DateTime', false),
  BillingPeriodStart: m('DateTime', false),
  ChargeCategory: m('String', false, CHARGE_CATEGORY),
  ChargeClass: m('String', true, ['Correction']),
  ChargeDescription: m('String', true),
  ChargePeriodEnd: m('DateTime', false),
  ChargePeriodStart: m('DateTime', false),
  ContractedCost: m('Decimal', false),
  EffectiveCost: m('Decimal', false),
  InvoiceIssuerName: m('String', false),
  ListCost: m('Decimal', false),
  PricingQuantity: m('Decimal', true),
  PricingUnit: m('String', true),
  ProviderName: m('String', false),
  PublisherName: m('String', false),
  ServiceCategory: m('String', false, SERVICE_CATEGORY),
  ServiceName: m('String', false),
  // Recommended in 1.0, and not nullable when present.
  ChargeFrequency: {type: 'String', mandatory: false, nullable: false, allowed: CHARGE_FREQUENCY},
  AvailabilityZone: c('String'),
  CommitmentDiscountId: c('String'),
  ConsumedQuantity: c('Decimal'),
  ConsumedUnit: c('String'),
  ContractedUnitPrice: c('Decimal'),
  ListUnitPrice: c('Decimal'),
  RegionId: c('String'),
  RegionName: c('String'),
  ResourceId: c('String'),
  ResourceName: c('String'),
  SkuId: c('String'),
  SkuPriceId: c('String'),
  SubAccountId: c('String'),
  SubAccountName: c('String'),
  Tags: c('KeyValue'),
}

// FOCUS DateTime format: ISO 8601 in UTC, YYYY-MM-DDTHH:mm:ssZ. Numeric format: no exponent, no separators.
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/
const DECIMAL = /^-?\d+(\.\d+)?$/
const CURRENCY = /^[A-Z]{3}$/

function typeProblem(type: FocusType, value: string): string | undefined {
  switch (type) {
    case 'Decimal':
      return DECIMAL.test(value) ? undefined : 'is not a FOCUS decimal'
    case 'DateTime':
      return DATETIME.test(value) && !Number.isNaN(Date.parse(value)) ? undefined : 'is not YYYY-MM-DDTHH:mm:ssZ'
    case 'KeyValue': {
      try {
        const parsed: unknown = JSON.parse(value)
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return 'is not a JSON object'
        for (const v of Object.values(parsed)) if (typeof v === 'object' && v !== null) return 'has a nested value'
        return undefined
      } catch {
        return 'is not JSON'
      }
    }
    default:
      return undefined
  }
}

/** Every rule broken by a FOCUS CSV, as `row N Column: problem` (row 0: the header); empty when valid. */
export function checkFocusCsv(csv: string, limit = 50): string[] {
  const records = parse(csv, {columns: true, bom: true, skip_empty_lines: true}) as Record<string, string>[]
  const header = csv.split(/\r?\n/, 1)[0]!.split(',')
  const problems: string[] = []
  const report = (text: string): void => {
    if (problems.length < limit) problems.push(text)
  }
  for (const [name, rule] of Object.entries(FOCUS_1_0_RULES))
    if (rule.mandatory && !header.includes(name)) report(`row 0 ${name}: mandatory column missing`)
  if (records.length === 0) report('row 0: no data rows')
  records.forEach((record, i) => {
    const row = i + 1
    const value = (name: string): string | null =>
      record[name] === undefined || record[name] === '' ? null : record[name]!
    for (const [name, rule] of Object.entries(FOCUS_1_0_RULES)) {
      if (!(name in record)) continue
      const v = value(name)
      if (v === null) {
        if (!rule.nullable) report(`row ${row} ${name}: null, which the spec does not allow`)
        continue
      }
      const problem = typeProblem(rule.type, v)
      if (problem) report(`row ${row} ${name}: '${v}' ${problem}`)
      if (rule.allowed && !rule.allowed.includes(v)) report(`row ${row} ${name}: '${v}' is not an allowed value`)
    }
    const currency = value('BillingCurrency')
    if (currency !== null && !CURRENCY.test(currency))
      report(`row ${row} BillingCurrency: '${currency}' is not ISO 4217`)
    // PricingQuantity and PricingUnit MUST be null when SkuPriceId is null, and not null when it is not.
    const sku = value('SkuPriceId')
    for (const name of ['PricingQuantity', 'PricingUnit'])
      if ((value(name) === null) !== (sku === null))
        report(`row ${row} ${name}: must be null exactly when SkuPriceId is`)
    // Real bills do charge outside their billing period (time zones, late usage), which the spec allows.
    const [cs, ce, bs, be] = ['ChargePeriodStart', 'ChargePeriodEnd', 'BillingPeriodStart', 'BillingPeriodEnd'].map(
      value,
    )
    if (cs && ce && !(cs < ce)) report(`row ${row} ChargePeriodEnd: not after ChargePeriodStart`)
    if (bs && be && !(bs < be)) report(`row ${row} BillingPeriodEnd: not after BillingPeriodStart`)
  })
  return problems
}
