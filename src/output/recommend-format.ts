import type {RecommendReport} from '../recommend/from-store.js'
import {recommenderRegistry} from '../../recommenders/registry.js'
import {
  targetColumns,
  type Recommendation,
  type ResourceShape,
  type SkippedRecommendation,
  type WorkloadTarget,
} from '../model/recommendation.js'
import {csvLine} from '../csv.js'
import {formatMoney} from '../money.js'
import {DocumentBuilder, renderDocumentText, type TextDocument} from './text-document.js'

/** `namespace/Kind/name` or `namespace/Kind/name:container`; the cluster only when there are several. */
export function targetLabel(target: WorkloadTarget, withCluster = false): string {
  const base = `${target.namespace}/${target.kind}/${target.name}${target.container ? `:${target.container}` : ''}`
  return withCluster && target.cluster ? `${target.cluster}:${base}` : base
}

/** The change in a few words: `cpu 1 -> 250m, mem 1Gi -> 330Mi`, `on-demand -> spot`, `3 -> 0 replicas`; each kind says its own. */
export const describeChange = (r: Pick<Recommendation, 'kind' | 'current' | 'proposed'>): string =>
  recommenderRegistry[r.kind].describeChange(r)

/** The human table, largest savings first, with a total and a one-line summary of what was skipped. */
export const renderRecommendTable = (report: RecommendReport, options: {showSkipped?: boolean} = {}): string =>
  renderDocumentText(recommendDocument(report, options))

/** `recommend` for people as a document (terminal and markdown draw it). */
export function recommendDocument(report: RecommendReport, options: {showSkipped?: boolean} = {}): TextDocument {
  const multiCluster = report.cluster.includes(',')
  const lines = new DocumentBuilder()
  if (report.recommendations.length === 0) {
    lines.line('No recommendations.')
  } else {
    lines.table({
      kind: 'table',
      head: ['ID', 'Kind', 'Target', 'Change', `Savings/mo (${report.currency})`, 'Risk'],
      align: ['left', 'left', 'left', 'left', 'right', 'left'],
      rows: report.recommendations.map((r) => [
        r.id,
        r.kind,
        targetLabel(r.target, multiCluster),
        describeChange(r),
        formatMoney(r.monthlySavings, r.currency),
        r.risk.level,
      ]),
      terminal: {wordWrap: true, colWidths: [null, null, null, 60, null, null]},
    })
    lines.line(
      `Total: ${formatMoney(report.totalMonthlySavings, report.currency)} per month over ${report.recommendations.length} recommendation(s)` +
        (report.window ? `; usage ${report.window.from} to ${report.window.to}` : '; no usage in the store'),
    )
  }
  if (report.skipped.length > 0) {
    if (options.showSkipped) {
      lines.line('', 'Skipped:')
      for (const s of report.skipped) lines.line(`  ${s.kind} ${targetLabel(s.target, multiCluster)}: ${s.reason}`)
    } else {
      lines.line(
        `${report.skipped.length} skipped (${summarizeSkips(report.skipped)}); --show-skipped or --json lists them with reasons`,
      )
    }
  }
  return lines.build()
}

/** `12 thin data, 3 not eligible` : skip reasons grouped by their leading phrase. */
export function summarizeSkips(skipped: readonly SkippedRecommendation[]): string {
  const counts = new Map<string, number>()
  for (const s of skipped) {
    const head = `${s.kind}: ${s.reason.split(':')[0]!.split(' (')[0]}`
    counts.set(head, (counts.get(head) ?? 0) + 1)
  }
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([k, n]) => `${n} ${k}`)
    .join(', ')
}

const CSV_HEADER = [
  'id',
  'kind',
  'cluster',
  'namespace',
  'workload_kind',
  'workload',
  'container',
  'current_cpu_request',
  'proposed_cpu_request',
  'current_cpu_limit',
  'proposed_cpu_limit',
  'current_memory_request',
  'proposed_memory_request',
  'current_memory_limit',
  'proposed_memory_limit',
  'current_replicas',
  'proposed_replicas',
  'current_capacity_type',
  'proposed_capacity_type',
  'schedule',
  'monthly_savings',
  'currency',
  'risk',
  'risk_reasons',
  'proposed_cpu_request_by_hour',
]

/** One row per recommendation, numbers in base units (cores, bytes) so spreadsheets can sum them. */
export function renderRecommendCsv(report: RecommendReport): string {
  let out = csvLine(CSV_HEADER)
  for (const r of report.recommendations) {
    const c: ResourceShape = r.current
    const p: ResourceShape = r.proposed
    out += csvLine([
      r.id,
      r.kind,
      ...targetColumns(r.target),
      c.cpuRequest,
      p.cpuRequest,
      c.cpuLimit,
      p.cpuLimit,
      c.memoryRequest,
      p.memoryRequest,
      c.memoryLimit,
      p.memoryLimit,
      c.replicas,
      p.replicas,
      c.capacityType,
      p.capacityType,
      p.schedule,
      r.monthlySavings,
      r.currency,
      r.risk.level,
      r.risk.reasons.join('; '),
      // 24 requests in cores, UTC hour 0 first, in one cell.
      p.cpuRequestByHour?.join(' '),
    ])
  }
  return out
}
