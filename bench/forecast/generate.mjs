/**
 * Synthetic cloud bills for the forecast benchmark: each seed gives one billing account's daily
 * history plus the 30 days that follow (the truth), with the things real bills have: services with
 * weekly patterns and trends, level shifts (migrations, new workloads, shutdowns), one-day spikes,
 * a support fee billed on the 1st as a share of last month's usage, a subscription on another
 * billing day, an hourly commitment spread daily, one-time purchases and credits.
 */

import {seededRandom as rng} from '../../dist/src/seeded-random.js'

export {rng}

const DAY = 86_400_000
const day = (start, i) => new Date(Date.parse(`${start}T00:00:00Z`) + i * DAY).toISOString().slice(0, 10)
const SERVICES = ['Compute', 'Storage', 'Database', 'Networking', 'Analytics', 'Kubernetes', 'CDN', 'Logging']

/**
 * Returns {seed, start, historyDays, horizonDays, rows} where rows are FOCUS-like daily charges
 * ({day, service, category, frequency, cost}) over history + horizon.
 */
export function generateBill(seed, horizonDays = 30) {
  const r = rng(seed * 7919 + 17)
  const uniform = (a, b) => a + (b - a) * r()
  const normal = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r())
  const historyDays = Math.floor(uniform(90, 400))
  const total = historyDays + horizonDays
  const start = day('2024-01-01', Math.floor(uniform(0, 500)))
  const rows = []
  const usageByDay = new Array(total).fill(0)

  const serviceCount = 2 + Math.floor(r() * 5)
  for (let s = 0; s < serviceCount; s++) {
    const name = SERVICES[(seed + s) % SERVICES.length]
    const base = Math.exp(uniform(Math.log(20), Math.log(3000)))
    const weekendDip = r() < 0.6 ? uniform(0.35, 0.95) : 1
    const trend = r() < 0.7 ? uniform(-0.001, 0.004) : 0
    const noise = uniform(0.02, 0.12)
    const startsAt = r() < 0.15 ? Math.floor(uniform(0, historyDays * 0.6)) : 0
    const shifts = []
    const shiftCount = r() < 0.5 ? 0 : 1 + Math.floor(r() * 2)
    for (let k = 0; k < shiftCount; k++)
      shifts.push({at: Math.floor(uniform(0, total)), factor: r() < 0.5 ? uniform(0.55, 0.9) : uniform(1.15, 1.8)})
    let level = base
    let ar = 0
    for (let i = 0; i < total; i++) {
      if (i < startsAt) continue
      for (const sh of shifts) if (sh.at === i) level *= sh.factor
      const dow = new Date(Date.parse(`${day(start, i)}T00:00:00Z`)).getUTCDay()
      ar = 0.6 * ar + noise * normal()
      let cost = level * (1 + trend * (i - startsAt)) * (dow === 0 || dow === 6 ? weekendDip : 1) * Math.exp(ar)
      if (r() < 0.012) cost *= uniform(2, 6)
      cost = Math.max(0, cost)
      usageByDay[i] += cost
      rows.push({day: day(start, i), service: name, category: 'Usage', frequency: 'Usage-Based', cost})
    }
  }

  // Hourly commitment fee (a savings plan): the same Recurring amount every day, changing rarely.
  if (r() < 0.35) {
    let fee = uniform(0.05, 0.25) * (usageByDay[0] || 100)
    for (let i = 0; i < total; i++) {
      if (r() < 0.004) fee *= uniform(1.1, 1.6)
      rows.push({day: day(start, i), service: 'Savings Plans', category: 'Purchase', frequency: 'Recurring', cost: fee})
    }
  }
  // Support fee on the 1st: a share of last month's usage; a subscription on another billing day.
  const supportShare = r() < 0.7 ? uniform(0.03, 0.1) : 0
  const subscriptionDay = r() < 0.5 ? 1 + Math.floor(r() * 28) : 0
  const subscription = uniform(200, 5000)
  let lastMonthUsage
  let monthUsage = 0
  for (let i = 0; i < total; i++) {
    const d = day(start, i)
    const dom = Number(d.slice(8))
    if (dom === 1) {
      lastMonthUsage = monthUsage || usageByDay[i] * 30
      monthUsage = 0
      if (supportShare > 0)
        rows.push({
          day: d,
          service: 'Support',
          category: 'Purchase',
          frequency: 'Recurring',
          cost: Math.max(100, supportShare * lastMonthUsage),
        })
    }
    monthUsage += usageByDay[i]
    if (subscriptionDay && dom === subscriptionDay)
      rows.push({day: d, service: 'Marketplace', category: 'Purchase', frequency: 'Recurring', cost: subscription})
    // One-time: an upfront reservation or marketplace purchase, or a credit / refund.
    const mean30 = usageByDay[i]
    if (r() < 0.004)
      rows.push({
        day: d,
        service: 'Reserved Instances',
        category: 'Purchase',
        frequency: 'One-Time',
        cost: mean30 * uniform(5, 40),
      })
    if (r() < 0.003)
      rows.push({day: d, service: 'Credits', category: 'Credit', frequency: 'One-Time', cost: -mean30 * uniform(2, 15)})
  }
  return {seed, start, historyDays, horizonDays, rows}
}

/** Daily totals (every charge) from `from` for `days` days: what the bill shows, what R is given. */
export function dailyTotals(bill, fromIndex, days) {
  const totals = new Array(days).fill(0)
  const first = Date.parse(`${bill.start}T00:00:00Z`)
  for (const row of bill.rows) {
    const i = Math.round((Date.parse(`${row.day}T00:00:00Z`) - first) / DAY) - fromIndex
    if (i >= 0 && i < days) totals[i] += row.cost
  }
  return totals
}

const csvField = (v) => (/[",\n]/.test(String(v)) ? `"${String(v).replaceAll('"', '""')}"` : String(v))

/** FOCUS CSV of the history part only (what a user would have exported). */
export function focusCsv(bill) {
  const lastHistoryDay = day(bill.start, bill.historyDays - 1)
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
    if (row.day > lastHistoryDay) continue
    const periodStart = `${row.day.slice(0, 7)}-01`
    const next = new Date(Date.parse(`${periodStart}T00:00:00Z`))
    next.setUTCMonth(next.getUTCMonth() + 1)
    const cost = row.cost.toFixed(6)
    const end = day(row.day, 1)
    lines.push(
      [
        cost,
        cost,
        cost,
        `acct-${bill.seed}`,
        'USD',
        `${periodStart} 00:00:00`,
        `${next.toISOString().slice(0, 10)} 00:00:00`,
        row.category,
        row.frequency,
        `${row.day} 00:00:00`,
        `${end} 00:00:00`,
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
