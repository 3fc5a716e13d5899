import {dayToDate} from '../dates.js'
import {sumForecast} from '../../forecasters/period.js'
import {modelDescriptions} from '../../forecasters/registry.js'
import type {CostForecast, CurrencyForecast, ForecastPoint, MonthProjection} from '../../forecasters/types.js'
import {csvLine} from '../csv.js'
import {renderTerminalForecastChart} from './charts/terminal-forecast-chart.js'
import type {ForecastChartOptions} from './result-kinds.js'
import {formatAmount, formatMoney} from '../money.js'
import {DocumentBuilder, renderDocumentText, type TableBlock, type TextDocument} from './text-document.js'

const METRIC_LABEL = {billed: 'Billed', effective: 'Effective', list: 'List'} as const

function monthName(month: string): string {
  return dayToDate(`${month}-01`).toLocaleString('en-US', {month: 'long', year: 'numeric', timeZone: 'UTC'})
}

/** "November 2026 will close at $X, 80% interval $L to $U" (or "... by <date>" when the horizon ends mid-month). */
export function monthEndLine(m: MonthProjection, currency: string, level: number, horizonEnd: string): string {
  const money = (v: number): string => formatMoney(v, currency)
  const verb = m.complete ? 'will close at' : `will be at (to ${horizonEnd})`
  const toDate = m.actualToDate !== 0 ? `; ${money(m.actualToDate)} already billed` : ''
  return `${monthName(m.month)} ${verb} ${money(m.mean)}, ${level}% interval ${money(m.lower)} to ${money(m.upper)} (${currency}${toDate})`
}

function pointsTable(
  rows: readonly {label: string; p: {mean: number; lower: number; upper: number}}[],
  level: number,
  currency: string,
): TableBlock {
  return {
    kind: 'table',
    head: ['Period', `Forecast (${currency})`, `${level}% low`, `${level}% high`],
    align: ['left', 'right', 'right', 'right'],
    rows: rows.map((r) => [r.label, formatAmount(r.p.mean), formatAmount(r.p.lower), formatAmount(r.p.upper)]),
  }
}

/** Daily rows for short horizons, weekly sums (with their own intervals) for longer ones. */
function periodRows(c: CurrencyForecast): {label: string; p: {mean: number; lower: number; upper: number}}[] {
  if (c.daily.length <= 14) return c.daily.map((p: ForecastPoint) => ({label: p.date, p}))
  const rows: {label: string; p: {mean: number; lower: number; upper: number}}[] = []
  for (let i = 0; i < c.daily.length; i += 7) {
    const from = c.daily[i]!.date
    const to = c.daily[Math.min(c.daily.length - 1, i + 6)]!.date
    rows.push({label: `${from} to ${to}`, p: sumForecast(c, from, to)})
  }
  rows.push({label: 'Horizon total', p: c.total})
  return rows
}

/** `forecast`: the chart when asked, the forecast text, and with `backtest` each model's backtest accuracy after it. */
export function renderForecast(
  f: CostForecast,
  options: {backtest?: boolean; chart?: ForecastChartOptions} = {},
): string {
  const text = options.backtest ? `${renderForecastText(f)}\n${renderBacktestText(f)}` : renderForecastText(f)
  return options.chart ? `${renderForecastCharts(f, options.chart)}\n${text}` : text
}

/** One terminal chart per currency: its recent actual days, then the forecast mean inside its interval. */
export function renderForecastCharts(f: CostForecast, chart: ForecastChartOptions): string {
  return f.currencies
    .map(
      (c) =>
        `${f.currencies.length > 1 ? `${c.currency}:\n` : ''}${renderTerminalForecastChart(
          {currency: c.currency, level: f.level, actuals: chart.actuals[c.currency] ?? [], forecast: c.daily},
          {columns: chart.columns, color: chart.color},
        )}`,
    )
    .join('\n')
}

/** `forecast` for people as a document (terminal and markdown draw it), the backtest after it when asked. */
export const forecastDocument = (f: CostForecast, options: {backtest?: boolean} = {}): TextDocument =>
  options.backtest ? [...forecastTextDocument(f), ...backtestDocument(f)] : forecastTextDocument(f)

/** The human output of `finops forecast`: header, month-end projections, one-time note, table, groups. */
export const renderForecastText = (f: CostForecast): string => `${renderDocumentText(forecastTextDocument(f))}\n`

function forecastTextDocument(f: CostForecast): TextDocument {
  const out = new DocumentBuilder()
  out.line(
    `${METRIC_LABEL[f.metric]} cost forecast ${f.forecast.from} to ${f.forecast.to} (${f.horizonDays} days, ${f.level}% intervals), ` +
      `from ${f.history.days} days of history (${f.history.from} to ${f.history.to})`,
  )
  for (const c of f.currencies) {
    out.line('')
    if (f.currencies.length > 1) out.line(`${c.currency}:`)
    for (const m of c.monthEnds) out.line(monthEndLine(m, c.currency, f.level, f.forecast.to))
    if (c.forecast.from !== f.forecast.from)
      out.line(`${c.currency} data ends ${c.history.to}: its forecast runs from ${c.forecast.from} to ${c.forecast.to}`)
    out.line(`Model: ${c.model} (${modelDescriptions[c.model]})`)
    for (const w of c.warnings) out.line(`Warning: ${w.message}`)
    const recurring = c.components.recurring.filter((r) => r.amount !== 0)
    if (recurring.length > 0)
      out.line(
        `Recurring charges on their billing days: ${recurring
          .map((r) => `${r.date} ${formatMoney(r.amount, c.currency)}`)
          .slice(0, 6)
          .join(', ')}${recurring.length > 6 ? ', ...' : ''}`,
      )
    if (c.oneTime.charges.length > 0) {
      out.line(
        `One-time charges excluded from the ` +
          `projection: ` +
          `${formatMoney(c.oneTime.total, c.currency)} over ${c.oneTime.charges.length} day${c.oneTime.charges.length === 1 ? '' : 's'} of history ` +
          `(last ${c.oneTime.charges.at(-1)!.date})`,
      )
    }
    out.table(pointsTable(periodRows(c), f.level, c.currency))
    if (c.groups.length > 0) out.table(groupsTable(f, c))
  }
  for (const skipped of f.skippedCurrencies) out.line('', `${skipped.currency}: no forecast: ${skipped.reason}`)
  return out.build()
}

function groupsTable(f: CostForecast, c: CurrencyForecast): TableBlock {
  const head = [...f.groupBy, 'Model', `Forecast (${c.currency})`, `${f.level}% low`, `${f.level}% high`, 'Share']
  const rows: string[][] = []
  for (const g of c.groups) {
    rows.push([
      ...g.keys.map((k) => k || '(none)'),
      g.model,
      formatAmount(g.total.mean),
      formatAmount(g.total.lower),
      formatAmount(g.total.upper),
      c.total.mean !== 0 ? `${((100 * g.total.mean) / c.total.mean).toFixed(1)}%` : '',
    ])
  }
  rows.push([
    ...f.groupBy.map((_, i) => (i === 0 ? 'Total' : '')),
    c.model,
    formatAmount(c.total.mean),
    formatAmount(c.total.lower),
    formatAmount(c.total.upper),
    '100.0%',
  ])
  return {kind: 'table', head, align: head.map((_, i) => (i > f.groupBy.length ? 'right' : 'left')), rows}
}

/** `--backtest`: accuracy of each candidate model on each currency's total, the chosen one first. */
export const renderBacktestText = (f: CostForecast): string => `${renderDocumentText(backtestDocument(f))}\n`

function backtestDocument(f: CostForecast): TextDocument {
  return f.currencies.map((c) => {
    const b = c.backtest[0]
    return {
      kind: 'table',
      caption: `Rolling-origin backtest of the ${c.currency} total: ${b?.origins ?? 0} origins, ${b?.horizonDays ?? 0}-day horizon each`,
      head: ['Model', 'MASE', 'Horizon-total error', `${f.level}% coverage`, ''],
      align: ['left', 'right', 'right', 'right', 'left'],
      rows: c.backtest.map((a) => [
        a.model,
        a.mase.toFixed(3),
        `${a.totalApe.toFixed(1)}%`,
        a.coverage !== null && Number.isFinite(a.coverage) ? `${(a.coverage * 100).toFixed(1)}%` : 'n/a',
        a.model === c.model ? 'chosen' : '',
      ]),
    }
  })
}

/** CSV: one row per day for the total (group "Total") and, with --group-by, for each group. */
export function renderForecastCsv(f: CostForecast): string {
  // The currency column is always there; a currency group key gets its own name so headers stay unique.
  const keyHeaders = f.groupBy.length > 0 ? f.groupBy.map((k) => (k === 'currency' ? 'group:currency' : k)) : ['scope']
  let out = csvLine(['date', 'currency', ...keyHeaders, 'mean', 'lower', 'upper', 'level', 'model'])
  for (const c of f.currencies) {
    for (const p of c.daily)
      out += csvLine([
        p.date,
        c.currency,
        ...keyHeaders.map((_, i) => (i === 0 ? 'Total' : '')),
        p.mean,
        p.lower,
        p.upper,
        f.level,
        c.model,
      ])
    for (const g of c.groups)
      for (const p of g.daily)
        out += csvLine([p.date, c.currency, ...g.keys, p.mean, p.lower, p.upper, f.level, g.model])
  }
  return out
}
