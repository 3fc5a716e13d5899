import {type FinopsError, type UserInput, usageError} from './errors.js'

/** Calendar-day arithmetic on YYYY-MM-DD strings in UTC; billing days are UTC days in FOCUS. */

const DAY_MS = 86_400_000

export const toDay = (date: Date): string => date.toISOString().slice(0, 10)
export const dayToDate = (day: string): Date => new Date(`${day}T00:00:00Z`)
export const addDays = (day: string, n: number): string => toDay(new Date(dayToDate(day).getTime() + n * DAY_MS))
export const daysBetween = (from: string, to: string): number =>
  Math.round((dayToDate(to).getTime() - dayToDate(from).getTime()) / DAY_MS)

/** The current instant; FINOPS_NOW (an ISO date or time) pins it for reproducible runs and tests. */
export function now(env: NodeJS.ProcessEnv = process.env): Date {
  return pinnedNow(env) ?? new Date()
}

const PINNED_NOW = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}:\d{2})?)?$/i

/**
 * FINOPS_NOW as an instant, or undefined when it is unset or empty. Only ISO forms are taken (a date
 * is its UTC midnight, a time without an offset is UTC): JavaScript would read `1` as the year 2001
 * and a bare time in the machine's zone, and a value it cannot read at all must not quietly become
 * the real clock, since schedules and run ids would then change under a run that meant to pin them.
 */
export function pinnedNow(env: NodeJS.ProcessEnv = process.env): Date | undefined {
  const text = env.FINOPS_NOW?.trim()
  if (text === undefined || text === '') return undefined
  const match = PINNED_NOW.exec(text)
  const day = match?.[1]
  const instant = match ? Date.parse(`${day}T${match[2] ?? '00:00'}${match[3] ?? 'Z'}`) : Number.NaN
  // Date.parse rolls 2026-02-30 over to March; the calendar day must survive the round trip.
  if (Number.isNaN(instant) || (day !== undefined && toDay(dayToDate(day)) !== day))
    throw usageError(
      `FINOPS_NOW '${env.FINOPS_NOW}' is not an ISO date or time`,
      'write e.g. FINOPS_NOW=2026-12-01 or FINOPS_NOW=2026-12-01T09:00:00Z, or unset it to use the clock',
    )
  return new Date(instant)
}

/** Today's UTC date, as `now` sees it. */
export const today = (env: NodeJS.ProcessEnv = process.env): string => toDay(now(env))

/** Every day from `from` to `to`, inclusive. */
export function eachDay(from: string, to: string): string[] {
  const out: string[] = []
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d)
  return out
}

/** Monday of the ISO week holding `day`. */
export function weekStart(day: string): string {
  const dow = dayToDate(day).getUTCDay() // 0 = Sunday
  return addDays(day, -((dow + 6) % 7))
}

export const monthKey = (day: string): string => day.slice(0, 7)
export const monthStart = (day: string): string => `${day.slice(0, 7)}-01`
export function monthEnd(day: string): string {
  const d = dayToDate(monthStart(day))
  return toDay(new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)))
}

/** The two ends of a day window as users give them (`--from`/`--to` on the command line). */
export const WINDOW_START: UserInput = {key: 'from', label: 'window start'}
export const WINDOW_END: UserInput = {key: 'to', label: 'window end'}

/** Validates a user-given date (YYYY-MM-DD); the error names the input it came from. */
export function parseDay(value: string, input: UserInput): string {
  if (
    !/^\d{4}-\d{2}-\d{2}$/.test(value) ||
    Number.isNaN(Date.parse(`${value}T00:00:00Z`)) ||
    toDay(dayToDate(value)) !== value
  ) {
    throw usageError(
      (n) => `${n(input)} ${value}: expected a date as YYYY-MM-DD`,
      (n) => `for example ${n(input)} 2024-09-01`,
    )
  }
  return value
}

/** The error for a window whose start is after its end. */
export const reversedWindowError = (from: string, to: string, suggestion?: string): FinopsError =>
  usageError((n) => `${n(WINDOW_START)} ${from} is after ${n(WINDOW_END)} ${to}`, suggestion)

export interface DayWindow {
  from: string
  to: string
}

/**
 * The window of a report: its start and end when given, otherwise the last `defaultDays` complete days
 * (ending yesterday, UTC). Both ends are inclusive.
 */
export function resolveWindow(
  from: string | undefined,
  to: string | undefined,
  defaultDays = 30,
  now = today(),
): DayWindow {
  const end = to ? parseDay(to, WINDOW_END) : addDays(now, -1)
  const start = from ? parseDay(from, WINDOW_START) : addDays(end, -(defaultDays - 1))
  if (start > end) throw reversedWindowError(start, end)
  return {from: start, to: end}
}

/**
 * The widest window a command works through day by day: ten years. Work (and memory) must not grow
 * with the width of a window the user typed, only with the data it holds.
 */
export const MAX_WINDOW_DAYS = 3660

/**
 * A window wider than `max` days is clamped to the days the store holds data for, and a notice says
 * so; if it holds no data, or the data in it still spans more than `max` days, it is refused with a
 * usage error naming the maximum. Windows up to `max` days are left as asked.
 */
export function boundWindow(
  window: DayWindow,
  data: DayWindow | undefined,
  options: {max?: number; what: string},
): {window: DayWindow; notice?: string} {
  const max = options.max ?? MAX_WINDOW_DAYS
  const width = daysBetween(window.from, window.to) + 1
  if (width <= max) return {window}
  const asked = `the window ${window.from} to ${window.to} spans ${width.toLocaleString('en-US')} days`
  const limit = `choose a window of at most ${max.toLocaleString('en-US')} days`
  if (!data || data.to < window.from || data.from > window.to)
    throw usageError(
      `${asked}, more than the ${max.toLocaleString('en-US')} finops works through at once, and the store holds ` +
        `no ${options.what} in it${data ? ` (it holds ${data.from} to ${data.to})` : ''}`,
      limit,
    )
  const clamped = {
    from: window.from < data.from ? data.from : window.from,
    to: window.to > data.to ? data.to : window.to,
  }
  const kept = daysBetween(clamped.from, clamped.to) + 1
  if (kept > max)
    throw usageError(
      `${asked} and the store holds ${options.what} on ${kept.toLocaleString('en-US')} of them, more than ` +
        `the ${max.toLocaleString('en-US')} finops works through at once`,
      limit,
    )
  return {
    window: clamped,
    notice: `${asked}: showing ${clamped.from} to ${clamped.to}, the days the store holds ${options.what} for`,
  }
}

/** The ISO 8601 week of a day, `2026-W44` (weeks start on Monday; week 1 holds the year's first Thursday). */
export function isoWeek(day: string): string {
  const thursday = addDays(weekStart(day), 3)
  const year = Number(thursday.slice(0, 4))
  const week = Math.floor(daysBetween(`${year}-01-01`, thursday) / 7) + 1
  return `${year}-W${String(week).padStart(2, '0')}`
}
