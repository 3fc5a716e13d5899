import {addDays, dayToDate} from '../../src/dates.js'
import type {DailyCostRow} from '../../src/model/cost.js'
import {seededRandom} from '../../src/seeded-random.js'

/** Generated histories are the same every run. */
export const seeded = seededRandom

export interface SyntheticService {
  account: string
  service: string
  /** Mean weekday cost. */
  base: number
  /** Weekend multiplier. */
  weekend?: number
  /** Relative day-to-day noise (0.05 = 5%). */
  noise?: number
  /** Extra cost on given days: {day: amount}. */
  spikes?: Record<string, number>
  region?: string
}

/** Daily usage rows for each service over [from, to]: weekly pattern, noise, optional spikes. */
export function syntheticRows(
  services: readonly SyntheticService[],
  from: string,
  to: string,
  seed = 7,
): DailyCostRow[] {
  const rand = seeded(seed)
  const rows: DailyCostRow[] = []
  for (let day = from; day <= to; day = addDays(day, 1)) {
    const dow = dayToDate(day).getUTCDay()
    for (const s of services) {
      const weekly = dow === 0 || dow === 6 ? (s.weekend ?? 0.7) : 1
      const noise = 1 + (s.noise ?? 0.05) * (rand() * 2 - 1)
      const cost = Math.round((s.base * weekly * noise + (s.spikes?.[day] ?? 0)) * 100) / 100
      rows.push({
        day,
        billingPeriodStart: `${day.slice(0, 7)}-01`,
        provider: 'AWS',
        billingAccountId: s.account,
        subAccountId: '',
        serviceName: s.service,
        serviceCategory: 'Compute',
        regionId: s.region ?? 'us-east-1',
        chargeCategory: 'Usage',
        chargeFrequency: 'Usage-Based',
        currency: 'USD',
        tags: {},
        billedCost: cost,
        effectiveCost: cost,
        listCost: cost,
        contractedCost: cost,
      })
    }
  }
  return rows
}
