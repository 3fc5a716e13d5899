/**
 * The forecaster contract: pure, deterministic functions from a daily history to a daily forecast
 * with prediction intervals, or a skip that says why. Budgets, anomalies and `finops forecast` all
 * use these types.
 */
import type {Holiday} from './calendar.js'
import type {IntervalCalibration} from './intervals.js'
import type {MODEL_NAMES} from './registry.js'
import type {ForecastWarning} from './schema.js'

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

/** The models in the registry (forecasters/registry.ts); `ensemble` averages the best few. */
export type ModelName = (typeof MODEL_NAMES)[number]

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
  /** Public holidays (or other closure days) over the history and the horizon; their effect is learnt. */
  holidays?: readonly Holiday[]
  /** Treat 24 December to 1 January as holidays of their own (default true). */
  yearEnd?: boolean
  /** Interval width multipliers (defaults fitted on the benchmarks' development seeds). */
  calibration?: IntervalCalibration
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
  /** The history the models saw: after any long gap, with `filled` missing days filled in. */
  history: {from: string; to: string; days: number; filled: number}
  /** What a reader should know before trusting the forecast (filled days, a poor best model, ...). */
  warnings: ForecastWarning[]
}

/** Too little or unusable data: no forecast, and a reason a user can act on. */
export interface ForecastSkip {
  skipped: true
  reason: string
  /** When the skip is for short history: how many days are needed. */
  needDays?: number
}

export type SeriesForecast = ForecastResult | ForecastSkip

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

/** One day's cost of one charge, as read from the store (one currency). */
export interface ChargeDay {
  day: string
  cost: number
  /** FOCUS ChargeFrequency and ChargeCategory: they decide how the charge is projected. */
  frequency: string
  category: string
  /** The recurring charge's source (service, account, sub-account): each one is classified on its own. */
  source: string
  /** The group's key values, with a group-by. */
  group?: string[]
}

/** One currency's cost history, as the forecast of a bill needs it. */
export interface CurrencyHistory {
  currency: string
  /** Every charge in scope from the first history day to lastDay. */
  charges: ChargeDay[]
  /** The same charges with their group keys (empty without a group-by). */
  groupCharges: ChargeDay[]
  /**
   * Days on which the store holds any cost row of the import scope in this currency: a filter to a
   * service can leave a day legitimately empty (zero cost); only a day outside this set is missing.
   */
  importedDays: ReadonlySet<string>
  /** The currency's own last day with data (a lagging import ends before the others). */
  lastDay: string
  /** Actual cost of the month holding the first forecast day, before it (days before the history too). */
  monthToDate: number
}

/** What forecastBill forecasts: each currency's history up to a common last day. */
export interface BillHistory {
  /** The last history day of the scope; every currency's forecast runs to `to` + horizonDays. */
  to: string
  currencies: CurrencyHistory[]
}

export interface BillForecastOptions {
  horizonDays: number
  level: number
  /** Labels of the group-by keys (empty: no groups). */
  groupBy: readonly string[]
  settings?: ForecastSettings
  /** Backtest every candidate model on the total and return their accuracy. */
  backtest?: boolean
}

/** A currency that cannot be forecast, and why (in the words of the data, never of a flag). */
export interface CurrencySkip {
  currency: string
  reason: string
  suggestion?: string
}

export type {CostForecast, CurrencyForecast, ForecastWarning, GroupForecast} from './schema.js'
