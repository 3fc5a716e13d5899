import {addDays} from '../src/dates.js'
import {accuracy, combineRuns, MIN_TRAIN_DAYS, type OriginRun, planBacktest, runBacktest} from './backtest.js'
import {cleanSpikes} from './clean.js'
import {describeGaps, fillGaps} from './gaps.js'
import {backtestCoverage, type Band, bandAt, errorBands} from './intervals.js'
import type {PointModel} from './models/types.js'
import {MODEL_NAMES, type PointModelName, pointModels} from './registry.js'
import {mean} from './stats.js'
import type {ForecastPoint, ForecastSettings, HistoryPoint, ModelAccuracy, ModelName, SeriesForecast} from './types.js'

/** Defaults of every forecast setting. */
export const DEFAULT_FORECAST_SETTINGS: Required<ForecastSettings> = {
  level: 80,
  models: MODEL_NAMES,
  minHistoryDays: 21,
  backtestOrigins: 24,
  backtestAll: false,
}

const ENSEMBLE_SIZE = 3
/**
 * Backtest error quantiles come from the same origins that chose the model, and from a few origins
 * only, so they understate the spread a little (the winner looks better than it will be). This
 * widening, fitted on 100 development seeds of the benchmark (bench/forecast/tune.mjs) and checked
 * on held-out seeds, brings the coverage of an 80% interval to about 80% (docs/benchmarks.md).
 */
const INTERVAL_WIDENING = 1.1
/**
 * The running total has one error per origin (not one per day), so its quantiles rest on even fewer
 * points and need more widening: fitted the same way, its 80% interval holds about 80% of the
 * 30-day totals of the usage and recurring spend it projects (one-time charges are not projected).
 */
const TOTAL_WIDENING = 1.4
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

  const y = history.map((p) => p.value)
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

  const clean = cleanSpikes(y)
  const point =
    chosen === 'ensemble'
      ? meanOf(members.map((m) => pointModels[m].forecast(clean, horizonDays)))
      : pointModels[chosen as PointModelName].forecast(clean, horizonDays)
  const nonNegative = y.every((v) => v >= 0)
  const level = Math.max(Math.abs(mean(clean.slice(-LEVEL_WINDOW))), 1e-9)
  const bands = errorBands(runs[chosen]!, s.level)
  const last = history.at(-1)!.date
  const daily: ForecastPoint[] = []
  const cumulative: ForecastPoint[] = []
  let running = 0
  point.forEach((raw, h) => {
    const db = bandAt(bands, h, 'daily')
    // Bias correction: a model that lagged the series in every backtest (a damped trend under
    // steady growth) will lag it now too; shift by the median backtest error at this horizon.
    const corrected = raw + db.mid * level
    const m = nonNegative ? Math.max(0, corrected) : corrected
    running += m
    const date = addDays(last, h + 1)
    daily.push(withBand(date, m, db, level, nonNegative))
    cumulative.push(withBand(date, running, bandAt(bands, h, 'cumulative'), level, nonNegative, TOTAL_WIDENING))
  })

  const toAccuracy = (model: ModelName): ModelAccuracy => ({
    model,
    ...pick(scores.get(model)!),
    coverage: backtestCoverage(runs[model]!, s.level),
    origins: plan.origins.length,
    horizonDays: plan.horizon,
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
    warnings: describeGaps(contiguous),
  }
}

/** The interval around a bias-corrected mean: the error quantiles' distances from their median, widened. */
function withBand(
  date: string,
  m: number,
  band: Band,
  level: number,
  nonNegative: boolean,
  widening = INTERVAL_WIDENING,
): ForecastPoint {
  const lower = Math.min(m, m + (band.lo - band.mid) * level * widening)
  const upper = Math.max(m, m + (band.hi - band.mid) * level * widening)
  return {date, mean: m, lower: nonNegative ? Math.max(0, lower) : lower, upper}
}

function meanOf(forecasts: readonly number[][]): number[] {
  return forecasts[0]!.map((_, h) => mean(forecasts.map((f) => f[h]!)))
}

function pick(a: {mase: number; totalApe: number}): {mase: number; totalApe: number} {
  return {mase: a.mase, totalApe: a.totalApe}
}

export const isSkip = (f: SeriesForecast): f is Extract<SeriesForecast, {skipped: true}> => f.skipped
