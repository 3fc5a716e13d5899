import type {KeyLabeler} from '../cost/report.js'
import type {CostReport, CostReportRow} from '../cost/report-builder.js'
import {csvLine} from '../csv.js'
import {formatChange, sparkline} from './format.js'
import {formatAmount} from '../money.js'
import {renderDocumentText, type TableBlock, type TextDocument} from './text-document.js'

const identity: KeyLabeler = (_i, value) => value

function headerFor(key: string): string {
  if (key.startsWith('tag:')) return key
  return key
    .split('-')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join(' ')
}

function periodHeader(period: string, granularity: CostReport['granularity']): string {
  if (granularity === 'day') return period.slice(5)
  if (granularity === 'week') return `wk ${period.slice(5)}`
  return period
}

const METRIC_TITLE = {effective: 'Effective', billed: 'Billed', list: 'List'} as const

/** `cost report` for people: the table, captioned with the window (terminal and markdown draw it). */
export function costReportDocument(report: CostReport, options: {label?: KeyLabeler} = {}): TextDocument {
  return [costReportTable(report, options.label)]
}

/** `cost report`: the window line, then the table. */
export const renderCostReportText = (report: CostReport, options: {label?: KeyLabeler} = {}): string =>
  renderDocumentText(costReportDocument(report, options))

/** The human table: one row per group, per-period columns, total, previous, change, share, trend; a totals row per currency. */
export function costReportTable(report: CostReport, label: KeyLabeler = identity): TableBlock {
  const multiCurrency = report.currencies.length > 1
  const currencyNote = multiCurrency ? '' : ` (${report.currencies[0] ?? ''})`
  const showPeriods = report.granularity !== 'total'
  const keyHeaders = report.groupBy.length > 0 ? report.groupBy.map(headerFor) : ['All']
  const head = [
    ...keyHeaders,
    ...(multiCurrency ? ['Currency'] : []),
    ...(showPeriods ? report.periods.map((p) => periodHeader(p, report.granularity)) : []),
    `Total${currencyNote}`,
    'Previous',
    'Change',
    'Share',
    'Trend',
  ]
  const numericFrom = keyHeaders.length + (multiCurrency ? 1 : 0)
  const rows: string[][] = []
  const rowCells = (row: CostReportRow): string[] => [
    ...(report.groupBy.length > 0 ? row.keys.map((k, i) => (row.other ? k : label(i, k))) : ['All']),
    ...(multiCurrency ? [row.currency] : []),
    ...(showPeriods ? row.periods.map((v) => formatAmount(v)) : []),
    formatAmount(row.total),
    formatAmount(row.previousTotal),
    row.total === 0 && row.previousTotal === 0 ? '' : formatChange(row.change, row.previousTotal !== 0),
    `${(row.share * 100).toFixed(1)}%`,
    sparkline(row.daily),
  ]
  for (const row of report.rows) rows.push(rowCells(row))
  if (report.groupBy.length > 0 || multiCurrency) {
    for (const total of report.totals) {
      rows.push([
        ...keyHeaders.map((_, i) => (i === 0 ? 'Total' : '')),
        ...(multiCurrency ? [total.currency] : []),
        ...(showPeriods ? total.periods.map((v) => formatAmount(v)) : []),
        formatAmount(total.total),
        formatAmount(total.previousTotal),
        formatChange(total.change, total.previousTotal !== 0),
        '',
        '',
      ])
    }
  }
  return {
    kind: 'table',
    caption: `${METRIC_TITLE[report.metric]} cost ${report.from} to ${report.to} (previous: ${report.previousFrom} to ${report.previousTo})`,
    head,
    align: head.map((_, i) => (i >= numericFrom && i < head.length - 1 ? 'right' : 'left')),
    rows,
  }
}

/** The table alone, as the terminal draws it. */
export const renderCostReportTable = (report: CostReport, label: KeyLabeler = identity): string =>
  renderDocumentText([{...costReportTable(report, label), caption: undefined}])

/** A spreadsheet-friendly CSV: keys, currency, one column per period, total, previous total, change. */
export function renderCostReportCsv(report: CostReport, options: {label?: KeyLabeler} = {}): string {
  const label = options.label ?? identity
  const keyHeaders = report.groupBy.length > 0 ? report.groupBy : ['all']
  let out = csvLine([
    ...keyHeaders,
    'currency',
    ...(report.granularity === 'total' ? [] : report.periods),
    'total',
    'previous_total',
    'change',
  ])
  for (const row of report.rows) {
    out += csvLine([
      ...(report.groupBy.length > 0 ? row.keys.map((k, i) => (row.other ? k : label(i, k))) : ['all']),
      row.currency,
      ...(report.granularity === 'total' ? [] : row.periods),
      row.total,
      row.previousTotal,
      row.change,
    ])
  }
  return out
}
