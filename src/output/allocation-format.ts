import Table from 'cli-table3'

import {type AllocationReport, IDLE} from '../k8s/allocation.js'
import {csvLine} from './format.js'
import {formatAmount} from '../money.js'

const percent = (share: number) => `${(share * 100).toFixed(1)}%`

/** `cost allocation`: the window line, then the table. */
export function renderAllocationText(report: AllocationReport): string {
  return `Kubernetes cost allocation ${report.from} to ${report.to} (${report.days} days, ${report.nodes.length} nodes)\n${renderAllocationTable(report)}`
}

/** The human table: one row per group, the (idle) row, and the node total they add up to. */
export function renderAllocationTable(report: AllocationReport): string {
  const head = [
    ...report.groupBy.map((k) => k.charAt(0).toUpperCase() + k.slice(1)),
    'CPU',
    'Memory',
    `Total (${report.currency})`,
    'Share',
    'Core-h',
    'GiB-h',
  ]
  const keys = report.groupBy.length
  const table = new Table({
    head,
    style: {head: [], border: [], compact: true},
    colAligns: head.map((_, i) => (i >= keys ? 'right' : 'left')),
  })
  for (const r of report.rows) {
    table.push([
      ...r.keys,
      formatAmount(r.cpuCost),
      formatAmount(r.memoryCost),
      formatAmount(r.cost),
      percent(r.share),
      formatAmount(r.cpuCoreHours, 1),
      formatAmount(r.memoryGiBHours, 1),
    ])
  }
  const pad = (label: string) => [label, ...Array.from({length: keys - 1}, () => '')]
  table.push([
    ...pad(IDLE),
    formatAmount(report.idle.cpuCost),
    formatAmount(report.idle.memoryCost),
    formatAmount(report.idle.cost),
    percent(report.idle.share),
    '',
    '',
  ])
  table.push([
    ...pad('Total (nodes)'),
    '',
    '',
    formatAmount(report.totals.nodes),
    report.totals.nodes > 0 ? '100.0%' : '',
    '',
    '',
  ])
  return table.toString()
}

/** CSV with the same rows (idle included), numbers unformatted. */
export function renderAllocationCsv(report: AllocationReport): string {
  let out = csvLine([
    ...report.groupBy,
    'cpu_cost',
    'memory_cost',
    'cost',
    'currency',
    'share',
    'cpu_core_hours',
    'memory_gib_hours',
    'from',
    'to',
  ])
  for (const r of report.rows) {
    out += csvLine([
      ...r.keys,
      round(r.cpuCost),
      round(r.memoryCost),
      round(r.cost),
      report.currency,
      round(r.share, 6),
      round(r.cpuCoreHours, 3),
      round(r.memoryGiBHours, 3),
      report.from,
      report.to,
    ])
  }
  out += csvLine([
    IDLE,
    ...report.groupBy.slice(1).map(() => ''),
    round(report.idle.cpuCost),
    round(report.idle.memoryCost),
    round(report.idle.cost),
    report.currency,
    round(report.idle.share, 6),
    '',
    '',
    report.from,
    report.to,
  ])
  return out
}

const round = (v: number, digits = 4) => Math.round(v * 10 ** digits) / 10 ** digits
