import fs from 'node:fs'

/** A commitment in force over a generated bill. */
export interface BillCommitment {
  id: string
  /** Committed spend per hour at the discounted rate (what a Savings Plan's hourly commitment is). */
  hourly: number
  /** Discount off the on-demand rate, 0..1. */
  discount: number
  type?: string
  category?: 'Spend' | 'Usage'
}

export interface CommitmentBillScope {
  provider?: string
  account?: string
  subAccount?: string
  service?: string
  serviceCategory?: string
  region?: string
}

export interface CommitmentBillOptions extends CommitmentBillScope {
  /** First day (YYYY-MM-DD), UTC. */
  start: string
  hours: number
  /** On-demand cost of the eligible usage in each hour (hour index from start). */
  onDemand: (hour: number) => number
  commitment?: BillCommitment
  /** FOCUS 1.0-preview names (On-Demand, Commitment-Based) instead of 1.0's (Standard, Committed). */
  previewNames?: boolean
  /** Also write storage and spot rows (not eligible), as a real bill has. */
  noise?: boolean
}

const HEADER = [
  'BilledCost',
  'EffectiveCost',
  'ListCost',
  'ContractedCost',
  'BillingAccountId',
  'SubAccountId',
  'BillingCurrency',
  'BillingPeriodStart',
  'ChargeCategory',
  'ChargeFrequency',
  'ChargePeriodStart',
  'ChargePeriodEnd',
  'ProviderName',
  'RegionId',
  'ServiceCategory',
  'ServiceName',
  'PricingCategory',
  'CommitmentDiscountId',
  'CommitmentDiscountCategory',
  'CommitmentDiscountType',
  'CommitmentDiscountStatus',
]

const stamp = (ms: number): string => new Date(ms).toISOString().slice(0, 19).replace('T', ' ')
const monthStart = (ms: number): string => `${new Date(ms).toISOString().slice(0, 7)}-01 00:00:00`
const money = (v: number): string => v.toFixed(9)
const quoted = (v: string): string => (v === '' ? '' : `"${v.replaceAll('"', '""')}"`)

/**
 * Writes an hourly FOCUS 1.0 bill of one eligible scope: the on-demand usage each hour, the part a
 * commitment covers (Committed, Used: list and contracted cost at the on-demand rate, effective cost
 * at the discounted rate), the commitment's unused part (Unused), its recurring fee (Purchase), and
 * optionally ineligible storage and spot rows. Returns the truth the bill was generated from.
 */
export function writeCommitmentBill(
  file: string,
  options: CommitmentBillOptions,
): {onDemand: number; covered: number; used: number; unused: number; storage: number} {
  const provider = options.provider ?? 'AWS'
  const account = options.account ?? '111122223333'
  const sub = options.subAccount ?? account
  const service = options.service ?? 'Amazon Elastic Compute Cloud'
  const category = options.serviceCategory ?? 'Compute'
  const region = options.region ?? 'us-east-1'
  const standard = options.previewNames ? 'On-Demand' : 'Standard'
  const committed = options.previewNames ? 'Commitment-Based' : 'Committed'
  const start = Date.parse(`${options.start}T00:00:00Z`)
  const lines = [HEADER.join(',')]
  const truth = {onDemand: 0, covered: 0, used: 0, unused: 0, storage: 0}
  const row = (cells: {
    billed: number
    effective: number
    list: number
    contracted: number
    charge: string
    frequency: string
    at: number
    spanHours?: number
    category?: string
    service?: string
    pricing: string
    commitment?: BillCommitment
    status?: string
  }): void => {
    lines.push(
      [
        money(cells.billed),
        money(cells.effective),
        money(cells.list),
        money(cells.contracted),
        quoted(account),
        quoted(sub),
        'USD',
        monthStart(cells.at),
        cells.charge,
        cells.frequency,
        stamp(cells.at),
        stamp(cells.at + (cells.spanHours ?? 1) * 3_600_000),
        quoted(provider),
        quoted(region),
        quoted(cells.category ?? category),
        quoted(cells.service ?? service),
        cells.pricing,
        quoted(cells.commitment?.id ?? ''),
        cells.commitment ? (cells.commitment.category ?? 'Spend') : '',
        quoted(cells.commitment ? (cells.commitment.type ?? 'Savings Plan') : ''),
        cells.status ?? '',
      ].join(','),
    )
  }
  for (let h = 0; h < options.hours; h++) {
    const at = start + h * 3_600_000
    const usage = Math.max(0, options.onDemand(h))
    truth.onDemand += usage
    const c = options.commitment
    let covered = 0
    if (c) {
      covered = Math.min(usage, c.hourly / (1 - c.discount))
      const used = covered * (1 - c.discount)
      const unused = c.hourly - used
      truth.covered += covered
      truth.used += used
      truth.unused += unused
      if (covered > 0)
        row({
          billed: 0,
          effective: used,
          list: covered,
          contracted: covered,
          charge: 'Usage',
          frequency: 'Usage-Based',
          at,
          pricing: committed,
          commitment: c,
          status: 'Used',
        })
      if (unused > 1e-12)
        row({
          billed: 0,
          effective: unused,
          list: 0,
          contracted: 0,
          charge: 'Usage',
          frequency: 'Usage-Based',
          at,
          pricing: committed,
          commitment: c,
          status: 'Unused',
        })
      row({
        billed: c.hourly,
        effective: 0,
        list: 0,
        contracted: 0,
        charge: 'Purchase',
        frequency: 'Recurring',
        at,
        pricing: standard,
        commitment: c,
      })
    }
    const rest = usage - covered
    if (rest > 0)
      row({
        billed: rest,
        effective: rest,
        list: rest,
        contracted: rest,
        charge: 'Usage',
        frequency: 'Usage-Based',
        at,
        pricing: standard,
      })
    if (options.noise && h % 24 === 0) {
      truth.storage += 5
      row({
        billed: 5,
        effective: 5,
        list: 5,
        contracted: 5,
        charge: 'Usage',
        frequency: 'Usage-Based',
        at,
        spanHours: 24,
        category: 'Storage',
        service: 'Amazon Simple Storage Service',
        pricing: standard,
      })
      row({
        billed: 0.3,
        effective: 0.3,
        list: 1,
        contracted: 1,
        charge: 'Usage',
        frequency: 'Usage-Based',
        at,
        pricing: 'Dynamic',
      })
    }
  }
  fs.writeFileSync(file, `${lines.join('\n')}\n`)
  return truth
}
