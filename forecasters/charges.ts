import {classifyRecurring, projectRecurring} from './recurring.js'
import type {ChargeDay, HistoryPoint, RecurringCharge} from './types.js'

export type ChargeKind = 'usage' | 'recurring' | 'oneTime'

/** FOCUS ChargeFrequency decides how a charge is projected; a Purchase without a frequency is one-time. */
export function chargeKind(frequency: string, category: string): ChargeKind {
  if (frequency === 'One-Time') return 'oneTime'
  if (frequency === 'Recurring') return 'recurring'
  if (frequency === '' && category === 'Purchase') return 'oneTime'
  return 'usage'
}

/** Per-day sums of the three kinds of charge over a run of days (one currency, one group). */
export interface KindSeries {
  days: string[]
  usage: number[]
  recurring: number[]
  /** Recurring cost per charge source (service, account, sub-account), classified one by one. */
  recurringBySource: Map<string, number[]>
  /** Usage cost per source (service, account, sub-account): a young one is forecast from its own ramp. */
  usageBySource: Map<string, number[]>
  oneTime: number[]
  /** Days with any row at all (a day of zero cost still counts as data). */
  present: Set<string>
}

/** Sums charges into the kinds, day by day; charges outside `days` are ignored. */
export function toKindSeries(charges: readonly ChargeDay[], days: string[]): KindSeries {
  const series: KindSeries = {
    days,
    usage: days.map(() => 0),
    recurring: days.map(() => 0),
    recurringBySource: new Map(),
    usageBySource: new Map(),
    oneTime: days.map(() => 0),
    present: new Set(),
  }
  const index = new Map(days.map((d, i) => [d, i]))
  for (const c of charges) {
    const i = index.get(c.day)
    if (i === undefined) continue
    series.present.add(c.day)
    const kind = chargeKind(c.frequency, c.category)
    series[kind][i]! += c.cost
    if (kind === 'oneTime') continue
    const bySource = kind === 'recurring' ? series.recurringBySource : series.usageBySource
    let amounts = bySource.get(c.source)
    if (!amounts) bySource.set(c.source, (amounts = days.map(() => 0)))
    amounts[i]! += c.cost
  }
  return series
}

export interface UsageAndRecurring {
  /** Usage plus daily-spread recurring fees: the series the models forecast. */
  usage: HistoryPoint[]
  /** Calendar-billed recurring charges projected on their billing days over the horizon. */
  recurring: RecurringCharge[]
}

/** Adds daily-spread recurring sources to the usage series; projects the others on their billing days. */
export function splitSeries(s: KindSeries, lastDay: string, horizonDays: number): UsageAndRecurring {
  const usage = s.days.map((date, i) => ({date, value: s.usage[i]!}))
  const calendar = s.days.map((date) => ({date, amount: 0}))
  for (const amounts of s.recurringBySource.values()) {
    const spread = classifyRecurring(s.days.map((date, i) => ({date, amount: amounts[i]!}))).daily
    amounts.forEach((a, i) => {
      if (spread) usage[i]!.value += a
      else calendar[i]!.amount += a
    })
  }
  return {usage, recurring: projectRecurring(calendar, lastDay, horizonDays)}
}
