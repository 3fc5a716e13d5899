/**
 * Forecasters: pure models, rolling-origin backtest and model selection, and the cost-aware
 * forecast of a bill (Usage-Based as a series, Recurring on the calendar, One-Time excluded).
 * No store, no I/O: src/cost/forecast.ts reads the history and calls forecastBill.
 *
 * - forecastSeries(history, horizonDays, settings?) -> ForecastResult | ForecastSkip
 * - forecastBill(history, options) -> a CurrencyForecast or a skip with its reason per currency
 * - sumForecast(forecast, from, to) -> the forecast total of a date span with its interval
 */
export {type BillForecast, forecastBill} from './bill.js'
export {chargeKind} from './charges.js'
export {sumForecast, type CumulativeForecast} from './period.js'
export {MODEL_NAMES, modelDescriptions, pointModels} from './registry.js'
export {DEFAULT_FORECAST_SETTINGS, forecastSeries, isSkip} from './series.js'
export type * from './types.js'
