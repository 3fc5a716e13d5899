import {addDays, daysBetween, eachDay, monthEnd, monthKey, monthStart} from '../src/dates.js'
import {inputError, isFinopsError, notFoundError} from '../src/errors.js'
import type {GroupKey} from '../src/model/cost.js'
import {buildCostSql, groupKeyLabel, type CostFilter} from '../src/store/cost-dimensions.js'
import {queryDailyCosts} from '../src/store/costs.js'
import type {Db} from '../src/store/open.js'
import {sumForecast} from './period.js'
import {classifyRecurring, projectRecurring} from './recurring.js'
import {forecastSeries} from './series.js'
import type {
  CostForecast,
  CostForecastQuery,
  CurrencyForecast,
  ForecastPoint,
  ForecastResult,
  GroupForecast,
  MonthProjection,
  RecurringCharge,
} from './types.js'

const DEFAULT_HISTORY_DAYS = 365
const GROUP_BACKTEST_ORIGINS = 8
const FREQUENCY: GroupKey = {kind: 'dimension', name: 'charge-frequency'}
const CATEGORY: GroupKey = {kind: 'dimension', name: 'charge-category'}
/**
 * Each recurring charge is classified on its own (a daily-spread commitment fee and a subscription
 * billed on the 24th can share a bill): these keys tell them apart.
 */
const CHARGE_KEYS: GroupKey[] = [
  FREQUENCY,
  CATEGORY,
  {kind: 'dimension', name: 'service'},
  {kind: 'dimension', name: 'account'},
  {kind: 'dimension', name: 'sub-account'},
]

/** Filters that name an import scope: a day without any row in the scope is missing data, not zero cost. */
const SCOPE_DIMENSIONS = new Set(['provider', 'account', 'sub-account', 'currency'])
const scopeFilters = (filters: readonly CostFilter[]): CostFilter[] =>
  filters.filter((f) => f.key.kind === 'dimension' && SCOPE_DIMENSIONS.has(f.key.name))

type Kind = 'usage' | 'recurring' | 'oneTime'

/** FOCUS ChargeFrequency decides how a charge is projected; a Purchase without a frequency is one-time. */
export function chargeKind(frequency: string, category: string): Kind {
  if (frequency === 'One-Time') return 'oneTime'
  if (frequency === 'Recurring') return 'recurring'
  if (frequency === '' && category === 'Purchase') return 'oneTime'
  return 'usage'
}

/** Per-day sums of the three kinds of charge for one currency (and one group). */
interface KindSeries {
  days: string[]
  usage: number[]
  recurring: number[]
  /** Recurring cost per charge source (service, account, sub-account), classified one by one. */
  recurringBySource: Map<string, number[]>
  oneTime: number[]
  /** Days with any row at all (a day of zero cost still counts as data). */
  present: Set<string>
}

function emptySeries(days: string[]): KindSeries {
  return {
    days,
    usage: days.map(() => 0),
    recurring: days.map(() => 0),
    recurringBySource: new Map(),
    oneTime: days.map(() => 0),
    present: new Set(),
  }
}

/** Days from the day after `lastDay` to the end of the following month ("this month and next"). */
export function defaultHorizonDays(lastDay: string): number {
  const firstForecast = addDays(lastDay, 1)
  return daysBetween(lastDay, monthEnd(addDays(monthEnd(firstForecast), 1)))
}

/** The last day with cost data matching the filters, or undefined. */
function lastDataDay(db: Db, filters: readonly CostFilter[]): string | undefined {
  const sql = buildCostSql([], filters)
  const row = db
    .prepare(
      `SELECT MAX(c.day) FROM cost_daily c ${sql.joins.join(' ')} WHERE 1 = 1 ${sql.where.map((w) => `AND ${w}`).join(' ')}`,
    )
    .pluck()
    .get(...sql.joinParams, ...sql.whereParams) as string | null
  return row ?? undefined
}

/**
 * Forecasts the store's daily cost for each currency: Usage-Based charges as a series (model chosen
 * by backtest), Recurring charges on their billing days, One-Time charges excluded and reported.
 * With groupBy, each group is forecast too and the group means are reconciled to the total.
 * Throws a FinopsError (one line, with what to do) when the data cannot be forecast.
 */
export function forecastCosts(db: Db, request: CostForecastQuery): CostForecast {
  // The last day the store has data for the scope: a filter to a fee billed on the 1st still forecasts from today's data.
  const last = lastDataDay(db, scopeFilters(request.filters))
  if (!last)
    throw notFoundError(
      'no cost data in the store matches',
      'import billing data first, for example: finops collect focus ./export.csv',
    )
  if (request.to !== undefined && request.to > last) {
    throw inputError(
      `--to ${request.to} is after the last day with cost data (${last})`,
      `leave --to out, or choose ${last} or earlier`,
    )
  }
  const to = request.to ?? last
  const from = request.from ?? addDays(to, -((request.historyDays ?? DEFAULT_HISTORY_DAYS) - 1))
  const horizonDays = request.horizonDays ?? defaultHorizonDays(to)
  if (!Number.isInteger(horizonDays) || horizonDays < 1)
    throw inputError(`the horizon must be a whole number of days, at least 1 (got ${horizonDays})`)
  const query = {...request, horizonDays}
  if (from > to)
    throw inputError(`--from ${from} is after the last day with cost data (${to})`, 'choose an earlier --from')
  const points = queryDailyCosts(db, {from, to, groupBy: CHARGE_KEYS, filters: query.filters, metric: query.metric})
  if (points.length === 0)
    throw notFoundError(
      `no cost data between ${from} and ${to} matches`,
      'check --from/--filter, or import billing data first',
    )

  const byCurrency = new Map<string, typeof points>()
  for (const p of points) {
    const list = byCurrency.get(p.currency)
    if (list) list.push(p)
    else byCurrency.set(p.currency, [p])
  }
  const grouped =
    query.groupBy.length > 0
      ? queryDailyCosts(db, {
          from,
          to,
          groupBy: [...query.groupBy, ...CHARGE_KEYS],
          filters: query.filters,
          metric: query.metric,
        })
      : []

  // The month the forecast starts in closes at all of its actual cost, also days before --from (or historyDays).
  const monthToDate = new Map<string, number>()
  const firstMonthStart = monthStart(addDays(to, 1))
  if (firstMonthStart <= to) {
    for (const p of queryDailyCosts(db, {
      from: firstMonthStart,
      to,
      groupBy: [],
      filters: query.filters,
      metric: query.metric,
    })) {
      monthToDate.set(p.currency, (monthToDate.get(p.currency) ?? 0) + p.cost)
    }
  }
  // The largest currency (usage and recurring cost) must forecast; a smaller one that cannot (a few marketplace
  // charges, a newer account, an import that lags) is reported as skipped rather than failing the whole forecast.
  const ranked = [...byCurrency.entries()]
    .map(([currency, rows]) => ({
      currency,
      rows,
      history: rows.reduce((a, r) => a + (chargeKind(r.keys[0]!, r.keys[1]!) === 'oneTime' ? 0 : r.cost), 0),
    }))
    .sort((a, b) => Math.abs(b.history) - Math.abs(a.history))
  const currencies: ReturnType<typeof forecastCurrency>[] = []
  const skippedCurrencies: {currency: string; reason: string}[] = []
  ranked.forEach(({currency, rows}, i) => {
    try {
      currencies.push(
        forecastCurrency(
          currency,
          rows,
          grouped.filter((g) => g.currency === currency),
          to,
          query,
          importedDays(db, from, to, query, currency),
          monthToDate.get(currency) ?? 0,
        ),
      )
    } catch (error) {
      if (i === 0 || !isFinopsError(error)) throw error
      skippedCurrencies.push({
        currency,
        reason: error.suggestion ? `${error.message} (${error.suggestion})` : error.message,
      })
    }
  })
  const primary = currencies[0]!.forecast
  const historyFrom = currencies.map((c) => c.from).sort()[0]!
  return {
    level: query.level,
    metric: query.metric,
    horizonDays,
    groupBy: query.groupBy.map(groupKeyLabel),
    history: {from: historyFrom, to, days: eachDay(historyFrom, to).length},
    forecast: {from: addDays(to, 1), to: addDays(to, horizonDays)},
    currency: primary.currency,
    model: primary.model,
    daily: primary.daily,
    currencies: currencies.map((c) => c.forecast),
    skippedCurrencies,
  }
}

function toKindSeries(
  rows: readonly {day: string; cost: number; keys: string[]}[],
  days: string[],
  freqIndex: number,
): KindSeries {
  const series = emptySeries(days)
  const index = new Map(days.map((d, i) => [d, i]))
  for (const r of rows) {
    const i = index.get(r.day)
    if (i === undefined) continue
    series.present.add(r.day)
    const kind = chargeKind(r.keys[freqIndex]!, r.keys[freqIndex + 1]!)
    series[kind][i]! += r.cost
    if (kind === 'recurring') {
      const source = r.keys.slice(freqIndex + 2).join('\u0000')
      let amounts = series.recurringBySource.get(source)
      if (!amounts) series.recurringBySource.set(source, (amounts = days.map(() => 0)))
      amounts[i]! += r.cost
    }
  }
  return series
}

interface UsageAndRecurring {
  usage: {date: string; value: number}[]
  recurring: RecurringCharge[]
}

/** Adds daily-spread recurring sources to the usage series; projects the others on their billing days. */
function splitSeries(s: KindSeries, to: string, horizonDays: number): UsageAndRecurring {
  const usage = s.days.map((date, i) => ({date, value: s.usage[i]!}))
  const calendar = s.days.map((date) => ({date, amount: 0}))
  for (const amounts of s.recurringBySource.values()) {
    const spread = classifyRecurring(s.days.map((date, i) => ({date, amount: amounts[i]!}))).daily
    amounts.forEach((a, i) => {
      if (spread) usage[i]!.value += a
      else calendar[i]!.amount += a
    })
  }
  return {usage, recurring: projectRecurring(calendar, to, horizonDays)}
}

/**
 * Days on which the store holds any cost row of the query's import scope (provider, account) in the
 * currency. A service or charge-type filter can make a day legitimately empty (a fee billed on the
 * 1st); only a day with no data at all for the scope is a gap.
 */
function importedDays(db: Db, from: string, to: string, query: CostForecastQuery, currency: string): Set<string> {
  const points = queryDailyCosts(db, {
    from,
    to,
    groupBy: [],
    filters: scopeFilters(query.filters),
    metric: query.metric,
  })
  return new Set(points.filter((p) => p.currency === currency).map((p) => p.day))
}

function forecastCurrency(
  currency: string,
  rows: ReturnType<typeof queryDailyCosts>,
  groupRows: ReturnType<typeof queryDailyCosts>,
  to: string,
  query: CostForecastQuery & {horizonDays: number},
  imported: ReadonlySet<string>,
  monthToDate: number,
): {forecast: CurrencyForecast; history: number; from: string} {
  const first = rows.reduce((m, r) => (r.day < m ? r.day : m), to)
  const days = eachDay(first, to)
  const s = toKindSeries(rows, days, 0)
  const missing = days.filter((d) => !s.present.has(d) && !imported.has(d))
  if (missing.length > 0) {
    throw inputError(
      `${currency} cost data has ${missing.length} missing day${missing.length === 1 ? '' : 's'} between ${first} and ${to} (first: ${missing[0]})`,
      missing.at(-1) === to
        ? // The currency's data stops before the others' (an import that lags): a later --from cannot help.
          `import the missing days, or forecast it from its own last day with --filter currency=${currency}`
        : `import the missing days, or start the history after the gap with --from ${addDays(missing.at(-1)!, 1)}`,
    )
  }
  const {usage, recurring} = splitSeries(s, to, query.horizonDays)
  const negative = usage.filter((p) => p.value < 0)
  if (negative.length > 0) {
    throw inputError(
      `${currency} daily cost is negative on ${negative.length} day${negative.length === 1 ? '' : 's'} (first: ${negative[0]!.date}); a cost forecast needs non-negative daily totals`,
      'mark credits and refunds ChargeFrequency One-Time in the billing data, or choose another --metric / --filter / --from',
    )
  }
  const settings = {...query.settings, level: query.level, backtestAll: query.backtest ?? query.settings?.backtestAll}
  const result = forecastSeries(usage, query.horizonDays, settings)
  if (result.skipped) {
    throw inputError(
      `cannot forecast ${currency} cost: ${result.reason}`,
      result.needDays
        ? `import at least ${result.needDays} consecutive days of billing data (${first} to ${to} is ${days.length})`
        : undefined,
    )
  }

  const total = addRecurring(result, recurring)
  const oneTimeCharges = days.flatMap((date, i) =>
    Math.abs(s.oneTime[i]!) > 1e-9 ? [{date, amount: s.oneTime[i]!}] : [],
  )
  const actualByMonth = new Map([[monthKey(addDays(to, 1)), monthToDate]])
  const horizonTotal = total.cumulative.at(-1)!
  const forecast: CurrencyForecast = {
    currency,
    model: result.model,
    level: query.level,
    daily: total.daily,
    cumulative: total.cumulative,
    total: {mean: horizonTotal.mean, lower: horizonTotal.lower, upper: horizonTotal.upper},
    components: {usage: result.daily.map((p) => ({date: p.date, mean: p.mean})), recurring},
    oneTime: {total: oneTimeCharges.reduce((a, c) => a + c.amount, 0), charges: oneTimeCharges},
    monthEnds: monthProjections(total, actualByMonth),
    groups: query.groupBy.length > 0 ? forecastGroups(groupRows, days, to, query, total) : [],
    backtest: result.backtest,
  }
  const history = days.reduce((a, _, i) => a + s.usage[i]! + s.recurring[i]!, 0)
  return {forecast, history, from: first}
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

/**
 * Forecasts each group on its own (or, with too little history, as its recent share of the total),
 * then scales the group means day by day so that they add up to the total's forecast.
 */
function forecastGroups(
  rows: ReturnType<typeof queryDailyCosts>,
  days: string[],
  to: string,
  query: CostForecastQuery & {horizonDays: number},
  total: {daily: ForecastPoint[]},
): GroupForecast[] {
  const n = query.groupBy.length
  const byGroup = new Map<string, typeof rows>()
  for (const r of rows) {
    const id = JSON.stringify(r.keys.slice(0, n))
    const list = byGroup.get(id)
    if (list) list.push(r)
    else byGroup.set(id, [r])
  }
  const raw = [...byGroup.entries()].map(([id, groupRows]) => {
    const s = toKindSeries(groupRows, days, n)
    const {usage, recurring} = splitSeries(s, to, query.horizonDays)
    // A group starts on its first day of data; days without rows inside it are zero cost, not gaps.
    const firstIndex = usage.findIndex((p, i) => s.present.has(p.date) || i === usage.length - 1)
    const history = usage.slice(firstIndex)
    const result = history.every((p) => p.value >= 0)
      ? forecastSeries(history, query.horizonDays, {
          ...query.settings,
          level: query.level,
          backtestOrigins: GROUP_BACKTEST_ORIGINS,
        })
      : undefined
    const recent = history.slice(-28).reduce((a, p) => a + p.value, 0)
    return {keys: JSON.parse(id) as string[], result: result && !result.skipped ? result : undefined, recurring, recent}
  })
  const recentTotal = raw.reduce((a, g) => a + Math.max(0, g.recent), 0)
  const totalUsage = total.daily.map((p, h) => p.mean - raw.reduce((a, g) => a + (g.recurring[h]?.amount ?? 0), 0))
  const unscaled = raw.map((g) =>
    total.daily.map((p, h) => {
      const r = g.recurring[h]?.amount ?? 0
      if (g.result)
        return {
          mean: g.result.daily[h]!.mean + r,
          lower: g.result.daily[h]!.lower + r,
          upper: g.result.daily[h]!.upper + r,
        }
      const share = recentTotal > 0 ? Math.max(0, g.recent) / recentTotal : 1 / raw.length
      const m = share * Math.max(0, totalUsage[h]!) + r
      const ratio = p.mean > 0 ? m / p.mean : 0
      return {mean: m, lower: p.lower * ratio, upper: p.upper * ratio}
    }),
  )
  const factors = total.daily.map((p, h) => {
    const sum = unscaled.reduce((a, g) => a + g[h]!.mean, 0)
    return sum !== 0 ? p.mean / sum : 0
  })
  return raw
    .map((g, gi) => {
      const daily = total.daily.map((p, h) => {
        const u = unscaled[gi]![h]!
        const f = factors[h]!
        return {date: p.date, mean: u.mean * f, lower: u.lower * f, upper: u.upper * f}
      })
      const mean = daily.reduce((a, p) => a + p.mean, 0)
      let lower: number
      let upper: number
      if (g.result) {
        const own = g.result.cumulative.at(-1)!
        const ownMean = g.result.daily.reduce((a, p) => a + p.mean, 0) + g.recurring.reduce((a, r) => a + r.amount, 0)
        const ratio = ownMean > 0 ? mean / ownMean : 1
        lower = Math.min(mean, mean + (own.lower - own.mean) * ratio)
        upper = Math.max(mean, mean + (own.upper - own.mean) * ratio)
      } else {
        lower = daily.reduce((a, p) => a + p.lower, 0)
        upper = daily.reduce((a, p) => a + p.upper, 0)
      }
      return {keys: g.keys, model: g.result ? g.result.model : ('share' as const), daily, total: {mean, lower, upper}}
    })
    .sort((a, b) => b.total.mean - a.total.mean)
}
