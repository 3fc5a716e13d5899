import type {CommitmentRate} from './rates.js'
import type {
  CommitmentLadder,
  CommitmentOption,
  CommitmentRecommendation,
  CommitmentScope,
  CommitmentSkip,
} from './schema.js'
import {HOURS_PER_MONTH, roundMoney, roundTo} from '../../src/money.js'

/** One day of the forecasters' forecast of a scope's daily uncovered eligible spend. */
export interface ForecastDay {
  mean: number
  lower: number
  upper: number
}

/** Everything the commitment recommender reads for one scope. Pure data: no store, no clock. */
export interface CommitmentScopeInput {
  scope: CommitmentScope
  /** Eligible on-demand-equivalent spend per hour that no commitment covers, oldest first, one entry per hour. */
  hourly: readonly number[]
  history: {from: string; to: string}
  /** The forecasters' daily forecast of the same spend (interval at `level`), or why there is none. */
  forecast: {daily: readonly ForecastDay[]; level: number} | {skipped: true; reason: string}
  /** Monthly savings of rightsizing/spot recommendations not yet applied in this scope (commit after you shrink). */
  pendingMonthlyReduction: number
  /** The program that covers the scope's service (programs.ts), or why none does. */
  program: {name: string} | {ineligible: string}
  rates: readonly CommitmentRate[]
}

/** Settings with their defaults; each says why. */
export interface CommitmentSettings {
  /** Fewer days of hourly history and the hourly profile is a guess: skip (default 14, two weekly cycles). */
  minHistoryDays: number
  /** The hourly profile the future is scaled from: the last this many days (default 28, four weeks). */
  profileDays: number
  /**
   * Where the level distribution each month is centred, as a forecast quantile relative to the forecast's
   * mean (default 0.6, tuned on bench/commitments' development seeds; 0.5 is the forecast itself, 0.1 the
   * lower bound of its 80% interval). Lower commits less: fewer losses when usage falls, less saved when it
   * holds. Above 0.5 because the churn below already takes the unseen falls off.
   */
  quantile: number
  /**
   * How many levels each month's distribution is read at (default 9): the expected savings are averaged
   * over them, so an option with a deeper discount, whose idle hours cost less, commits further into the
   * spread than one with a shallow discount. 1 sizes on the single level at `quantile`.
   */
  points: number
  /**
   * The monthly chance that a scope's usage goes away (a decommission, a migration to another family or
   * region) that no history shows (default 0.01, 1% a month, tuned on the development seeds): each month
   * counts only the share of usage still expected to run, so long terms commit less.
   */
  churnPerMonth: number
  /**
   * Yearly cost of capital the upfront payments are discounted with (default 0: the clouds' own
   * recommendations ignore it, and so does bench/commitments); set your finance rate to see upfront options
   * at their present value: money paid upfront forgoes this return over the term.
   */
  costOfCapital: number
  /** Days of daily totals the decline is measured on (default 112, sixteen weeks: a slow decline needs them to stand out). */
  trendDays: number
  /**
   * A fall faster than this share of the level per month (and significant: t below -2) is a
   * decline under way: the term is sized on its continuation (default 0.02, 2% a month).
   */
  declinePerMonth: number
  /** ...and when its t statistic is below minus this (default 2: a slope twice its standard error). */
  declineT: number
  /** A step replaces a line when it leaves less than this share of the line's squared error (default 0.7). */
  stepGain: number
  /**
   * Fewer days than this since a step: the level since is held, not a slope (default 42, six weeks, tuned on
   * the development seeds: a slope over a few weeks after a step is mostly drift, and continued over a term
   * it commits nothing where the new level holds).
   */
  minSlopeDays: number
  /**
   * A decline under way is continued at the slope's lower bound, this many standard errors steeper than
   * the fitted slope (0: the fitted slope).
   */
  declineLowerZ: number
  /**
   * 'path': each month of the term is sized on the declining line at that month; 'end': every month is
   * sized on the level the (lower-bound) line keeps at the END of the term, so only what is left after
   * the whole decline is committed.
   */
  declineHold: 'path' | 'end'
  /** The monthly churn of a scope whose history shows a decline or a step down (its usage is already being moved away). */
  declinedChurnPerMonth: number
  /**
   * A decline is continued only when it persists after the best single step: the slope of the days after
   * that step must fall too, with a t statistic below minus this (0: not required). A step down that a line
   * happens to fit better (a late step, or one blurred by drift) leaves the days after it flat; read as a
   * slope and continued over the term it commits nothing where the new level holds.
   */
  declinePersistT: number
  /**
   * Share of each month's weight put on the lookback's evidence (the clouds' rule): usage holding at the
   * last week's level, with neither trend nor spread (0: the model alone). A hedge against the model's own
   * misreadings (a step read as a decline, a wide interval) that the recent hours do not share.
   */
  recentWeight: number
  /**
   * A continued decline's slope is shrunk toward zero by its uncertainty: multiplied by t^2 / (t^2 + k^2),
   * k this setting (0: not shrunk). A slope barely past the test is continued at a fraction of its fit.
   */
  slopeShrinkT: number
  /**
   * A continued decline falls over the term by at most this multiple of the fall the trend line shows over
   * the days it was fitted on (0: no cap): the history is the only evidence of how far a decline goes.
   */
  declineCapHistory: number
  /**
   * Settings of the level distribution that differ for one term, keyed by its years ("1", "3"). By default the
   * 1-year term puts half its weight on the lookback's level and caps a decline at the history's fall: chosen
   * on the total over 280 bench scenarios, per option. A 1-year term sees little of a decline's continuation,
   * so a misread one (a step, a drift) costs more there than a real one saves. A 3-year term sees most of a real
   * decline: it continues every fall with a t statistic below -1 (not -2), which cut the 3-year losses on the bench's
   * decline scenarios by a third in money at an equal total.
   */
  termOverrides: Readonly<Record<string, Partial<CommitmentSettings>>>
  /**
   * The break-even test of a scope whose history declined (a significant fall or a step down): its commitment
   * is capped at the largest one that still breaks even over the term in a worse world than the one it is
   * sized on: the decline continuing at the history's own pace (uncapped), the level at `stressQuantile` of the
   * forecast's spread, and the usage going away at this monthly hazard (0: no test). A user whose usage is
   * already falling wants the purchase not to lose money if it keeps falling and the service is then retired.
   */
  stressChurnPerMonth: number
  /** The forecast quantile the break-even test reads the level at (default 0.5, the forecast itself). */
  stressQuantile: number
  /** Which scopes the break-even test applies to: those whose history declined (default), or every scope. */
  stressOn: 'declined' | 'all'
}

export const DEFAULT_COMMITMENT_SETTINGS: CommitmentSettings = {
  minHistoryDays: 14,
  profileDays: 28,
  quantile: 0.6,
  points: 9,
  churnPerMonth: 0.01,
  costOfCapital: 0,
  trendDays: 112,
  declinePerMonth: 0.02,
  declineT: 2,
  stepGain: 0.7,
  minSlopeDays: 42,
  declineLowerZ: 0,
  declineHold: 'path',
  declinedChurnPerMonth: 0.01,
  declinePersistT: 0,
  recentWeight: 0,
  slopeShrinkT: 0,
  declineCapHistory: 0,
  termOverrides: {'1': {recentWeight: 0.5, declineCapHistory: 1}, '3': {declineT: 1}},
  stressChurnPerMonth: 0,
  stressQuantile: 0.5,
  stressOn: 'declined',
}

/** The last weeks' trend: see dailyTrend. */
export interface DailyTrend {
  /** Slope per month relative to the level. */
  perMonth: number
  /** The hourly level the line reaches on the last day. */
  endPerHour: number
  /** The slope's t statistic. */
  t: number
  /** Days since the latest step (the whole window when there is none). */
  daysSinceStep: number
  /** The latest step went down (the level since is below the level before it). */
  stepDown: boolean
  /** The slope's t statistic over the days after the best single step, whether or not that step was kept. */
  afterBestStepT: number
  /** Days the line was fitted on (after the kept step, else the whole window). */
  fittedDays: number
}

/** Least-squares line through y[from..]: slope per day, mean, its level on the last day, and the slope's t. */
function fitLine(y: readonly number[], from: number) {
  const n = y.length - from
  const xm = (n - 1) / 2
  let ym = 0
  for (let i = from; i < y.length; i++) ym += y[i]! / n
  let sxy = 0
  let sxx = 0
  for (let i = 0; i < n; i++) {
    sxy += (i - xm) * (y[from + i]! - ym)
    sxx += (i - xm) ** 2
  }
  const slope = sxx > 0 ? sxy / sxx : 0
  let sse = 0
  let lagged = 0
  let previous = 0
  for (let i = 0; i < n; i++) {
    const residual = y[from + i]! - ym - slope * (i - xm)
    sse += residual ** 2
    if (i > 0) lagged += residual * previous
    previous = residual
  }
  // Daily usage drifts (a busy week stays busy): residuals that follow each other hold fewer independent
  // days than n, and the slope's standard error grows by sqrt((1 + rho) / (1 - rho)) with their lag-1
  // correlation rho, else a drift reads as a significant decline.
  const rho = sse > 0 ? Math.min(0.9, Math.max(0, lagged / sse)) : 0
  const se = n > 2 && sxx > 0 ? Math.sqrt((sse / (n - 2) / sxx) * ((1 + rho) / (1 - rho))) : 0
  return {slope, mean: ym, end: ym + slope * (n - 1 - xm), sse, t: se > 0 ? slope / se : slope < 0 ? -Infinity : 0}
}

/**
 * The trend of the last `days` daily totals, after the latest step if a step explains them better
 * than a line does (a service moved away is a new level, not a slope to extrapolate): the slope per
 * month relative to the level, the hourly level the line reaches on the last day, and the slope's t
 * statistic. Null with fewer than 14 days.
 */
export function dailyTrend(
  hourly: readonly number[],
  days: number,
  stepGain = DEFAULT_COMMITMENT_SETTINGS.stepGain,
  minSlopeDays = DEFAULT_COMMITMENT_SETTINGS.minSlopeDays,
): DailyTrend | null {
  const n = Math.min(days, Math.floor(hourly.length / 24))
  if (n < 14) return null
  const start = hourly.length - n * 24
  const y: number[] = []
  for (let d = 0; d < n; d++) {
    let v = 0
    for (let h = 0; h < 24; h++) v += Math.max(0, hourly[start + d * 24 + h] ?? 0) || 0
    y.push(v)
  }
  // Weekdays and weekends differ by design, not by trend: divide each day by its weekday's share.
  const weekday = Array.from({length: 7}, (_, w) => {
    let sum = 0
    let count = 0
    for (let d = w; d < n; d += 7) {
      sum += y[d]!
      count++
    }
    return sum / count
  })
  const all = y.reduce((a, v) => a + v, 0) / n
  if (n >= 28 && all > 0) for (let d = 0; d < n; d++) if (weekday[d % 7]! > 0) y[d] = (y[d]! * all) / weekday[d % 7]!
  const line = fitLine(y, 0)
  // The best single step: two constant levels, split at least a week from either end.
  let step = {at: 0, sse: Infinity}
  const prefix = [0]
  const prefix2 = [0]
  for (const v of y) {
    prefix.push(prefix.at(-1)! + v)
    prefix2.push(prefix2.at(-1)! + v * v)
  }
  const sse = (a: number, b: number) => prefix2[b]! - prefix2[a]! - (prefix[b]! - prefix[a]!) ** 2 / (b - a)
  for (let k = 7; k <= n - 7; k++) {
    const v = sse(0, k) + sse(k, n)
    if (v < step.sse) step = {at: k, sse: v}
  }
  // A step must explain clearly more than a line does (it has one more parameter, its date).
  const after = step.sse < stepGain * line.sse ? step.at : 0
  const flat = after > 0 && n - after < minSlopeDays
  const fit = flat ? {...fitLine(y, after), slope: 0, t: 0} : fitLine(y, after)
  if (!(fit.mean > 0)) return null
  const end = flat ? fit.mean : fit.end
  const before = after > 0 ? (prefix[after]! - prefix[0]!) / after : fit.mean
  // A decline that is really one step leaves the days after that step flat; a decline under way keeps falling.
  const afterBest = step.at > 0 && n - step.at >= 14 ? fitLine(y, step.at) : fit
  return {
    perMonth: (fit.slope * 30) / fit.mean,
    endPerHour: Math.max(0, end) / 24,
    t: fit.t,
    daysSinceStep: n - after,
    stepDown: after > 0 && fit.mean < before,
    afterBestStepT: afterBest.t,
    fittedDays: n - after,
  }
}

/** The standard normal quantile (Acklam's rational approximation, |error| < 1.2e-9 after one refinement-free pass). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) return p <= 0 ? -Infinity : Infinity
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239,
  ]
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572]
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ]
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416]
  const tail = (q: number) =>
    (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
    ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1)
  if (p < 0.02425) return tail(Math.sqrt(-2 * Math.log(p)))
  if (p > 1 - 0.02425) return -tail(Math.sqrt(-2 * Math.log(1 - p)))
  const q = p - 0.5
  const r = q * q
  return (
    ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) /
    (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1)
  )
}

/** The hourly profile, sorted, with prefix sums: E[min(m x U, c)] in O(log n). */
export class Profile {
  private readonly sorted: Float64Array
  private readonly prefix: Float64Array
  constructor(values: readonly number[]) {
    this.sorted = Float64Array.from(values).sort()
    this.prefix = new Float64Array(this.sorted.length + 1)
    for (let i = 0; i < this.sorted.length; i++) this.prefix[i + 1] = this.prefix[i]! + this.sorted[i]!
  }
  get max(): number {
    return this.sorted.length > 0 ? this.sorted[this.sorted.length - 1]! : 0
  }
  /** Mean over the profile's hours of min(scale x usage, cap). */
  meanCovered(scale: number, cap: number): number {
    const n = this.sorted.length
    if (n === 0 || scale <= 0 || cap <= 0) return 0
    const threshold = cap / scale
    let lo = 0
    let hi = n
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (this.sorted[mid]! < threshold) lo = mid + 1
      else hi = mid
    }
    return (scale * this.prefix[lo]! + cap * (n - lo)) / n
  }
}

/** The share of the recent level left once pending rightsizing and spot savings are applied. */
function pendingShrink(input: CommitmentScopeInput, recentMean: number): number {
  return Math.max(0, 1 - input.pendingMonthlyReduction / (HOURS_PER_MONTH * recentMean))
}

/** Per forecast month: the spread of the level relative to the forecast's mean (one standard deviation). */
function forecastSpreads(input: CommitmentScopeInput): number[] {
  const spreads: number[] = []
  if ('daily' in input.forecast && input.forecast.daily.length > 0) {
    const days = input.forecast.daily
    const zLevel = normalQuantile(0.5 + input.forecast.level / 200)
    for (let start = 0; start < days.length; start += 30) {
      const slice = days.slice(start, start + 30)
      if (slice.length < 7 && spreads.length > 0) break
      const mean = slice.reduce((s, d) => s + Math.max(0, d.mean), 0) / slice.length
      const lower = slice.reduce((s, d) => s + Math.max(0, d.lower), 0) / slice.length
      spreads.push(zLevel > 0 && mean > 0 ? Math.max(0, mean - lower) / zLevel / mean : 0)
    }
  }
  if (spreads.length === 0) spreads.push(0)
  return spreads
}

/**
 * The usage levels each month of a term may run at, relative to the recent profile, with their
 * weights. Their centre is the level usage runs at now: the end of the last weeks' trend line, after
 * the latest step if a step explains them better (growth is never committed to: a rising line is held
 * at its end); a decline under way (a significant fall) is not assumed to stop, the centre follows it
 * down over the whole term. Their spread is the forecast's (its interval read as a normal spread),
 * growing beyond its horizon, read at `points` equally likely quantiles around the quantile
 * `quantile`; each month's weights sum to the chance the usage still runs (`churnPerMonth`).
 * Pending reductions shrink them.
 */
export function levelPaths(
  input: CommitmentScopeInput,
  recentMean: number,
  lastWeekMean: number,
  months: number,
  settings: CommitmentSettings = DEFAULT_COMMITMENT_SETTINGS,
  trend: DailyTrend | null = dailyTrend(input.hourly, settings.trendDays, settings.stepGain, settings.minSlopeDays),
): {months: LevelMonth[]; decline: {perMonth: number} | null; declined: boolean} {
  const shrink = pendingShrink(input, recentMean)
  const spreads = forecastSpreads(input)
  const n = Math.max(1, Math.round(settings.points))
  const zs = Array.from(
    {length: n},
    (_, j) => (n === 1 ? 0 : normalQuantile((j + 0.5) / n)) + normalQuantile(settings.quantile),
  )
  const falling =
    trend !== null &&
    trend.perMonth < -settings.declinePerMonth &&
    trend.t < -settings.declineT &&
    (settings.declinePersistT <= 0 || trend.afterBestStepT < -settings.declinePersistT)
      ? trend
      : null
  const now = trend ? trend.endPerHour / recentMean : lastWeekMean / recentMean
  // The slope a decline is continued at: its fitted value, or steeper by declineLowerZ standard errors.
  const slope = falling ? continuedSlope(falling, settings) : 0
  // The furthest the centre may fall below its level now: the fall the line shows over its own days, times the cap.
  const floor =
    falling && settings.declineCapHistory > 0
      ? now * Math.max(0, 1 + settings.declineCapHistory * falling.perMonth * (falling.fittedDays / 30))
      : 0
  const recent = Math.max(0, Math.min(1, settings.recentWeight))
  const lookbackLevel = (lastWeekMean / recentMean) * shrink
  const declined = falling !== null || trend?.stepDown === true
  const churn = declined ? settings.declinedChurnPerMonth : settings.churnPerMonth
  const result: LevelMonth[] = []
  for (let k = 0; k < months; k++) {
    const at = settings.declineHold === 'end' ? months : k + 0.5
    const centre = falling ? Math.max(floor, now * (1 + slope * at)) : now
    const spread = spreads[Math.min(k, spreads.length - 1)]!
    const alive = (1 - Math.min(1, Math.max(0, churn))) ** (k + 0.5)
    const levels = zs.map((z) => Math.max(0, centre * (1 + z * spread)) * shrink)
    const weights = levels.map(() => (alive * (1 - recent)) / n)
    if (recent > 0) {
      levels.push(lookbackLevel)
      weights.push(alive * recent)
    }
    result.push({levels, weights})
  }
  return {months: result, decline: falling ? {perMonth: falling.perMonth} : null, declined}
}

/**
 * The worse world of the break-even test (`stressChurnPerMonth`): one level a month, the forecast's
 * `stressQuantile`, centred on the level now and falling at the history's own pace (the trend line's slope
 * when it falls, significant or not, never capped), weighted by the chance the usage still runs at the
 * stress hazard. Null when the test does not apply to this scope.
 */
export function stressPaths(
  input: CommitmentScopeInput,
  recentMean: number,
  lastWeekMean: number,
  months: number,
  declined: boolean,
  settings: CommitmentSettings,
  trend: DailyTrend | null,
): LevelMonth[] | null {
  const hazard = Math.min(1, Math.max(0, settings.stressChurnPerMonth))
  if (!(hazard > 0) || (settings.stressOn === 'declined' && !declined)) return null
  const spreads = forecastSpreads(input)
  const shrink = pendingShrink(input, recentMean)
  const now = trend ? trend.endPerHour / recentMean : lastWeekMean / recentMean
  const slope = trend ? Math.min(0, trend.perMonth) : 0
  const z = normalQuantile(settings.stressQuantile)
  return Array.from({length: months}, (_, k) => {
    const spread = spreads[Math.min(k, spreads.length - 1)]!
    const centre = Math.max(0, now * (1 + slope * (k + 0.5)))
    return {
      levels: [Math.max(0, centre * (1 + z * spread)) * shrink],
      weights: [(1 - hazard) ** (k + 0.5)],
    }
  })
}

/** The settings a term's level distribution is read with: the defaults, then that term's overrides. */
export function termSettings(settings: CommitmentSettings, termYears: number): CommitmentSettings {
  return {...settings, ...settings.termOverrides[String(termYears)]}
}

/** One month of the term: the levels usage may run at (relative to the profile), each with its weight. */
export interface LevelMonth {
  levels: number[]
  weights: number[]
}

/**
 * The slope a decline is continued at, per month relative to the level: its fit, steeper by `declineLowerZ`
 * standard errors, then shrunk toward zero by t^2 / (t^2 + slopeShrinkT^2): the less certain, the less of it.
 */
export function continuedSlope(
  trend: Pick<DailyTrend, 'perMonth' | 't'>,
  settings: Pick<CommitmentSettings, 'declineLowerZ' | 'slopeShrinkT'>,
): number {
  const t = Number.isFinite(trend.t) ? trend.t : 0
  const se = t !== 0 ? Math.abs(trend.perMonth / t) : 0
  const slope = trend.perMonth - settings.declineLowerZ * se
  if (!(settings.slopeShrinkT > 0) || !Number.isFinite(trend.t)) return slope
  return (slope * t * t) / (t * t + settings.slopeShrinkT ** 2)
}

/** Expected term figures of covering `cap` on-demand-equivalent per hour at `discount`. */
function termFigures(profile: Profile, months: readonly LevelMonth[], cap: number, discount: number, scale = 1) {
  let avoided = 0
  const monthlyAvoided: number[] = []
  for (const m of months) {
    let a = 0
    m.levels.forEach((level, j) => (a += m.weights[j]! * HOURS_PER_MONTH * profile.meanCovered(level * scale, cap)))
    monthlyAvoided.push(a)
    avoided += a
  }
  const cost = HOURS_PER_MONTH * (1 - discount) * cap * months.length
  return {avoided, cost, net: avoided - cost, monthlyAvoided}
}

/** Present value of a dollar at the end of each month of the term, at a yearly cost of capital (all 1 at 0). */
function monthFactors(months: number, costOfCapital: number): number[] {
  const r = Math.max(0, costOfCapital) / 12
  return Array.from({length: months}, (_, k) => (1 + r) ** -(k + 1))
}

/** Expected net savings in present value: avoided spend each month, minus the payments as they fall due. */
function presentNet(
  profile: Profile,
  months: readonly LevelMonth[],
  cap: number,
  rate: CommitmentRate,
  factors: readonly number[],
): number {
  const upfrontShare = rate.payment === 'all' ? 1 : rate.payment === 'partial' ? 0.5 : 0
  const monthlyCost = HOURS_PER_MONTH * (1 - rate.discount) * cap
  let net = -upfrontShare * monthlyCost * months.length
  months.forEach((m, k) => {
    let a = 0
    m.levels.forEach((level, j) => (a += m.weights[j]! * HOURS_PER_MONTH * profile.meanCovered(level, cap)))
    net += factors[k]! * (a - (1 - upfrontShare) * monthlyCost)
  })
  return net
}

/** The cap maximizing expected net savings (in present value): concave in the cap, so a ternary search finds it. */
function bestCap(profile: Profile, months: readonly LevelMonth[], rate: CommitmentRate, costOfCapital: number): number {
  const factors = monthFactors(months.length, costOfCapital)
  let lo = 0
  let hi = profile.max * Math.max(0, ...months.flatMap((m) => m.levels))
  if (hi <= 0) return 0
  for (let i = 0; i < 80; i++) {
    const a = lo + (hi - lo) / 3
    const b = hi - (hi - lo) / 3
    if (presentNet(profile, months, a, rate, factors) < presentNet(profile, months, b, rate, factors)) lo = a
    else hi = b
  }
  const cap = (lo + hi) / 2
  return presentNet(profile, months, cap, rate, factors) > 0 ? cap : 0
}

/**
 * The largest cap whose net savings (in present value) are not negative in the `stress` world: the net is
 * concave in the cap and 0 at 0, so the caps that break even are an interval from 0, found by bisection
 * beyond the stress world's own optimum.
 */
export function breakEvenCap(
  profile: Profile,
  stress: readonly LevelMonth[],
  rate: CommitmentRate,
  costOfCapital: number,
): number {
  const factors = monthFactors(stress.length, costOfCapital)
  let lo = bestCap(profile, stress, rate, costOfCapital)
  if (!(lo > 0)) return 0
  // Beyond the highest usage a larger cap only adds cost: double until the net is negative.
  let hi = Math.max(lo, profile.max * Math.max(0, ...stress.flatMap((m) => m.levels)))
  for (let i = 0; i < 60 && presentNet(profile, stress, hi, rate, factors) >= 0; i++) hi *= 2
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2
    if (presentNet(profile, stress, mid, rate, factors) >= 0) lo = mid
    else hi = mid
  }
  return lo
}

function option(
  profile: Profile,
  levels: readonly LevelMonth[],
  rate: CommitmentRate,
  settings: CommitmentSettings,
  stress: readonly LevelMonth[] | null,
): CommitmentOption {
  const term = levels.slice(0, rate.termYears * 12)
  const sized = bestCap(profile, term, rate, settings.costOfCapital)
  const cap = stress ? Math.min(sized, breakEvenCap(profile, stress, rate, settings.costOfCapital)) : sized
  const figures = termFigures(profile, term, cap, rate.discount)
  const months = term.length
  const hourly = (1 - rate.discount) * cap
  const total = hourly * HOURS_PER_MONTH * months
  const upfront = rate.payment === 'all' ? total : rate.payment === 'partial' ? total / 2 : 0
  const monthlyPayment = (total - upfront) / months
  let breakEven: number | null = null
  let cumulative = -upfront
  for (let k = 0; k < months && cap > 0; k++) {
    cumulative += figures.monthlyAvoided[k]! - monthlyPayment
    if (cumulative >= 0) {
      breakEven = k + 1
      break
    }
  }
  // Usage falling by a share s scales every level by 1 - s: the smallest s at which the term loses money.
  let lossAt: number | null = null
  if (cap > 0) {
    let lo = 0
    let hi = 1
    for (let i = 0; i < 40; i++) {
      const mid = (lo + hi) / 2
      if (termFigures(profile, term, cap, rate.discount, 1 - mid).net >= 0) lo = mid
      else hi = mid
    }
    lossAt = roundTo(lo, 4)
  }
  const wasteAtLower =
    cap > 0 ? (hourly * HOURS_PER_MONTH * months - (1 - rate.discount) * figures.avoided) / months : 0
  return {
    termYears: rate.termYears,
    payment: rate.payment,
    discount: rate.discount,
    rateSource: rate.source,
    hourlyCommitment: roundTo(hourly, 4),
    coveredOnDemandPerHour: roundTo(cap, 4),
    upfront: roundMoney(upfront),
    monthlyPayment: roundMoney(monthlyPayment),
    expectedMonthlySavings: roundMoney(figures.net / months),
    expectedTermSavings: roundMoney(figures.net),
    breakEvenMonth: breakEven,
    expectedUtilization: cap > 0 ? roundTo(Math.min(1, figures.avoided / (cap * HOURS_PER_MONTH * months)), 4) : null,
    wasteMonthlyAtLower: roundMoney(Math.max(0, wasteAtLower)),
    lossIfUsageFallsBy: lossAt,
  }
}

/**
 * The ladder the clouds advise, per payment: the 3-year option, and a 1-year commitment on top covering what
 * the 1-year option covers beyond it (a 1-year option covers more when the 3 years are held back by a decline
 * or churn the first year sees less of). Its first year is priced on the 1-year level paths; the layer is
 * re-sized each year on the usage then. Only payments whose 1-year option covers more than the 3-year one.
 */
export function ladderOptions(
  profile: Profile,
  firstYear: readonly LevelMonth[],
  rates: readonly CommitmentRate[],
  options: readonly CommitmentOption[],
): CommitmentLadder[] {
  const ladders: CommitmentLadder[] = []
  for (const payment of ['none', 'partial', 'all'] as const) {
    const one = options.find((o) => o.termYears === 1 && o.payment === payment)
    const three = options.find((o) => o.termYears === 3 && o.payment === payment)
    const rate = rates.find((r) => r.termYears === 1 && r.payment === payment)
    if (!one || !three || !rate) continue
    const base = three.coveredOnDemandPerHour
    const layer = one.coveredOnDemandPerHour - base
    if (!(layer > 0)) continue
    const year = firstYear.slice(0, 12)
    const band =
      termFigures(profile, year, base + layer, rate.discount).avoided -
      termFigures(profile, year, base, rate.discount).avoided -
      HOURS_PER_MONTH * (1 - rate.discount) * layer * year.length
    ladders.push({
      payment,
      threeYearHourlyCommitment: three.hourlyCommitment,
      threeYearCoveredOnDemandPerHour: base,
      layerHourlyCommitment: roundTo((1 - rate.discount) * layer, 4),
      layerCoveredOnDemandPerHour: roundTo(layer, 4),
      layerDiscount: rate.discount,
      expectedMonthlySavingsFirstYear: roundMoney(three.expectedMonthlySavings + band / Math.max(1, year.length)),
    })
  }
  return ladders
}

const mean = (values: readonly number[]): number =>
  values.length === 0 ? 0 : values.reduce((s, v) => s + v, 0) / values.length

/**
 * The commitment for one eligible scope: for each option (term, payment), the hourly commitment
 * that maximizes expected net savings when future usage follows the lower bound of the forecast
 * interval (the newsvendor optimum on the recent hourly profile scaled month by month), with its
 * break-even month, utilization and the risk of waste; the best option; or a skip with its reason.
 */
export function recommendCommitment(
  input: CommitmentScopeInput,
  settings: CommitmentSettings = DEFAULT_COMMITMENT_SETTINGS,
): {recommendation: CommitmentRecommendation} | {skip: CommitmentSkip} {
  const skip = (reason: string) => ({skip: {scope: input.scope, reason}})
  if ('ineligible' in input.program) return skip(`not commitment-eligible: ${input.program.ineligible}`)
  const program = input.program.name
  const hours = input.hourly.length
  if (!input.hourly.some((v) => v > 0))
    return skip(
      'no uncovered eligible on-demand spend: nothing to commit (commitments cover all of it, or there is no usage)',
    )
  if (hours < settings.minHistoryDays * 24)
    return skip(
      `short history: ${Math.floor(hours / 24)} days of hourly usage, ${settings.minHistoryDays} needed to see its daily and weekly shape`,
    )
  if (input.rates.length === 0)
    return skip(
      `no rate for ${program}: add a commitments.rates entry with ` +
        `provider: ${input.scope.provider}, service: ${input.scope.serviceName}, termYears, payment and the discount of your quote (it is never priced at a ` +
        `compute Savings Plan rate)`,
    )
  const trend = dailyTrend(input.hourly, settings.trendDays, settings.stepGain, settings.minSlopeDays)
  // After a step the hours before it are another level: the profile holds only the days since (three at least).
  const profileDays = Math.min(settings.profileDays, Math.max(3, trend?.daysSinceStep ?? settings.profileDays))
  const profileHours = input.hourly.slice(-profileDays * 24).map((v) => (Number.isFinite(v) ? Math.max(0, v) : 0))
  const recentMean = mean(profileHours)
  if (!(recentMean > 0)) return skip('no uncovered eligible on-demand spend in the last weeks: nothing to commit')
  const lastWeekMean = mean(profileHours.slice(-7 * 24))
  const fourWeeks = input.hourly.slice(-settings.profileDays * 24).map((v) => (Number.isFinite(v) ? Math.max(0, v) : 0))
  const fourWeeksMean = mean(fourWeeks)
  const lastWeekOfFour = mean(fourWeeks.slice(-7 * 24))
  const profile = new Profile(profileHours)
  // Each term has its own paths: a decline held at the end of the term is held at a different month for 1 and 3 years.
  const paths = new Map<number, ReturnType<typeof levelPaths>>()
  const pathsFor = (termMonths: number) => {
    if (!paths.has(termMonths))
      paths.set(
        termMonths,
        levelPaths(input, recentMean, lastWeekMean, termMonths, termSettings(settings, termMonths / 12), trend),
      )
    return paths.get(termMonths)!
  }
  const options = input.rates.map((rate) => {
    const paths = pathsFor(rate.termYears * 12)
    const stress = stressPaths(
      input,
      recentMean,
      lastWeekMean,
      rate.termYears * 12,
      paths.declined,
      termSettings(settings, rate.termYears),
      trend,
    )
    return option(profile, paths.months, rate, settings, stress)
  })
  const {decline} = pathsFor(12)
  const ladders = ladderOptions(profile, pathsFor(12).months, input.rates, options)
  const best = options.reduce<CommitmentOption | null>(
    (b, o) => (o.expectedMonthlySavings > 0 && (!b || o.expectedMonthlySavings > b.expectedMonthlySavings) ? o : b),
    null,
  )
  const notes: string[] = []
  if ('skipped' in input.forecast)
    notes.push(`no forecast (${input.forecast.reason}): sized on the last week's level, held flat`)
  if (lastWeekOfFour < 0.9 * fourWeeksMean)
    notes.push(
      `usage is falling: the last week averaged ${Math.round((lastWeekOfFour / fourWeeksMean) * 100)}% of the last four weeks; sized on the level it ` +
        `runs at now${profileDays < settings.profileDays ? `, the ${profileDays} days since it stepped down` : ''}`,
    )
  if (decline)
    notes.push(
      `usage is declining, about ${Math.round(-decline.perMonth * 1000) / 10}% a month over the ` +
        `last ${settings.trendDays} days: each month of the term is sized on the decline continuing`,
    )
  if (input.pendingMonthlyReduction > 0)
    notes.push(
      `sized after pending rightsizing/spot savings of ${roundMoney(input.pendingMonthlyReduction)} per month in this scope: commit after you shrink`,
    )
  if (!best) notes.push('no option saves money on the lower forecast path: do not commit')
  const forecastLower =
    'daily' in input.forecast && input.forecast.daily.length > 0
      ? roundTo(mean(input.forecast.daily.map((d) => Math.max(0, d.lower))) / 24, 4)
      : null
  return {
    recommendation: {
      scope: input.scope,
      program,
      history: {...input.history, hours},
      recentOnDemandPerHour: roundTo(fourWeeksMean, 4),
      forecastLowerPerHour: forecastLower,
      forecastLevel: 'daily' in input.forecast ? input.forecast.level : null,
      pendingMonthlyReduction: roundMoney(input.pendingMonthlyReduction),
      best,
      options,
      ladders,
      notes,
    },
  }
}
