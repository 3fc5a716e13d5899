import {type AllocationReport, type AllocationRow, IDLE} from '../k8s/allocation.js'
import {csvLine} from '../csv.js'
import {formatAmount} from '../money.js'
import {formatRatio} from './format.js'
import {renderDocumentText, type TableBlock, type TextDocument} from './text-document.js'

const percent = (share: number): string => formatRatio(share)

type Column = {head: string; value: (r: AllocationRow) => string; idle?: string}

/** The money columns worth showing: CPU and memory always, the others when the report has any. */
function columns(report: AllocationReport): Column[] {
  const any = (pick: (r: AllocationRow) => number) => report.rows.some((r) => pick(r) > 0)
  const cols: Column[] = [
    {head: 'CPU', value: (r) => formatAmount(r.cpuCost), idle: formatAmount(report.idle.cpuCost)},
    {head: 'Memory', value: (r) => formatAmount(r.memoryCost), idle: formatAmount(report.idle.memoryCost)},
  ]
  if (any((r) => r.gpuCost) || report.idle.gpuCost > 0)
    cols.push({head: 'GPU', value: (r) => formatAmount(r.gpuCost), idle: formatAmount(report.idle.gpuCost)})
  if (any((r) => r.storageCost)) cols.push({head: 'Storage', value: (r) => formatAmount(r.storageCost)})
  if (any((r) => r.loadBalancerCost)) cols.push({head: 'LB', value: (r) => formatAmount(r.loadBalancerCost)})
  if (any((r) => r.networkCost)) cols.push({head: 'Network', value: (r) => formatAmount(r.networkCost)})
  if (report.idleMode !== 'separate') cols.push({head: 'Idle', value: (r) => formatAmount(r.idleCost)})
  if (report.shared.cost > 0) cols.push({head: 'Shared', value: (r) => formatAmount(r.sharedCost)})
  return cols
}

const efficiency = (r: AllocationRow) => (r.efficiency === null ? '' : percent(r.efficiency))

/** `cost allocation` for people: the table, captioned with the window and where its days came from. */
export const allocationDocument = (report: AllocationReport): TextDocument => [
  {...allocationTable(report), caption: renderAllocationTitle(report)},
]

/** `cost allocation`: the window line (and where its days came from), then the table. */
export const renderAllocationText = (report: AllocationReport): string => renderDocumentText(allocationDocument(report))

/** The table alone, as the terminal draws it. */
export const renderAllocationTable = (report: AllocationReport): string => renderDocumentText([allocationTable(report)])

/** The human table: one row per group, the (idle) row, and the total they add up to. */
export function allocationTable(report: AllocationReport): TableBlock {
  const cols = columns(report)
  const head = [
    ...report.groupBy.map((k) => k.charAt(0).toUpperCase() + k.slice(1)),
    ...cols.map((c) => c.head),
    `Total (${report.currency})`,
    'Share',
    'Efficiency',
  ]
  const keys = report.groupBy.length
  const rows: string[][] = []
  for (const r of report.rows)
    rows.push([...r.keys, ...cols.map((c) => c.value(r)), formatAmount(r.cost), percent(r.share), efficiency(r)])
  const pad = (label: string) => [label, ...Array.from({length: keys - 1}, () => '')]
  if (report.idle.cost > 0 || report.idleMode === 'separate')
    rows.push([
      ...pad(IDLE),
      ...cols.map((c) => c.idle ?? ''),
      formatAmount(report.idle.cost),
      percent(report.idle.share),
      '',
    ])
  const shown = report.rows.reduce((s, r) => s + r.cost, 0) + report.idle.cost
  rows.push([
    ...pad(
      Math.abs(shown - report.totals.total) < 1e-6 * Math.max(1, report.totals.total) ? 'Total' : 'Total (cluster)',
    ),
    ...cols.map(() => ''),
    formatAmount(report.totals.total),
    report.totals.total > 0 ? '100.0%' : '',
    '',
  ])
  return {kind: 'table', head, align: head.map((_, i) => (i >= keys ? 'right' : 'left')), rows}
}

/** CSV with every column (idle row included), numbers unformatted. */
export function renderAllocationCsv(report: AllocationReport): string {
  let out = csvLine([
    ...report.groupBy,
    'cpu_cost',
    'memory_cost',
    'gpu_cost',
    'storage_cost',
    'load_balancer_cost',
    'network_cost',
    'idle_cost',
    'shared_cost',
    'cost',
    'currency',
    'share',
    'efficiency',
    'cpu_core_hours',
    'memory_gib_hours',
    'gpu_hours',
    'cpu_request_core_hours',
    'cpu_usage_core_hours',
    'memory_request_gib_hours',
    'memory_usage_gib_hours',
    'from',
    'to',
  ])
  for (const r of report.rows) {
    out += csvLine([
      ...r.keys,
      round(r.cpuCost),
      round(r.memoryCost),
      round(r.gpuCost),
      round(r.storageCost),
      round(r.loadBalancerCost),
      round(r.networkCost),
      round(r.idleCost),
      round(r.sharedCost),
      round(r.cost),
      report.currency,
      round(r.share, 6),
      r.efficiency === null ? '' : round(r.efficiency, 4),
      round(r.cpuCoreHours, 3),
      round(r.memoryGiBHours, 3),
      round(r.gpuHours, 3),
      round(r.cpuRequestCoreHours, 3),
      round(r.cpuUsageCoreHours, 3),
      round(r.memoryRequestGiBHours, 3),
      round(r.memoryUsageGiBHours, 3),
      report.from,
      report.to,
    ])
  }
  out += csvLine([
    IDLE,
    ...report.groupBy.slice(1).map(() => ''),
    round(report.idle.cpuCost),
    round(report.idle.memoryCost),
    round(report.idle.gpuCost),
    0,
    0,
    0,
    0,
    0,
    round(report.idle.cost),
    report.currency,
    round(report.idle.share, 6),
    '',
    '',
    '',
    '',
    '',
    '',
    '',
    '',
    report.from,
    report.to,
  ])
  return out
}

const round = (v: number, digits = 4) => Math.round(v * 10 ** digits) / 10 ** digits

/** The line above the table: the window, and which days came from history and which from the snapshot. */
export function renderAllocationTitle(report: AllocationReport): string {
  const title = `Kubernetes cost allocation ${report.from} to ${report.to} (${report.days} days, ${report.nodes.length} nodes)`
  const {history, snapshot} = report.sources
  if (history.length > 0 && snapshot.length > 0)
    return `${title}: ${history.length} days from pod history, ${snapshot.length} modelled from the snapshot`
  if (snapshot.length > 0) return `${title}, modelled from the snapshot`
  return title
}
