import type {CurrencyForecast} from '../../../forecasters/types.js'
import type {Recommendation} from '../../model/recommendation.js'
import type {ReportData} from '../../report/report-data.js'
import {
  allocationChart,
  budgetBurnChart,
  forecastChart,
  moversChart,
  type RowLabel,
  spendChart,
} from '../charts/cost-charts.js'
import {changeText, moneyText} from '../charts/money-text.js'
import {type ChartSpec, renderChartSvg} from '../charts/svg-chart.js'
import {type Cell, day, esc, figure, num, table, txt} from './html.js'
import {REPORT_CSS, REPORT_SCRIPT} from './page-assets.js'
import {REPORT_GENERATOR_META} from './report-identity.js'
import {roundMoney} from '../../money.js'

const METRIC_NAMES = {effective: 'EffectiveCost', billed: 'BilledCost', list: 'ListCost'} as const

/**
 * The self-contained HTML report: one file with inline CSS, server-drawn SVG charts and a few lines
 * of script for sorting tables (the page reads fully without it). A Content-Security-Policy forbids
 * every network fetch, so the file opens the same offline, in a mail attachment or on a phone.
 */
export function renderHtmlReport(data: ReportData, options: {label?: RowLabel} = {}): string {
  const label: RowLabel = options.label ?? ((keys) => keys.map((k) => (k === '' ? '(none)' : k)).join(' / '))
  const {spend, currency} = data
  const total = spend.totals.find((t) => t.currency === currency)
  const scope = [
    `${METRIC_NAMES[spend.metric]}`,
    spend.groupBy.length > 0 ? `grouped by ${spend.groupBy.join(', ')}` : '',
    data.request.filters.length > 0 ? `filtered to ${data.request.filters.join(', ')}` : 'all costs',
  ]
    .filter(Boolean)
    .join(', ')
  const sections = [
    summarySection(data),
    spendSection(data, label),
    forecastSection(data),
    budgetsSection(data),
    moversSection(data, label),
    anomaliesSection(data),
    allocationSection(data),
    recommendationsSection(data.recommendations),
    actionsSection(data),
  ]
  const title = `finops cost report ${spend.from} to ${spend.to}`
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${REPORT_GENERATOR_META}
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>${esc(title)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<header>
<h1>Cost report <span class="window">${esc(spend.from)} to ${esc(spend.to)}</span></h1>
<p class="scope">${esc(scope)}. Compared with ${esc(spend.previousFrom)} to ${esc(spend.previousTo)}. Generated ${esc(data.generatedOn)} by finops.</p>
${total ? '' : `<p class="note">No ${esc(currency)} costs in this window.</p>`}
${data.notes.map((n) => `<p class="note">${esc(n)}</p>`).join('\n')}
<nav aria-label="Sections"><a href="#spend">Spend</a> <a href="#forecast">Forecast</a> <a href="#budgets">Budgets</a> <a href="#movers">Movers</a> \
<a href="#anomalies">Anomalies</a> <a href="#kubernetes">Kubernetes</a> <a href="#recommendations">Recommendations</a> <a href="#actions">Actions</a></nav>
</header>
<main>
${sections.join('\n')}
</main>
<script>${REPORT_SCRIPT}</script>
</body>
</html>
`
}

function summarySection(data: ReportData): string {
  const {spend, currency} = data
  const total = spend.totals.find((t) => t.currency === currency)
  const forecast = currencyForecast(data)
  const atRisk = data.budgets.filter((b) => b.report.status.breachDate).length
  const savings = data.recommendations.filter((r) => r.currency === currency).reduce((s, r) => s + r.monthlySavings, 0)
  const tile = (name: string, value: string, detail: string, id: string, raw?: number) =>
    `<div class="tile" id="${id}"><div class="tile-name">${esc(name)}</div><div ` +
    `class="tile-value"${raw === undefined ? '' : ` data-value="${raw}"`}>${esc(value)}</div><div class="tile-detail">${esc(detail)}</div></div>`
  return `<section id="summary" aria-label="Summary"><div class="tiles">
${tile(
  'Spend',
  moneyText(total?.total ?? 0, currency),
  total ? `${changeText(total.change)} vs ` + `previous ${moneyText(total.previousTotal, currency)}` : 'no data',
  'kpi-spend',
  total?.total ?? 0,
)}
${
  forecast
    ? tile(
        `Forecast, next ${forecast.daily.length} days`,
        moneyText(forecast.total.mean, currency),
        `${forecast.level}% ` +
          `interval ${moneyText(forecast.total.lower, currency)} to ${moneyText(forecast.total.upper, currency)}`,
        'kpi-forecast',
        forecast.total.mean,
      )
    : tile(
        'Forecast',
        'none',
        'skipped' in data.forecast ? data.forecast.skipped : `no ${currency} forecast`,
        'kpi-forecast',
      )
}
${tile(
  'Budgets at risk',
  `${atRisk} of ${data.budgets.length}`,
  atRisk > 0 ? 'over, or expected over, their ' + 'amount' : 'none expected over their amount',
  'kpi-budgets',
)}
${tile('Savings available', `${moneyText(savings, currency)}/mo`, `${data.recommendations.length} recommendation(s)`, 'kpi-savings', roundMoney(savings))}
</div></section>`
}

function spendSection(data: ReportData, label: RowLabel): string {
  const {spend, currency} = data
  const rows = spend.rows.filter((r) => r.currency === currency)
  const total = spend.totals.find((t) => t.currency === currency)
  if (!total) return `<section id="spend"><h2>Spend over time</h2><p>No costs in this window.</p></section>`
  const chart = drawChart(spendChart(spend, {currency, previous: data.previous, anomalies: data.anomalies, label}))
  const byGroup = table({
    id: 'spend-table',
    caption: `Spend by ${spend.groupBy.join(', ') || 'total'} (${currency}), ${spend.from} to ${spend.to}`,
    headers: [spend.groupBy.join(' / ') || 'group', 'Total', 'Previous', 'Change', 'Share'],
    rows: rows.map((r) => [
      txt(r.other ? 'Other' : label(r.keys)),
      num(moneyText(r.total, currency), r.total, 'total'),
      num(moneyText(r.previousTotal, currency), r.previousTotal, 'previous'),
      num(changeText(r.change), r.change ?? ''),
      num(`${(r.share * 100).toFixed(1)}%`, r.share),
    ]),
    footer: [
      [
        txt('Total'),
        num(moneyText(total.total, currency), total.total, 'grand-total'),
        num(moneyText(total.previousTotal, currency), total.previousTotal, 'grand-previous'),
        num(changeText(total.change), total.change ?? ''),
        num('100.0%', 1),
      ],
    ],
  })
  const daily = table({
    id: 'spend-daily-table',
    caption: `Daily spend (${currency})`,
    headers: ['Day', 'Total', 'Previous period', ...rows.map((r) => (r.other ? 'Other' : label(r.keys)))],
    rows: spend.periods.map((date, i) => [
      day(date),
      num(moneyText(total.periods[i] ?? 0, currency), total.periods[i] ?? 0),
      num(moneyText(data.previous[i]?.amount ?? 0, currency), data.previous[i]?.amount ?? 0),
      ...rows.map((r) => num(moneyText(r.periods[i] ?? 0, currency), r.periods[i] ?? 0)),
    ]),
  })
  return `<section id="spend"><h2>Spend over time</h2>${figure('chart-spend', chart, byGroup, {open: true, more: daily})}</section>`
}

function currencyForecast(data: ReportData): CurrencyForecast | undefined {
  return 'skipped' in data.forecast ? undefined : data.forecast.currencies.find((c) => c.currency === data.currency)
}

function forecastSection(data: ReportData): string {
  const forecast = currencyForecast(data)
  if (!forecast) {
    const why = 'skipped' in data.forecast ? data.forecast.skipped : `no ${data.currency} forecast in this scope`
    return `<section id="forecast"><h2>Forecast</h2><p class="note">No forecast: ${esc(why)}</p></section>`
  }
  const {currency} = forecast
  const chart = drawChart(forecastChart(forecast, data.recentActuals))
  const months = table({
    id: 'forecast-months',
    caption: `Month-end projections (${currency}, ${forecast.level}% interval)`,
    headers: ['Month', 'Actual to date', 'Expected close', 'Low', 'High', 'Complete'],
    rows: forecast.monthEnds.map((m) => [
      txt(m.month),
      num(moneyText(m.actualToDate, currency), m.actualToDate),
      num(moneyText(m.mean, currency), m.mean),
      num(moneyText(m.lower, currency), m.lower),
      num(moneyText(m.upper, currency), m.upper),
      txt(m.complete ? 'yes' : 'partial'),
    ]),
    footer: [
      [
        txt(`Next ${forecast.daily.length} days`),
        txt(''),
        num(moneyText(forecast.total.mean, currency), forecast.total.mean, 'forecast-mean'),
        num(moneyText(forecast.total.lower, currency), forecast.total.lower, 'forecast-lower'),
        num(moneyText(forecast.total.upper, currency), forecast.total.upper, 'forecast-upper'),
        txt(''),
      ],
    ],
  })
  const daily = table({
    id: 'forecast-daily',
    caption: `Daily forecast (${currency})`,
    headers: ['Day', 'Expected', 'Low', 'High'],
    rows: forecast.daily.map((p) => [
      day(p.date),
      num(moneyText(p.mean, currency), p.mean),
      num(moneyText(p.lower, currency), p.lower),
      num(moneyText(p.upper, currency), p.upper),
    ]),
  })
  const warnings = forecast.warnings.map((w) => `<p class="note">${esc(w.message)}</p>`).join('')
  return (
    `<section id="forecast"><h2>Forecast</h2><p>Model: ${esc(forecast.model)}, ` +
    `history ${esc(forecast.history.from)} to ` +
    `${esc(forecast.history.to)}.</p>${warnings}${figure('chart-forecast', chart, months, {open: true, more: daily})}</section>`
  )
}

function budgetsSection(data: ReportData): string {
  if (data.budgets.length === 0)
    return (
      `<section id="budgets"><h2>Budgets</h2><p>No budgets. Set one with <code>finops budget set NAME --amount 10000 --period ` +
      `monthly</code>.</p></section>`
    )
  const parts = data.budgets.map((burn, i) => {
    const {status} = burn.report
    const {currency} = status
    const chart = drawChart(budgetBurnChart(burn))
    const byDay = new Map(burn.forecast.map((p) => [p.day, p]))
    const rows: Cell[][] = [
      ...burn.actual.map((p) => [
        day(p.day),
        num(moneyText(p.amount, currency), p.amount),
        num(moneyText(status.amount - p.amount, currency), status.amount - p.amount),
        txt('actual'),
      ]),
      ...[...byDay.values()].map((p) => [
        day(p.day),
        num(moneyText(p.mean, currency), p.mean),
        num(moneyText(status.amount - p.mean, currency), status.amount - p.mean),
        txt(`forecast (${moneyText(p.lower, currency)} to ${moneyText(p.upper, currency)})`),
      ]),
    ]
    const dataTable = table({
      id: `budget-table-${i}`,
      caption: `Budget ${status.name}: spent and remaining by day (${currency})`,
      headers: ['Day', 'Spent (cumulative)', 'Remaining', 'Kind'],
      rows,
    })
    const line =
      `${moneyText(status.actual, currency)} of ${moneyText(status.amount, currency)} spent (${status.actualPercent}%)` +
      (status.forecast
        ? `; forecast ${moneyText(status.forecast.mean, currency)} (${status.forecast.percent}%) at ${status.periodEnd}`
        : '') +
      (status.breachDate
        ? `; ${status.breachKind === 'actual' ? 'over budget since' : 'breach expected'} ${status.breachDate}`
        : '')
    const notes = burn.report.notes.map((n) => `<p class="note">${esc(n)}</p>`).join('')
    return (
      `<h3>${esc(status.name)} <span ` +
      `class="muted">${esc(status.periodLabel)}${status.filters.length > 0 ? `, ${esc(status.filters.join(', '))}` : ''}</span></h3><p ` +
      `class="${status.breachDate ? 'alert' : ''}">${esc(line)}</p>${notes}${figure(`chart-budget-${i}`, chart, dataTable)}`
    )
  })
  return `<section id="budgets"><h2>Budgets</h2>${parts.join('\n')}</section>`
}

function moversSection(data: ReportData, label: RowLabel): string {
  const {currency} = data
  const movers = data.movers
  const list = [...movers.increases, ...movers.decreases].filter((m) => m.currency === currency)
  if (list.length === 0) return `<section id="movers"><h2>Top movers</h2><p>No group changed.</p></section>`
  const chart = drawChart(moversChart(movers, currency, label))
  const dataTable = table({
    id: 'movers-table',
    caption: `Largest changes against ${data.spend.previousFrom} to ${data.spend.previousTo} (${currency})`,
    headers: [data.spend.groupBy.join(' / ') || 'group', 'This period', 'Previous', 'Change', 'Change %'],
    rows: list.map((m) => [
      txt(label(m.keys)),
      num(moneyText(m.total, currency), m.total),
      num(moneyText(m.previousTotal, currency), m.previousTotal),
      num(`${m.delta >= 0 ? '+' : ''}${moneyText(m.delta, currency)}`, m.delta, m.delta >= 0 ? 'up' : 'down'),
      num(changeText(m.change), m.change ?? ''),
    ]),
  })
  return `<section id="movers"><h2>Top movers</h2>${figure('chart-movers', chart, dataTable, {open: true})}</section>`
}

function anomaliesSection(data: ReportData): string {
  if (data.anomalies.length === 0)
    return `<section id="anomalies"><h2>Anomalies</h2><p>No day in this window was outside its expected range.</p></section>`
  const dataTable = table({
    id: 'anomalies-table',
    caption: `Days outside the expected range (${data.currency}); marked on the spend chart`,
    headers: ['Day', 'Series', 'Direction', 'Actual', 'Expected', 'Impact'],
    sortable: true,
    rows: data.anomalies.map((a) => [
      day(a.day),
      txt(a.keys.length > 0 ? a.keys.join(' / ') : 'total'),
      txt(a.direction),
      num(moneyText(a.actual, a.currency), a.actual),
      num(
        `${moneyText(a.expected, a.currency)} (${moneyText(a.lower, a.currency)} to ${moneyText(a.upper, a.currency)})`,
        a.expected,
      ),
      num(`${a.impact >= 0 ? '+' : ''}${moneyText(a.impact, a.currency)}`, a.impact, a.impact >= 0 ? 'up' : 'down'),
    ]),
  })
  return `<section id="anomalies"><h2>Anomalies</h2>${dataTable}</section>`
}

function allocationSection(data: ReportData): string {
  const allocation = data.allocation
  if (!allocation)
    return (
      `<section id="kubernetes"><h2>Kubernetes allocation</h2><p>No cluster inventory in the store (collect one with <code>finops collect ` +
      `k8s</code>).</p></section>`
    )
  if ('skipped' in allocation)
    return `<section id="kubernetes"><h2>Kubernetes allocation</h2><p class="note">${esc(allocation.skipped)}</p></section>`
  const {currency} = allocation
  const chart = drawChart(allocationChart(allocation))
  const efficiency = allocation.totals.nodes > 0 ? allocation.totals.allocated / allocation.totals.nodes : 0
  const dataTable = table({
    id: 'allocation-table',
    caption: `Kubernetes cost by ${allocation.groupBy.join(', ')} (${currency}), ${allocation.from} to ${allocation.to}`,
    headers: [allocation.groupBy.join(' / '), 'CPU', 'Memory', 'Total', 'Share', 'CPU core-hours', 'Memory GiB-hours'],
    sortable: true,
    rows: [
      ...allocation.rows.map((r) => [
        txt(r.keys.join(' / ')),
        num(moneyText(r.cpuCost, currency), r.cpuCost),
        num(moneyText(r.memoryCost, currency), r.memoryCost),
        num(moneyText(r.cost, currency), r.cost),
        num(`${(r.share * 100).toFixed(1)}%`, r.share),
        num(r.cpuCoreHours.toFixed(1), r.cpuCoreHours),
        num(r.memoryGiBHours.toFixed(1), r.memoryGiBHours),
      ]),
      [
        txt('(idle)'),
        num(moneyText(allocation.idle.cpuCost, currency), allocation.idle.cpuCost),
        num(moneyText(allocation.idle.memoryCost, currency), allocation.idle.memoryCost),
        num(moneyText(allocation.idle.cost, currency), allocation.idle.cost),
        num(`${(allocation.idle.share * 100).toFixed(1)}%`, allocation.idle.share),
        txt(''),
        txt(''),
      ],
    ],
  })
  const summary =
    `${allocation.nodes.length} node(s) ` +
    `cost ${moneyText(allocation.totals.nodes, currency)}; ${moneyText(allocation.totals.allocated, currency)} allocated to workloads. Efficiency ` +
    `(allocated share of node cost): ${(efficiency * 100).toFixed(1)}%; idle ${moneyText(allocation.totals.idle, currency)}.`
  const warnings = allocation.warnings
    .slice(0, 5)
    .map((w) => `<p class="note">${esc(w)}</p>`)
    .join('')
  return (
    `<section id="kubernetes"><h2>Kubernetes allocation</h2><p id="k8s-efficiency" ` +
    `data-value="${efficiency}">${esc(summary)}</p>${warnings}${figure('chart-allocation', chart, dataTable, {open: true})}</section>`
  )
}

/**
 * A chart drawn twice: for wide screens and for phones (taller, narrower, so its labels stay
 * readable instead of shrinking); CSS shows the one that fits.
 */
function drawChart(spec: ChartSpec): string {
  const wide = renderChartSvg({...spec, width: spec.width ?? 900})
  const narrow = renderChartSvg({...spec, width: 420, height: (spec.height ?? 360) + 80})
  return `<div class="svg wide">${wide}</div><div class="svg narrow">${narrow}</div>`
}

const RISK_ORDER = {low: 1, medium: 2, high: 3} as const

function recommendationsSection(recommendations: readonly Recommendation[]): string {
  if (recommendations.length === 0)
    return `<section id="recommendations"><h2>Recommendations</h2><p>No recommendations in the store (run <code>finops recommend</code>).</p></section>`
  const shape = (s: Recommendation['current']): string =>
    [
      s.replicas !== undefined ? `${s.replicas} replica${s.replicas === 1 ? '' : 's'}` : '',
      s.cpuRequest !== undefined ? `cpu ${s.cpuRequest}` : '',
      s.memoryRequest !== undefined ? `mem ${Math.round(s.memoryRequest / 2 ** 20)}Mi` : '',
      s.capacityType ?? '',
      s.schedule ?? '',
    ]
      .filter(Boolean)
      .join(', ')
  // The gist (samples and window) in the row; the percentiles and notes behind a disclosure.
  const evidence = (r: Recommendation): Cell => {
    const gist =
      [
        r.evidence.samples !== undefined ? `${r.evidence.samples} samples` : '',
        r.evidence.windowStart && r.evidence.windowEnd
          ? `${r.evidence.windowStart.slice(0, 10)} to ${r.evidence.windowEnd.slice(0, 10)}`
          : '',
      ]
        .filter(Boolean)
        .join(', ') || 'details'
    const detail = [
      ...Object.entries(r.evidence.percentiles ?? {}).map(([k, v]) => `${k} ${Number(v.toPrecision(3))}`),
      ...(r.evidence.notes ?? []),
    ]
    return {
      text: `${gist}: ${detail.join('; ')}`,
      className: 'evidence',
      html: `<details><summary>${esc(gist)}</summary><ul>${detail.map((d) => `<li>${esc(d)}</li>`).join('')}</ul></details>`,
    }
  }
  const dataTable = table({
    id: 'recommendations-table',
    caption: 'Recommendations (select a column header to sort)',
    headers: ['Kind', 'Workload', 'Current', 'Proposed', 'Savings / month', 'Risk', 'Evidence'],
    sortable: true,
    rows: recommendations.map((r) => [
      txt(r.kind),
      {
        text: `${r.target.namespace}/${r.target.kind}/${r.target.name}${r.target.container ? ` (${r.target.container})` : ''}`,
      },
      txt(shape(r.current)),
      txt(shape(r.proposed)),
      num(moneyText(r.monthlySavings, r.currency), r.monthlySavings),
      {
        text: r.risk.level + (r.risk.reasons.length ? `: ${r.risk.reasons.join('; ')}` : ''),
        value: RISK_ORDER[r.risk.level],
      },
      evidence(r),
    ]),
  })
  return `<section id="recommendations"><h2>Recommendations</h2>${dataTable}</section>`
}

function actionsSection(data: ReportData): string {
  if (data.actions.length === 0)
    return `<section id="actions"><h2>Applied actions</h2><p>No actions recorded.</p></section>`
  const dataTable = table({
    id: 'actions-table',
    caption: 'Actions and their status, newest first',
    headers: ['When', 'Kind', 'Workload', 'Status', 'Savings / month', 'Reason'],
    sortable: true,
    rows: data.actions.map((a) => [
      txt(a.createdAt.replace('T', ' ').slice(0, 19)),
      txt(a.kind),
      txt(`${a.target.namespace}/${a.target.kind}/${a.target.name}`),
      txt(a.status + (a.error ? `: ${a.error}` : ''), `status-${a.status}`),
      a.monthlySavings === undefined
        ? txt('')
        : num(moneyText(a.monthlySavings, a.currency ?? data.currency), a.monthlySavings),
      txt(a.reason),
    ]),
  })
  return `<section id="actions"><h2>Applied actions</h2>${dataTable}</section>`
}
