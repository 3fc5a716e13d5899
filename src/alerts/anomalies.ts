import {medianSorted, probit} from 'simple-statistics'

import {addDays, dayToDate} from '../dates.js'

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
const round2 = (n: number): number => Math.round(n * 100) / 100

/**
 * Flags days whose spend falls outside the series' expected interval. The model is a robust weekly one:
 * the level is the median of the previous 7 days, plus the weekday's median offset from that level; the
 * interval comes from the spread (median absolute deviation) of the model's own one-day-ahead errors
 * over the training window, so a noisy series gets a wide band and a steady one a narrow band, rather
 * than one fixed percentage for all. Medians keep past spikes and level shifts from inflating it. Pure.
 */
export function detectAnomalies(series: readonly AnomalySeries[], settings: AnomalySettings): Anomaly[] {
  const found: Anomaly[] = []
  const z = probit(0.5 + settings.level / 200)
  for (const s of series) {
    const byDay = new Map(s.points.map((p) => [p.day, p.cost]))
    const first = s.points.reduce<string | undefined>((min, p) => (min === undefined || p.day < min ? p.day : min), undefined)
    if (!first) continue
    for (let back = settings.lookbackDays - 1; back >= 0; back--) {
      const day = addDays(settings.through, -back)
      const judged = judgeDay(byDay, first, day, settings, z)
      if (judged) found.push({keys: s.keys, currency: s.currency, ...judged})
    }
  }
  return found.sort((a, b) => Math.abs(b.impact) - Math.abs(a.impact))
}

type Judged = Omit<Anomaly, 'keys' | 'currency'>

function judgeDay(byDay: Map<string, number>, first: string, day: string, settings: AnomalySettings, z: number): Judged | undefined {
  const trainStart = maxDay(first, addDays(day, -settings.trainingDays))
  const history: number[] = []
  for (let d = trainStart; d < day; d = addDays(d, 1)) history.push(byDay.get(d) ?? 0)
  if (history.length < Math.max(settings.minHistoryDays, 2 * WEEK + WEEK)) return undefined

  const weekdayOf = (index: number): number => (dayToDate(trainStart).getUTCDay() + index) % WEEK
  // level[i]: median of the 7 days before day i (defined from i = 7).
  const level = (i: number): number => median(history.slice(i - WEEK, i))
  const offsets: number[][] = Array.from({length: WEEK}, () => [])
  for (let i = WEEK; i < history.length; i++) offsets[weekdayOf(i)]!.push(history[i]! - level(i))
  const offset = offsets.map((o) => (o.length > 0 ? median(o) : 0))

  // One-day-ahead errors over the training window (weekday offsets are in-sample, which only narrows
  // the band slightly; the MAD's robustness matters more than that).
  const errors: number[] = []
  for (let i = WEEK; i < history.length; i++) errors.push(history[i]! - (level(i) + offset[weekdayOf(i)]!))
  const bias = median(errors)
  const mad = median(errors.map((e) => Math.abs(e - bias)))
  const currentLevel = level(history.length)
  // A floor on the spread: a perfectly flat series would otherwise flag a one-cent change.
  const sigma = Math.max(1.4826 * mad, 0.02 * Math.abs(currentLevel), 0.01)

  const expected = Math.max(0, currentLevel + offset[weekdayOf(history.length)]! + bias)
  const lower = Math.max(0, expected - z * sigma)
  const upper = expected + z * sigma
  const actual = byDay.get(day) ?? 0
  const direction = actual > upper ? 'spike' : actual < lower ? 'drop' : undefined
  if (!direction || Math.abs(actual - expected) < settings.minImpact) return undefined
  return {
    day,
    direction,
    actual: round2(actual),
    expected: round2(expected),
    lower: round2(lower),
    upper: round2(upper),
    level: settings.level,
    impact: round2(actual - expected),
    beyondInterval: round2(direction === 'spike' ? actual - upper : lower - actual),
  }
}

const maxDay = (a: string, b: string): string => (a > b ? a : b)

function median(values: readonly number[]): number {
  if (values.length === 0) return 0
  return medianSorted([...values].sort((a, b) => a - b))
}
