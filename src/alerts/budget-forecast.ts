import {isFinopsError} from '../errors.js'
import {forecastCosts} from '../cost/forecast.js'
import type {BudgetForecastInput} from './budget-rules.js'
import type {BudgetForecaster} from './budget-status.js'

/**
 * The budgets' forecaster: the cost-aware forecast of the scope (Usage-Based as a series, Recurring
 * on its billing days, One-Time excluded). Data it cannot forecast (too little history, gaps,
 * negative totals) becomes a skip with its one-line reason, so `budget status` still shows actuals.
 */
export const forecastBudgetScope: BudgetForecaster = (db, request): BudgetForecastInput => {
  try {
    const result = forecastCosts(db, {
      to: request.historyTo,
      horizonDays: request.horizonDays,
      level: request.level,
      metric: request.metric,
      groupBy: [],
      // Only the budget's currency: another currency's data (lagging, sparse) must not stop its forecast.
      filters: [...request.filters, {key: {kind: 'dimension', name: 'currency'}, values: [request.currency]}],
    })
    const forecast = result.currencies.find((c) => c.currency === request.currency)
    if (!forecast) return {skipped: true, reason: `no ${request.currency} cost data to forecast`}
    return {cumulative: forecast.cumulative, model: forecast.model, level: forecast.level}
  } catch (error) {
    if (!isFinopsError(error)) throw error
    return {skipped: true, reason: error.suggestion ? `${error.message} (${error.suggestion})` : error.message}
  }
}
