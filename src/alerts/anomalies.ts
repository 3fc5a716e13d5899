import {addDays, dayToDate} from '../dates.js'
import {roundMoney} from '../money.js'
import {type BandSettings, type DayBand, fitDayBand} from './anomaly-model.js'

/** One watched series: a combination of report keys (account + service by default) in one currency. */
export interface AnomalySeries {
  keys: string[]
  currency: string
  /** Daily cost; missing days count as zero spend. */
  points: {day: string; cost: number}[]
  /** The typical daily spend of the account (or other scope) the series belongs to, for materiality. */
  scopeDaily?: number
  /**
   * The first day the series could have had spend (its provider's first day of data): the days from
   * it to the series' first point count as zero, so a new service is judged against them.
   */
  since?: string
}

/** Settings of detectAnomalies, with the defaults of `alerts.anomalies` in finops.yaml. */
export interface AnomalySettings extends BandSettings {
  /** The judged days: the last `lookbackDays` up to `through`. */
  lookbackDays: number
  /** The last day to judge (the last day with data). */
  through: string
  /** Deviations smaller than this (in money) are not reported, however unlikely. */
  minImpact: number
  /** Deviations smaller than this share of the expected day (0.2 = 20%) are not reported. */
  minRelative?: number
  /** Deviations smaller than this share of the scope's typical daily spend are not reported. */
  minScopeShare?: number
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
  /** How the series was modelled: a regular daily series or an intermittent one (runs on some days). */
  model: DayBand['model']
}

/** How many days before a judged day are looked at for the level shift it may continue. */
const SHIFT_MEMORY_DAYS = 7
/** A day this many times further from expected than each anomalous day before it is new growth, not the same shift. */
const RUNAWAY_GROWTH = 1.5

/**
 * Flags days whose spend falls outside the series' expected band (see fitDayBand) and is material:
 * larger than `minImpact` in money, than `minRelative` of the expected day and than `minScopeShare`
 * of the account's typical day. A level shift is reported on its first day only: a day that stays
 * at the level of the anomalous days right before it continues their shift, while a day after normal
 * days (a jump a week after a one-off spike) is judged afresh. Of consecutive anomalous days in one
 * direction (a runaway cost growing day after day) the largest is reported. Pure.
 */
export function detectAnomalies(series: readonly AnomalySeries[], settings: AnomalySettings): Anomaly[] {
  const found: Anomaly[] = []
  for (const s of series) {
    const byDay = new Map<string, number>()
    for (const p of s.points) byDay.set(p.day, (byDay.get(p.day) ?? 0) + p.cost)
    let first: string | undefined = s.since
    for (const day of byDay.keys()) if (first === undefined || day < first) first = day
    if (!first) continue
    const judge = judgeMemo(byDay, first, settings)
    const moneyFloor = Math.max(settings.minImpact, (settings.minScopeShare ?? 0) * (s.scopeDaily ?? 0))
    const candidates: Judged[] = []
    for (let back = settings.lookbackDays - 1; back >= 0; back--) {
      const day = addDays(settings.through, -back)
      const judged = judge(day)
      if (!judged?.direction) continue
      if (settings.shiftsOnce !== false && continuesShift(judged, judge)) continue
      const size = Math.abs(judged.actual - judged.band.expected)
      if (size < moneyFloor || size < (settings.minRelative ?? 0) * judged.band.expected) continue
      candidates.push(judged)
    }
    const reported = settings.shiftsOnce === false ? candidates : largestOfRuns(candidates)
    for (const j of reported) found.push(toAnomaly(s, j, settings.level))
  }
  return found.sort((a, b) => Math.abs(b.impact) - Math.abs(a.impact))
}

interface Judged {
  day: string
  actual: number
  band: DayBand
  direction?: 'spike' | 'drop'
}

/** Judges each day once against the band fitted on the days before it. */
function judgeMemo(
  byDay: ReadonlyMap<string, number>,
  first: string,
  settings: AnomalySettings,
): (day: string) => Judged | undefined {
  const memo = new Map<string, Judged | undefined>()
  return (day) => {
    if (memo.has(day)) return memo.get(day)
    let start = addDays(day, -settings.trainingDays)
    if (start < first) start = first
    const history: number[] = []
    for (let d = start; d < day; d = addDays(d, 1)) history.push(byDay.get(d) ?? 0)
    const band = fitDayBand(history, dayToDate(start).getUTCDay(), settings)
    const actual = byDay.get(day) ?? 0
    const judged: Judged | undefined = band && {
      day,
      actual,
      band,
      direction: actual > band.upper ? 'spike' : actual < band.lower ? 'drop' : undefined,
    }
    memo.set(day, judged)
    return judged
  }
}

/**
 * Whether an anomalous day only continues a level shift that began on the days right before it:
 * those days were outside their own bands in the same direction, without a normal day in between,
 * and this day is within the band around their level. A runaway (each day well above the last)
 * is not a continuation: it keeps being judged.
 */
function continuesShift(day: Judged, judge: (day: string) => Judged | undefined): boolean {
  const shifted: Judged[] = []
  const intermittent = day.band.model === 'intermittent'
  for (let k = 1; k <= (intermittent ? 2 : 1) * SHIFT_MEMORY_DAYS; k++) {
    const previous = judge(addDays(day.day, -k))
    if (!previous) break
    // An idle day of a batch job says nothing about the size of its runs.
    if (intermittent && previous.band.model === 'intermittent' && previous.actual <= 0.1 * previous.band.expected)
      continue
    if (previous.direction !== day.direction) break
    shifted.push(previous)
  }
  // A batch job's idle days say nothing, so one earlier outsized run is no evidence of a new size:
  // the run after it is judged afresh; from the second outsized run on, the shift is established.
  if (shifted.length < (intermittent ? 2 : 1)) return false
  // A runaway: this day is further out than each day of the shift before it by half again.
  const excess = (j: Judged): number => Math.abs(j.actual - j.band.expected)
  if (shifted.every((j) => excess(day) >= RUNAWAY_GROWTH * excess(j))) return false
  const recent = shifted.slice(0, 3)
  const log = day.band.log
  if (!log) {
    // Intermittent (or idle until now): within the run band around one of the recent shifted runs.
    const ratio = day.band.upper / Math.max(day.band.expected, 1e-9)
    return recent.some((j) => day.actual <= j.actual * ratio && day.actual >= j.actual / ratio)
  }
  // Within the band around one of the shifted days (a flat shift, or a runaway's plateau), each moved
  // to this day's weekday. Deseasonalized in money, so a run of zero days (a service switched off)
  // stays at zero whatever the weekday.
  const weekdayFactor = (d: string): number => Math.exp(log.profile[dayToDate(d).getUTCDay()]!)
  const here = Math.log(Math.max(day.actual, 0) + log.offset)
  const widen = Math.SQRT2
  return recent.some((j) => {
    const moved = Math.log((Math.max(j.actual, 0) / weekdayFactor(j.day)) * weekdayFactor(day.day) + log.offset)
    return here <= moved + log.up * widen && here >= moved - log.down * widen
  })
}

/** Of consecutive anomalous days in one direction (judged days in a row), the one furthest from expected. */
function largestOfRuns(days: readonly Judged[]): Judged[] {
  const groups: Judged[][] = []
  for (const j of days) {
    const group = groups.at(-1)
    const previous = group?.at(-1)
    if (group && previous && previous.direction === j.direction && addDays(previous.day, 1) === j.day) group.push(j)
    else groups.push([j])
  }
  const size = (x: Judged): number => Math.abs(x.actual - x.band.expected)
  return groups.map((g) => g.reduce((best, j) => (size(j) >= size(best) ? j : best)))
}

function toAnomaly(s: AnomalySeries, j: Judged, level: number): Anomaly {
  const direction = j.direction!
  return {
    keys: s.keys,
    currency: s.currency,
    day: j.day,
    direction,
    actual: roundMoney(j.actual),
    expected: roundMoney(j.band.expected),
    lower: roundMoney(j.band.lower),
    upper: roundMoney(j.band.upper),
    level,
    impact: roundMoney(j.actual - j.band.expected),
    beyondInterval: roundMoney(direction === 'spike' ? j.actual - j.band.upper : j.band.lower - j.actual),
    model: j.band.model,
  }
}
