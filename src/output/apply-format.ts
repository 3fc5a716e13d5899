import Table from 'cli-table3'

import {formatMoney} from '../money.js'
import type {ApplyReport} from '../apply/execute.js'
import type {RollbackReport} from '../apply/rollback.js'
import type {ActionRecord, FieldSet} from '../model/action.js'

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
export function renderApplyReport(report: ApplyReport): string {
  const lines: string[] = []
  const dry = report.mode === 'dry-run'
  lines.push(`${dry ? 'Plan (dry run, nothing changed)' : 'Applied'}: run ${report.runId} as ${report.identity}`)
  for (const r of report.recovered) lines.push(`Recovered interrupted action ${r.id}: ${r.status} (${r.note})`)
  if (report.actions.length > 0) {
    const table = new Table({
      head: ['status', 'kind', 'workload', 'before', 'after', 'savings/mo', 'id'],
      style: {head: [], border: []},
    })
    for (const a of report.actions) {
      table.push([
        a.status,
        a.kind,
        label(a.target),
        describeFields(a.before),
        describeFields(a.after),
        a.monthlySavings === undefined ? '' : formatMoney(a.monthlySavings, a.currency ?? 'USD'),
        a.id ?? '',
      ])
    }
    lines.push(table.toString())
    for (const a of report.actions.filter((x) => x.error)) lines.push(`  ${a.status} ${label(a.target)}: ${a.error}`)
  } else {
    lines.push('No changes to make.')
  }
  const skips = report.skipped.filter((s) => s.code !== 'noop' && s.code !== 'cap')
  const capped = report.skipped.filter((s) => s.code === 'cap')
  const noops = report.skipped.length - skips.length - capped.length
  if (skips.length > 0) {
    lines.push(`Skipped ${skips.length}:`)
    for (const s of skips) lines.push(`  ${s.kind} ${label(s.target)}: ${s.reason}`)
  }
  if (capped.length > 0)
    lines.push(
      `${capped.length} more held back by the cap on changes per run (--max-actions / apply.maxActions); the biggest savings go first.`,
    )
  if (noops > 0) lines.push(`${noops} already in the recommended state.`)
  for (const note of report.notes) lines.push(note)
  const {summary} = report
  if (dry && report.actions.length > 0) lines.push('Run again with --yes (or set apply.mode: enforce) to apply.')
  if (!dry)
    lines.push(
      `${summary.applied} applied, ${summary.failed} failed, ${summary.skipped} skipped. Undo with: finops rollback ${report.runId} --yes`,
    )
  return lines.join('\n')
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

export function renderActionsTable(actions: readonly ActionRecord[]): string {
  if (actions.length === 0) return 'No actions in the journal.'
  const table = new Table({
    head: ['id', 'when', 'run', 'by', 'kind', 'workload', 'before', 'after', 'status'],
    style: {head: [], border: []},
  })
  for (const a of actions) {
    table.push([
      a.id,
      a.createdAt.replace('T', ' ').slice(0, 19),
      a.runId,
      a.identity,
      a.kind,
      label(a.target),
      describeFields(a.before),
      describeFields(a.after),
      a.error ? `${a.status}: ${a.error}` : a.status,
    ])
  }
  return table.toString()
}
