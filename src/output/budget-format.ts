import Table from 'cli-table3'

import {describeThresholds} from '../alerts/budget-input.js'
import type {BudgetReport, BudgetStatusResult} from '../alerts/budget-status.js'
import {formatPercent, formatScope} from '../alerts/format.js'
import {formatMoney} from '../money.js'
import type {Budget, BudgetSetResult} from '../model/budget.js'

const NO_BUDGETS = 'No budgets. Set one with: finops budget set NAME --amount 10000 --period monthly'

/** An amount in the budget's currency, or a plain number when the currency is the scope's own. */
export const formatBudgetAmount = (amount: number, currency: string | undefined): string =>
  currency
    ? formatMoney(amount, currency)
    : amount.toLocaleString('en-US', {minimumFractionDigits: 2, maximumFractionDigits: 2})

const tableStyle = {head: [], border: [], compact: true}

/** `budget list`, or how to set the first budget. */
export const renderBudgetListResult = ({budgets}: {budgets: readonly Budget[]}): string =>
  budgets.length === 0 ? NO_BUDGETS : renderBudgetList(budgets)

/** `budget status`, or how to set the first budget. */
export const renderBudgetStatusResult = ({budgets}: BudgetStatusResult): string =>
  budgets.length === 0 ? NO_BUDGETS : renderBudgetStatus(budgets)

/** `budget set`: what is stored now, in one line. */
export function renderBudgetSet(result: BudgetSetResult): string {
  const b = result.budget
  return (
    `Budget ${b.name} ${result.created ? 'created' : 'updated'}: ${formatBudgetAmount(b.amount, b.currency)} ${b.period}, ${formatScope(b.filters)}, ` +
    `${b.metric} cost; thresholds ${describeThresholds(b.thresholds)}`
  )
}

export const renderBudgetRemove = ({removed}: {removed: string}): string => `Budget ${removed} removed`

/** `budget list`: one row per budget. */
export function renderBudgetList(budgets: readonly Budget[]): string {
  const table = new Table({
    head: ['Budget', 'Amount', 'Period', 'Metric', 'Scope', 'Thresholds'],
    style: tableStyle,
    colAligns: ['left', 'right'],
  })
  for (const b of budgets) {
    table.push([
      b.name,
      `${formatBudgetAmount(b.amount, b.currency)}${b.currency ? '' : ' (scope currency)'}`,
      b.period,
      b.metric,
      formatScope(b.filters),
      describeThresholds(b.thresholds),
    ])
  }
  return table.toString()
}

/** `budget status`: a table of all budgets, then one line per budget on its forecast and breach. */
export function renderBudgetStatus(reports: readonly BudgetReport[]): string {
  const table = new Table({
    head: ['Budget', 'Period', 'Amount', 'Spend to date', 'Used', 'Forecast at period end', 'Interval', 'Breach'],
    style: tableStyle,
    colAligns: ['left', 'left', 'right', 'right', 'right', 'right', 'left', 'left'],
  })
  const lines: string[] = []
  for (const {status: s, contributors, contributorDimension, notes} of reports) {
    const money = (n: number): string => formatMoney(n, s.currency)
    const crossed = s.thresholds.filter((t) => t.crossed).map((t) => `${t.kind} ${t.percent}%`)
    table.push([
      s.name,
      s.periodLabel,
      money(s.amount),
      money(s.actual),
      formatPercent(s.actualPercent),
      s.forecast ? `${money(s.forecast.mean)} (${formatPercent(s.forecast.percent)})` : 'no forecast',
      s.forecast ? `${s.forecast.level}%: ${money(s.forecast.lower)} to ${money(s.forecast.upper)}` : '',
      s.breachDate ? `${s.breachKind === 'actual' ? 'reached' : 'projected'} ${s.breachDate}` : '-',
    ])
    lines.push(
      `${s.name} (${formatScope(s.filters)}): ${money(s.actual)} spent ${s.periodStart} to ${s.dataThrough && s.dataThrough < s.asOf ? s.dataThrough : s.asOf}` +
        (s.forecast
          ? `; ${s.periodLabel} will close at ${money(s.forecast.mean)}, ${s.forecast.level}% interval ${money(s.forecast.lower)} to ${money(s.forecast.upper)} (${s.forecast.model})`
          : '') +
        (crossed.length > 0 ? `; crossed: ${crossed.join(', ')}` : ''),
    )
    if (s.forecastSkipped) lines.push(`  no forecast: ${s.forecastSkipped}`)
    if (contributors.length > 0)
      lines.push(
        `  top ${contributorDimension}: ${contributors
          .slice(0, 3)
          .map((c) => `${c.label} ${money(c.amount)}`)
          .join(', ')}`,
      )
    for (const note of notes) lines.push(`  note: ${note}`)
  }
  return `${table.toString()}\n${lines.join('\n')}`
}
