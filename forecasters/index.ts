/**
 * Forecasters: pure models, rolling-origin backtest and model selection, and the cost-aware
 * forecast of the store (Usage-Based as a series, Recurring on the calendar, One-Time excluded).
 *
 * - forecastSeries(history, horizonDays, settings?) -> ForecastResult | ForecastSkip (pure)
 * - forecastCosts(db, query) -> CostForecast (reads cost_daily; throws a FinopsError on unusable data)
 * - sumForecast(forecast, from, to) -> the forecast total of a date span with its interval
 */
export {chargeKind, forecastCosts} from './costs.js'
export {sumForecast, type CumulativeForecast} from './period.js'
export {MODEL_NAMES, modelDescriptions, pointModels} from './registry.js'
export {DEFAULT_FORECAST_SETTINGS, forecastSeries, isSkip} from './series.js'
export type * from './types.js'
