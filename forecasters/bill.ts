import {addDays, daysBetween, eachDay, monthEnd, monthKey, monthStart} from '../src/dates.js'
import {type KindSeries, splitSeries, toKindSeries} from './charges.js'
import {forecastGroups, YOUNG_DAYS} from './groups.js'
import {forecastRamp} from './models/ramp.js'
import {sumForecast} from './period.js'
import {forecastSeries} from './series.js'
import type {
  BillForecastOptions,
  BillHistory,
  CurrencyForecast,
  CurrencyHistory,
  CurrencySkip,
  ForecastPoint,
  ForecastResult,
  ForecastWarning,
  MonthProjection,
  RecurringCharge,
} from './types.js'

/** Days of history a source must come after to count as launched within it (not just the history's start). */
const MIN_HISTORY_BEFORE_LAUNCH = 7

/** forecastBill's result: a forecast or a skip for every currency of the history, in currency-code order. */
export interface BillForecast {
  currencies: CurrencyForecast[]
  skipped: CurrencySkip[]
}

/**
 * Forecasts a bill, currency by currency (never summed together): Usage-Based charges as a series
 * (model chosen by backtest), Recurring charges on their billing days, One-Time charges left out and
 * listed. With a group-by, each group is forecast too and reconciled to the total. Pure.
 */
export function forecastBill(history: BillHistory, options: BillForecastOptions): BillForecast {
  const currencies: CurrencyForecast[] = []
  const skipped: CurrencySkip[] = []
  const end = addDays(history.to, options.horizonDays)
  for (const h of [...history.currencies].sort((a, b) => a.currency.localeCompare(b.currency))) {
    const result = forecastCurrency(h, end, options)
    if ('reason' in result) skipped.push(result)
    else currencies.push(result)
  }
  return {currencies, skipped}
}

/** One currency's forecast from the day after its own last day with data to `end`. */
export function forecastCurrency(
  h: CurrencyHistory,
  end: string,
  options: BillForecastOptions,
): CurrencyForecast | CurrencySkip {
  const {currency, lastDay} = h
  const horizonDays = daysBetween(lastDay, end)
  const first = h.charges.reduce((m, r) => (r.day < m ? r.day : m), lastDay)
  const days = eachDay(first, lastDay)
  const s = toKindSeries(h.charges, days)
  const {usage, recurring} = splitSeries(s, lastDay, horizonDays)
  // Days without any data are missing, not zero: the series forecaster fills a few, or cuts at a long gap.
  const isKnown = (date: string): boolean => s.present.has(date) || h.importedDays.has(date)
  const negative = usage.filter((p) => isKnown(p.date) && p.value < 0)
  if (negative.length > 0) {
    return {
      currency,
      reason:
        `${currency} daily cost is negative ` +
        `on ${negative.length} day${negative.length === 1 ? '' : 's'} (first: ${negative[0]!.date}); a cost forecast needs non-negative daily totals`,
      suggestion:
        'mark credits and refunds ChargeFrequency One-Time in the billing data, or forecast another metric, scope or history',
    }
  }
  // Services launched in the last weeks ramp up: each is forecast from its own trajectory and the
  // rest of the bill as a series, so a launch is neither taken for a level shift nor averaged away.
  const young = youngSources(s, isKnown)
  const known = usage.flatMap((p, i) =>
    isKnown(p.date) ? [{date: p.date, value: Math.max(0, p.value - young.reduce((a, y) => a + y.values[i]!, 0))}] : [],
  )
  const settings = {
    ...options.settings,
    level: options.level,
    backtestAll: options.backtest ?? options.settings?.backtestAll,
  }
  const mature = forecastSeries(known, horizonDays, settings)
  if (mature.skipped) {
    return {
      currency,
      reason: `cannot forecast ${currency} cost: ${mature.reason}`,
      suggestion: mature.needDays
        ? `import at least ${mature.needDays} consecutive days of billing data (${first} to ${lastDay} is ${days.length})`
        : 'import the missing days of billing data',
    }
  }
  const result = addYoung(mature, young, horizonDays, options.level)

  const total = addRecurring(result, recurring)
  const historyStart = result.history.from
  const oneTimeCharges = days.flatMap((date, i) =>
    date >= historyStart && Math.abs(s.oneTime[i]!) > 1e-9 ? [{date, amount: s.oneTime[i]!}] : [],
  )
  const warnings: ForecastWarning[] = [...result.warnings]
  for (const y of young)
    warnings.push({
      code: 'young-series',
      message: `${y.label} has cost only since ${y.from} (${y.days} days): forecast from its own ramp towards a plateau, with a wide interval`,
    })
  if (horizonDays > options.horizonDays)
    warnings.push({
      code: 'lagging-data',
      message:
        `${currency} data ends ` +
        `${lastDay}, ${horizonDays - options.horizonDays} ` +
        `day${horizonDays - options.horizonDays === 1 ? '' : 's'} before the other currencies'; its forecast starts the day after`,
    })
  const horizonTotal = total.cumulative.at(-1)!
  const groupWarnings: ForecastWarning[] = []
  const forecast: CurrencyForecast = {
    currency,
    model: result.model,
    level: options.level,
    history: {from: result.history.from, to: lastDay, days: result.history.days, filled: result.history.filled},
    forecast: {from: addDays(lastDay, 1), to: end},
    daily: total.daily,
    cumulative: total.cumulative,
    total: {mean: horizonTotal.mean, lower: horizonTotal.lower, upper: horizonTotal.upper},
    components: {usage: result.daily.map((p) => ({date: p.date, mean: p.mean})), recurring},
    oneTime: {total: oneTimeCharges.reduce((a, c) => a + c.amount, 0), charges: oneTimeCharges},
    monthEnds: monthProjections(total, new Map([[monthKey(addDays(lastDay, 1)), h.monthToDate]])),
    groups:
      options.groupBy.length > 0
        ? forecastGroups(h, days, historyStart, lastDay, horizonDays, options, total, groupWarnings)
        : [],
    backtest: result.backtest,
    // A launch the total already reports is not reported again by its group.
    warnings: [...warnings, ...groupWarnings.filter((w) => !warnings.some((x) => x.code === w.code))],
  }
  return forecast
}

/** A usage source whose first cost came in the last weeks, after the history began. */
interface YoungSource {
  label: string
  from: string
  days: number
  /** Its daily usage over the whole history (zeros before it started). */
  values: number[]
}

function youngSources(s: KindSeries, isKnown: (date: string) => boolean): YoungSource[] {
  const out: YoungSource[] = []
  const n = s.days.length
  for (const [source, values] of s.usageBySource) {
    const start = values.findIndex((v) => v > 0)
    const age = n - start
    // Three days at least: a day or two of cost may be a one-off, not a launch.
    if (start < MIN_HISTORY_BEFORE_LAUNCH || age > YOUNG_DAYS || age < 3) continue
    if (values.slice(start).filter((v, i) => isKnown(s.days[start + i]!) && v > 0).length < 3) continue
    out.push({label: source.split('\u0000').filter(Boolean).join(' / '), from: s.days[start]!, days: age, values})
  }
  return out
}

/**
 * The bill's forecast: the mature series' plus each young source's ramp. Their errors are independent,
 * so the interval half-widths add in quadrature, day by day and for the running total.
 */
function addYoung(
  mature: ForecastResult,
  young: readonly YoungSource[],
  horizonDays: number,
  level: number,
): ForecastResult {
  if (young.length === 0) return mature
  const ramps = young.map((y) => forecastRamp(y.values.slice(y.values.length - y.days), horizonDays, level))
  const combine = (p: ForecastPoint, parts: {mean: number; lower: number; upper: number}[]): ForecastPoint => {
    const mean = p.mean + parts.reduce((a, q) => a + q.mean, 0)
    const down = Math.sqrt((p.mean - p.lower) ** 2 + parts.reduce((a, q) => a + (q.mean - q.lower) ** 2, 0))
    const up = Math.sqrt((p.upper - p.mean) ** 2 + parts.reduce((a, q) => a + (q.upper - q.mean) ** 2, 0))
    return {date: p.date, mean, lower: Math.max(0, mean - down), upper: mean + up}
  }
  return {
    ...mature,
    daily: mature.daily.map((p, i) =>
      combine(
        p,
        ramps.map((r) => ({mean: r.mean[i]!, lower: r.lower[i]!, upper: r.upper[i]!})),
      ),
    ),
    cumulative: mature.cumulative.map((p, i) =>
      combine(
        p,
        ramps.map((r) => r.cumulative[i]!),
      ),
    ),
  }
}

/** Recurring charges are known amounts on known days: they shift the mean and both bounds. */
function addRecurring(
  result: ForecastResult,
  recurring: readonly RecurringCharge[],
): {daily: ForecastPoint[]; cumulative: ForecastPoint[]} {
  let running = 0
  const daily: ForecastPoint[] = []
  const cumulative: ForecastPoint[] = []
  result.daily.forEach((p, h) => {
    const r = recurring[h]?.amount ?? 0
    running += r
    daily.push({date: p.date, mean: p.mean + r, lower: p.lower + r, upper: p.upper + r})
    const c = result.cumulative[h]!
    cumulative.push({date: c.date, mean: c.mean + running, lower: c.lower + running, upper: c.upper + running})
  })
  return {daily, cumulative}
}

function monthProjections(
  total: {daily: ForecastPoint[]; cumulative: ForecastPoint[]},
  actualByMonth: ReadonlyMap<string, number>,
): MonthProjection[] {
  const first = total.daily[0]!.date
  const last = total.daily.at(-1)!.date
  const months: string[] = []
  for (let d = monthStart(first); d <= last; d = addDays(monthEnd(d), 1)) months.push(monthKey(d))
  return months.map((month) => {
    const start = `${month}-01`
    const end = monthEnd(start)
    const sum = sumForecast(total, start, end)
    const actualToDate = actualByMonth.get(month) ?? 0
    return {
      month,
      actualToDate,
      mean: actualToDate + sum.mean,
      lower: actualToDate + sum.lower,
      upper: actualToDate + sum.upper,
      complete: end <= last,
    }
  })
}
