import {addDays, dayToDate, monthEnd} from '../src/dates.js'
import type {RecurringCharge} from './types.js'

/** Billing days not seen for this long are treated as ended subscriptions. */
const STALE_DAYS = 45
/** Recurring cost on at least this share of recent days is spread daily (hourly-billed commitments). */
const DAILY_SHARE = 0.5
const RECENT_DAYS = 56

export interface RecurringSplit {
  /** Recurring cost that behaves like a daily series and is forecast with usage. */
  daily: boolean
}

/** Decides whether recurring charges are spread over every day or billed on a few calendar days. */
export function classifyRecurring(recurring: readonly {date: string; amount: number}[]): RecurringSplit {
  const recent = recurring.slice(-RECENT_DAYS)
  if (recent.length === 0) return {daily: false}
  const nonZero = recent.filter((r) => Math.abs(r.amount) > 1e-9).length
  return {daily: nonZero / recent.length >= DAILY_SHARE}
}

/**
 * Projects calendar-billed recurring charges: each billing day of the month seen in the last weeks
 * repeats with its most recent amount; a billing day past the end of a shorter month falls on its
 * last day (a charge on the 31st lands on 30 November).
 */
export function projectRecurring(
  recurring: readonly {date: string; amount: number}[],
  lastDay: string,
  horizonDays: number,
): RecurringCharge[] {
  const latestByDay = new Map<number, {date: string; amount: number}>()
  for (const r of recurring) {
    if (Math.abs(r.amount) <= 1e-9 || r.date > lastDay || r.date <= addDays(lastDay, -STALE_DAYS)) continue
    const dom = dayToDate(r.date).getUTCDate()
    const seen = latestByDay.get(dom)
    if (!seen || r.date > seen.date) latestByDay.set(dom, r)
  }
  const out: RecurringCharge[] = []
  for (let h = 1; h <= horizonDays; h++) {
    const date = addDays(lastDay, h)
    const dom = dayToDate(date).getUTCDate()
    const lastDom = dayToDate(monthEnd(date)).getUTCDate()
    let amount = 0
    for (const [billingDay, charge] of latestByDay) {
      if (Math.min(billingDay, lastDom) === dom) amount += charge.amount
    }
    out.push({date, amount})
  }
  return out
}
