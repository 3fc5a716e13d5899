import {probit} from 'simple-statistics'

import {mad, median} from '../stats.js'

/**
 * A young series (a service launched days or weeks ago) has too little history for a backtest and
 * no comparable window in the others. It is forecast from its own trajectory: a ramp that
 * approaches a plateau, v(t) = P * (1 - exp(-(t + 1) / tau)), with tau chosen by least squares from a
 * grid and the path anchored on the recent level. The interval spans every tau that fits nearly as
 * well (from "already at its plateau" to the slowest plausible ramp) plus the day-to-day noise, so
 * it is wide while the ramp is unsettled and narrows as the series ages.
 */

const TAUS = [0.5, 1, 2, 3, 5, 7, 10, 14, 21, 30, 45, 60, 90]
/** The plateau is at most this multiple of the recent level: a few noisy days must not explode it. */
const MAX_GROWTH = 3
/** Fits within this SSE ratio of the best are plausible paths. */
const PLAUSIBLE_SSE = 1.5
const RECENT_DAYS = 7

export interface RampPath {
  mean: number[]
  lower: number[]
  upper: number[]
  /** The running total's interval: the plateau uncertainty is one shared error, so paths are summed, not days. */
  cumulative: {mean: number; lower: number; upper: number}[]
  total: {mean: number; lower: number; upper: number}
}

const shape = (t: number, tau: number): number => 1 - Math.exp(-(t + 1) / tau)

/** Ramp-to-plateau forecast of a non-negative series since its first day, with intervals at `level` percent. */
export function forecastRamp(values: readonly number[], horizon: number, level: number): RampPath {
  const z = probit(0.5 + level / 200)
  const n = values.length
  const recent = values.slice(-Math.min(RECENT_DAYS, n))
  const current = Math.max(0, median(recent))
  const fits = TAUS.map((tau) => {
    let num = 0
    let den = 0
    values.forEach((v, t) => {
      const f = shape(t, tau)
      num += v * f
      den += f * f
    })
    const p = den > 0 ? num / den : 0
    const sse = values.reduce((a, v, t) => a + (v - p * shape(t, tau)) ** 2, 0)
    return {tau, sse}
  })
  const best = Math.min(...fits.map((f) => f.sse))
  const plausible = fits.filter((f) => f.sse <= best * PLAUSIBLE_SSE + 1e-12).map((f) => f.tau)
  const bestTau = fits.find((f) => f.sse === best)!.tau
  // Anchored on the recent level (taken at the middle of the recent days) so the path starts where the series is.
  const anchor = n - 1 - (recent.length - 1) / 2
  const path = (tau: number): number[] => {
    const at = Math.max(shape(anchor, tau), 1 / MAX_GROWTH)
    return Array.from({length: horizon}, (_, h) => current * Math.min(shape(n + h, tau) / at, MAX_GROWTH))
  }
  const paths = [...new Set([...plausible, TAUS[0]!])].map(path)
  const mean = path(bestTau)
  const low = mean.map((_, h) => Math.min(...paths.map((p) => p[h]!)))
  const high = mean.map((_, h) => Math.max(...paths.map((p) => p[h]!)))
  // Day-to-day noise relative to the recent level; with a handful of days assume at least 20%.
  const rel = current > 0 ? mad(values.slice(-14).map((v) => v / current)) : 0
  const noise = Math.max(rel, n < 14 ? 0.2 : 0.1)
  const lower = low.map((v) => Math.max(0, v * (1 - z * noise)))
  const upper = high.map((v) => v * (1 + z * noise))
  const cumulative: RampPath['cumulative'] = []
  let m = 0
  let lo = 0
  let hi = 0
  mean.forEach((v, h) => {
    m += v
    lo += low[h]!
    hi += high[h]!
    const dayNoise = (z * noise * m) / Math.sqrt(h + 1)
    cumulative.push({mean: m, lower: Math.max(0, Math.min(m, lo - dayNoise)), upper: Math.max(m, hi + dayNoise)})
  })
  return {mean, lower, upper, cumulative, total: cumulative.at(-1) ?? {mean: 0, lower: 0, upper: 0}}
}
