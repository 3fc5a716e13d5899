import {eachDay} from '../../dates.js'
import type {Anomaly} from '../../alerts/anomalies.js'
import type {BudgetReport} from '../../alerts/budget-status.js'
import type {CostReport} from '../../cost/report-builder.js'
import type {AllocationReport} from '../../k8s/allocation.js'
import type {CurrencyForecast} from '../../../forecasters/types.js'
import type {BudgetBurn, DayAmount, Mover} from '../../report/report-data.js'
import {compactMoneyText, moneyText} from './money-text.js'
import {type ChartSpec, FONT, OTHER_COLOR, PALETTE} from './svg-chart.js'
import {roundMoney} from '../../money.js'

const BAND_COLOR = '#0072B2'
const ACTUAL_COLOR = '#222222'
const PREVIOUS_COLOR = '#555555'
const ALERT_COLOR = '#C00000'

/** Renders a stored key list for people: ['AWS', 'EC2'] as "AWS / EC2". */
export type RowLabel = (keys: readonly string[]) => string
const defaultLabel: RowLabel = (keys) => keys.map((k) => (k === '' ? '(none)' : k)).join(' / ')

const grid = {left: 8, right: 24, top: 56, bottom: 8, containLabel: true}
const legend = (names: string[]) => ({
  top: 4,
  left: 'center',
  type: 'plain',
  data: names,
  textStyle: {fontFamily: FONT, fontSize: 12},
  itemGap: 14,
})
const moneyAxis = (currency: string) => ({
  type: 'value',
  axisLabel: {formatter: (v: number) => compactMoneyText(v, currency), hideOverlap: true},
  splitLine: {lineStyle: {color: '#e4e4e4'}},
})
/** The frame of a chart with one horizontal bar row per label and money along the bottom. */
const labelledBars = (names: string[], labels: string[], currency: string) => ({
  legend: legend(names),
  grid,
  yAxis: {type: 'category', data: labels, inverse: true, axisLabel: {width: 170, overflow: 'truncate'}},
  xAxis: moneyAxis(currency),
})
const stackedBar = (name: string, stack: string, color: string | undefined, data: (number | null)[]) => ({
  name,
  type: 'bar',
  stack,
  itemStyle: {color},
  data,
})
/** A prediction interval as a shaded band: an invisible line at the lower bound with the band's width stacked on it. */
const intervalBand = (name: string, lower: (number | null)[], width: (number | null)[]) => [
  {name: 'lower bound', type: 'line', stack: 'band', symbol: 'none', lineStyle: {opacity: 0}, data: lower},
  {
    name,
    type: 'line',
    stack: 'band',
    symbol: 'none',
    lineStyle: {opacity: 0},
    itemStyle: {color: BAND_COLOR},
    areaStyle: {color: BAND_COLOR, opacity: 0.25},
    data: width,
  },
]
const dayAxis = (days: string[]) => ({
  type: 'category',
  data: days,
  boundaryGap: true,
  axisLabel: {formatter: (d: string) => d.slice(5), hideOverlap: true},
})

/**
 * Daily spend stacked by the report's groups (its top rows and "Other"), the previous window's daily
 * total as a dashed line on the same day positions, and anomalies pinned with their size in money.
 */
export function spendChart(
  report: CostReport,
  options: {currency: string; previous?: readonly DayAmount[]; anomalies?: readonly Anomaly[]; label?: RowLabel},
): ChartSpec {
  const {currency} = options
  const label = options.label ?? defaultLabel
  const days = report.periods
  const rows = report.rows.filter((r) => r.currency === currency)
  const series: object[] = rows.map((row, i) => ({
    name: row.other ? 'Other' : label(row.keys),
    type: 'bar',
    stack: 'spend',
    barCategoryGap: '15%',
    itemStyle: {color: row.other ? OTHER_COLOR : PALETTE[i % (PALETTE.length - 1)]},
    data: row.periods.map((amount) => roundMoney(amount)),
  }))
  const names = series.map((s) => (s as {name: string}).name)
  if (options.previous && options.previous.length > 0) {
    names.push('Previous period')
    series.push({
      name: 'Previous period',
      type: 'line',
      symbol: 'none',
      lineStyle: {type: 'dashed', width: 2, color: PREVIOUS_COLOR},
      itemStyle: {color: PREVIOUS_COLOR},
      data: days.map((_, i) => roundMoney(options.previous![i]?.amount ?? 0)),
    })
  }
  const total = report.totals.find((t) => t.currency === currency)
  const anomalies = (options.anomalies ?? []).filter((a) => days.includes(a.day))
  if (anomalies.length > 0) {
    names.push('Anomaly')
    series.push({
      name: 'Anomaly',
      type: 'scatter',
      symbol: 'pin',
      symbolSize: 34,
      itemStyle: {color: ALERT_COLOR},
      label: {
        show: true,
        position: 'top',
        color: ALERT_COLOR,
        fontWeight: 'bold',
        formatter: (p: {data: [string, number, number]}) =>
          `${p.data[2] >= 0 ? '+' : '-'}${compactMoneyText(Math.abs(p.data[2]), currency)}`,
      },
      data: anomalies.map((a) => [
        a.day,
        roundMoney(total?.periods[days.indexOf(a.day)] ?? a.actual),
        roundMoney(a.impact),
      ]),
      z: 10,
    })
  }
  const grand = total ? moneyText(total.total, currency) : moneyText(0, currency)
  return {
    title: `Daily spend ${report.from} to ${report.to}`,
    description:
      `Daily ${report.metric} cost in ${currency}, stacked by ${report.groupBy.join(', ') || 'total'}: ${grand} in the window` +
      (total ? ` against ${moneyText(total.previousTotal, currency)} in the previous ${days.length} days` : '') +
      (anomalies.length > 0 ? `; ${anomalies.length} anomalous day(s) marked` : '') +
      '. The table below the chart holds the numbers.',
    series: names,
    option: {
      legend: legend(names),
      grid,
      xAxis: dayAxis(days),
      yAxis: moneyAxis(currency),
      series,
    },
  }
}

/**
 * The forecast as a fan: recent actual days, then the mean and the prediction interval (drawn as a
 * band stacked on its lower bound), so the forecast visibly continues the actuals.
 */
export function forecastChart(forecast: CurrencyForecast, recent: readonly DayAmount[] = []): ChartSpec {
  const {currency} = forecast
  const actualDays = recent.map((p) => p.day)
  const forecastDays = forecast.daily.map((p) => p.date)
  const days = [...actualDays, ...forecastDays]
  const pad = (n: number) => Array.from({length: n}, () => null)
  const last = recent.at(-1)
  const band = `${forecast.level}% interval`
  const series = [
    {
      name: 'Actual',
      type: 'line',
      symbol: 'none',
      lineStyle: {width: 2, color: ACTUAL_COLOR},
      itemStyle: {color: ACTUAL_COLOR},
      data: [...recent.map((p) => roundMoney(p.amount)), ...pad(forecastDays.length)],
    },
    ...intervalBand(
      band,
      [...pad(actualDays.length), ...forecast.daily.map((p) => roundMoney(p.lower))],
      [...pad(actualDays.length), ...forecast.daily.map((p) => roundMoney(p.upper - p.lower))],
    ),
    {
      name: 'Forecast',
      type: 'line',
      symbol: 'none',
      lineStyle: {width: 2, type: 'dashed', color: BAND_COLOR},
      itemStyle: {color: BAND_COLOR},
      // Joined to the last actual day so the two lines meet.
      data: [
        ...pad(Math.max(0, actualDays.length - 1)),
        ...(last ? [roundMoney(last.amount)] : []),
        ...forecast.daily.map((p) => roundMoney(p.mean)),
      ],
      markLine:
        forecastDays[0] && recent.length > 0
          ? {
              symbol: 'none',
              silent: true,
              lineStyle: {color: '#888', type: 'dotted'},
              label: {formatter: 'forecast', position: 'insideEndTop'},
              data: [{xAxis: forecastDays[0]}],
            }
          : undefined,
    },
  ]
  const names = [...(recent.length > 0 ? ['Actual'] : []), 'Forecast', band]
  return {
    title: `Forecast ${forecast.forecast.from} to ${forecast.forecast.to} (${currency})`,
    description:
      `Daily cost forecast by ${forecast.model}: ${moneyText(forecast.total.mean, currency)} expected over ` +
      `${forecast.daily.length} days, ${forecast.level}% interval ${moneyText(forecast.total.lower, currency)} to ` +
      `${moneyText(forecast.total.upper, currency)}, continuing ${recent.length} days of actual spend.`,
    series: names,
    option: {
      legend: legend(names),
      grid,
      xAxis: {...dayAxis(days), boundaryGap: false},
      yAxis: moneyAxis(currency),
      series: recent.length > 0 ? series : series.slice(1),
    },
  }
}

/**
 * One budget's period: spend to date as a running total, the forecast running total with its
 * interval to the period end, the budget as a line, and the (projected) breach day marked.
 */
export function budgetBurnChart(burn: BudgetBurn): ChartSpec {
  const {status} = burn.report
  const {currency} = status
  const days = eachDay(status.periodStart, status.periodEnd)
  const at = new Map<string, number>()
  days.forEach((d, i) => at.set(d, i))
  const column = <T>(points: readonly {day: string}[], value: (p: never) => T): (T | null)[] => {
    const out: (T | null)[] = days.map(() => null)
    for (const p of points) {
      const i = at.get(p.day)
      if (i !== undefined) out[i] = value(p as never)
    }
    return out
  }
  const lastActual = burn.actual.at(-1)
  const forecastPoints = lastActual
    ? [
        {day: lastActual.day, mean: lastActual.amount, lower: lastActual.amount, upper: lastActual.amount},
        ...burn.forecast,
      ]
    : burn.forecast
  const band = status.forecast ? `${status.forecast.level}% interval` : 'interval'
  const names = ['Spent', ...(burn.forecast.length > 0 ? ['Forecast', band] : []), 'Budget']
  const breach = status.breachDate && at.has(status.breachDate) ? status.breachDate : undefined
  const series: object[] = [
    {
      name: 'Spent',
      type: 'line',
      symbol: 'none',
      lineStyle: {width: 2, color: ACTUAL_COLOR},
      itemStyle: {color: ACTUAL_COLOR},
      areaStyle: {color: ACTUAL_COLOR, opacity: 0.08},
      data: column(burn.actual, (p: DayAmount) => roundMoney(p.amount)),
    },
  ]
  if (burn.forecast.length > 0)
    series.push(
      ...intervalBand(
        band,
        column(forecastPoints, (p: {lower: number}) => roundMoney(p.lower)),
        column(forecastPoints, (p: {lower: number; upper: number}) => roundMoney(p.upper - p.lower)),
      ),
      {
        name: 'Forecast',
        type: 'line',
        symbol: 'none',
        lineStyle: {width: 2, type: 'dashed', color: BAND_COLOR},
        itemStyle: {color: BAND_COLOR},
        data: column(forecastPoints, (p: {mean: number}) => roundMoney(p.mean)),
      },
    )
  series.push({
    name: 'Budget',
    type: 'line',
    symbol: 'none',
    lineStyle: {width: 2, color: ALERT_COLOR},
    itemStyle: {color: ALERT_COLOR},
    data: days.map(() => status.amount),
    markLine: breach
      ? {
          symbol: 'none',
          silent: true,
          lineStyle: {color: ALERT_COLOR, type: 'dashed'},
          label: {
            formatter: `${status.breachKind === 'actual' ? 'over budget' : 'breach expected'} ${breach}`,
            position: 'insideEndTop',
            color: ALERT_COLOR,
          },
          data: [{xAxis: breach}],
        }
      : undefined,
  })
  const projected = status.forecast
    ? `, projected ${moneyText(status.forecast.mean, currency)} (${status.forecast.percent}%) at period end`
    : status.forecastSkipped
      ? ` (no forecast: ${status.forecastSkipped})`
      : ''
  return {
    title: `Budget ${status.name}: ${status.periodLabel}`,
    description:
      `${moneyText(status.actual, currency)} spent ` +
      `of ${moneyText(status.amount, currency)} (${status.actualPercent}%) by ${status.dataThrough ?? status.asOf}${projected}` +
      (status.breachDate
        ? `; ${status.breachKind === 'actual' ? 'over budget since' : 'expected to exceed it on'} ${status.breachDate}.`
        : '; not expected to exceed it.'),
    series: names,
    height: 300,
    option: {
      legend: legend(names),
      grid,
      xAxis: {...dayAxis(days), boundaryGap: false},
      yAxis: moneyAxis(currency),
      series,
    },
  }
}

/** One bar per group over the window, beside its previous-window total (a report with one period). */
export function costByGroupChart(report: CostReport, options: {currency: string; label?: RowLabel}): ChartSpec {
  const {currency} = options
  const label = options.label ?? defaultLabel
  const rows = report.rows.filter((r) => r.currency === currency)
  const labels = rows.map((r) => (r.other ? 'Other' : label(r.keys)))
  const names = ['This period', 'Previous period']
  const total = report.totals.find((t) => t.currency === currency)
  return {
    title: `Cost by ${report.groupBy.join(', ') || 'total'}, ${report.from} to ${report.to}`,
    description:
      `${report.metric} cost in ${currency}: ${moneyText(total?.total ?? 0, currency)} against ${moneyText(total?.previousTotal ?? 0, currency)} ` +
      `in ${report.previousFrom} to ${report.previousTo}. ` +
      rows
        .slice(0, 5)
        .map((r, i) => `${labels[i]} ${moneyText(r.total, currency)}`)
        .join('; '),
    series: names,
    height: Math.max(220, 80 + rows.length * 34),
    option: {
      ...labelledBars(names, labels, currency),
      series: [
        {name: 'This period', type: 'bar', itemStyle: {color: PALETTE[0]}, data: rows.map((r) => roundMoney(r.total))},
        {
          name: 'Previous period',
          type: 'bar',
          itemStyle: {color: OTHER_COLOR},
          data: rows.map((r) => roundMoney(r.previousTotal)),
        },
      ],
    },
  }
}

/** Every budget as a bar: spent, forecast period end (with its interval as error bars) and the amount. */
export function budgetStatusChart(reports: readonly BudgetReport[]): ChartSpec {
  const statuses = reports.map((r) => r.status)
  const names = ['Spent', 'Forecast at period end', 'Budget']
  const labels = statuses.map((s) => `${s.name} (${s.currency})`)
  return {
    title: 'Budgets: spent and forecast against the amount',
    description: statuses
      .map(
        (s) =>
          `${s.name}: ${moneyText(s.actual, s.currency)} of ${moneyText(s.amount, s.currency)} spent` +
          (s.forecast ? `, ${moneyText(s.forecast.mean, s.currency)} forecast at period end` : ''),
      )
      .join('; '),
    series: names,
    height: Math.max(220, 90 + statuses.length * 56),
    option: {
      legend: legend(names),
      grid,
      yAxis: {type: 'category', data: labels, inverse: true},
      xAxis: {
        type: 'value',
        axisLabel: {formatter: (v: number) => compactMoneyText(v, statuses[0]?.currency ?? 'USD')},
      },
      series: [
        {name: 'Spent', type: 'bar', itemStyle: {color: ACTUAL_COLOR}, data: statuses.map((s) => roundMoney(s.actual))},
        {
          name: 'Forecast at period end',
          type: 'bar',
          itemStyle: {color: BAND_COLOR},
          data: statuses.map((s) => (s.forecast ? roundMoney(s.forecast.mean) : null)),
        },
        {name: 'Budget', type: 'bar', itemStyle: {color: ALERT_COLOR}, data: statuses.map((s) => s.amount)},
      ],
    },
  }
}

/** The largest increases and decreases against the previous window, as signed bars. */
export function moversChart(
  movers: {increases: readonly Mover[]; decreases: readonly Mover[]},
  currency: string,
  label: RowLabel = defaultLabel,
): ChartSpec {
  const all = [...movers.increases, ...movers.decreases.slice().reverse()].filter((m) => m.currency === currency)
  const labels = all.map((m) => label(m.keys))
  const names = ['Increase', 'Decrease']
  return {
    title: 'Top movers against the previous period',
    description:
      all.length === 0
        ? 'No group changed between the two periods.'
        : all.map((m) => `${label(m.keys)} ${m.delta >= 0 ? '+' : ''}${moneyText(m.delta, currency)}`).join('; '),
    series: names,
    height: Math.max(200, 80 + all.length * 30),
    option: {
      ...labelledBars(names, labels, currency),
      series: [
        stackedBar(
          'Increase',
          'delta',
          '#D55E00',
          all.map((m) => (m.delta > 0 ? roundMoney(m.delta) : null)),
        ),
        stackedBar(
          'Decrease',
          'delta',
          '#009E73',
          all.map((m) => (m.delta < 0 ? roundMoney(m.delta) : null)),
        ),
      ],
    },
  }
}

/** Kubernetes cost by namespace (CPU and memory) with the nodes' idle cost as its own bar. */
export function allocationChart(allocation: AllocationReport): ChartSpec {
  const {currency} = allocation
  const rows = allocation.rows.slice(0, 15)
  const labels = [...rows.map((r) => r.keys.join(' / ')), '(idle)']
  const names = ['CPU', 'Memory', 'Idle']
  return {
    title: `Kubernetes cost by ${allocation.groupBy.join(', ')}, ${allocation.from} to ${allocation.to}`,
    description:
      `Nodes cost ${moneyText(allocation.totals.nodes, currency)}: ${moneyText(allocation.totals.allocated, currency)} allocated to workloads, ` +
      `${moneyText(allocation.totals.idle, currency)} idle (${(allocation.idle.share * 100).toFixed(1)}%).`,
    series: names,
    height: Math.max(220, 80 + labels.length * 28),
    option: {
      ...labelledBars(names, labels, currency),
      series: [
        stackedBar('CPU', 'cost', PALETTE[0], [...rows.map((r) => roundMoney(r.cpuCost)), null]),
        stackedBar('Memory', 'cost', PALETTE[1], [...rows.map((r) => roundMoney(r.memoryCost)), null]),
        stackedBar('Idle', 'cost', OTHER_COLOR, [...rows.map(() => null), roundMoney(allocation.idle.cost)]),
      ],
    },
  }
}
