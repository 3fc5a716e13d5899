import type {CommitmentRate} from './rates.js'
import type {CommitmentOption, CommitmentRecommendation, CommitmentScope, CommitmentSkip} from './schema.js'
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
}

export const DEFAULT_COMMITMENT_SETTINGS: CommitmentSettings = {minHistoryDays: 14, profileDays: 28}

/** The hourly profile, sorted, with prefix sums: E[min(m x U, c)] in O(log n). */
class Profile {
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

/**
 * The usage level of each month of a term relative to the recent profile: the forecast's lower
 * bound per month over its horizon, held at its last month beyond it, never above the last week's
 * level (a decline already under way is not forecast away), and shrunk by pending reductions.
 */
export function lowerPath(
  input: CommitmentScopeInput,
  recentMean: number,
  lastWeekMean: number,
  months: number,
): number[] {
  const cap = lastWeekMean / recentMean
  const shrink = Math.max(0, 1 - input.pendingMonthlyReduction / (HOURS_PER_MONTH * recentMean))
  const monthly: number[] = []
  if ('daily' in input.forecast && input.forecast.daily.length > 0) {
    const days = input.forecast.daily
    for (let start = 0; start < days.length; start += 30) {
      const slice = days.slice(start, start + 30)
      if (slice.length < 7 && monthly.length > 0) break
      monthly.push(slice.reduce((s, d) => s + Math.max(0, d.lower), 0) / slice.length / 24 / recentMean)
    }
  } else monthly.push(cap)
  const path: number[] = []
  for (let k = 0; k < months; k++)
    path.push(Math.max(0, Math.min(monthly[Math.min(k, monthly.length - 1)]!, cap)) * shrink)
  return path
}

/** Expected term figures of covering `cap` on-demand-equivalent per hour at `discount`, on a path. */
function termFigures(profile: Profile, path: readonly number[], cap: number, discount: number) {
  let avoided = 0
  const monthlyAvoided: number[] = []
  for (const m of path) {
    const a = HOURS_PER_MONTH * profile.meanCovered(m, cap)
    monthlyAvoided.push(a)
    avoided += a
  }
  const cost = HOURS_PER_MONTH * (1 - discount) * cap * path.length
  return {avoided, cost, net: avoided - cost, monthlyAvoided}
}

/** The cap maximizing expected net savings on the path: the function is concave in the cap, so a ternary search finds it. */
function bestCap(profile: Profile, path: readonly number[], discount: number): number {
  let lo = 0
  let hi = profile.max * Math.max(0, ...path)
  if (hi <= 0) return 0
  for (let i = 0; i < 80; i++) {
    const a = lo + (hi - lo) / 3
    const b = hi - (hi - lo) / 3
    if (termFigures(profile, path, a, discount).net < termFigures(profile, path, b, discount).net) lo = a
    else hi = b
  }
  const cap = (lo + hi) / 2
  return termFigures(profile, path, cap, discount).net > 0 ? cap : 0
}

function option(profile: Profile, path: readonly number[], rate: CommitmentRate): CommitmentOption {
  const termPath = path.slice(0, rate.termYears * 12)
  const cap = bestCap(profile, termPath, rate.discount)
  const figures = termFigures(profile, termPath, cap, rate.discount)
  const months = termPath.length
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
  // Usage falling by a share s scales the path by 1 - s: the smallest s at which the term loses money.
  let lossAt: number | null = null
  if (cap > 0) {
    let lo = 0
    let hi = 1
    for (let i = 0; i < 40; i++) {
      const mid = (lo + hi) / 2
      const scaled = termPath.map((m) => m * (1 - mid))
      if (termFigures(profile, scaled, cap, rate.discount).net >= 0) lo = mid
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
      `no rate for ${program}: add a commitments.rates entry with provider: ${input.scope.provider}, service: ${input.scope.serviceName}, termYears, payment and the discount of your quote (it is never priced at a compute Savings Plan rate)`,
    )
  const profileHours = input.hourly
    .slice(-settings.profileDays * 24)
    .map((v) => (Number.isFinite(v) ? Math.max(0, v) : 0))
  const recentMean = mean(profileHours)
  if (!(recentMean > 0)) return skip('no uncovered eligible on-demand spend in the last weeks: nothing to commit')
  const lastWeekMean = mean(profileHours.slice(-7 * 24))
  const profile = new Profile(profileHours)
  const path = lowerPath(input, recentMean, lastWeekMean, 36)
  const options = input.rates.map((rate) => option(profile, path, rate))
  const best = options.reduce<CommitmentOption | null>(
    (b, o) => (o.expectedMonthlySavings > 0 && (!b || o.expectedMonthlySavings > b.expectedMonthlySavings) ? o : b),
    null,
  )
  const notes: string[] = []
  if ('skipped' in input.forecast)
    notes.push(`no forecast (${input.forecast.reason}): sized on the last week's level, held flat`)
  if (lastWeekMean < 0.9 * recentMean)
    notes.push(
      `usage is falling: the last week averaged ${Math.round((lastWeekMean / recentMean) * 100)}% of the last four weeks; the commitment is capped at that level`,
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
      recentOnDemandPerHour: roundTo(recentMean, 4),
      forecastLowerPerHour: forecastLower,
      forecastLevel: 'daily' in input.forecast ? input.forecast.level : null,
      pendingMonthlyReduction: roundMoney(input.pendingMonthlyReduction),
      best,
      options,
      notes,
    },
  }
}
