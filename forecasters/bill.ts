import {addDays, daysBetween, eachDay, monthEnd, monthKey, monthStart} from '../src/dates.js'
import {splitSeries, toKindSeries} from './charges.js'
import {forecastGroups} from './groups.js'
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
  const known = usage.filter((p) => s.present.has(p.date) || h.importedDays.has(p.date))
  const negative = known.filter((p) => p.value < 0)
  if (negative.length > 0) {
    return {
      currency,
      reason: `${currency} daily cost is negative on ${negative.length} day${negative.length === 1 ? '' : 's'} (first: ${negative[0]!.date}); a cost forecast needs non-negative daily totals`,
      suggestion:
        'mark credits and refunds ChargeFrequency One-Time in the billing data, or forecast another metric, scope or history',
    }
  }
  const settings = {
    ...options.settings,
    level: options.level,
    backtestAll: options.backtest ?? options.settings?.backtestAll,
  }
  const result = forecastSeries(known, horizonDays, settings)
  if (result.skipped) {
    return {
      currency,
      reason: `cannot forecast ${currency} cost: ${result.reason}`,
      suggestion: result.needDays
        ? `import at least ${result.needDays} consecutive days of billing data (${first} to ${lastDay} is ${days.length})`
        : 'import the missing days of billing data',
    }
  }

  const total = addRecurring(result, recurring)
  const historyStart = result.history.from
  const oneTimeCharges = days.flatMap((date, i) =>
    date >= historyStart && Math.abs(s.oneTime[i]!) > 1e-9 ? [{date, amount: s.oneTime[i]!}] : [],
  )
  const warnings: ForecastWarning[] = [...result.warnings]
  if (horizonDays > options.horizonDays)
    warnings.push({
      code: 'lagging-data',
      message: `${currency} data ends ${lastDay}, ${horizonDays - options.horizonDays} day${horizonDays - options.horizonDays === 1 ? '' : 's'} before the other currencies'; its forecast starts the day after`,
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
    warnings: [...warnings, ...groupWarnings],
  }
  return forecast
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
