/**
 * The forecaster contract: pure, deterministic functions from a daily history to a daily forecast
 * with prediction intervals, or a skip that says why. Budgets, anomalies and `finops forecast` all
 * use these types.
 */
import type {GroupKey, Metric} from '../src/model/cost.js'
import type {CostFilter} from '../src/store/cost-dimensions.js'

/** One day of history: YYYY-MM-DD and the day's cost. */
export interface HistoryPoint {
  date: string
  value: number
}

/** One forecast day: the point forecast and the prediction interval at the result's level. */
export interface ForecastPoint {
  date: string
  mean: number
  lower: number
  upper: number
}

/** The models in the registry (forecasters/index.ts); `ensemble` averages the best few. */
export type ModelName =
  | 'seasonal-naive'
  | 'holt-winters-additive'
  | 'holt-winters-multiplicative'
  | 'damped-trend'
  | 'robust-decomposition'
  | 'ensemble'

/** Accuracy of one model in the rolling-origin backtest of one series. */
export interface ModelAccuracy {
  model: ModelName
  /** Mean absolute error over the backtest horizons, scaled by the in-sample weekly-naive MAE. */
  mase: number
  /** Mean absolute percentage error of the horizon total (sum over the backtest horizon), in %. */
  totalApe: number
  /** Share of backtest days inside the model's interval at the requested level (0..1); null with fewer than 2 origins. */
  coverage: number | null
  /** How many forecast origins the backtest used, and the horizon each one forecast. */
  origins: number
  horizonDays: number
}

/** Settings of forecastSeries; every field has a default (see DEFAULT_FORECAST_SETTINGS). */
export interface ForecastSettings {
  /** Prediction interval level in percent (default 80). */
  level?: number
  /** Candidate models; the backtest picks one per series (default: all). */
  models?: readonly ModelName[]
  /** Fewer days of history than this is a skip (default 21: three weeks to see a weekly pattern). */
  minHistoryDays?: number
  /** Rolling-origin backtest: most origins to try (default 24). */
  backtestOrigins?: number
  /** Compute and return accuracy for every candidate, not only the chosen one. */
  backtestAll?: boolean
}

/** A forecast of one series. */
export interface ForecastResult {
  skipped: false
  /** One entry per day, starting the day after the last history day. */
  daily: ForecastPoint[]
  /** The running total: entry k is the sum of days 0..k with its own interval (not the sum of daily bounds). */
  cumulative: ForecastPoint[]
  model: ModelName
  level: number
  /** Backtest accuracy of the chosen model first, then the other candidates when backtestAll. */
  backtest: ModelAccuracy[]
}

/** Too little or unusable data: no forecast, and a reason a user can act on. */
export interface ForecastSkip {
  skipped: true
  reason: string
  /** When the skip is for short history: how many days are needed. */
  needDays?: number
}

export type SeriesForecast = ForecastResult | ForecastSkip

/** What forecastCosts reads and forecasts. */
export interface CostForecastQuery {
  /** First history day (default: up to 365 days before `to`). */
  from?: string
  /** Last history day (default: the last day with cost data matching the filters). */
  to?: string
  /** Days to forecast after `to` (default: to the end of the month after the first forecast day). */
  horizonDays?: number
  /** Most days of history when `from` is not given (default 365). */
  historyDays?: number
  /** Interval level in percent. */
  level: number
  metric: Metric
  groupBy: readonly GroupKey[]
  filters: readonly CostFilter[]
  /** Backtest every candidate model on the total and return their accuracy. */
  backtest?: boolean
  settings?: ForecastSettings
}

/** A recurring charge projected on the calendar (billing day, recent amount). */
export interface RecurringCharge {
  date: string
  amount: number
}

/** A calendar month's projected close: actual to date plus the forecast of the rest. */
export interface MonthProjection {
  /** YYYY-MM */
  month: string
  /** Actual cost already in the store for this month (before the forecast starts). */
  actualToDate: number
  mean: number
  lower: number
  upper: number
  /** False when the horizon ends before the month does (the projection covers part of it). */
  complete: boolean
}

/** One group's forecast; group means add up to the total's means day by day. */
export interface GroupForecast {
  keys: string[]
  model: ModelName | 'share'
  daily: ForecastPoint[]
  total: {mean: number; lower: number; upper: number}
}

/** The forecast of one currency (currencies are never summed together). */
export interface CurrencyForecast {
  currency: string
  model: ModelName
  level: number
  /** Usage-Based (+ daily-spread Recurring) forecast plus calendar Recurring, per day. */
  daily: ForecastPoint[]
  cumulative: ForecastPoint[]
  /** The horizon total with its interval. */
  total: {mean: number; lower: number; upper: number}
  components: {
    /** Point forecast of the usage series per day. */
    usage: {date: string; mean: number}[]
    /** Recurring charges projected on their billing days. */
    recurring: RecurringCharge[]
  }
  /** One-Time charges (purchases, credits) in the history window: excluded from the projection. */
  oneTime: {total: number; charges: {date: string; amount: number}[]}
  monthEnds: MonthProjection[]
  groups: GroupForecast[]
  backtest: ModelAccuracy[]
}

/** forecastCosts' result. `daily`, `model` and `currency` repeat the primary (largest) currency. */
export interface CostForecast {
  level: number
  metric: Metric
  horizonDays: number
  groupBy: string[]
  history: {from: string; to: string; days: number}
  forecast: {from: string; to: string}
  currency: string
  model: ModelName
  daily: ForecastPoint[]
  currencies: CurrencyForecast[]
  /** Smaller currencies that could not be forecast (too little history, gaps, negative days), with why. */
  skippedCurrencies: {currency: string; reason: string}[]
}
