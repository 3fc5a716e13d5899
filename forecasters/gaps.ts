import {eachDay} from '../src/dates.js'
import {median} from './stats.js'
import type {ForecastSkip, ForecastWarning, HistoryPoint} from './types.js'

/**
 * Missing days (no billing data at all) are not zero cost. A few missing days, say an export that
 * skipped a day, are filled from the same weekday around them so the forecast goes on; a long gap
 * cuts the history, which then starts after it. Only when what is left is too short, or most of it
 * would be invented, is there no forecast.
 */

/** Longest run of missing days that is filled rather than cutting the history. */
export const MAX_FILLED_RUN = 7
/** Most of the (kept) history that may be filled in. */
export const MAX_FILLED_SHARE = 0.1

export interface GapPlan {
  /** Index of the first kept day (after the last run longer than MAX_FILLED_RUN). */
  start: number
  /** Indices (into the full series) of missing days inside the kept history, to be filled. */
  filled: number[]
  /** The last long gap that cut the history, if any. */
  cut?: {from: string; to: string; days: number}
  /** When set, the history cannot be forecast: why. */
  unusable?: string
}

/** Decides which history to keep and which days to fill, from the days that have data. */
export function planGaps(days: readonly string[], present: (i: number) => boolean): GapPlan {
  let start = 0
  let cut: GapPlan['cut']
  for (let i = 0; i < days.length;) {
    if (present(i)) {
      i++
      continue
    }
    let end = i
    while (end + 1 < days.length && !present(end + 1)) end++
    if (end - i + 1 > MAX_FILLED_RUN) {
      start = end + 1
      cut = {from: days[i]!, to: days[end]!, days: end - i + 1}
    }
    i = end + 1
  }
  const filled: number[] = []
  for (let i = start; i < days.length; i++) if (!present(i)) filled.push(i)
  const kept = days.length - start
  if (kept > 0 && filled.length > MAX_FILLED_SHARE * kept) {
    return {
      start,
      filled,
      cut,
      unusable:
        `${filled.length} of ${kept} days ` +
        `from ${days[start]} to ${days.at(-1)} have no data (first: ${days[filled[0]!]}); more than ${Math.round(100 * MAX_FILLED_SHARE)}% cannot be filled in`,
    }
  }
  return {start, filled, cut}
}

/**
 * Fills the given indices of a daily series: the median of the same weekday up to two weeks either
 * side that has data, else the mean of the nearest days with data. Pure; returns a new array.
 */
export function fillMissing(values: readonly number[], missing: readonly number[]): number[] {
  const out = [...values]
  const isMissing = new Set(missing)
  for (const t of missing) {
    const same: number[] = []
    for (const k of [-14, -7, 7, 14]) {
      const i = t + k
      if (i >= 0 && i < values.length && !isMissing.has(i)) same.push(values[i]!)
    }
    if (same.length > 0) {
      out[t] = median(same)
      continue
    }
    let before = t - 1
    while (before >= 0 && isMissing.has(before)) before--
    let after = t + 1
    while (after < values.length && isMissing.has(after)) after++
    const near = [before >= 0 ? values[before] : undefined, after < values.length ? values[after] : undefined].filter(
      (v): v is number => v !== undefined,
    )
    out[t] = near.length > 0 ? near.reduce((a, b) => a + b, 0) / near.length : 0
  }
  return out
}

export interface ContiguousHistory {
  /** One point per day from the first kept day to the last day. */
  history: HistoryPoint[]
  /** Days that had no data and were filled. */
  filled: string[]
  cut?: GapPlan['cut']
}

/**
 * Makes a dated history contiguous: days absent from it are missing data; a long run of them cuts
 * the history, short runs are filled. Points must be in date order, one per day at most.
 */
export function fillGaps(history: readonly HistoryPoint[]): ContiguousHistory | ForecastSkip {
  if (history.length === 0) return {history: [], filled: []}
  for (let i = 1; i < history.length; i++) {
    if (history[i]!.date <= history[i - 1]!.date)
      return {skipped: true, reason: `the history is not in date order at ${history[i]!.date}`}
  }
  const days = eachDay(history[0]!.date, history.at(-1)!.date)
  const byDay = new Map(history.map((p) => [p.date, p.value]))
  const plan = planGaps(days, (i) => byDay.has(days[i]!))
  if (plan.unusable) return {skipped: true, reason: plan.unusable}
  const kept = days.slice(plan.start)
  const values = fillMissing(
    kept.map((d) => byDay.get(d) ?? 0),
    plan.filled.map((i) => i - plan.start),
  )
  return {
    history: kept.map((date, i) => ({date, value: values[i]!})),
    filled: plan.filled.map((i) => days[i]!),
    cut: plan.cut,
  }
}

/** "2 days without data (first 2025-03-04) were filled from the same weekdays around them" */
export function describeGaps(g: Pick<ContiguousHistory, 'filled' | 'cut'>): ForecastWarning[] {
  const out: ForecastWarning[] = []
  if (g.cut)
    out.push({
      code: 'history-cut',
      message: `the history starts after ${g.cut.days} days without data (${g.cut.from} to ${g.cut.to}); older data is not used`,
    })
  if (g.filled.length > 0)
    out.push({
      code: 'filled-days',
      message:
        `${g.filled.length} day${g.filled.length === 1 ? '' : 's'} without data ` +
        `(first ${g.filled[0]}) filled from the same weekdays around ${g.filled.length === 1 ? 'it' : 'them'}`,
    })
  return out
}
