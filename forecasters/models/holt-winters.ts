import {mean} from '../stats.js'
import {type PointModel, WEEK} from './types.js'

/** Smoothing parameters of one Holt-Winters run (beta is the trend's own smoothing, Hyndman's beta*). */
interface HwParams {
  alpha: number
  beta: number
  gamma: number
  phi: number
}

interface HwState {
  level: number
  trend: number
  season: number[]
  sse: number
}

const ALPHAS = [0.05, 0.1, 0.2, 0.35, 0.5, 0.7]
const BETAS = [0.01, 0.05, 0.15]
const GAMMAS = [0.02, 0.1, 0.25]
const PHIS_DAMPED = [0.8, 0.9, 0.96]

/** Runs the recursions once; SSE of one-step errors after the first week scores the parameters. */
function run(y: readonly number[], p: HwParams, multiplicative: boolean): HwState | undefined {
  const first = mean(y.slice(0, WEEK))
  const second = mean(y.slice(WEEK, 2 * WEEK))
  if (multiplicative && (first <= 0 || y.some((v) => v <= 0))) return undefined
  let level = first
  let trend = (second - first) / WEEK
  const season = y.slice(0, WEEK).map((v) => (multiplicative ? v / first : v - first))
  let sse = 0
  for (let t = 0; t < y.length; t++) {
    const s = season[t % WEEK]!
    const base = level + p.phi * trend
    const fitted = multiplicative ? base * s : base + s
    const err = y[t]! - fitted
    if (t >= WEEK) sse += err * err
    const newLevel = p.alpha * (multiplicative ? y[t]! / s : y[t]! - s) + (1 - p.alpha) * base
    trend = p.beta * (newLevel - level) + (1 - p.beta) * p.phi * trend
    level = newLevel
    if (multiplicative && level <= 0) return undefined
    season[t % WEEK] = p.gamma * (multiplicative ? y[t]! / level : y[t]! - level) + (1 - p.gamma) * s
  }
  return {level, trend, season, sse}
}

function project(state: HwState, n: number, horizon: number, phi: number, multiplicative: boolean): number[] {
  const out: number[] = []
  let damp = 0
  for (let h = 1; h <= horizon; h++) {
    damp += phi ** h
    const base = state.level + damp * state.trend
    const s = state.season[(n + h - 1) % WEEK]!
    out.push(multiplicative ? base * s : base + s)
  }
  return out
}

/** Grid search over the smoothing parameters (deterministic, no optimiser randomness). */
function fitAndForecast(
  y: readonly number[],
  horizon: number,
  options: {multiplicative: boolean; damped: boolean},
): number[] | undefined {
  if (y.length < 2 * WEEK) return undefined
  let best: {state: HwState; phi: number} | undefined
  for (const alpha of ALPHAS)
    for (const beta of BETAS)
      for (const gamma of GAMMAS) {
        for (const phi of options.damped ? PHIS_DAMPED : [1]) {
          const state = run(y, {alpha, beta: beta * alpha, gamma: gamma * (1 - alpha), phi}, options.multiplicative)
          if (state && Number.isFinite(state.sse) && (!best || state.sse < best.state.sse)) best = {state, phi}
        }
      }
  return best && project(best.state, y.length, horizon, best.phi, options.multiplicative)
}

function fallback(y: readonly number[], horizon: number): number[] {
  const last = y.slice(-WEEK)
  return Array.from({length: horizon}, (_, h) => last[h % last.length] ?? 0)
}

export const holtWintersAdditive: PointModel = {
  description: 'Holt-Winters with additive trend and additive weekly season',
  forecast: (y, horizon) => fitAndForecast(y, horizon, {multiplicative: false, damped: false}) ?? fallback(y, horizon),
}

export const holtWintersMultiplicative: PointModel = {
  description: 'Holt-Winters with damped trend and multiplicative weekly season (positive series only)',
  forecast: (y, horizon) =>
    fitAndForecast(y, horizon, {multiplicative: true, damped: true}) ??
    fitAndForecast(y, horizon, {multiplicative: false, damped: true}) ??
    fallback(y, horizon),
}

export const dampedTrend: PointModel = {
  description: 'exponential smoothing with damped additive trend and additive weekly season',
  forecast: (y, horizon) => fitAndForecast(y, horizon, {multiplicative: false, damped: true}) ?? fallback(y, horizon),
}
