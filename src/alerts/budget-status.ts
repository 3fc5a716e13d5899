import {addDays, daysBetween, today} from '../dates.js'
import type {Metric} from '../model/cost.js'
import type {DimensionName} from '../model/cost.js'
import {parseFilters} from '../cost/dimension-keys.js'
import {type CostFilter, NONE_LABEL} from '../model/cost.js'
import {queryDailyCosts} from '../store/costs.js'
import type {Db} from '../store/open.js'
import {type BudgetForecastInput, type BudgetStatus, evaluateBudget} from './budget-rules.js'
import {periodContaining} from './periods.js'
import type {Contributor} from './slack-blocks.js'
import type {Budget} from '../model/budget.js'
import {roundMoney} from '../money.js'
import type {StaleSource} from './freshness.js'

/** What a budget asks of a forecaster: the scope's total, from the day after `historyTo` to the period end. */
export interface BudgetForecastRequest {
  filters: readonly CostFilter[]
  metric: Metric
  currency: string
  historyTo: string
  horizonDays: number
  level: number
}

/** Forecasts a budget's scope; the CLI plugs in the forecasters' forecastCosts, tests may plug in others. */
export type BudgetForecaster = (db: Db, request: BudgetForecastRequest) => BudgetForecastInput

/** `budget status`: each budget's report, as of the last complete day. */
export interface BudgetStatusResult {
  asOf: string
  /** Providers whose newest billing day is older than their usual lag: spend to date stops there. */
  stale: StaleSource[]
  /** One line per stale provider. */
  warnings: string[]
  budgets: BudgetReport[]
}

export interface BudgetReport {
  status: BudgetStatus
  /** Largest contributors to the period's spend, for alerts and `status`. */
  contributors: Contributor[]
  contributorDimension: string
  notes: string[]
}

// How much history is read to find the scope's currency and last data day.
const LOOKBACK_DAYS = 400

/**
 * Evaluates one budget against the store: actual spend in its current period, the forecast of the
 * rest of the period, thresholds and breach date. "Now" is the last complete day (yesterday, UTC).
 */
export function budgetReport(
  db: Db,
  budget: Budget,
  forecaster: BudgetForecaster,
  options: {level: number; now?: string},
): BudgetReport {
  const asOf = addDays(options.now ?? today(), -1)
  const window = periodContaining(budget.period, asOf)
  const filters = parseFilters(budget.filters)
  const notes: string[] = []

  const points = queryDailyCosts(db, {
    from: addDays(asOf, -LOOKBACK_DAYS),
    to: asOf,
    groupBy: [],
    filters,
    metric: budget.metric,
  })
  const spendByCurrency = new Map<string, number>()
  for (const p of points) spendByCurrency.set(p.currency, (spendByCurrency.get(p.currency) ?? 0) + Math.abs(p.cost))
  let currency = budget.currency
  if (!currency) {
    const ranked = [...spendByCurrency.entries()].sort((a, b) => b[1] - a[1])
    currency = ranked[0]?.[0] ?? 'USD'
    if (ranked.length > 1)
      notes.push(
        `the scope has costs in ${ranked
          .map(([c]) => c)
          .sort()
          .join(', ')}; showing ${currency} (set one with finops budget set ${budget.name} --currency CODE)`,
      )
  } else if (!spendByCurrency.has(currency) && spendByCurrency.size > 0) {
    notes.push(
      `the scope has costs in ${[...spendByCurrency.keys()].sort().join(', ')} but none ` +
        `in ${currency} (change it with finops budget set ${budget.name} --currency CODE)`,
    )
  }
  const series = points.filter((p) => p.currency === currency)
  const dataThrough = series.reduce<string | undefined>(
    (max, p) => (max === undefined || p.day > max ? p.day : max),
    undefined,
  )
  const actuals = series.filter((p) => p.day >= window.start).map((p) => ({day: p.day, cost: p.cost}))

  let forecast: BudgetForecastInput
  if (!dataThrough) {
    forecast = {skipped: true, reason: `no ${currency} cost data in this budget's scope up to ${asOf}`}
  } else if (dataThrough >= window.end) {
    forecast = {cumulative: [], model: 'actual', level: options.level}
  } else {
    if (dataThrough < asOf) notes.push(`cost data ends ${dataThrough}; the days after it are forecast`)
    forecast = forecaster(db, {
      filters,
      metric: budget.metric,
      currency,
      historyTo: dataThrough,
      horizonDays: daysBetween(dataThrough, window.end),
      level: options.level,
    })
  }

  const status = evaluateBudget({budget, window, currency, asOf, actuals, dataThrough, forecast})
  const dimension = contributorDimension(filters)
  const contributors = topContributors(db, {
    from: window.start,
    to: asOf,
    filters,
    metric: budget.metric,
    currency,
    dimension,
    total: status.actual,
  })
  return {status, contributors, contributorDimension: dimension, notes}
}

/** The first of service, account, region that the scope does not already pin to one value. */
function contributorDimension(filters: readonly CostFilter[]): DimensionName {
  const pinned = new Set(
    filters.flatMap((f) => (f.key.kind === 'dimension' && f.values.length === 1 ? [f.key.name] : [])),
  )
  return (['service', 'account', 'region', 'sub-account'] as const).find((d) => !pinned.has(d)) ?? 'service'
}

function topContributors(
  db: Db,
  q: {
    from: string
    to: string
    filters: readonly CostFilter[]
    metric: Metric
    currency: string
    dimension: DimensionName
    total: number
  },
): Contributor[] {
  if (q.from > q.to) return []
  const rows = queryDailyCosts(db, {
    from: q.from,
    to: q.to,
    groupBy: [{kind: 'dimension', name: q.dimension}],
    filters: q.filters,
    metric: q.metric,
  })
  const sums = new Map<string, number>()
  for (const r of rows)
    if (r.currency === q.currency) sums.set(r.keys[0] ?? '', (sums.get(r.keys[0] ?? '') ?? 0) + r.cost)
  return [...sums.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5)
    .map(([label, amount]) => ({
      label: label === '' ? NONE_LABEL : label,
      amount: roundMoney(amount),
      share: q.total > 0 ? Math.round((amount / q.total) * 1000) / 10 : undefined,
    }))
}
