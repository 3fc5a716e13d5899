import {addDays} from '../dates.js'
import type {PeriodWindow} from './periods.js'
import type {Budget, BudgetThreshold} from '../model/budget.js'
import {roundMoney} from '../money.js'

/** A running-total forecast, as the forecasters return it: entry k sums days 0..k with its own interval. */
export interface CumulativeForecast {
  cumulative: {date: string; mean: number; lower: number; upper: number}[]
  model: string
  level: number
}

export type BudgetForecastInput = CumulativeForecast | {skipped: true; reason: string}

/** What the budget rules need: the budget, its period, and the scope's spend. */
export interface BudgetFacts {
  budget: Budget
  window: PeriodWindow
  currency: string
  /** The last complete day (yesterday, UTC). */
  asOf: string
  /** Daily spend in scope inside the period, up to the last day with data. */
  actuals: {day: string; cost: number}[]
  /** Last day with cost data in scope (undefined: none at all); the forecast starts the day after. */
  dataThrough?: string
  forecast?: BudgetForecastInput
}

export interface ThresholdStatus extends BudgetThreshold {
  /** The amount the threshold stands for (percent of the budget). */
  limit: number
  /** Actual spend to date, or the forecast period-end spend; undefined when there is no forecast. */
  value?: number
  crossed: boolean
  /** value - limit when crossed. */
  over?: number
}

export interface BudgetStatus {
  name: string
  amount: number
  currency: string
  period: Budget['period']
  periodLabel: string
  periodStart: string
  periodEnd: string
  filters: string[]
  asOf: string
  dataThrough?: string
  actual: number
  actualPercent: number
  forecast?: {mean: number; lower: number; upper: number; percent: number; model: string; level: number}
  /** Why there is no forecast (too little history, ...). */
  forecastSkipped?: string
  /** The day actual spend reached the amount, or the forecast day it is expected to; undefined: not expected. */
  breachDate?: string
  breachKind?: 'actual' | 'forecast'
  thresholds: ThresholdStatus[]
}

const percentOf = (value: number, amount: number): number => Math.round((value / amount) * 1000) / 10

/**
 * Evaluates a budget for its current period: spend to date, the period-end projection (actual plus
 * the forecast of the remaining days), each threshold, and the breach date. Pure.
 */
export function evaluateBudget(facts: BudgetFacts): BudgetStatus {
  const {budget, window} = facts
  const inPeriod = facts.actuals
    .filter((a) => a.day >= window.start && a.day <= window.end)
    .sort((a, b) => a.day.localeCompare(b.day))
  let actual = 0
  let breachDate: string | undefined
  let breachKind: BudgetStatus['breachKind']
  for (const point of inPeriod) {
    actual += point.cost
    if (!breachDate && actual >= budget.amount) {
      breachDate = point.day
      breachKind = 'actual'
    }
  }

  let forecast: BudgetStatus['forecast']
  let forecastSkipped: string | undefined
  if (facts.forecast && 'skipped' in facts.forecast) {
    forecastSkipped = facts.forecast.reason
  } else if (facts.forecast) {
    const projected = projectPeriodEnd(facts.forecast, window, actual, budget.amount)
    if (projected) {
      forecast = {
        ...projected.total,
        percent: percentOf(projected.total.mean, budget.amount),
        model: facts.forecast.model,
        level: facts.forecast.level,
      }
      if (!breachDate && projected.breachDate) {
        breachDate = projected.breachDate
        breachKind = 'forecast'
      }
    } else if (facts.dataThrough && facts.dataThrough >= window.end) {
      // The period is complete in the data: its close is the actual spend.
      forecast = {
        mean: roundMoney(actual),
        lower: roundMoney(actual),
        upper: roundMoney(actual),
        percent: percentOf(actual, budget.amount),
        model: 'actual',
        level: facts.forecast.level,
      }
    } else {
      forecastSkipped = 'the forecast does not reach this period'
    }
  }

  const thresholds = budget.thresholds.map((t): ThresholdStatus => {
    const limit = roundMoney((budget.amount * t.percent) / 100)
    const value = t.kind === 'actual' ? roundMoney(actual) : forecast?.mean
    const crossed = value !== undefined && value >= limit
    return {...t, limit, value, crossed, over: crossed ? roundMoney(value - limit) : undefined}
  })

  return {
    name: budget.name,
    amount: budget.amount,
    currency: facts.currency,
    period: budget.period,
    periodLabel: window.label,
    periodStart: window.start,
    periodEnd: window.end,
    filters: budget.filters,
    asOf: facts.asOf,
    dataThrough: facts.dataThrough,
    actual: roundMoney(actual),
    actualPercent: percentOf(actual, budget.amount),
    forecast,
    forecastSkipped,
    breachDate,
    breachKind,
    thresholds,
  }
}

/**
 * Period-end total = actual + the forecast's running total at the period's last day. When the forecast
 * starts before the period (data lags behind the period start), the days before the period are taken
 * off the mean and the interval keeps the whole horizon's width, which errs on the wide side.
 */
function projectPeriodEnd(
  forecast: CumulativeForecast,
  window: PeriodWindow,
  actual: number,
  amount: number,
): {total: {mean: number; lower: number; upper: number}; breachDate?: string} | undefined {
  const atEnd = forecast.cumulative.find((p) => p.date === window.end)
  if (!atEnd) return undefined
  const before = forecast.cumulative.find((p) => p.date === addDays(window.start, -1))
  const offset = before?.mean ?? 0
  const mean = actual + atEnd.mean - offset
  const total = {
    mean: roundMoney(mean),
    lower: roundMoney(Math.max(actual, mean - (atEnd.mean - atEnd.lower))),
    upper: roundMoney(mean + (atEnd.upper - atEnd.mean)),
  }
  const crossing = forecast.cumulative.find(
    (p) => p.date >= window.start && p.date <= window.end && actual + p.mean - offset >= amount,
  )
  return {total, breachDate: crossing?.date}
}
