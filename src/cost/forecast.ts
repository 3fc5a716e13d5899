import {addDays, daysBetween, eachDay, monthEnd} from '../dates.js'
import {inputError} from '../errors.js'
import {groupKeyLabel} from '../model/cost.js'
import type {Db} from '../store/open.js'
import {forecastBill} from '../../forecasters/bill.js'
import type {CostForecast, ForecastSettings} from '../../forecasters/types.js'
import {type CostHistoryQuery, loadCostHistory} from './forecast-input.js'
import {type HolidayConfig, holidaysBetween} from './holidays.js'

/** What `finops forecast` (and a budget) asks for: the history to read and how to forecast it. */
export interface CostForecastQuery extends CostHistoryQuery {
  /** Days to forecast after the last history day (default: to the end of the month after the first forecast day). */
  horizonDays?: number
  /** Interval level in percent. */
  level: number
  /** Backtest every candidate model on the total and return their accuracy. */
  backtest?: boolean
  settings?: ForecastSettings
  /** The holiday calendar (public holidays of a country, closure days, the year-end days). */
  holidays?: HolidayConfig
}

/** Days from the day after `lastDay` to the end of the following month ("this month and next"). */
export function defaultHorizonDays(lastDay: string): number {
  const firstForecast = addDays(lastDay, 1)
  return daysBetween(lastDay, monthEnd(addDays(monthEnd(firstForecast), 1)))
}

/**
 * Forecasts the store's daily cost in the scope, each currency on its own (the one impure edge of
 * the forecasters: it reads the history, the maths is forecastBill's). The top level carries a
 * currency only when the scope has exactly one, so it never switches currency under a reader.
 * Throws a FinopsError (one line, with what to do) when nothing can be forecast.
 */
export function forecastCosts(db: Db, query: CostForecastQuery): CostForecast {
  const history = loadCostHistory(db, query)
  const horizonDays = query.horizonDays ?? defaultHorizonDays(history.to)
  if (!Number.isInteger(horizonDays) || horizonDays < 1)
    throw inputError(`the horizon must be a whole number of days, at least 1 (got ${horizonDays})`)
  const holidays = holidaysBetween(query.holidays ?? {}, history.from, addDays(history.to, horizonDays))
  const bill = forecastBill(history, {
    horizonDays,
    level: query.level,
    groupBy: query.groupBy.map(groupKeyLabel),
    settings: {...query.settings, holidays, yearEnd: query.holidays?.yearEnd ?? query.settings?.yearEnd},
    backtest: query.backtest,
  })
  const failed = bill.skipped[0]
  if (bill.currencies.length === 0 || (history.currencies.length === 1 && failed))
    throw inputError(failed!.reason, failed!.suggestion)
  const only = history.currencies.length === 1 ? bill.currencies[0]! : undefined
  const historyFrom = bill.currencies.map((c) => c.history.from).sort()[0]!
  return {
    level: query.level,
    metric: query.metric,
    horizonDays,
    groupBy: query.groupBy.map(groupKeyLabel),
    history: {from: historyFrom, to: history.to, days: eachDay(historyFrom, history.to).length},
    forecast: {from: addDays(history.to, 1), to: addDays(history.to, horizonDays)},
    currency: only?.currency ?? null,
    model: only?.model ?? null,
    daily: only?.daily ?? null,
    currencies: bill.currencies,
    skippedCurrencies: bill.skipped.map((s) => ({
      currency: s.currency,
      reason: s.suggestion ? `${s.reason} (${s.suggestion})` : s.reason,
    })),
  }
}
