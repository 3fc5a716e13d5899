import {describeThresholds} from '../alerts/budget-input.js'
import type {BudgetReport, BudgetStatusResult} from '../alerts/budget-status.js'
import {formatPercent, formatScope} from '../alerts/format.js'
import {formatMoney} from '../money.js'
import type {Budget, BudgetSetResult} from '../model/budget.js'
import {renderDocumentText, type TableBlock, textBlock, type TextDocument} from './text-document.js'

const NO_BUDGETS = 'No budgets. Set one with: finops budget set NAME --amount 10000 --period monthly'

/** An amount in the budget's currency, or a plain number when the currency is the scope's own. */
export const formatBudgetAmount = (amount: number, currency: string | undefined): string =>
  currency
    ? formatMoney(amount, currency)
    : amount.toLocaleString('en-US', {minimumFractionDigits: 2, maximumFractionDigits: 2})

/** `budget list` for people: the table, or how to set the first budget. */
export const budgetListDocument = ({budgets}: {budgets: readonly Budget[]}): TextDocument =>
  budgets.length === 0 ? [textBlock(NO_BUDGETS)] : [budgetListTable(budgets)]

/** `budget status` for people: the table and a line per budget, or how to set the first budget. */
export const budgetStatusDocument = ({budgets}: BudgetStatusResult): TextDocument =>
  budgets.length === 0 ? [textBlock(NO_BUDGETS)] : budgetStatusBlocks(budgets)

/** `budget list`, or how to set the first budget. */
export const renderBudgetListResult = (result: {budgets: readonly Budget[]}): string =>
  renderDocumentText(budgetListDocument(result))

/** `budget status`, or how to set the first budget. */
export const renderBudgetStatusResult = (result: BudgetStatusResult): string =>
  renderDocumentText(budgetStatusDocument(result))

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
export const renderBudgetList = (budgets: readonly Budget[]): string => renderDocumentText([budgetListTable(budgets)])

function budgetListTable(budgets: readonly Budget[]): TableBlock {
  return {
    kind: 'table',
    head: ['Budget', 'Amount', 'Period', 'Metric', 'Scope', 'Thresholds'],
    align: ['left', 'right'],
    rows: budgets.map((b) => [
      b.name,
      `${formatBudgetAmount(b.amount, b.currency)}${b.currency ? '' : ' (scope currency)'}`,
      b.period,
      b.metric,
      formatScope(b.filters),
      describeThresholds(b.thresholds),
    ]),
  }
}

/** `budget status`: a table of all budgets, then one line per budget on its forecast and breach. */
export const renderBudgetStatus = (reports: readonly BudgetReport[]): string =>
  renderDocumentText(budgetStatusBlocks(reports))

function budgetStatusBlocks(reports: readonly BudgetReport[]): TextDocument {
  const rows: string[][] = []
  const lines: string[] = []
  for (const {status: s, contributors, contributorDimension, notes} of reports) {
    const money = (n: number): string => formatMoney(n, s.currency)
    const crossed = s.thresholds.filter((t) => t.crossed).map((t) => `${t.kind} ${t.percent}%`)
    rows.push([
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
      `${s.name} (${formatScope(s.filters)}): ` +
        `${money(s.actual)} spent ${s.periodStart} to ${s.dataThrough && s.dataThrough < s.asOf ? s.dataThrough : s.asOf}` +
        (s.forecast
          ? `; ${s.periodLabel} will close ` +
            `at ${money(s.forecast.mean)}, ${s.forecast.level}% interval ${money(s.forecast.lower)} to ${money(s.forecast.upper)} (${s.forecast.model})`
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
  return [
    {
      kind: 'table',
      head: ['Budget', 'Period', 'Amount', 'Spend to date', 'Used', 'Forecast at period end', 'Interval', 'Breach'],
      align: ['left', 'left', 'right', 'right', 'right', 'right', 'left', 'left'],
      rows,
    },
    textBlock(...lines),
  ]
}
