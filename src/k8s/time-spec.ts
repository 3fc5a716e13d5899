/**
 * Time specifications in kube-downscaler's language (`downscaler/uptime`, `downtime`, `upscale-period`,
 * `downscale-period`, `force-uptime`, ...). Pure: time zones come from Intl, nothing reads the clock.
 *
 * A spec is `always`, `never`, or a comma-separated list of rules, each either weekly
 * (`Mon-Fri 07:30-20:30 Europe/Berlin`, `Sat 10:00-14:00 UTC`, `Fri-Mon ...` wraps the week,
 * `Mon-Fri 22:00-06:00 ...` runs past midnight into the next day, as GoKubeDownscaler reads it) or
 * absolute (`2024-12-24T00:00:00+01:00-2024-12-27T00:00:00+01:00`). Ranges are half-open: [from, to).
 */
import {inputError} from '../errors.js'

const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const

export interface WeeklyRule {
  kind: 'weekly'
  /** Days the rule starts on, 0 = Monday ... 6 = Sunday. */
  days: ReadonlySet<number>
  /** Minutes after local midnight; end may be 1440 (24:00). end < start runs past midnight. */
  startMinute: number
  endMinute: number
  timeZone: string
}

export interface AbsoluteRule {
  kind: 'absolute'
  /** Epoch milliseconds, half-open [from, to). */
  from: number
  to: number
}

export type TimeRule = WeeklyRule | AbsoluteRule

export type TimeSpec = {kind: 'always'} | {kind: 'never'} | {kind: 'rules'; rules: readonly TimeRule[]}

const WEEKLY = /^([A-Za-z]{3})(?:-([A-Za-z]{3}))?\s+(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})\s+([A-Za-z0-9/_+-]+)$/
const ISO = String.raw`\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?(?:Z|[+-]\d{2}:\d{2})`
const ABSOLUTE = new RegExp(`^(${ISO})-(${ISO})$`)

/**
 * What a weekly rule that leaves something out takes: kube-downscaler's DEFAULT_TIMEZONE (`Mon-Fri
 * 08:00-20:00` is read in it) and DEFAULT_WEEKFRAME (`08:00-20:00 Europe/Paris` is read on those days).
 * Unset, such a rule is an error, as in kube-downscaler.
 */
export interface TimeSpecDefaults {
  timeZone?: string
  /** `Mon-Sun`, `Mon-Fri`, ... */
  weekFrame?: string
}

const NO_ZONE = /^(?:[A-Za-z]{3}(?:-[A-Za-z]{3})?\s+)?\d{1,2}:\d{2}-\d{1,2}:\d{2}$/
const NO_DAYS = /^\d{1,2}:\d{2}-\d{1,2}:\d{2}(?:\s+\S+)?$/

/** Parses a time spec; errors name the field and show a valid example. */
export function parseTimeSpec(text: string, field = 'schedule', defaults: TimeSpecDefaults = {}): TimeSpec {
  const trimmed = text.trim()
  if (/^always$/i.test(trimmed)) return {kind: 'always'}
  if (/^never$/i.test(trimmed)) return {kind: 'never'}
  if (trimmed === '') throw scheduleError(field, text, 'it is empty')
  const rules = trimmed
    .split(',')
    .map((part) => parseRule(withDefaults(part.trim(), field, text, defaults), field, text))
  return {kind: 'rules', rules}
}

/** Fills in the zone, then the days, of a rule that leaves them out (in kube-downscaler's order). */
function withDefaults(part: string, field: string, whole: string, defaults: TimeSpecDefaults): string {
  let rule = part
  if (NO_ZONE.test(rule)) {
    if (defaults.timeZone === undefined)
      throw scheduleError(
        field,
        whole,
        `'${part}' names no time zone (add one, or set kubernetes.recommend.scaleDown.defaultTimeZone as kube-downscaler's DEFAULT_TIMEZONE)`,
      )
    rule = `${rule} ${defaults.timeZone}`
  }
  if (NO_DAYS.test(rule)) {
    if (defaults.weekFrame === undefined)
      throw scheduleError(
        field,
        whole,
        `'${part}' names no days (add e.g. Mon-Fri, or set kubernetes.recommend.scaleDown.defaultWeekFrame as kube-downscaler's DEFAULT_WEEKFRAME)`,
      )
    rule = `${defaults.weekFrame} ${rule}`
  }
  return rule
}

function parseRule(part: string, field: string, whole: string): TimeRule {
  const absolute = ABSOLUTE.exec(part)
  if (absolute) {
    const from = Date.parse(absolute[1]!)
    const to = Date.parse(absolute[2]!)
    if (Number.isNaN(from) || Number.isNaN(to)) throw scheduleError(field, whole, `'${part}' is not a valid date range`)
    if (to <= from) throw scheduleError(field, whole, `'${part}' ends before it starts`)
    return {kind: 'absolute', from, to}
  }
  const weekly = WEEKLY.exec(part)
  if (!weekly) throw scheduleError(field, whole, `'${part}' is not 'Mon-Fri 07:30-20:30 Europe/Berlin' or an ISO range`)
  const [, dayFrom, dayTo, h1, m1, h2, m2, timeZone] = weekly
  const first = dayIndex(dayFrom!, field, whole)
  const last = dayTo === undefined ? first : dayIndex(dayTo, field, whole)
  const days = new Set<number>()
  for (let d = first; ; d = (d + 1) % 7) {
    days.add(d)
    if (d === last) break
  }
  const startMinute = clockMinutes(h1!, m1!, false, field, whole)
  const endMinute = clockMinutes(h2!, m2!, true, field, whole)
  if (startMinute === endMinute) throw scheduleError(field, whole, `'${part}' is an empty time range`)
  if (!isTimeZone(timeZone!))
    throw scheduleError(field, whole, `unknown time zone '${timeZone}' (use an IANA name such as Europe/Berlin or UTC)`)
  return {kind: 'weekly', days, startMinute, endMinute, timeZone: timeZone!}
}

function dayIndex(name: string, field: string, whole: string): number {
  const index = DAYS.findIndex((d) => d.toLowerCase() === name.toLowerCase())
  if (index < 0) throw scheduleError(field, whole, `unknown day '${name}' (use Mon, Tue, Wed, Thu, Fri, Sat, Sun)`)
  return index
}

function clockMinutes(hours: string, minutes: string, isEnd: boolean, field: string, whole: string): number {
  const h = Number(hours)
  const m = Number(minutes)
  const value = h * 60 + m
  if (m > 59 || h > 24 || value > 1440 || (value === 1440 && !isEnd))
    throw scheduleError(field, whole, `${hours}:${minutes} is not a time of day`)
  return value
}

function scheduleError(field: string, text: string, problem: string) {
  return inputError(
    `${field} '${text}': ${problem}`,
    "write e.g. 'Mon-Fri 07:30-20:30 Europe/Berlin' (comma-separate several rules), 'always' or 'never'",
  )
}

const zoneCache = new Map<string, boolean>()
/** True for a time zone Intl knows (IANA names, UTC). */
export function isTimeZone(name: string): boolean {
  let known = zoneCache.get(name)
  if (known === undefined) {
    try {
      new Intl.DateTimeFormat('en-US', {timeZone: name})
      known = true
    } catch {
      known = false
    }
    zoneCache.set(name, known)
  }
  return known
}

/** Local wall-clock parts of an instant in a time zone. */
export interface LocalTime {
  /** 0 = Monday ... 6 = Sunday */
  weekday: number
  minuteOfDay: number
  /** YYYY-MM-DD local date */
  date: string
}

const formatters = new Map<string, Intl.DateTimeFormat>()
const QUARTER_MS = 15 * 60_000
const quarterCache = new Map<string, LocalTime>()

/**
 * The local time of an instant. Every real UTC offset is a multiple of 15 minutes, so the local
 * time of a UTC quarter-hour plus the minutes into it is exact; caching per quarter makes a
 * month-long sweep over many workloads cheap.
 */
export function localTime(epochMs: number, timeZone: string): LocalTime {
  const quarter = Math.floor(epochMs / QUARTER_MS) * QUARTER_MS
  const key = `${timeZone}\u0000${quarter}`
  let base = quarterCache.get(key)
  if (!base) {
    base = intlLocalTime(quarter, timeZone)
    if (quarterCache.size > 50_000) quarterCache.clear()
    quarterCache.set(key, base)
  }
  const extra = Math.floor((epochMs - quarter) / 60_000)
  return extra === 0 ? base : {...base, minuteOfDay: base.minuteOfDay + extra}
}

function intlLocalTime(epochMs: number, timeZone: string): LocalTime {
  let format = formatters.get(timeZone)
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      weekday: 'short',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
    formatters.set(timeZone, format)
  }
  const parts: Record<string, string> = {}
  for (const part of format.formatToParts(new Date(epochMs))) parts[part.type] = part.value
  return {
    weekday: DAYS.indexOf(parts.weekday as (typeof DAYS)[number]),
    minuteOfDay: Number(parts.hour) * 60 + Number(parts.minute),
    date: `${parts.year}-${parts.month}-${parts.day}`,
  }
}

function ruleMatches(rule: TimeRule, epochMs: number): boolean {
  if (rule.kind === 'absolute') return epochMs >= rule.from && epochMs < rule.to
  const local = localTime(epochMs, rule.timeZone)
  if (rule.startMinute < rule.endMinute) {
    return rule.days.has(local.weekday) && local.minuteOfDay >= rule.startMinute && local.minuteOfDay < rule.endMinute
  }
  // Past midnight: the evening part belongs to the listed day, the morning part to the day after it.
  if (rule.days.has(local.weekday) && local.minuteOfDay >= rule.startMinute) return true
  return rule.days.has((local.weekday + 6) % 7) && local.minuteOfDay < rule.endMinute
}

/** Whether a time spec covers an instant. */
export function matchesTimeSpec(spec: TimeSpec, instant: Date | number): boolean {
  const epochMs = typeof instant === 'number' ? instant : instant.getTime()
  if (spec.kind === 'always') return true
  if (spec.kind === 'never') return false
  return spec.rules.some((rule) => ruleMatches(rule, epochMs))
}

/**
 * kube-downscaler's exclude-until forms (YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SSZ], YYYY-MM-DD HH:MM) are
 * UTC; JavaScript would read a time without an offset in the machine's zone, so UTC is made explicit.
 * Python's strptime takes one-digit fields (2024-3-4 9:05) and refuses dates that do not exist.
 */
export function parseExcludeUntil(text: string): number {
  const value = text.trim()
  const plain = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{1,2})(?::(\d{1,2}))?Z?)?$/i.exec(value)
  if (plain) {
    const [year, month, day, hour, minute, second] = plain.slice(1).map((part) => Number(part ?? 0))
    const epoch = Date.UTC(year!, month! - 1, day!, hour, minute, second)
    const back = new Date(epoch)
    const exists =
      back.getUTCFullYear() === year &&
      back.getUTCMonth() === month! - 1 &&
      back.getUTCDate() === day &&
      hour! < 24 &&
      minute! < 60 &&
      second! < 60
    return exists ? epoch : Number.NaN
  }
  return /(?:Z|[+-]\d{2}:?\d{2})$/i.test(value) ? Date.parse(value) : Number.NaN
}
