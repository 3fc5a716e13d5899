import {addDays} from '../../src/dates.js'
import type {DailyCostRow} from '../../src/model/cost.js'
import {seededRandom} from '../../src/seeded-random.js'

/** One daily charge of a test bill. */
export interface BillRow {
  day: string
  service: string
  cost: number
  category?: string
  frequency?: string
  currency?: string
}

/** Fixtures are reproducible without hard-coding data. */
export const prng = seededRandom

/** Usage with a weekday/weekend pattern and multiplicative noise, one row per day. */
export function weeklyUsage(options: {
  start: string
  days: number
  service: string
  level: number
  weekend?: number
  noise?: number
  seed?: number
  trendPerDay?: number
}): BillRow[] {
  const rand = prng(options.seed ?? 1)
  const rows: BillRow[] = []
  for (let i = 0; i < options.days; i++) {
    const day = addDays(options.start, i)
    const dow = new Date(`${day}T00:00:00Z`).getUTCDay()
    const season = dow === 0 || dow === 6 ? (options.weekend ?? 0.6) : 1
    const noise = 1 + (options.noise ?? 0.05) * (rand() * 2 - 1)
    rows.push({
      day,
      service: options.service,
      cost: options.level * (1 + (options.trendPerDay ?? 0) * i) * season * noise,
    })
  }
  return rows
}

/** A test bill as daily cost rows of one account of a made-up provider. */
export const billCostRows = (rows: readonly BillRow[]): DailyCostRow[] =>
  rows.map((r) => ({
    day: r.day,
    billingPeriodStart: `${r.day.slice(0, 7)}-01`,
    provider: 'TestCloud',
    billingAccountId: 'acct-1',
    subAccountId: '',
    serviceName: r.service,
    serviceCategory: '',
    regionId: 'region-1',
    chargeCategory: r.category ?? 'Usage',
    chargeFrequency: r.frequency ?? 'Usage-Based',
    currency: r.currency ?? 'USD',
    tags: {},
    billedCost: r.cost,
    effectiveCost: r.cost,
    listCost: r.cost,
    contractedCost: r.cost,
  }))
