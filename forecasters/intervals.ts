import type {OriginRun} from './backtest.js'
import {quantile} from './stats.js'

/** Lower and upper error quantiles per horizon step, relative to the series level at the origin. */
export interface Band {
  lo: number
  mid: number
  hi: number
}

export interface ErrorBands {
  daily: Band[]
  cumulative: Band[]
}

const DAILY_POOL = 3
const CUMULATIVE_POOL = 1

/**
 * Empirical prediction bands from the backtest errors of one model: for each horizon step, the
 * (1-level)/2 and (1+level)/2 quantiles of the errors at that step and its neighbours, and the same
 * for the running total. No normality assumption: skewed errors give skewed intervals.
 */
export function errorBands(runs: readonly OriginRun[], level: number, skip?: number): ErrorBands {
  const used = runs.filter((_, i) => i !== skip)
  const horizon = used[0]?.actual.length ?? 0
  const rel = used.map((r) => r.actual.map((a, h) => (a - r.forecast[h]!) / r.level))
  const cum = rel.map((row) => {
    let s = 0
    return row.map((e) => (s += e))
  })
  const pLo = (1 - level / 100) / 2
  const pHi = 1 - pLo
  const band = (rows: number[][], pool: number, h: number): Band => {
    const values: number[] = []
    for (const row of rows)
      for (let k = Math.max(0, h - pool); k <= Math.min(horizon - 1, h + pool); k++) values.push(row[k]!)
    return {lo: quantile(values, pLo), mid: quantile(values, 0.5), hi: quantile(values, pHi)}
  }
  return {
    daily: Array.from({length: horizon}, (_, h) => band(rel, DAILY_POOL, h)),
    cumulative: Array.from({length: horizon}, (_, h) => band(cum, CUMULATIVE_POOL, h)),
  }
}

/** The band for step h, extended past the backtest horizon (daily: flat; running total: linear growth). */
export function bandAt(bands: ErrorBands, h: number, kind: 'daily' | 'cumulative'): Band {
  const rows = bands[kind]
  if (rows.length === 0) return {lo: 0, mid: 0, hi: 0}
  if (h < rows.length) return rows[h]!
  const last = rows.at(-1)!
  if (kind === 'daily') return last
  const grow = (h + 1) / rows.length
  return {lo: last.lo * grow, mid: last.mid * grow, hi: last.hi * grow}
}

/** Share of backtest days inside intervals built from the other origins (leave one origin out). */
export function backtestCoverage(runs: readonly OriginRun[], level: number): number | null {
  if (runs.length < 2) return null
  let inside = 0
  let total = 0
  runs.forEach((run, i) => {
    const bands = errorBands(runs, level, i)
    run.actual.forEach((a, h) => {
      const b = bands.daily[h]!
      const e = (a - run.forecast[h]!) / run.level
      if (e >= Math.min(b.lo, 0) && e <= Math.max(b.hi, 0)) inside++
      total++
    })
  })
  return total > 0 ? inside / total : null
}
