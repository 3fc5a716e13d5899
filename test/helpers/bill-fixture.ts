import fs from 'node:fs'

import {addDays} from '../../src/dates.js'
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

/** Writes rows as a FOCUS 1.0 CSV the importer accepts (one billing account). */
export function writeFocusCsv(file: string, rows: readonly BillRow[]): void {
  const header = [
    'BilledCost',
    'EffectiveCost',
    'ListCost',
    'BillingAccountId',
    'BillingCurrency',
    'BillingPeriodStart',
    'BillingPeriodEnd',
    'ChargeCategory',
    'ChargeFrequency',
    'ChargePeriodStart',
    'ChargePeriodEnd',
    'ServiceName',
    'ProviderName',
    'RegionId',
  ]
  const lines = [header.join(',')]
  for (const r of rows) {
    const periodStart = `${r.day.slice(0, 7)}-01`
    const next = new Date(`${periodStart}T00:00:00Z`)
    next.setUTCMonth(next.getUTCMonth() + 1)
    const cost = r.cost.toFixed(6)
    lines.push(
      [
        cost,
        cost,
        cost,
        'acct-1',
        r.currency ?? 'USD',
        `${periodStart} 00:00:00`,
        `${next.toISOString().slice(0, 10)} 00:00:00`,
        r.category ?? 'Usage',
        r.frequency ?? 'Usage-Based',
        `${r.day} 00:00:00`,
        `${addDays(r.day, 1)} 00:00:00`,
        r.service,
        'TestCloud',
        'region-1',
      ].join(','),
    )
  }
  fs.writeFileSync(file, `${lines.join('\n')}\n`)
}
