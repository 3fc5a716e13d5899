import {forecastBudgetScope} from '../alerts/budget-forecast.js'
import {budgetReport, type BudgetReport, type BudgetForecaster} from '../alerts/budget-status.js'
import type {BudgetForecastInput} from '../alerts/budget-rules.js'
import type {Anomaly} from '../alerts/anomalies.js'
import {scanAnomalies} from '../alerts/anomaly-scan.js'
import type {FinopsConfig} from '../config/index.js'
import {parseFilters} from '../cost/dimension-keys.js'
import {forecastCosts} from '../cost/forecast.js'
import {runCostReport} from '../cost/report.js'
import type {CostReport} from '../cost/report-builder.js'
import {addDays, daysBetween, eachDay, today} from '../dates.js'
import {isFinopsError} from '../errors.js'
import type {AllocationReport} from '../k8s/allocation.js'
import {runAllocation} from '../k8s/allocation-report.js'
import type {ActionRecord} from '../model/action.js'
import type {Metric} from '../model/cost.js'
import type {Recommendation} from '../model/recommendation.js'
import type {CostForecast} from '../../forecasters/types.js'
import {listActions} from '../store/actions.js'
import {listBudgets} from '../store/budgets.js'
import {queryDailyCosts} from '../store/costs.js'
import {listSnapshots} from '../store/k8s-inventory.js'
import type {Db} from '../store/open.js'
import {listRecommendations} from '../store/recommendations.js'
import {roundMoney} from '../money.js'

/** The store the report reads (callers above the domains name it through here). */
export type ReportStore = Db

/** What the report shows: the window and scope, as `cost report` takes them. */
export interface ReportRequest {
  from?: string
  to?: string
  groupBy: readonly string[]
  filters: readonly string[]
  metric: Metric
  /** Series in the spend chart before the rest fold into "Other". */
  top: number
  /** Forecast interval level, percent. */
  level: number
}

/** One day's spend in the report's currency (the total of the scope). */
export interface DayAmount {
  day: string
  amount: number
}

/** A budget's status with the day-by-day path behind it: spend to date and the forecast to period end. */
export interface BudgetBurn {
  report: BudgetReport
  /** Cumulative actual spend per day of the period, through the last day with data. */
  actual: DayAmount[]
  /** Cumulative forecast from the day after the data to the period end (actual included). */
  forecast: {day: string; mean: number; lower: number; upper: number}[]
}

/** A group whose spend moved most between the previous window and this one. */
export interface Mover {
  keys: string[]
  currency: string
  total: number
  previousTotal: number
  /** total - previousTotal */
  delta: number
  change: number | null
}

/** Everything the HTML report draws, gathered once from the store. Plain data: the renderer does no I/O. */
export interface ReportData {
  generatedOn: string
  request: ReportRequest
  /** `cost report --granularity day --top N` for the window: the spend chart and its table. */
  spend: CostReport
  /** The currency the charts draw (the scope's largest); others are listed in `notes`. */
  currency: string
  /** The scope's daily total over the previous window of equal length, aligned with spend.periods. */
  previous: DayAmount[]
  /** Actual daily totals before the forecast starts (for the fan chart to continue). */
  recentActuals: DayAmount[]
  /** `forecast --to <window end>` for the same scope, or why there is none. */
  forecast: CostForecast | {skipped: string}
  budgets: BudgetBurn[]
  movers: {increases: Mover[]; decreases: Mover[]}
  /** Days in the window outside the expected interval, with their size in money. */
  anomalies: Anomaly[]
  allocation?: AllocationReport | {skipped: string}
  recommendations: Recommendation[]
  actions: ActionRecord[]
  notes: string[]
}

const RECENT_ACTUAL_DAYS = 60
const MOVERS = 5
const ACTIONS_SHOWN = 50

/**
 * Gathers the report's data for a window and scope from the store, each part from the domain that
 * owns it (the same functions `cost report`, `forecast`, `budget status`, `cost allocation` and
 * `recommend` use, so the page and those commands agree). A part that cannot be had (no forecast
 * with little history, no cluster data) is recorded with the reason instead of failing the report.
 */
export function gatherReportData(db: Db, config: FinopsConfig, request: ReportRequest, now = today()): ReportData {
  const notes: string[] = []
  const {report: spend, notice} = runCostReport(
    db,
    {
      from: request.from,
      to: request.to,
      groupBy: request.groupBy,
      filters: request.filters,
      metric: request.metric,
      granularity: 'day',
      top: request.top,
    },
    now,
  )
  if (notice) notes.push(notice)
  const currency = spend.totals.slice().sort((a, b) => Math.abs(b.total) - Math.abs(a.total))[0]?.currency ?? 'USD'
  if (spend.currencies.length > 1)
    notes.push(
      `the scope has costs in ${spend.currencies.join(', ')}; the charts show ${currency} (pin one with --filter currency=CODE)`,
    )
  const filters = parseFilters(request.filters)
  const totals = (from: string, to: string): DayAmount[] => {
    const byDay = new Map<string, number>()
    for (const p of queryDailyCosts(db, {from, to, groupBy: [], filters, metric: request.metric}))
      if (p.currency === currency) byDay.set(p.day, (byDay.get(p.day) ?? 0) + p.cost)
    return eachDay(from, to).map((day) => ({day, amount: byDay.get(day) ?? 0}))
  }

  const forecast = gatherForecast(db, config, request, spend.to)
  const forecastStart = 'skipped' in forecast ? addDays(spend.to, 1) : forecast.forecast.from
  const movers = gatherMovers(db, request, spend, now)
  return {
    generatedOn: now,
    request,
    spend,
    currency,
    previous: totals(spend.previousFrom, spend.previousTo),
    recentActuals: totals(addDays(forecastStart, -RECENT_ACTUAL_DAYS), addDays(forecastStart, -1)),
    forecast,
    budgets: listBudgets(db).map((budget) => gatherBudget(db, budget, request.level, now)),
    movers,
    anomalies: gatherAnomalies(db, config, spend, currency),
    allocation: gatherAllocation(db, config, spend),
    recommendations: listRecommendations(db).sort((a, b) => b.monthlySavings - a.monthlySavings),
    actions: listActions(db).slice(0, ACTIONS_SHOWN),
    notes,
  }
}

function gatherForecast(
  db: Db,
  config: FinopsConfig,
  request: ReportRequest,
  to: string,
): CostForecast | {skipped: string} {
  try {
    return forecastCosts(db, {
      to,
      groupBy: [],
      filters: parseFilters(request.filters),
      metric: request.metric,
      horizonDays: config.forecast.horizonDays,
      historyDays: config.forecast.historyDays,
      level: request.level,
      settings: {
        models: config.forecast.models,
        minHistoryDays: config.forecast.minHistoryDays,
        backtestOrigins: config.forecast.backtestOrigins,
      },
    })
  } catch (error) {
    if (isFinopsError(error)) return {skipped: error.message}
    throw error
  }
}

function gatherBudget(db: Db, budget: Parameters<typeof budgetReport>[1], level: number, now: string): BudgetBurn {
  let path: BudgetForecastInput | undefined
  // The status needs only the period-end numbers; the chart draws the running total they come from.
  const keepPath: BudgetForecaster = (store, forecastRequest) => (path = forecastBudgetScope(store, forecastRequest))
  const report = budgetReport(db, budget, keepPath, {level, now})
  const {status} = report
  const through = status.dataThrough && status.dataThrough < status.asOf ? status.dataThrough : status.asOf
  const daily = new Map<string, number>()
  if (status.periodStart <= through)
    for (const p of queryDailyCosts(db, {
      from: status.periodStart,
      to: through,
      groupBy: [],
      filters: parseFilters(budget.filters),
      metric: budget.metric,
    }))
      if (p.currency === status.currency) daily.set(p.day, (daily.get(p.day) ?? 0) + p.cost)
  let running = 0
  const actual =
    status.periodStart <= through
      ? eachDay(status.periodStart, through).map((day) => ({day, amount: (running += daily.get(day) ?? 0)}))
      : []
  const forecast =
    path && !('skipped' in path)
      ? path.cumulative
          .filter((p) => p.date <= status.periodEnd)
          .map((p) => ({day: p.date, mean: running + p.mean, lower: running + p.lower, upper: running + p.upper}))
      : []
  return {report, actual, forecast}
}

function gatherMovers(db: Db, request: ReportRequest, spend: CostReport, now: string): ReportData['movers'] {
  const {report} = runCostReport(
    db,
    {
      from: spend.from,
      to: spend.to,
      groupBy: request.groupBy,
      filters: request.filters,
      metric: request.metric,
      granularity: 'total',
    },
    now,
  )
  const movers: Mover[] = report.rows.map((row) => ({
    keys: row.keys,
    currency: row.currency,
    total: row.total,
    previousTotal: row.previousTotal,
    delta: roundMoney(row.total - row.previousTotal),
    change: row.change,
  }))
  return {
    increases: movers
      .filter((m) => m.delta > 0)
      .sort((a, b) => b.delta - a.delta)
      .slice(0, MOVERS),
    decreases: movers
      .filter((m) => m.delta < 0)
      .sort((a, b) => a.delta - b.delta)
      .slice(0, MOVERS),
  }
}

function gatherAnomalies(db: Db, config: FinopsConfig, spend: CostReport, currency: string): Anomaly[] {
  if (!config.alerts.anomalies.enabled) return []
  // Judge every day of the window, not only the alert look-back.
  const scan = scanAnomalies(
    db,
    {...config.alerts.anomalies, lookbackDays: daysBetween(spend.from, spend.to) + 1},
    addDays(spend.to, 1),
  )
  return scan.anomalies
    .filter((a) => a.currency === currency && a.day >= spend.from && a.day <= spend.to)
    .sort((a, b) => a.day.localeCompare(b.day))
}

function gatherAllocation(db: Db, config: FinopsConfig, spend: CostReport): ReportData['allocation'] {
  if (listSnapshots(db).length === 0) return undefined
  try {
    return runAllocation(db, config.kubernetes, {from: spend.from, to: spend.to, groupBy: ['namespace']})
  } catch (error) {
    if (isFinopsError(error)) return {skipped: error.message}
    throw error
  }
}
