import {daysBetween, monthEnd} from '../dates.js'
import type {BudgetPeriod} from '../model/budget.js'

/** One calendar budget period, inclusive of both ends (YYYY-MM-DD, UTC). */
export interface PeriodWindow {
  start: string
  end: string
  /** Stable label used in alert keys and messages: 2024-09, 2024-Q3, 2024. */
  label: string
  days: number
}

/** The monthly, quarterly or yearly period that holds `day`. */
export function periodContaining(period: BudgetPeriod, day: string): PeriodWindow {
  const year = day.slice(0, 4)
  const month = Number(day.slice(5, 7))
  let start: string
  let end: string
  let label: string
  if (period === 'monthly') {
    start = `${day.slice(0, 7)}-01`
    end = monthEnd(day)
    label = day.slice(0, 7)
  } else if (period === 'quarterly') {
    const quarter = Math.floor((month - 1) / 3)
    const first = String(quarter * 3 + 1).padStart(2, '0')
    start = `${year}-${first}-01`
    end = monthEnd(`${year}-${String(quarter * 3 + 3).padStart(2, '0')}-01`)
    label = `${year}-Q${quarter + 1}`
  } else {
    start = `${year}-01-01`
    end = `${year}-12-31`
    label = year
  }
  return {start, end, label, days: daysBetween(start, end) + 1}
}
