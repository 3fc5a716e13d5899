import {medianSorted, probit, quantileSorted} from 'simple-statistics'

import {addDays, dayToDate} from '../dates.js'
import {roundMoney} from '../money.js'

/** One watched series: a combination of report keys (account + service by default) in one currency. */
export interface AnomalySeries {
  keys: string[]
  currency: string
  /** Daily cost; missing days count as zero spend. */
  points: {day: string; cost: number}[]
}

/** Settings of detectAnomalies, with the defaults of `alerts.anomalies` in finops.yaml. */
export interface AnomalySettings {
  /** Width of the expected interval in percent (99: a normal day falls outside about 1 day in 100). */
  level: number
  /** Days of history before the judged day that the model is fitted on. */
  trainingDays: number
  /** Fewer days of history than this and the series is not judged. */
  minHistoryDays: number
  /** The judged days: the last `lookbackDays` up to `through`. */
  lookbackDays: number
  /** The last day to judge (the last day with data). */
  through: string
  /** Deviations smaller than this (in money) are not reported, however unlikely. */
  minImpact: number
  /** Report a level shift on its first day only (default true); false reports every day outside the interval. */
  shiftsOnce?: boolean
}

export interface Anomaly {
  keys: string[]
  currency: string
  day: string
  direction: 'spike' | 'drop'
  actual: number
  expected: number
  lower: number
  upper: number
  level: number
  /** actual - expected: the anomaly's size in money (negative for a drop). */
  impact: number
  /** How far outside the interval: actual - upper for a spike, lower - actual for a drop. */
  beyondInterval: number
}

const WEEK = 7
/** A series with at least this share of zero-spend days in its training window is intermittent. */
const INTERMITTENT_ZERO_SHARE = 0.25

/**
 * Flags days whose spend falls outside the series' expected interval. The model is a robust weekly one:
 * the level is the median of the previous 7 days, times the weekday's median ratio to that level; the
 * interval comes from the spread (outlier-clipped standard deviation) of the model's own one-day-ahead errors
 * over the training window, so a noisy series gets a wide band and a steady one a narrow band, rather
 * than one fixed percentage for all. Medians keep past spikes and level shifts from inflating it. Pure.
 */
export function detectAnomalies(series: readonly AnomalySeries[], settings: AnomalySettings): Anomaly[] {
  const found: Anomaly[] = []
  const z = probit(0.5 + settings.level / 200)
  for (const s of series) {
    const byDay = new Map(s.points.map((p) => [p.day, p.cost]))
    const first = s.points.reduce<string | undefined>(
      (min, p) => (min === undefined || p.day < min ? p.day : min),
      undefined,
    )
    if (!first) continue
    for (let back = settings.lookbackDays - 1; back >= 0; back--) {
      const day = addDays(settings.through, -back)
      const judged = judgeDay(byDay, first, day, settings, z)
      if (!judged) continue
      let continued = false
      for (let k = 1; k <= WEEK && !continued && settings.shiftsOnce !== false; k++)
        continued = continuesShift(judged, judgeDay(byDay, first, addDays(day, -k), settings, z))
      if (!continued) found.push({keys: s.keys, currency: s.currency, ...judged})
    }
  }
  return found.sort((a, b) => Math.abs(b.impact) - Math.abs(a.impact))
}

type Judged = Omit<Anomaly, 'keys' | 'currency'>

function judgeDay(
  byDay: Map<string, number>,
  first: string,
  day: string,
  settings: AnomalySettings,
  z: number,
): Judged | undefined {
  const trainStart = maxDay(first, addDays(day, -settings.trainingDays))
  const history: number[] = []
  for (let d = trainStart; d < day; d = addDays(d, 1)) history.push(byDay.get(d) ?? 0)
  if (history.length < Math.max(settings.minHistoryDays, 2 * WEEK + WEEK)) return undefined

  const weekdayOf = (index: number): number => (dayToDate(trainStart).getUTCDay() + index) % WEEK
  // Spend scales: weekday effects and noise are proportional to the level, so both are fitted as
  // ratios to it. The floor keeps sparse series (many zero days) from dividing by zero.
  const floor = Math.max(0.1 * mean(history.map(Math.abs)), 0.01)
  const level = (i: number): number => Math.max(median(history.slice(i - WEEK, i)), floor)
  const ratios: number[][] = Array.from({length: WEEK}, () => [])
  for (let i = WEEK; i < history.length; i++) ratios[weekdayOf(i)]!.push(history[i]! / level(i))
  const factor = ratios.map((r) => (r.length > 0 ? median(r) : 1))

  // One-day-ahead errors relative to the prediction (noise grows with the day's expected spend, so a
  // weekend and a weekday share one relative spread). Each error uses its weekday factor fitted
  // without that day: in-sample medians of ~8 values would shrink the errors and the band with them.
  const predict = (i: number, weekdayFactor: number): number => Math.max(level(i) * weekdayFactor, floor)
  const errors: number[] = []
  for (let i = WEEK; i < history.length; i++) {
    const own = ratios[weekdayOf(i)]!
    const others = own.filter((_, k) => k !== Math.floor((i - WEEK) / WEEK) || own.length === 1)
    const p = predict(i, median(others))
    errors.push((history[i]! - p) / p)
  }
  const bias = median(errors)
  // Spread: the errors' standard deviation with outliers (past anomalies) clipped at 3 robust sigmas.
  // More efficient than the MAD alone; the interval then widens for the few errors it is estimated from
  // (a Student-t quantile), otherwise a short history gives too many false alarms.
  const robust = 1.4826 * median(errors.map((e) => Math.abs(e - bias)))
  // An intermittent series (spend on some days, zero on most) has a zero MAD: clipping at it would drop
  // every spending day from the spread and flag each one of them. Then the errors are used unclipped.
  const clipped = errors.map((e) => (robust > 0 ? Math.min(Math.abs(e - bias), 3 * robust) : Math.abs(e - bias)))
  const spread = Math.max(Math.sqrt(clipped.reduce((a, c) => a + c * c, 0) / clipped.length), 0.02)
  const zt = studentT(z, errors.length - 1)
  const base = predict(history.length, factor[weekdayOf(history.length)]!)
  const expected = Math.max(0, base * (1 + bias))
  const sigma = Math.max(spread * base, 0.01)
  let lower = Math.max(0, expected - zt * sigma)
  let upper = expected + zt * sigma
  // Intermittent spend (a batch job or transfer on some days only): a weekly model of it is poor, so the
  // day is also judged against the series' own spread of days. A zero day is normal, and a spending day
  // is a spike only above what the series spends on its level-quantile day.
  if (history.filter((v) => v === 0).length >= INTERMITTENT_ZERO_SHARE * history.length) {
    lower = 0
    upper = Math.max(
      upper,
      quantileSorted(
        [...history].sort((a, b) => a - b),
        settings.level / 100,
      ),
    )
  }
  const actual = byDay.get(day) ?? 0
  const direction = actual > upper ? 'spike' : actual < lower ? 'drop' : undefined
  if (!direction || Math.abs(actual - expected) < settings.minImpact) return undefined
  return {
    day,
    direction,
    actual: roundMoney(actual),
    expected: roundMoney(expected),
    lower: roundMoney(lower),
    upper: roundMoney(upper),
    level: settings.level,
    impact: roundMoney(actual - expected),
    beyondInterval: roundMoney(direction === 'spike' ? actual - upper : lower - actual),
  }
}

/**
 * A level shift (a new service, one switched off, a step up) stays outside the interval for days,
 * until the model's 7-day level catches up: it is reported on its first day only. A day is a new
 * alert again when it moves on from each clearly anomalous day of the week before by at least half
 * that day's size (a runaway cost that keeps growing keeps alerting).
 */
function continuesShift(day: Judged, previous: Judged | undefined): boolean {
  // Only a clear shift (far outside its band, not a day just over the edge) covers the days after it.
  return (
    previous !== undefined &&
    previous.direction === day.direction &&
    previous.beyondInterval >= (previous.upper - previous.lower) / 2 &&
    Math.abs(day.actual - previous.actual) < 0.5 * Math.abs(previous.impact)
  )
}

/** Student-t quantile from the normal one (Cornish-Fisher expansion; accurate to ~1% for df >= 10). */
function studentT(z: number, df: number): number {
  const z3 = z ** 3
  return z + (z3 + z) / (4 * df) + (5 * z ** 5 + 16 * z3 + 3 * z) / (96 * df * df)
}

const maxDay = (a: string, b: string): string => (a > b ? a : b)

function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, v) => a + v, 0) / values.length
}

function median(values: readonly number[]): number {
  if (values.length === 0) return 0
  return medianSorted([...values].sort((a, b) => a - b))
}
