import type {BudgetStatusResult} from '../../alerts/budget-status.js'
import type {KeyLabeler} from '../../cost/report.js'
import type {CostReport} from '../../cost/report-builder.js'
import {usageError} from '../../errors.js'
import type {CostForecast} from '../../../forecasters/types.js'
import {budgetStatusChart, costByGroupChart, forecastChart, spendChart} from './cost-charts.js'
import {type ChartSpec, renderChartSvg} from './svg-chart.js'

/**
 * The chart of each result kind that has one (`--output svg|png`): the same drawings as the HTML
 * report, as files for slides and tickets.
 */
export function costReportChart(report: CostReport, options: {label?: KeyLabeler} = {}): ChartSpec {
  const currency = largestCurrency(report)
  const label = options.label
    ? (keys: readonly string[]) => keys.map((k, i) => options.label!(i, k)).join(' / ')
    : undefined
  // Periods draw over time; a single total draws one bar per group against the previous window.
  return report.periods.length > 1 ? spendChart(report, {currency, label}) : costByGroupChart(report, {currency, label})
}

export function forecastResultChart(forecast: CostForecast): ChartSpec {
  const first = forecast.currencies[0]
  if (!first)
    throw usageError('nothing was forecast, so there is no chart to draw', 'see the skipped currencies with --json')
  return forecastChart(first)
}

export function budgetStatusResultChart(result: BudgetStatusResult): ChartSpec {
  if (result.budgets.length === 0)
    throw usageError('there are no budgets to draw', 'set one with finops budget set NAME --amount 10000')
  return budgetStatusChart(result.budgets)
}

function largestCurrency(report: CostReport): string {
  return report.totals.slice().sort((a, b) => Math.abs(b.total) - Math.abs(a.total))[0]?.currency ?? 'USD'
}

export const renderCostReportSvg = (report: CostReport, options: {label?: KeyLabeler}): string =>
  renderChartSvg(costReportChart(report, options))
export const renderForecastSvg = (forecast: CostForecast): string => renderChartSvg(forecastResultChart(forecast))
export const renderBudgetStatusSvg = (result: BudgetStatusResult): string =>
  renderChartSvg(budgetStatusResultChart(result))
