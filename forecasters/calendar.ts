import {monthEnd} from '../src/dates.js'
import {mad, median} from './stats.js'

/**
 * Calendar effects on a daily cost series: the last and first days of a month (batch jobs, reports)
 * and holidays (public holidays of a configurable calendar, and the year-end days from 24 December to
 * 1 January, when people-driven spend dips). Each effect is a factor on the day's ordinary value,
 * learnt from the history: every occurrence of the same holiday (last year's, or this one's when the
 * history ends inside it), of the same month position, or, for a holiday never seen, the holidays
 * that were. The history is divided by the factors before the models see it, so a holiday at the end
 * of the history is never taken for a new level, and the forecast is multiplied by them again.
 */

/** A holiday on the calendar: its date and a name that is the same every year. */
export interface Holiday {
  date: string
  name: string
}

export interface CalendarSettings {
  /** Public holidays (or any closure days) covering the history and the horizon. */
  holidays?: readonly Holiday[]
  /** The year-end days (24 December to 1 January) as holidays of their own (default true). */
  yearEnd?: boolean
}

const MONTH_POSITIONS = 3
/** A holiday nothing in the history says anything about may still dip this far: its lower bound does. */
export const UNKNOWN_HOLIDAY_LOW = 0.5

/** The calendar key of a day: a holiday's name, a year-end day, or a position at a month's edge. */
export function dayKey(date: string, holidays: ReadonlyMap<string, string>, yearEnd: boolean): string | undefined {
  const md = date.slice(5)
  if (yearEnd && (md >= '12-24' || md === '01-01')) return `year-end ${md}`
  const holiday = holidays.get(date)
  if (holiday) return `holiday ${holiday}`
  const dom = Number(date.slice(8))
  if (dom <= MONTH_POSITIONS) return `month-start ${dom}`
  const fromEnd = Number(monthEnd(date).slice(8)) - dom + 1
  if (fromEnd <= MONTH_POSITIONS) return `month-end ${fromEnd}`
  return undefined
}

const kind = (key: string): string => key.slice(0, key.indexOf(' '))

export interface CalendarEffects {
  /** The factor on a day's ordinary value (1: an ordinary day or nothing learnt). */
  factor(date: string): number
  /** A holiday whose effect could not be learnt: its interval reaches down to UNKNOWN_HOLIDAY_LOW. */
  uncertain(date: string): boolean
  /** Learnt factors by key, for the record. */
  learnt: ReadonlyMap<string, number>
}

/**
 * Learns calendar factors from a contiguous history (dates[i] holds y[i]). A day's ratio is its
 * value over the median of the same weekday one and two weeks either side (ordinary days only); a
 * key's factor is the median of its ratios, kept only when it stands out from the day-to-day noise.
 * Month positions need two months that agree; holidays are learnt from a single occurrence.
 */
export function learnCalendar(
  dates: readonly string[],
  y: readonly number[],
  settings: CalendarSettings = {},
): CalendarEffects {
  const holidays = new Map((settings.holidays ?? []).map((h) => [h.date, h.name]))
  const yearEnd = settings.yearEnd ?? true
  const keys = dates.map((d) => dayKey(d, holidays, yearEnd))
  const ratio = (t: number): number | undefined => {
    const around: number[] = []
    for (const k of [-14, -7, 7, 14]) {
      const i = t + k
      if (i >= 0 && i < y.length && keys[i] === undefined) around.push(y[i]!)
    }
    const expected = median(around)
    return around.length > 0 && expected > 0 && y[t]! >= 0 ? y[t]! / expected : undefined
  }
  const ordinary: number[] = []
  const byKey = new Map<string, number[]>()
  keys.forEach((key, t) => {
    const r = ratio(t)
    if (r === undefined) return
    if (key === undefined) {
      if (r > 0) ordinary.push(Math.log(r))
      return
    }
    const list = byKey.get(key)
    if (list) list.push(r)
    else byKey.set(key, [r])
  })
  const sigma = Math.max(mad(ordinary), 0.02)
  const stands = (rs: readonly number[]): boolean => {
    const f = median(rs)
    return f > 0 && Math.abs(Math.log(f)) > (2 * sigma) / Math.sqrt(rs.length)
  }
  const learnt = new Map<string, number>()
  for (const [key, rs] of byKey) {
    if (kind(key) === 'month-start' || kind(key) === 'month-end') {
      // Two months that agree in direction: one month's edge could be any spike.
      if (
        rs.length >= 2 &&
        stands(rs) &&
        rs.every((r) => Math.sign(Math.log(Math.max(r, 1e-9))) === Math.sign(Math.log(median(rs))))
      )
        learnt.set(key, median(rs))
    } else if (stands(rs)) {
      learnt.set(key, median(rs))
    } else {
      learnt.set(key, 1)
    }
  }
  // A holiday never seen takes the effect of the holidays that were (year-end days first those of year end).
  const pooled = (prefix: string): number | undefined => {
    const rs = [...byKey.entries()].filter(([k]) => k.startsWith(prefix)).flatMap(([, v]) => v)
    return rs.length >= 2 && stands(rs) ? median(rs) : rs.length >= 2 ? 1 : undefined
  }
  const yearEndPool = pooled('year-end')
  const holidayPool = pooled('holiday') ?? pooled('year-end')
  const factorOf = (date: string): {factor: number; known: boolean} => {
    const key = dayKey(date, holidays, yearEnd)
    if (key === undefined) return {factor: 1, known: true}
    const own = learnt.get(key)
    if (own !== undefined) return {factor: own, known: true}
    const k = kind(key)
    if (k === 'month-start' || k === 'month-end') return {factor: 1, known: true}
    const pool = k === 'year-end' ? (yearEndPool ?? holidayPool) : holidayPool
    return pool === undefined ? {factor: 1, known: false} : {factor: pool, known: true}
  }
  return {
    factor: (date) => factorOf(date).factor,
    uncertain: (date) => !factorOf(date).known,
    learnt,
  }
}

/** Divides the history by its calendar factors: what the models see. */
export function adjustHistory(dates: readonly string[], y: readonly number[], effects: CalendarEffects): number[] {
  return y.map((v, i) => v / effects.factor(dates[i]!))
}
