import {addDays, eachDay} from '../dates.js'
import type {CostFilter, GroupKey, Metric} from '../model/cost.js'
import type {Db} from '../store/open.js'
import {queryDailyCosts} from '../store/costs.js'
import type {CostForecast} from '../../forecasters/types.js'

/** Days of actual spend drawn before a forecast in the terminal chart. */
export const CHART_ACTUAL_DAYS = 90

/**
 * The actual daily spend in the forecast's scope just before each currency's forecast starts (days
 * without cost as 0), for drawing the forecast as a continuation of what was spent.
 */
export function recentActualsByCurrency(
  db: Db,
  forecast: CostForecast,
  scope: {filters: readonly CostFilter[]; metric: Metric},
  days = CHART_ACTUAL_DAYS,
): Record<string, {date: string; amount: number}[]> {
  const out: Record<string, {date: string; amount: number}[]> = {}
  for (const c of forecast.currencies) {
    const to = c.history.to
    const from = [c.history.from, addDays(to, 1 - days)].sort().at(-1)!
    const byDay = new Map<string, number>()
    const noGroups: GroupKey[] = []
    for (const p of queryDailyCosts(db, {from, to, groupBy: noGroups, filters: scope.filters, metric: scope.metric}))
      if (p.currency === c.currency) byDay.set(p.day, (byDay.get(p.day) ?? 0) + p.cost)
    out[c.currency] = eachDay(from, to).map((date) => ({date, amount: byDay.get(date) ?? 0}))
  }
  return out
}
