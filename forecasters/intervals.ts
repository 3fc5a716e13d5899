import {probit} from 'simple-statistics'

import type {OriginRun} from './backtest.js'
import {quantile} from './stats.js'

/** Lower, median and upper error at one horizon step, relative to the series level at the origin. */
export interface Band {
  lo: number
  mid: number
  hi: number
}

export interface ErrorBands {
  /** One band per horizon step, for that day's value. */
  daily: Band[]
  /** One band per horizon step, for the running total from the first day to that one. */
  cumulative: Band[]
  /** The last step (from 0) whose daily band, and whose running total's spread, the backtest measured; -1 for none. */
  reach: {daily: number; total: number}
}

/**
 * The steps errorBands can measure from backtest paths of these lengths (see ErrorBands.reach): for
 * tools that must know how much of the horizon was extrapolated without the paths themselves.
 */
export function measuredReach(pathLengths: readonly number[], horizon: number): {daily: number; total: number} {
  const minPaths = Math.max(MIN_PATHS, Math.ceil(pathLengths.length / 3))
  let daily = -1
  let total = -1
  for (let h = 0; h < horizon; h++) {
    const w = Math.max(3, Math.round(0.1 * h))
    const pooled = pathLengths.reduce((a, n) => a + Math.max(0, Math.min(n - 1, h + w) - Math.max(0, h - w) + 1), 0)
    if (pooled >= MIN_DAILY_ERRORS) daily = h
    if (pathLengths.filter((n) => n > h).length >= minPaths) total = h
  }
  return {daily, total}
}

/** Pooled daily errors needed at a step to read its quantiles directly. */
const MIN_DAILY_ERRORS = 15
/** Whole paths needed to measure the spread of the running total at a step (at least, and a third of the origins). */
const MIN_PATHS = 5
/**
 * Calibration of the interval widths, fitted on the development seeds of bench/forecast/quarter.mjs
 * (`bench/forecast/fit-calibration.mjs`, which reruns `quarter.mjs --set dev --in-process` and moves
 * each term until the coverage of its third of the horizon, or of its total, matches its level) and
 * checked on seeds never used for fitting (docs/benchmarks.md).
 *
 * - `growth`: bounds on the exponent of the error's growth with the horizon where it must be
 *   extrapolated past the steps the backtest reaches (fitted on the steps it reaches, kept within the
 *   bounds; the fallback where too few steps were measured). A running total's error grows at least
 *   linearly: errors of level and trend persist from one day to the next, so it is never the sqrt(n)
 *   of independent days.
 * - `daily`, `total`: at the 80% and 95% levels (other levels interpolate) a width factor
 *   `reached(step) * (1 + shortfall(step, s) * s)`, where `s` is the share of the horizon past the last
 *   step the backtest measured and every term is given at three knots (the middle of each third of a
 *   quarter for daily bands, the 30-, 60- and 90-day totals for running totals) and interpolated
 *   between them. `shortfall(step, s)` is the `shortfall` term where the backtest reached most of the
 *   horizon (s up to 1/4), the `farShortfall` term where it reached little of it (s from 3/4), and a
 *   blend of the two between: one term for both left the series that reached little of the horizon
 *   under-covered in its first third and over-covered in its last, and those that reached most of it
 *   the other way round (5-fold cross-validation over the development seeds,
 *   `bench/forecast/fit-calibration.mjs`). `reached` corrects for choosing the model and measuring its errors on the same few
 *   origins, and for long-horizon errors measured on fewer paths from shorter training; `shortfall`
 *   for a backtest that could not reach the horizon: its origins are few and close together (their
 *   errors agree more than the future's will) and the growth past them is extrapolated with an
 *   exponent that is itself uncertain. Each third has its own terms because one straight line over
 *   the horizon left the middle third under-covered while the first was over-covered; the 95% level
 *   has its own `shortfall` terms because the tails of short histories are heavier than their 80%
 *   bands suggest.
 */
export interface IntervalCalibration {
  growth: {
    daily: {min: number; max: number; fallback: number}
    total: {min: number; max: number; fallback: number}
  }
  daily: {at80: WidthTerms; at95: WidthTerms}
  total: {at80: WidthTerms; at95: WidthTerms}
}
/** Width-factor terms at the three knots of a kind of band (see IntervalCalibration). */
export interface WidthTerms {
  reached: Knots
  /** Where the backtest fell short of the horizon by up to a quarter of it. */
  shortfall: Knots
  /** Where the backtest fell short by three quarters of the horizon or more. */
  farShortfall: Knots
}
export type Knots = readonly [number, number, number]
/** Steps (days ahead, from 0) of the knots: the middle of each third for a day, the end of each third for a total. */
export const KNOT_STEPS: Record<'daily' | 'total', Knots> = {daily: [14.5, 44.5, 74.5], total: [29, 59, 89]}
export const DEFAULT_CALIBRATION: IntervalCalibration = {
  growth: {
    daily: {min: 0.5, max: 1, fallback: 0.6},
    total: {min: 1.35, max: 2, fallback: 1.45},
  },
  daily: {
    at80: {reached: [1.066, 1.195, 1.346], shortfall: [0.051, 2.202, 2.214], farShortfall: [1.443, 1.878, 1.024]},
    at95: {reached: [1.365, 1.694, 1.778], shortfall: [0.236, 0.571, 2.892], farShortfall: [3.483, 4.392, 1.928]},
  },
  total: {
    at80: {reached: [1.429, 1.519, 1.915], shortfall: [0, 0, 0.515], farShortfall: [1.582, 1.601, 0.828]},
    at95: {reached: [1.466, 2.1, 2.325], shortfall: [0, 0.945, 0.816], farShortfall: [3.295, 1.307, 0.65]},
  },
}

/**
 * A term at one step from its three knots: straight lines between them, flat before the first, and past
 * the last along the last segment when it rises (a horizon longer than a quarter keeps widening).
 */
export function atStep(knots: Knots, steps: Knots, step: number): number {
  if (step <= steps[0]) return knots[0]
  for (let i = 1; i < 3; i++)
    if (step <= steps[i]!)
      return knots[i - 1]! + ((knots[i]! - knots[i - 1]!) * (step - steps[i - 1]!)) / (steps[i]! - steps[i - 1]!)
  const slope = Math.max(0, (knots[2] - knots[1]) / (steps[2] - steps[1]))
  return knots[2] + slope * (step - steps[2])
}

/**
 * The width factor of one kind of band at one level and step; `reach` is the last step the backtest
 * measured (-1 for none) and `horizon` the number of steps asked.
 */
export function widthFactor(
  calibration: IntervalCalibration,
  kind: 'daily' | 'total',
  level: number,
  step: number,
  reach: number,
  horizon: number,
): number {
  const {at80, at95} = calibration[kind]
  const t = (level - 80) / 15
  const term = (part: keyof WidthTerms): number => {
    const a = atStep(at80[part], KNOT_STEPS[kind], step)
    return a + (atStep(at95[part], KNOT_STEPS[kind], step) - a) * t
  }
  const shortfall = Math.max(0, horizon - (reach + 1)) / horizon
  if (shortfall === 0) return Math.max(0.5, term('reached'))
  const far = Math.min(1, Math.max(0, (shortfall - 0.25) / 0.5))
  const perUnreached = (1 - far) * term('shortfall') + far * term('farShortfall')
  return Math.max(0.5, term('reached')) * (1 + Math.max(0, perUnreached) * shortfall)
}

/** The calibration with every `reached` term multiplied by `k` (a poor fit's wider intervals). */
export function widenCalibration(calibration: IntervalCalibration, k: number): IntervalCalibration {
  const wider = (w: WidthTerms): WidthTerms => ({...w, reached: w.reached.map((v) => v * k) as unknown as Knots})
  return {
    growth: calibration.growth,
    daily: {at80: wider(calibration.daily.at80), at95: wider(calibration.daily.at95)},
    total: {at80: wider(calibration.total.at80), at95: wider(calibration.total.at95)},
  }
}

/**
 * Prediction bands for every step up to `horizon` from the backtest errors of one model. Where the
 * backtest has enough errors at a step (pooled with its neighbours), the daily band is their
 * empirical quantiles (no normality: skewed errors give skewed bands); the running total's spread is
 * measured on whole paths and its centre is the sum of the daily medians. Past the steps the history
 * can check, both spreads grow along the power of the horizon fitted on the steps it could check,
 * so the intervals keep widening to the last day asked.
 */
export function errorBands(
  runs: readonly OriginRun[],
  level: number,
  horizon: number,
  calibration: IntervalCalibration = DEFAULT_CALIBRATION,
  skip?: number,
): ErrorBands {
  const used = runs.filter((_, i) => i !== skip)
  const rel = used.map((r) => r.actual.map((a, h) => (a - r.forecast[h]!) / r.level))
  const pLo = (1 - level / 100) / 2
  const pHi = 1 - pLo
  const z = probit(pHi)
  const minPaths = Math.max(MIN_PATHS, Math.ceil(used.length / 3))

  // Daily bands where the backtest reaches, pooled over a window that widens with the step.
  const measured: (Band | undefined)[] = []
  for (let h = 0; h < horizon; h++) {
    const w = Math.max(3, Math.round(0.1 * h))
    const values: number[] = []
    for (const row of rel)
      for (let k = Math.max(0, h - w); k <= Math.min(row.length - 1, h + w); k++) values.push(row[k]!)
    measured.push(
      values.length >= MIN_DAILY_ERRORS
        ? {lo: quantile(values, pLo), mid: quantile(values, 0.5), hi: quantile(values, pHi)}
        : undefined,
    )
  }
  const reach = lastIndex(measured)
  const daily: Band[] = []
  if (reach < 0) {
    // Too few errors anywhere (a very short history): a flat band from all of them.
    const all = rel.flat()
    const band = all.length > 0 ? {lo: quantile(all, pLo), mid: 0, hi: quantile(all, pHi)} : {lo: -0.5, mid: 0, hi: 0.5}
    for (let h = 0; h < horizon; h++) daily.push(widen(band, widthFactor(calibration, 'daily', level, h, -1, horizon)))
  } else {
    const steps = nearestDefined(measured.slice(0, reach + 1))
    const gamma = growth(
      steps.map((b) => b.hi - b.lo),
      calibration.growth.daily,
    )
    for (let h = 0; h < horizon; h++) {
      if (h <= reach) {
        daily.push(widen(steps[h]!, widthFactor(calibration, 'daily', level, h, reach, horizon)))
        continue
      }
      const last = steps[reach]!
      const g = ((h + 1) / (reach + 1)) ** gamma
      // The bias measured at the last step reached is carried on, not extrapolated: its drift is too noisy.
      const mid = last.mid
      daily.push(
        widen(
          {lo: mid + (last.lo - last.mid) * g, mid, hi: mid + (last.hi - last.mid) * g},
          widthFactor(calibration, 'daily', level, h, reach, horizon),
        ),
      )
    }
  }

  // The running total: its centre is the sum of the daily medians; its spread is measured on whole paths.
  const spreads: (number | undefined)[] = []
  for (let h = 0; h < horizon; h++) {
    const totals = rel.filter((row) => row.length > h).map((row) => row.slice(0, h + 1).reduce((a, b) => a + b, 0))
    if (totals.length < minPaths) {
      spreads.push(undefined)
      continue
    }
    const mid = quantile(totals, 0.5)
    spreads.push(Math.sqrt(totals.reduce((a, t) => a + (t - mid) ** 2, 0) / totals.length))
  }
  const reachTotal = lastIndex(spreads)
  const cumulative: Band[] = []
  let centre = 0
  if (reachTotal < 0) {
    // No whole paths: the daily bands' errors taken as fully persistent (each day's error adds to the total).
    let lo = 0
    let hi = 0
    for (let h = 0; h < horizon; h++) {
      centre += daily[h]!.mid
      lo += daily[h]!.lo - daily[h]!.mid
      hi += daily[h]!.hi - daily[h]!.mid
      cumulative.push({lo: centre + lo, mid: centre, hi: centre + hi})
    }
    return {daily, cumulative, reach: {daily: reach, total: reachTotal}}
  }
  // A running total's error never shrinks with the horizon: fewer, luckier paths must not narrow it.
  let widest = 0
  const measuredSpreads = nearestDefined(spreads.slice(0, reachTotal + 1)).map((s) => (widest = Math.max(widest, s)))
  const gamma = growth(
    measuredSpreads.slice(Math.floor(reachTotal / 2)),
    calibration.growth.total,
    Math.floor(reachTotal / 2),
  )
  for (let h = 0; h < horizon; h++) {
    centre += daily[h]!.mid
    const s =
      h <= reachTotal ? measuredSpreads[h]! : measuredSpreads[reachTotal]! * ((h + 1) / (reachTotal + 1)) ** gamma
    const width = z * s * widthFactor(calibration, 'total', level, h, reachTotal, horizon)
    cumulative.push({lo: centre - width, mid: centre, hi: centre + width})
  }
  return {daily, cumulative, reach: {daily: reach, total: reachTotal}}
}

/** Fills the gaps of a partly measured sequence with the nearest measured value (at least one is). */
function nearestDefined<T>(xs: readonly (T | undefined)[]): T[] {
  return xs.map((x, i) => {
    if (x !== undefined) return x
    for (let d = 1; ; d++) {
      if (i - d >= 0 && xs[i - d] !== undefined) return xs[i - d]!
      if (i + d < xs.length && xs[i + d] !== undefined) return xs[i + d]!
    }
  })
}

function widen(b: Band, k: number): Band {
  return {lo: b.mid + (b.lo - b.mid) * k, mid: b.mid, hi: b.mid + (b.hi - b.mid) * k}
}

function lastIndex<T>(xs: readonly (T | undefined)[]): number {
  for (let i = xs.length - 1; i >= 0; i--) if (xs[i] !== undefined) return i
  return -1
}

/** Least-squares slope of log(width) on log(step + 1): how the error grows with the horizon. */
function growth(widths: readonly number[], bounds: {min: number; max: number; fallback: number}, offset = 0): number {
  const points = widths.flatMap((w, i) => (w > 0 ? [[Math.log(i + offset + 1), Math.log(w)] as const] : []))
  if (points.length < 4) return bounds.fallback
  const mx = points.reduce((a, p) => a + p[0], 0) / points.length
  const my = points.reduce((a, p) => a + p[1], 0) / points.length
  let num = 0
  let den = 0
  for (const [x, y] of points) {
    num += (x - mx) * (y - my)
    den += (x - mx) ** 2
  }
  if (!(den > 0)) return bounds.fallback
  return Math.min(bounds.max, Math.max(bounds.min, num / den))
}

/** Share of backtest days inside intervals built from the other origins (leave one origin out). */
export function backtestCoverage(
  runs: readonly OriginRun[],
  level: number,
  calibration?: IntervalCalibration,
): number | null {
  if (runs.length < 2) return null
  const horizon = Math.max(...runs.map((r) => r.actual.length))
  let inside = 0
  let total = 0
  runs.forEach((run, i) => {
    const bands = errorBands(runs, level, horizon, calibration, i)
    run.actual.forEach((a, h) => {
      const b = bands.daily[h]!
      const e = (a - run.forecast[h]!) / run.level
      if (e >= Math.min(b.lo, 0) && e <= Math.max(b.hi, 0)) inside++
      total++
    })
  })
  return total > 0 ? inside / total : null
}
