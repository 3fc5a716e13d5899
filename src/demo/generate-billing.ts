import fs from 'node:fs'
import path from 'node:path'

import {addDays, dayToDate, eachDay, monthEnd, monthKey, monthStart} from '../dates.js'
import {csvLine} from '../csv.js'
import {seededRandom} from '../seeded-random.js'

/**
 * A deterministic, realistic multi-provider bill in FOCUS 1.0 columns: three providers, several
 * accounts, services, regions and teams; weekday/weekend patterns, a growth trend, a level shift,
 * commitments and support billed on the 1st, and a few one-off purchases and credits. The same
 * seed and dates always give the same bytes, so the demo and tests can rely on its numbers.
 */

/** The FOCUS 1.0 columns, in the order the providers' exports use. */
export const FOCUS_10_COLUMNS = [
  'AvailabilityZone',
  'BilledCost',
  'BillingAccountId',
  'BillingAccountName',
  'BillingCurrency',
  'BillingPeriodEnd',
  'BillingPeriodStart',
  'ChargeCategory',
  'ChargeClass',
  'ChargeDescription',
  'ChargeFrequency',
  'ChargePeriodEnd',
  'ChargePeriodStart',
  'CommitmentDiscountCategory',
  'CommitmentDiscountId',
  'CommitmentDiscountName',
  'CommitmentDiscountStatus',
  'CommitmentDiscountType',
  'ConsumedQuantity',
  'ConsumedUnit',
  'ContractedCost',
  'ContractedUnitPrice',
  'EffectiveCost',
  'InvoiceIssuerName',
  'ListCost',
  'ListUnitPrice',
  'PricingCategory',
  'PricingQuantity',
  'PricingUnit',
  'ProviderName',
  'PublisherName',
  'RegionId',
  'RegionName',
  'ResourceId',
  'ResourceName',
  'ResourceType',
  'ServiceCategory',
  'ServiceName',
  'SkuId',
  'SkuPriceId',
  'SubAccountId',
  'SubAccountName',
  'Tags',
] as const

export type FocusRecord = Partial<Record<(typeof FOCUS_10_COLUMNS)[number], string | number | null>>

interface Provider {
  name: string
  invoiceIssuer: string
  billingAccount: {id: string; name: string}
  subAccounts: {id: string; name: string; env: string}[]
  regions: {id: string; name: string}[]
}

interface UsageLine {
  provider: Provider
  service: string
  category: string
  sku: string
  unit: string
  unitPrice: number
  /** Daily quantity on a weekday at the start of the history, per sub-account env. */
  baseQuantity: number
  /** Weekend quantity as a share of the weekday one (dev/staging shut down, prod does not). */
  weekendFactor: Record<string, number>
  /** Monthly compound growth. */
  monthlyGrowth: number
  /** Share of usage covered by a commitment (effective cost = list x (1 - discount) on that share). */
  committedShare: number
  commitmentDiscount: number
  team: string
  app: string
}

const AWS: Provider = {
  name: 'AWS',
  invoiceIssuer: 'Amazon Web Services, Inc.',
  billingAccount: {id: '100000000001', name: 'Acme Corp'},
  subAccounts: [
    {id: '210000000001', name: 'acme-prod', env: 'prod'},
    {id: '210000000002', name: 'acme-staging', env: 'staging'},
    {id: '210000000003', name: 'acme-dev', env: 'dev'},
  ],
  regions: [
    {id: 'us-east-1', name: 'US East (N. Virginia)'},
    {id: 'eu-west-1', name: 'Europe (Ireland)'},
  ],
}
const AZURE: Provider = {
  name: 'Microsoft',
  invoiceIssuer: 'Microsoft',
  billingAccount: {id: '81234567', name: 'Acme Corp EA'},
  subAccounts: [
    {id: '5a1f0c2e-0000-4000-8000-000000000001', name: 'acme-data-prod', env: 'prod'},
    {id: '5a1f0c2e-0000-4000-8000-000000000002', name: 'acme-data-dev', env: 'dev'},
  ],
  regions: [{id: 'westeurope', name: 'West Europe'}],
}
const GCP: Provider = {
  name: 'Google Cloud',
  invoiceIssuer: 'Google',
  billingAccount: {id: '01A2B3-C4D5E6-F7A8B9', name: 'Acme Corp GCP'},
  subAccounts: [
    {id: 'acme-analytics-prod', name: 'acme-analytics-prod', env: 'prod'},
    {id: 'acme-ml-dev', name: 'acme-ml-dev', env: 'dev'},
  ],
  regions: [
    {id: 'us-central1', name: 'Iowa'},
    {id: 'europe-west4', name: 'Netherlands'},
  ],
}

const weekdayOnly = {prod: 1, staging: 0.45, dev: 0.3}
const flat = {prod: 1, staging: 1, dev: 1}

const USAGE: UsageLine[] = [
  {
    provider: AWS,
    service: 'Amazon Elastic Compute Cloud',
    category: 'Compute',
    sku: 'BoxUsage:m6i.xlarge',
    unit: 'Hours',
    unitPrice: 0.192,
    baseQuantity: 960,
    weekendFactor: weekdayOnly,
    monthlyGrowth: 0.03,
    committedShare: 0.6,
    commitmentDiscount: 0.28,
    team: 'platform',
    app: 'checkout',
  },
  {
    provider: AWS,
    service: 'Amazon Elastic Kubernetes Service',
    category: 'Compute',
    sku: 'AmazonEKS-Hours:perCluster',
    unit: 'Hours',
    unitPrice: 0.1,
    baseQuantity: 72,
    weekendFactor: flat,
    monthlyGrowth: 0,
    committedShare: 0,
    commitmentDiscount: 0,
    team: 'platform',
    app: 'eks',
  },
  {
    provider: AWS,
    service: 'Amazon Relational Database Service',
    category: 'Databases',
    sku: 'InstanceUsage:db.r6g.large',
    unit: 'Hours',
    unitPrice: 0.258,
    baseQuantity: 144,
    weekendFactor: flat,
    monthlyGrowth: 0.01,
    committedShare: 0,
    commitmentDiscount: 0,
    team: 'web',
    app: 'orders-db',
  },
  {
    provider: AWS,
    service: 'Amazon Simple Storage Service',
    category: 'Storage',
    sku: 'TimedStorage-ByteHrs',
    unit: 'GB-Mo',
    unitPrice: 0.023 / 30,
    baseQuantity: 180000,
    weekendFactor: flat,
    monthlyGrowth: 0.05,
    committedShare: 0,
    commitmentDiscount: 0,
    team: 'data',
    app: 'datalake',
  },
  {
    provider: AWS,
    service: 'AWS Data Transfer',
    category: 'Networking',
    sku: 'DataTransfer-Out-Bytes',
    unit: 'GB',
    unitPrice: 0.09,
    baseQuantity: 900,
    weekendFactor: {prod: 0.7, staging: 0.3, dev: 0.2},
    monthlyGrowth: 0.02,
    committedShare: 0,
    commitmentDiscount: 0,
    team: 'web',
    app: 'cdn-origin',
  },
  {
    provider: AZURE,
    service: 'Virtual Machines',
    category: 'Compute',
    sku: 'D4s v5',
    unit: '1 Hour',
    unitPrice: 0.192,
    baseQuantity: 480,
    weekendFactor: weekdayOnly,
    monthlyGrowth: 0.01,
    committedShare: 0.5,
    commitmentDiscount: 0.35,
    team: 'data',
    app: 'etl',
  },
  {
    provider: AZURE,
    service: 'Azure Kubernetes Service',
    category: 'Compute',
    sku: 'Standard Uptime SLA',
    unit: '1 Hour',
    unitPrice: 0.1,
    baseQuantity: 48,
    weekendFactor: flat,
    monthlyGrowth: 0,
    committedShare: 0,
    commitmentDiscount: 0,
    team: 'data',
    app: 'aks',
  },
  {
    provider: AZURE,
    service: 'Azure SQL Database',
    category: 'Databases',
    sku: 'vCore',
    unit: '1 Hour',
    unitPrice: 0.505,
    baseQuantity: 96,
    weekendFactor: flat,
    monthlyGrowth: 0.015,
    committedShare: 0,
    commitmentDiscount: 0,
    team: 'data',
    app: 'warehouse',
  },
  {
    provider: GCP,
    service: 'Compute Engine',
    category: 'Compute',
    sku: 'N2 Instance Core running in Americas',
    unit: 'hour',
    unitPrice: 0.031611,
    baseQuantity: 3600,
    weekendFactor: weekdayOnly,
    monthlyGrowth: 0.04,
    committedShare: 0.4,
    commitmentDiscount: 0.37,
    team: 'ml',
    app: 'training',
  },
  {
    provider: GCP,
    service: 'BigQuery',
    category: 'Analytics',
    sku: 'Analysis',
    unit: 'tebibyte',
    unitPrice: 6.25,
    baseQuantity: 14,
    weekendFactor: {prod: 0.5, staging: 0.2, dev: 0.1},
    monthlyGrowth: 0.06,
    committedShare: 0,
    commitmentDiscount: 0,
    team: 'data',
    app: 'analytics',
  },
  {
    provider: GCP,
    service: 'Cloud Storage',
    category: 'Storage',
    sku: 'Standard Storage US Multi-region',
    unit: 'gibibyte month',
    unitPrice: 0.026 / 30,
    baseQuantity: 95000,
    weekendFactor: flat,
    monthlyGrowth: 0.03,
    committedShare: 0,
    commitmentDiscount: 0,
    team: 'ml',
    app: 'datasets',
  },
]

/** Charges billed on the 1st of each month (ChargeFrequency Recurring). */
const RECURRING = [
  {
    provider: AWS,
    service: 'AWS Support (Business)',
    category: 'Other',
    amount: 1450,
    description: 'AWS Support (Business) monthly fee',
    chargeCategory: 'Purchase',
    team: 'platform',
  },
  {
    provider: AWS,
    service: 'Savings Plans for AWS Compute usage',
    category: 'Compute',
    amount: 2400,
    description: '1 year No Upfront Compute Savings Plan',
    chargeCategory: 'Purchase',
    team: 'platform',
    amortized: true,
  },
  {
    provider: AZURE,
    service: 'Microsoft Defender for Cloud',
    category: 'Security',
    amount: 380,
    description: 'Defender for Servers Plan 2',
    chargeCategory: 'Purchase',
    team: 'platform',
  },
]

/** One-off charges and credits, placed relative to the start of the history. */
const ONE_OFF = [
  {
    provider: AWS,
    dayOffset: 40,
    service: 'AWS Marketplace',
    category: 'Other',
    amount: 4800,
    description: 'Datadog annual subscription (Marketplace)',
    chargeCategory: 'Purchase',
    team: 'platform',
  },
  {
    provider: AZURE,
    dayOffset: 95,
    service: 'Virtual Machines',
    category: 'Compute',
    amount: 2100,
    description: 'Reserved VM Instance, D4s v5, 1 year, upfront',
    chargeCategory: 'Purchase',
    team: 'data',
  },
  {
    provider: GCP,
    dayOffset: 120,
    service: 'Compute Engine',
    category: 'Compute',
    amount: -1500,
    description: 'Promotional credit: startup program',
    chargeCategory: 'Credit',
    team: 'ml',
  },
]

/** Teams' ML training doubled from this day on (a level shift the forecaster must follow). */
const LEVEL_SHIFT_DAY_OFFSET = 135

export interface DemoBillingOptions {
  /** First and last day (YYYY-MM-DD) of usage. */
  from: string
  to: string
  seed?: number
}

const round = (v: number, digits = 10): number => Math.round(v * 10 ** digits) / 10 ** digits
const ts = (day: string): string => `${day} 00:00:00`

/** Yields one FOCUS row per resource line per day (plus recurring and one-off charges). */
export function* generateDemoBilling(options: DemoBillingOptions): Generator<FocusRecord> {
  const random = seededRandom(options.seed ?? 42)
  const noise = (spread: number): number => 1 + (random() * 2 - 1) * spread
  const days = eachDay(options.from, options.to)
  for (const [index, day] of days.entries()) {
    const weekday = dayToDate(day).getUTCDay()
    const weekend = weekday === 0 || weekday === 6
    const months = index / 30.4
    const billing = {BillingPeriodStart: ts(monthStart(day)), BillingPeriodEnd: ts(addDays(monthEnd(day), 1))}
    const period = {ChargePeriodStart: ts(day), ChargePeriodEnd: ts(addDays(day, 1))}
    for (const line of USAGE) {
      for (const [s, sub] of line.provider.subAccounts.entries()) {
        const region = line.provider.regions[(s + line.service.length) % line.provider.regions.length]!
        const envShare =
          sub.env === 'prod'
            ? 0.65
            : sub.env === 'staging'
              ? 0.2
              : 0.15 * (line.provider.subAccounts.length === 2 ? 2.3 : 1)
        let quantity = line.baseQuantity * envShare * (1 + line.monthlyGrowth) ** months * noise(0.06)
        if (weekend) quantity *= line.weekendFactor[sub.env] ?? 1
        if (line.app === 'training' && index >= LEVEL_SHIFT_DAY_OFFSET) quantity *= 2
        // A one-day runaway job: the spike the forecaster must not extrapolate.
        if (line.app === 'analytics' && index === days.length - 23 && sub.env === 'prod') quantity *= 6
        const list = quantity * line.unitPrice
        const committed = sub.env === 'prod' ? line.committedShare : 0
        const effective = list * (1 - committed * line.commitmentDiscount)
        yield {
          ...billing,
          ...period,
          AvailabilityZone: null,
          BilledCost: round(list * (1 - committed)),
          BillingAccountId: line.provider.billingAccount.id,
          BillingAccountName: line.provider.billingAccount.name,
          BillingCurrency: 'USD',
          ChargeCategory: 'Usage',
          ChargeClass: null,
          ChargeDescription: `${line.sku} in ${region.name}`,
          ChargeFrequency: 'Usage-Based',
          CommitmentDiscountCategory: committed > 0 ? 'Spend' : null,
          CommitmentDiscountId: committed > 0 ? `${line.provider.name.toLowerCase()}-commitment-1` : null,
          CommitmentDiscountName: null,
          CommitmentDiscountStatus: committed > 0 ? 'Used' : null,
          CommitmentDiscountType: committed > 0 ? 'Savings Plan' : null,
          ConsumedQuantity: round(quantity, 6),
          ConsumedUnit: line.unit,
          ContractedCost: round(effective),
          ContractedUnitPrice: line.unitPrice,
          EffectiveCost: round(effective),
          InvoiceIssuerName: line.provider.invoiceIssuer,
          ListCost: round(list),
          ListUnitPrice: line.unitPrice,
          PricingCategory: committed > 0 ? 'Committed' : 'Standard',
          PricingQuantity: round(quantity, 6),
          PricingUnit: line.unit,
          ProviderName: line.provider.name,
          PublisherName: line.provider.invoiceIssuer,
          RegionId: region.id,
          RegionName: region.name,
          ResourceId: `${line.provider.name.toLowerCase().replace(/\s/g, '-')}/${sub.id}/${line.app}`,
          ResourceName: line.app,
          ResourceType: line.category,
          ServiceCategory: line.category,
          ServiceName: line.service,
          SkuId: line.sku,
          SkuPriceId: `${line.sku}:${region.id}`,
          SubAccountId: sub.id,
          SubAccountName: sub.name,
          Tags: JSON.stringify({team: line.team, env: sub.env, app: line.app}),
        }
      }
    }
    if (day.endsWith('-01')) {
      for (const charge of RECURRING) {
        yield {
          ...billing,
          ChargePeriodStart: ts(day),
          ChargePeriodEnd: ts(addDays(monthEnd(day), 1)),
          // A savings plan's fee is amortized into the usage it covers, so its own effective cost is 0.
          ...chargeColumns(charge, {frequency: 'Recurring', cost: charge.amortized ? 0 : charge.amount, env: 'shared'}),
        }
      }
    }
    for (const charge of ONE_OFF) {
      if (charge.dayOffset !== index) continue
      yield {...billing, ...period, ...chargeColumns(charge, {frequency: 'One-Time', cost: charge.amount, env: 'prod'})}
    }
  }
}

interface Charge {
  provider: Provider
  service: string
  category: string
  amount: number
  description: string
  chargeCategory: string
  team: string
}

/** The columns of a purchase, fee or credit row, billed to the provider's first sub-account. */
function chargeColumns(charge: Charge, row: {frequency: string; cost: number; env: string}): FocusRecord {
  const sub = charge.provider.subAccounts[0]!
  return {
    BilledCost: charge.amount,
    BillingAccountId: charge.provider.billingAccount.id,
    BillingAccountName: charge.provider.billingAccount.name,
    BillingCurrency: 'USD',
    ChargeCategory: charge.chargeCategory,
    ChargeDescription: charge.description,
    ChargeFrequency: row.frequency,
    ContractedCost: row.cost,
    EffectiveCost: row.cost,
    InvoiceIssuerName: charge.provider.invoiceIssuer,
    ListCost: charge.amount,
    ProviderName: charge.provider.name,
    PublisherName: charge.provider.invoiceIssuer,
    ServiceCategory: charge.category,
    ServiceName: charge.service,
    SubAccountId: sub.id,
    SubAccountName: sub.name,
    Tags: JSON.stringify({team: charge.team, env: row.env}),
  }
}

/**
 * Writes the demo bill as one FOCUS CSV per provider and billing month (the way providers deliver
 * exports), NULL for absent values as real exports do. Returns the files written.
 */
export function writeDemoBilling(dir: string, options: DemoBillingOptions): string[] {
  const files = new Map<string, string[]>()
  for (const record of generateDemoBilling(options)) {
    const file = path.join(
      dir,
      String(record.ProviderName).toLowerCase().replace(/\s/g, '-'),
      `${monthKey(String(record.BillingPeriodStart))}.csv`,
    )
    let lines = files.get(file)
    if (!lines) {
      lines = [csvLine(FOCUS_10_COLUMNS)]
      files.set(file, lines)
    }
    lines.push(csvLine(FOCUS_10_COLUMNS.map((c) => record[c] ?? 'NULL')))
  }
  for (const [file, lines] of files) {
    fs.mkdirSync(path.dirname(file), {recursive: true})
    fs.writeFileSync(file, lines.join(''))
  }
  return [...files.keys()].sort()
}
