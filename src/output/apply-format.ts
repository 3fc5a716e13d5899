import {formatMoney} from '../money.js'
import type {ApplyReport} from '../apply/execute.js'
import type {RollbackReport} from '../apply/rollback.js'
import type {ActionRecord, FieldSet} from '../model/action.js'
import {DocumentBuilder, renderDocumentText, textBlock, type TextDocument} from './text-document.js'

const label = (t: {namespace: string; kind: string; name: string; container?: string}): string =>
  `${t.namespace}/${t.kind}/${t.name}${t.container ? `:${t.container}` : ''}`

/** A field set in a few words: `replicas 3`, `app cpu=250m memory=512Mi / memory=1Gi`, `nodeSelector a=b; 1 toleration`. */
export function describeFields(fields: FieldSet): string {
  const parts: string[] = []
  if (fields.replicas !== undefined) parts.push(`replicas ${fields.replicas}`)
  if (fields.suspend !== undefined) parts.push(fields.suspend ? 'suspended' : 'not suspended')
  if (fields.minReplicas !== undefined) parts.push(`minReplicas ${fields.minReplicas}`)
  if (fields.container) {
    const map = (m: Record<string, string>): string =>
      Object.entries(m)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ') || '-'
    parts.push(
      `${fields.container.name} requests ${map(fields.container.requests)} limits ${map(fields.container.limits)}`,
    )
  }
  if (fields.nodeSelector)
    parts.push(
      `nodeSelector ${
        Object.entries(fields.nodeSelector)
          .map(([k, v]) => `${k}=${v}`)
          .join(',') || '-'
      }`,
    )
  if (fields.tolerations)
    parts.push(`${fields.tolerations.length} toleration${fields.tolerations.length === 1 ? '' : 's'}`)
  return parts.join('; ')
}

/** The human view of an apply: the changes, the skips with their reasons, and what to do next. */
export const renderApplyReport = (report: ApplyReport): string => renderDocumentText(applyDocument(report))

/** An apply for people as a document (terminal and markdown draw it). */
export function applyDocument(report: ApplyReport): TextDocument {
  const lines = new DocumentBuilder()
  const dry = report.mode === 'dry-run'
  lines.line(`${dry ? 'Plan (dry run, nothing changed)' : 'Applied'}: run ${report.runId} as ${report.identity}`)
  for (const r of report.recovered) lines.line(`Recovered interrupted action ${r.id}: ${r.status} (${r.note})`)
  if (report.actions.length > 0) {
    lines.table({
      kind: 'table',
      head: ['status', 'kind', 'workload', 'before', 'after', 'savings/mo', 'id'],
      align: ['left', 'left', 'left', 'left', 'left', 'right', 'left'],
      rows: report.actions.map((a) => [
        a.status,
        a.kind,
        label(a.target),
        describeFields(a.before),
        describeFields(a.after),
        a.monthlySavings === undefined ? '' : formatMoney(a.monthlySavings, a.currency ?? 'USD'),
        a.id ?? '',
      ]),
      terminal: {compact: false},
    })
    for (const a of report.actions.filter((x) => x.error)) lines.line(`  ${a.status} ${label(a.target)}: ${a.error}`)
  } else {
    lines.line('No changes to make.')
  }
  const skips = report.skipped.filter((s) => s.code !== 'noop' && s.code !== 'cap')
  const capped = report.skipped.filter((s) => s.code === 'cap')
  const noops = report.skipped.length - skips.length - capped.length
  if (skips.length > 0) {
    lines.line(`Skipped ${skips.length}:`)
    for (const s of skips) lines.line(`  ${s.kind} ${label(s.target)}: ${s.reason}`)
  }
  if (capped.length > 0)
    lines.line(
      `${capped.length} more held back by the cap on changes per run (--max-actions / apply.maxActions); the biggest savings go first.`,
    )
  if (noops > 0) lines.line(`${noops} already in the recommended state.`)
  for (const note of report.notes) lines.line(note)
  const {summary} = report
  if (dry && report.actions.length > 0) lines.line('Run again with --yes (or set apply.mode: enforce) to apply.')
  if (!dry)
    lines.line(
      `${summary.applied} applied, ${summary.failed} failed, ${summary.skipped} skipped. Undo with: finops rollback ${report.runId} --yes`,
    )
  return lines.build()
}

export function renderRollbackReport(report: RollbackReport): string {
  const lines = [
    `${report.mode === 'dry-run' ? 'Rollback plan (dry run, nothing changed)' : 'Rollback'} of ${report.target}:`,
  ]
  for (const r of report.results) {
    lines.push(
      `  ${r.status.padEnd(11)} ${r.id} ${r.kind} ${label(r.target)} -> ${describeFields(r.restore)}${r.reason ? ` (${r.reason})` : ''}`,
    )
  }
  if (report.mode === 'dry-run' && report.results.some((r) => r.status === 'planned'))
    lines.push('Run again with --yes to restore.')
  return lines.join('\n')
}

export const renderActionsList = ({actions}: {actions: readonly ActionRecord[]}): string => renderActionsTable(actions)

export const renderActionsTable = (actions: readonly ActionRecord[]): string =>
  renderDocumentText(actionsListDocument({actions}))

/** `actions list` for people: the journal as a table, or a line saying it is empty. */
export function actionsListDocument({actions}: {actions: readonly ActionRecord[]}): TextDocument {
  if (actions.length === 0) return [textBlock('No actions in the journal.')]
  return [
    {
      kind: 'table',
      head: ['id', 'when', 'run', 'by', 'kind', 'workload', 'before', 'after', 'status'],
      terminal: {compact: false},
      rows: actions.map((a) => [
        a.id,
        a.createdAt.replace('T', ' ').slice(0, 19),
        a.runId,
        a.identity,
        a.kind,
        label(a.target),
        describeFields(a.before),
        describeFields(a.after),
        a.error ? `${a.status}: ${a.error}` : a.status,
      ]),
    },
  ]
}
