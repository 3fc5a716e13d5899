import {median as medianOf, probit, quantileSorted} from 'simple-statistics'

/**
 * The expected band of one day's spend, fitted on the days before it. Pure.
 *
 * Cost is right-skewed (a noisy service has more room above its typical day than below it) and its
 * noise scales with its level, so regular series are modelled on a log scale: a robust level (median
 * of the recent deseasonalized days, following a trend and a recent level shift), a weekday profile,
 * and the spread of the model's own one-day-ahead errors, each tail measured separately. The band is
 * symmetric on the log scale, so asymmetric in money, as cost is. Intermittent series (a batch job
 * that runs on some days) are modelled as such: how often they run and how big a run is. A series
 * with no spend in the window is idle: any spend on the day is new.
 */
export interface DayBand {
  /** What the day was expected to cost (the typical day; for an intermittent series, a typical run). */
  expected: number
  lower: number
  upper: number
  model: 'regular' | 'intermittent' | 'idle'
  /** Relative noise of the series (robust, per day), for the reader of an alert. */
  noise: number
  /** For regular series: the log-scale centre and scales, to judge a day against another level. */
  log?: LogBand
}

/** A regular series' band on the log scale: log(cost + offset) - weekday profile is the deseasonalized level. */
export interface LogBand {
  /** Deseasonalized log level expected on the judged day. */
  level: number
  /** Half-widths of the band above and below, on the log scale. */
  up: number
  down: number
  offset: number
  /** Weekday profile on the log scale, indexed by UTC weekday (0 = Sunday). */
  profile: number[]
}

export interface BandSettings {
  /** Two-sided level in percent: a normal day falls outside the band about (100 - level)% of the time. */
  level: number
  /** Days of history before the judged day used to fit the band. */
  trainingDays: number
  /** Fewer days of history than this and no band is fitted. */
  minHistoryDays: number
}

const WEEK = 7
/** A series idle (at most a small share of its typical run) on this share of its days is intermittent. */
const INTERMITTENT_IDLE_SHARE = 0.2
/** Fewer runs than this in the training window and an intermittent series is not judged. */
const MIN_RUNS = 4
/** Smallest relative noise assumed for a series: billing rounding and tiny usage drift. */
const MIN_NOISE = 0.01
/** Largest ratio of one side's scale to the symmetric scale. */
const MAX_SKEW = 1.5

/** `history[i]` is the cost of the i-th day before the judged day's history end (oldest first); the judged day follows it. */
export function fitDayBand(
  history: readonly number[],
  weekdayOfFirst: number,
  settings: BandSettings,
): DayBand | undefined {
  const enough = Math.max(settings.minHistoryDays, 2 * WEEK)
  if (history.length < enough) return undefined
  // No spend at all in the window (a service not started yet): any material spend is new.
  const started = history.findIndex((v) => v > 0)
  if (started < 0) return {expected: 0, lower: 0, upper: 0, model: 'idle', noise: 0}
  // A series that started within the window is judged on its life since, not on the days before it.
  if (started > 0) {
    const shift = started % WEEK
    return fitDayBand(history.slice(started), (weekdayOfFirst + shift) % WEEK, settings)
  }
  const n = history.length
  const positive = history.filter((v) => v > 0)
  const sorted = [...positive].sort((a, b) => a - b)
  const typicalHigh = quantileSorted(sorted, 0.9)
  const idle = history.filter((v) => v <= 0.1 * typicalHigh).length
  if (idle >= INTERMITTENT_IDLE_SHARE * n) return intermittentBand(history, weekdayOfFirst, typicalHigh, settings)
  return regularBand(history, weekdayOfFirst, sorted, settings)
}

function intermittentBand(
  history: readonly number[],
  weekdayOfFirst: number,
  typicalHigh: number,
  settings: BandSettings,
): DayBand | undefined {
  const isRun = (v: number): boolean => v > 0.1 * typicalHigh
  const runs = history.filter(isRun)
  if (runs.length < MIN_RUNS) return undefined
  // How often it runs, by weekday: a job on a schedule (Mondays, say) is not expected to run on a
  // weekday it never ran on. A schedule is only assumed when chance alone would spread this many runs
  // over more weekdays (probability under 1 in 1000), so a job running on random days has none.
  const n = history.length
  const runWeekdays = new Set<number>()
  history.forEach((v, i) => {
    if (isRun(v)) runWeekdays.add((weekdayOfFirst + i) % WEEK)
  })
  const onSchedule = (runWeekdays.size / WEEK) ** runs.length < 0.001
  if (onSchedule && !runWeekdays.has((weekdayOfFirst + n) % WEEK))
    return {expected: 0, lower: 0, upper: 0.1 * typicalHigh, model: 'intermittent', noise: 0}
  const logs = runs.map(Math.log)
  const centre = medianOf(logs)
  const deviations = logs.map((l) => l - centre)
  const spread = Math.max(robustScale(deviations), upperTailScale(deviations), 0.05)
  const z = tQuantile(settings.level, runs.length - 1) * Math.sqrt(1 + 1 / runs.length)
  const expected = Math.exp(centre)
  return {
    expected,
    // An idle day is normal for a batch job: no drop is judged on an intermittent series.
    lower: 0,
    upper: Math.exp(centre + z * spread),
    model: 'intermittent',
    noise: spread,
  }
}

function regularBand(
  history: readonly number[],
  weekdayOfFirst: number,
  sortedPositive: readonly number[],
  settings: BandSettings,
): DayBand {
  const n = history.length
  // The offset keeps log() finite on zero days and damps the relative noise of tiny amounts.
  const offset = Math.max(0.02 * medianOf(sortedPositive as number[]), 0.01)
  const y = history.map((v) => Math.log(Math.max(v, 0) + offset))
  const weekdayOf = (i: number): number => (weekdayOfFirst + i) % WEEK

  // Weekday profile (indexed by UTC weekday): each day's distance from the median of the week around
  // it, a robust mean per weekday. A weekday seen fewer than 3 times has no profile (one past spike on it
  // would otherwise be its profile).
  const dist: number[][] = Array.from({length: WEEK}, () => [])
  const own: number[] = []
  for (let i = 0; i < n; i++) {
    const from = Math.min(Math.max(0, i - 3), n - WEEK)
    own.push(y[i]! - medianOf(y.slice(from, from + WEEK)))
    dist[weekdayOf(i)]!.push(own[i]!)
  }
  const rawProfile = dist.map((d) => (d.length >= 3 ? huberLocation(d) : 0))
  const profileMean = rawProfile.reduce((a, v) => a + v, 0) / WEEK
  const profile = rawProfile.map((p) => p - profileMean)
  const z = y.map((v, i) => v - profile[weekdayOf(i)]!)

  // One-day-ahead errors of the level predictor over the training window.
  const errors: number[] = []
  // Each error uses its weekday's profile fitted without that day: an in-sample median of a dozen
  // values would shrink the errors, and the band with them.
  const looProfile = (i: number): number => {
    const others = [...dist[weekdayOf(i)]!]
    others.splice(others.indexOf(own[i]!), 1)
    return (others.length >= 3 ? huberLocation(others) : 0) - profileMean
  }
  for (let i = 2 * WEEK; i < n; i++) errors.push(y[i]! - looProfile(i) - predictLevel(z, i))
  const bias = medianOf(errors)
  const centred = errors.map((e) => e - bias)
  const scale = Math.max(robustScale(centred), MIN_NOISE)
  // Each side of the band has its own scale (what is left of the skew on the log scale), at most
  // MAX_SKEW times the symmetric one so the past shifts among a quarter of the errors cannot blow it up.
  const up = Math.max(scale, Math.min(MAX_SKEW * scale, upperTailScale(centred)))
  const down = Math.max(scale, Math.min(MAX_SKEW * scale, upperTailScale(centred.map((e) => -e))))
  const q = tQuantile(settings.level, errors.length - 1)

  const weekday = profile[weekdayOf(n)]!
  const centre = (recentShiftLevel(z, scale) ?? predictLevel(z, n)) + bias + weekday
  // The expected cost is the mean of the day's distribution, not its median: smear the log centre
  // with the (clipped) errors the model made, so a skewed series' expectation is not biased low.
  const clipped = centred.map((e) => Math.max(-3 * scale, Math.min(3 * scale, e)))
  const smear = clipped.reduce((a, e) => a + Math.exp(e), 0) / clipped.length
  const toMoney = (logValue: number): number => Math.max(0, Math.exp(logValue) - offset)
  return {
    expected: Math.max(0, Math.exp(centre) * smear - offset),
    lower: toMoney(centre - q * down),
    upper: toMoney(centre + q * up),
    model: 'regular',
    noise: scale,
    log: {level: centre - weekday, up: q * up, down: q * down, offset, profile},
  }
}

/**
 * The deseasonalized level expected at day i from the days before it: the median of the last week,
 * or of the last two or four weeks when the older days sit at the same level (a longer median is
 * steadier, so a steady series' band is centred better). A stricter test would let the longer median
 * straddle a recent level shift the size of the noise (or a trend) and put the centre off it.
 */
function predictLevel(z: readonly number[], i: number): number {
  const week = medianOf(z.slice(i - WEEK, i))
  let level = week
  for (const days of [2 * WEEK, 4 * WEEK]) {
    if (i - days < 0) break
    const window = z.slice(i - days, i)
    const older = medianOf(z.slice(i - days, i - WEEK))
    const spread = robustScale(window.map((v) => v - week))
    if (Math.abs(older - week) > 0.5 * spread) break
    level = huberLocation(window)
  }
  return level
}

/** Fewest days in a row, each well outside the level before them, that make a level shift the band follows. */
const SHIFT_DAYS = 3
/** How far outside (in noise scales) each of those days must be. */
const SHIFT_SCALES = 3

/**
 * The deseasonalized level after a recent level shift, when the last days (at least SHIFT_DAYS, up to
 * a week) all sit on one side of the level before them by SHIFT_SCALES of noise or more: the median of
 * those days. A week's median would still straddle the shift and put the centre on the old level, so
 * the day after a service doubled would be judged against the old cost (and a drop back to the old
 * level would look normal, or even like a spike). A one-day or two-day spike does not move the band.
 */
function recentShiftLevel(z: readonly number[], scale: number): number | undefined {
  const n = z.length
  let found: number | undefined
  for (let m = SHIFT_DAYS; m <= WEEK && n - m >= 2 * WEEK; m++) {
    const before = predictLevel(z, n - m)
    const recent = z.slice(n - m)
    const up = recent.every((v) => v - before >= SHIFT_SCALES * scale)
    const down = recent.every((v) => before - v >= SHIFT_SCALES * scale)
    if (!up && !down) break
    found = medianOf(recent)
  }
  return found
}

/** Normal-consistent scale from the median absolute deviation. */
function robustScale(values: readonly number[]): number {
  return 1.4826 * medianOf(values.map(Math.abs))
}

/**
 * Scale of the upper half alone, for skewed errors: the upper quartile over its normal quantile. A
 * quartile, not a far quantile: a quarter of the days may be past anomalies without widening it.
 */
function upperTailScale(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return Math.max(0, quantileSorted(sorted, 0.75)) / 0.6745
}

/** Two-sided Student-t quantile for `level` percent with `df` degrees of freedom (Cornish-Fisher). */
export function tQuantile(level: number, df: number): number {
  const z = probit(0.5 + level / 200)
  const d = Math.max(df, 1)
  const z3 = z ** 3
  return z + (z3 + z) / (4 * d) + (5 * z ** 5 + 16 * z3 + 3 * z) / (96 * d * d)
}

/**
 * A location as robust as the median but nearly as efficient as the mean: the median moved by the
 * mean of the deviations clipped at 1.5 robust sigmas (one step of Huber's M-estimator). On a steady
 * series it centres the band about a fifth closer than the median does.
 */
function huberLocation(values: readonly number[]): number {
  const m = medianOf(values)
  const sc = robustScale(values.map((v) => v - m))
  if (sc === 0) return m
  return m + values.reduce((a, v) => a + Math.max(-1.5 * sc, Math.min(1.5 * sc, v - m)), 0) / values.length
}
