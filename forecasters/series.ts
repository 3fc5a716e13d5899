import {addDays} from '../src/dates.js'
import {accuracy, combineRuns, MIN_TRAIN_DAYS, type OriginRun, planBacktest, runBacktest} from './backtest.js'
import {cleanSpikes} from './clean.js'
import {describeGaps, fillGaps} from './gaps.js'
import {adjustHistory, learnCalendar, UNKNOWN_HOLIDAY_LOW} from './calendar.js'
import {backtestCoverage, type Band, DEFAULT_CALIBRATION, errorBands, widenCalibration} from './intervals.js'
import type {PointModel} from './models/types.js'
import {MODEL_NAMES, type PointModelName, pointModels} from './registry.js'
import {mean} from './stats.js'
import type {
  ForecastPoint,
  ForecastSettings,
  ForecastWarning,
  HistoryPoint,
  ModelAccuracy,
  ModelName,
  SeriesForecast,
} from './types.js'

/** Defaults of every forecast setting. */
export const DEFAULT_FORECAST_SETTINGS: Required<ForecastSettings> = {
  level: 80,
  models: MODEL_NAMES,
  minHistoryDays: 21,
  backtestOrigins: 24,
  backtestAll: false,
  holidays: [],
  yearEnd: true,
  calibration: DEFAULT_CALIBRATION,
}

const ENSEMBLE_SIZE = 3
/**
 * The best model's backtest MASE above which no model is called good: its errors over the backtest
 * paths are twice the in-sample error of repeating last week (errors grow with the horizon, so a
 * MASE somewhat above 1 over long paths is ordinary; twice is not).
 */
export const POOR_FIT_MASE = 2
const POOR_FIT_WIDENING = 1.3
/** Fewer days than this and the long-horizon errors are mostly extrapolated: said as a warning. */
const SHORT_HISTORY_DAYS = 56
const LEVEL_WINDOW = 28

/**
 * Forecasts one daily series: rolling-origin backtest of each candidate model, the best one (by
 * scaled daily and horizon-total error) forecasts from the spike-cleaned history, and the intervals
 * are the chosen model's own backtest error quantiles at each horizon step. Pure and deterministic.
 */
export function forecastSeries(
  history: readonly HistoryPoint[],
  horizonDays: number,
  settings: ForecastSettings = {},
): SeriesForecast {
  const s = {...DEFAULT_FORECAST_SETTINGS, ...settings}
  if (!Number.isInteger(horizonDays) || horizonDays < 1)
    return {skipped: true, reason: `horizon must be a whole number of days, at least 1 (got ${horizonDays})`}
  if (!(s.level > 0 && s.level < 100))
    return {skipped: true, reason: `interval level must be between 0 and 100 (got ${s.level})`}
  const bad = history.find((p) => !Number.isFinite(p.value))
  if (bad) return {skipped: true, reason: `the value on ${bad.date} is not a number`}
  const contiguous = fillGaps(history)
  if ('skipped' in contiguous) return contiguous
  history = contiguous.history
  // The backtest needs two weeks of training plus at least two days to check.
  const needDays = Math.max(s.minHistoryDays, MIN_TRAIN_DAYS + 2)
  const plan = planBacktest(history.length, horizonDays, s.backtestOrigins)
  if (history.length < needDays || !plan) {
    const after = contiguous.cut
      ? ` after a gap of ${contiguous.cut.days} days (${contiguous.cut.from} to ${contiguous.cut.to})`
      : ''
    return {
      skipped: true,
      reason: `${history.length} day${history.length === 1 ? '' : 's'} of history${after}; at least ${needDays} are needed`,
      needDays,
    }
  }

  const dates = history.map((p) => p.date)
  const raw = history.map((p) => p.value)
  // Calendar effects (month edges, holidays, year end) are taken out before the models see the series.
  const calendar = learnCalendar(dates, raw, {holidays: s.holidays, yearEnd: s.yearEnd})
  const y = adjustHistory(dates, raw, calendar)
  // `ensemble` alone still needs point models to combine: then all of them are candidates.
  const listed = s.models.filter((m): m is PointModelName => m in pointModels)
  const candidates = listed.length > 0 ? listed : (Object.keys(pointModels) as PointModelName[])
  const models = Object.fromEntries(candidates.map((m) => [m, pointModels[m]])) as Record<PointModelName, PointModel>
  const runs: Partial<Record<ModelName, OriginRun[]>> = runBacktest(y, models, plan)
  // A model that cannot fit this series (a non-finite forecast) is not a candidate: NaN would break the ranking.
  const scores = new Map<ModelName, ReturnType<typeof accuracy>>(
    candidates.map((m) => [m, accuracy(runs[m]!)] as const).filter(([, a]) => Number.isFinite(a.score)),
  )
  if (scores.size === 0)
    return {skipped: true, reason: `none of the models (${candidates.join(', ')}) could fit this series`}
  const ranked = candidates.filter((m) => scores.has(m)).sort((a, b) => scores.get(a)!.score - scores.get(b)!.score)
  const members = ranked.slice(0, ENSEMBLE_SIZE)
  if (s.models.includes('ensemble') && members.length === ENSEMBLE_SIZE) {
    runs.ensemble = combineRuns(members.map((m) => runs[m]!))
    scores.set('ensemble', accuracy(runs.ensemble))
  }
  const allowed = [...scores.keys()].filter((m) => s.models.includes(m))
  const chosen = (allowed.length > 0 ? allowed : [...scores.keys()]).sort(
    (a, b) => scores.get(a)!.score - scores.get(b)!.score,
  )[0]!

  const warnings: ForecastWarning[] = [...describeGaps(contiguous)]
  // No model is good when even the best misses by more than the in-sample weekly-naive error: say so and widen.
  const best = scores.get(chosen)!
  const poor = best.mase > POOR_FIT_MASE
  if (poor)
    warnings.push({
      code: 'poor-fit',
      message:
        `no model forecast this history well (best backtest ` +
        `MASE ${best.mase.toFixed(2)}, ${chosen}); the intervals are widened, treat the forecast as a rough guide`,
    })
  if (history.length < SHORT_HISTORY_DAYS)
    warnings.push({
      code: 'short-history',
      message:
        `${history.length} days of history: errors ` +
        `beyond ${Math.max(...runs[chosen]!.map((r) => r.actual.length))} days ahead are extrapolated, so the intervals are wide`,
    })
  const clean = cleanSpikes(y)
  const point =
    chosen === 'ensemble'
      ? meanOf(members.map((m) => pointModels[m].forecast(clean, horizonDays)))
      : pointModels[chosen as PointModelName].forecast(clean, horizonDays)
  const nonNegative = raw.every((v) => v >= 0)
  const level = Math.max(Math.abs(mean(clean.slice(-LEVEL_WINDOW))), 1e-9)
  const bands = errorBands(
    runs[chosen]!,
    s.level,
    horizonDays,
    poor ? widenCalibration(s.calibration, POOR_FIT_WIDENING) : s.calibration,
  )
  const last = history.at(-1)!.date
  const daily: ForecastPoint[] = []
  const cumulative: ForecastPoint[] = []
  let running = 0
  point.forEach((value, h) => {
    const db = bands.daily[h]!
    const date = addDays(last, h + 1)
    const factor = calendar.factor(date)
    // Bias correction: a model that lagged the series in every backtest (a damped trend under
    // steady growth) will lag it now too; shift by the median backtest error at this horizon.
    const corrected = (value + db.mid * level) * factor
    const m = nonNegative ? Math.max(0, corrected) : corrected
    running += m
    const p = withBand(date, m, {lo: db.lo * factor, mid: db.mid * factor, hi: db.hi * factor}, level, nonNegative)
    // A holiday nothing in the history tells about may dip: its interval reaches down for it.
    if (calendar.uncertain(date)) p.lower = Math.min(p.lower, m * UNKNOWN_HOLIDAY_LOW)
    daily.push(p)
    const cb = bands.cumulative[h]!
    cumulative.push(withBand(date, running, cb, level, nonNegative))
  })

  const toAccuracy = (model: ModelName): ModelAccuracy => ({
    model,
    ...pick(scores.get(model)!),
    coverage: backtestCoverage(runs[model]!, s.level),
    origins: plan.origins.length,
    horizonDays: Math.max(...runs[model]!.map((r) => r.actual.length)),
  })
  const others = s.backtestAll ? [...scores.keys()].filter((m) => m !== chosen) : []
  return {
    skipped: false,
    daily,
    cumulative,
    model: chosen,
    level: s.level,
    backtest: [chosen, ...others].map(toAccuracy),
    history: {from: history[0]!.date, to: last, days: history.length, filled: contiguous.filled.length},
    warnings,
  }
}

/** The interval around a bias-corrected mean: the error quantiles' distances from their median, widened. */
function withBand(date: string, m: number, band: Band, level: number, nonNegative: boolean): ForecastPoint {
  const lower = Math.min(m, m + (band.lo - band.mid) * level)
  const upper = Math.max(m, m + (band.hi - band.mid) * level)
  return {date, mean: m, lower: nonNegative ? Math.max(0, lower) : lower, upper}
}

function meanOf(forecasts: readonly number[][]): number[] {
  return forecasts[0]!.map((_, h) => mean(forecasts.map((f) => f[h]!)))
}

function pick(a: {mase: number; totalApe: number}): {mase: number; totalApe: number} {
  return {mase: a.mase, totalApe: a.totalApe}
}

export const isSkip = (f: SeriesForecast): f is Extract<SeriesForecast, {skipped: true}> => f.skipped
