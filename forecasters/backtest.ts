import {cleanSpikes} from './clean.js'
import type {PointModel} from './models/types.js'
import {mean, seasonalNaiveScale} from './stats.js'

/** Training data every origin keeps at least: two weeks, so the weekly models can start. */
export const MIN_TRAIN_DAYS = 14
const LEVEL_WINDOW = 28

/** Where the rolling-origin backtest cuts the series and how far each cut forecasts at most. */
export interface BacktestPlan {
  origins: number[]
  horizon: number
}

/**
 * Origins up to a week apart (closer on short series), newest last, from the day before the last
 * back into the history. Each forecasts up to `horizon` days, or as many as the history holds after
 * it: recent origins tell how the model does now, older ones how its error grows over a long horizon.
 */
export function planBacktest(n: number, horizonDays: number, maxOrigins: number): BacktestPlan | undefined {
  if (n < MIN_TRAIN_DAYS + 2 || horizonDays < 1) return undefined
  const step = Math.max(1, Math.min(7, Math.floor((n - 1 - MIN_TRAIN_DAYS) / Math.max(1, maxOrigins - 1))))
  const origins: number[] = []
  for (let k = 0; k < maxOrigins; k++) {
    const o = n - 1 - k * step
    if (o < MIN_TRAIN_DAYS) break
    origins.unshift(o)
  }
  return {origins, horizon: horizonDays}
}

/** One origin's run of one model: forecasts, actuals, and the scales its errors are measured in. */
export interface OriginRun {
  origin: number
  forecast: number[]
  actual: number[]
  /** Mean of the last four weeks of training data: errors are stored relative to it. */
  level: number
  /** In-sample weekly-naive MAE of the training data (MASE denominator). */
  scale: number
}

/** Runs each model from each origin on the spike-cleaned training prefix; actuals stay raw. */
export function runBacktest(
  y: readonly number[],
  models: Record<string, PointModel>,
  plan: BacktestPlan,
): Record<string, OriginRun[]> {
  const runs: Record<string, OriginRun[]> = Object.fromEntries(Object.keys(models).map((name) => [name, []]))
  for (const origin of plan.origins) {
    const train = y.slice(0, origin)
    const clean = cleanSpikes(train)
    const actual = y.slice(origin, Math.min(y.length, origin + plan.horizon))
    const level = Math.max(Math.abs(mean(clean.slice(-LEVEL_WINDOW))), 1e-9)
    const scale = seasonalNaiveScale(train)
    for (const [name, model] of Object.entries(models)) {
      runs[name]!.push({origin, forecast: model.forecast(clean, actual.length), actual, level, scale})
    }
  }
  return runs
}

/** Mean of the runs' forecasts, as a run of a combined model. */
export function combineRuns(members: readonly OriginRun[][]): OriginRun[] {
  const first = members[0] ?? []
  return first.map((run, i) => ({
    ...run,
    forecast: run.forecast.map((_, h) => mean(members.map((m) => m[i]!.forecast[h]!))),
  }))
}

export interface RunAccuracy {
  mase: number
  totalApe: number
  /** Selection score: scaled daily MAE and scaled horizon-total error, equally weighted. */
  score: number
}

/** Accuracy over every backtest day: origins with longer paths weigh more (they are more of the horizon). */
export function accuracy(runs: readonly OriginRun[]): RunAccuracy {
  let scaledAbs = 0
  let scaledTotal = 0
  let days = 0
  const apes: number[] = []
  for (const run of runs) {
    const h = run.actual.length
    let abs = 0
    let sumErr = 0
    let sumActual = 0
    for (let i = 0; i < h; i++) {
      const e = run.actual[i]! - run.forecast[i]!
      abs += Math.abs(e)
      sumErr += e
      sumActual += run.actual[i]!
    }
    scaledAbs += abs / run.scale
    scaledTotal += Math.abs(sumErr) / run.scale
    days += h
    if (Math.abs(sumActual) > 0) apes.push((100 * Math.abs(sumErr)) / Math.abs(sumActual))
  }
  const mase = days > 0 ? scaledAbs / days : Number.NaN
  const total = days > 0 ? scaledTotal / days : Number.NaN
  return {mase, totalApe: mean(apes), score: (mase + total) / 2}
}
