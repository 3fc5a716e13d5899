/**
 * Harder synthetic bills for quarter-long (90-day) forecasts: short histories (45-90 days) as well as
 * long ones, a service launched weeks before the end of the history (ramping to a plateau), month-end
 * batch jobs, US public holidays and the year-end dip on people-driven services, histories that end
 * inside the year-end holidays, and a second currency on some bills. Each seed gives one bill with its
 * history and the 90 days that follow (the truth). No one-time charges: nothing could foresee them,
 * the 30-day benchmark (generate.mjs) measures how they are left out.
 */
import Holidays from 'date-holidays'

import {rng} from './generate.mjs'

const DAY = 86_400_000
export const day = (start, i) => new Date(Date.parse(`${start}T00:00:00Z`) + i * DAY).toISOString().slice(0, 10)
const SERVICES = ['Compute', 'Storage', 'Database', 'Networking', 'Analytics', 'Kubernetes', 'CDN', 'Logging']
const LAUNCHED = ['AI Platform', 'Data Warehouse', 'Search', 'Streaming']

const holidayCache = new Map()
/** US public holidays of a year, date -> name (the calendar finops and Prophet are both given). */
export function usHolidays(year) {
  if (!holidayCache.has(year)) {
    const hd = new Holidays('US')
    holidayCache.set(
      year,
      new Map(
        hd
          .getHolidays(year)
          .filter((h) => h.type === 'public')
          .map((h) => [h.date.slice(0, 10), h.name]),
      ),
    )
  }
  return holidayCache.get(year)
}

const isYearEnd = (d) => (d.slice(5) >= '12-24' && d.slice(5) <= '12-31') || d.slice(5) === '01-01'

/**
 * {seed, start, historyDays, horizonDays, rows, launched, currencies}: rows are daily charges
 * ({day, service, category, frequency, cost, currency}) over history + horizon.
 */
export function generateQuarterBill(seed, horizonDays = 90) {
  const r = rng(seed * 104_729 + 31)
  const uniform = (a, b) => a + (b - a) * r()
  const normal = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r())
  const historyDays = r() < 0.5 ? Math.floor(uniform(45, 91)) : Math.floor(uniform(91, 450))
  // Where the history ends: inside or just after the year-end holidays, before them, or anywhere.
  const pick = r()
  const lastDay =
    pick < 0.3
      ? day('2024-12-20', Math.floor(uniform(0, 22)))
      : pick < 0.6
        ? day('2024-09-25', Math.floor(uniform(0, 80)))
        : day('2024-01-10', Math.floor(uniform(0, 330)))
  const start = day(lastDay, -(historyDays - 1))
  const total = historyDays + horizonDays
  const rows = []
  const launched = []
  const currencies = r() < 0.35 ? ['USD', 'EUR'] : ['USD']
  const monthEndBatch = r() < 0.45
  const launch = r() < 0.45

  for (const currency of currencies) {
    const scale = currency === 'USD' ? 1 : Math.exp(uniform(Math.log(0.3), Math.log(3)))
    const usageByDay = new Array(total).fill(0)
    const serviceCount = 2 + Math.floor(r() * 4)
    for (let s = 0; s < serviceCount; s++) {
      const name = SERVICES[(seed + s * 3) % SERVICES.length]
      const base = scale * Math.exp(uniform(Math.log(30), Math.log(3000)))
      // People-driven services (dev, CI, analysts) dip on weekends, public holidays and at year end.
      const people = r() < 0.6
      const weekendDip = people ? uniform(0.35, 0.9) : 1
      const holidayDip = people ? uniform(0.3, 0.85) : 1
      const yearEndDip = people ? uniform(0.3, 0.8) : uniform(0.85, 1)
      const trend = r() < 0.6 ? uniform(-0.0008, 0.003) : 0
      const noise = uniform(0.02, 0.1)
      const shifts = []
      if (r() < 0.25)
        shifts.push({at: Math.floor(uniform(0, total)), factor: r() < 0.5 ? uniform(0.6, 0.9) : uniform(1.15, 1.6)})
      // Month-end batch jobs on one service: the last one to three days of each month (or the first two).
      const batch =
        monthEndBatch && s === 0
          ? {days: 1 + Math.floor(r() * 3), factor: uniform(1.8, 4.5), atStart: r() < 0.3}
          : undefined
      let level = base
      let ar = 0
      for (let i = 0; i < total; i++) {
        const d = day(start, i)
        for (const sh of shifts) if (sh.at === i) level *= sh.factor
        const dow = new Date(Date.parse(`${d}T00:00:00Z`)).getUTCDay()
        ar = 0.7 * ar + noise * normal()
        let cost = level * (1 + trend * i) * Math.exp(ar)
        if (dow === 0 || dow === 6) cost *= weekendDip
        if (usHolidays(Number(d.slice(0, 4))).has(d)) cost *= holidayDip
        if (isYearEnd(d)) cost *= yearEndDip
        if (batch) {
          const dom = Number(d.slice(8))
          const lastDom = Number(
            new Date(Date.UTC(Number(d.slice(0, 4)), Number(d.slice(5, 7)), 0)).toISOString().slice(8, 10),
          )
          const inBatch = batch.atStart ? dom <= Math.min(2, batch.days) : dom > lastDom - batch.days
          if (inBatch) cost += base * (batch.factor - 1)
        }
        if (r() < 0.008) cost *= uniform(1.8, 4)
        cost = Math.max(0, cost)
        usageByDay[i] += cost
        rows.push({day: d, service: name, category: 'Usage', frequency: 'Usage-Based', cost, currency})
      }
    }
    // A service launched 5-40 days before the end of the history, ramping up to a plateau.
    if (launch && currency === 'USD') {
      const name = LAUNCHED[seed % LAUNCHED.length]
      const at = historyDays - Math.floor(uniform(5, 41))
      const plateau = Math.max(...usageByDay.slice(0, historyDays)) * uniform(0.1, 0.6)
      const tau = uniform(2, 25)
      const noise = uniform(0.03, 0.1)
      launched.push({service: name, currency, launchedDay: day(start, at), tau, plateau})
      for (let i = at; i < total; i++) {
        const cost = Math.max(0, plateau * (1 - Math.exp(-(i - at + 1) / tau)) * (1 + noise * normal()))
        usageByDay[i] += cost
        rows.push({day: day(start, i), service: name, category: 'Usage', frequency: 'Usage-Based', cost, currency})
      }
    }
    // Support billed on the 1st as a share of last month's usage; some bills have a daily commitment fee.
    const supportShare = r() < 0.6 ? uniform(0.03, 0.1) : 0
    const fee = r() < 0.3 ? uniform(0.05, 0.2) * usageByDay[0] : 0
    let month = 0
    for (let i = 0; i < total; i++) {
      const d = day(start, i)
      if (d.endsWith('-01')) {
        const lastMonth = month || usageByDay[i] * 30
        month = 0
        if (supportShare > 0)
          rows.push({
            day: d,
            service: 'Support',
            category: 'Purchase',
            frequency: 'Recurring',
            cost: Math.max(100 * scale, supportShare * lastMonth),
            currency,
          })
      }
      month += usageByDay[i]
      if (fee > 0)
        rows.push({day: d, service: 'Savings Plans', category: 'Purchase', frequency: 'Recurring', cost: fee, currency})
    }
  }
  return {seed, start, lastDay, historyDays, horizonDays, rows, launched, currencies}
}

/** Daily totals of one currency (or one service of it) from day index `from` for `days` days. */
export function dailySeries(bill, {currency, service, from, days}) {
  const totals = new Array(days).fill(0)
  const first = Date.parse(`${bill.start}T00:00:00Z`)
  for (const row of bill.rows) {
    if (row.currency !== currency || (service !== undefined && row.service !== service)) continue
    const i = Math.round((Date.parse(`${row.day}T00:00:00Z`) - first) / DAY) - from
    if (i >= 0 && i < days) totals[i] += row.cost
  }
  return totals
}

const csvField = (v) => (/[",\n]/.test(String(v)) ? `"${String(v).replaceAll('"', '""')}"` : String(v))

/** FOCUS CSV of the history part (what a finance team would export). */
export function quarterFocusCsv(bill) {
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
  for (const row of bill.rows) {
    if (row.day > bill.lastDay) continue
    const periodStart = `${row.day.slice(0, 7)}-01`
    const next = new Date(Date.parse(`${periodStart}T00:00:00Z`))
    next.setUTCMonth(next.getUTCMonth() + 1)
    const cost = row.cost.toFixed(6)
    lines.push(
      [
        cost,
        cost,
        cost,
        `acct-${bill.seed}-${row.currency}`,
        row.currency,
        `${periodStart} 00:00:00`,
        `${next.toISOString().slice(0, 10)} 00:00:00`,
        row.category,
        row.frequency,
        `${row.day} 00:00:00`,
        `${day(row.day, 1)} 00:00:00`,
        row.service,
        'BenchCloud',
        'region-1',
      ]
        .map(csvField)
        .join(','),
    )
  }
  return `${lines.join('\n')}\n`
}
