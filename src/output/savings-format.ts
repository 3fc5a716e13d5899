import {formatMoney} from '../money.js'
import type {
  CommitmentEntry,
  LedgerEntry,
  SavingsGroup,
  SavingsRecordResult,
  SavingsReport,
} from '../savings/schemas.js'
import {formatMoneyOrDash, formatRatio} from './format.js'
import {type Column, columnsTable, DocumentBuilder, renderDocumentText, type TextDocument} from './text-document.js'

const percent = (ratio: number | null): string => formatRatio(ratio, 0)

const workloadLabel = (e: LedgerEntry): string =>
  `${e.namespace}/${e.workloadKind}/${e.workload}${e.container ? `:${e.container}` : ''}`

function realized(e: LedgerEntry): string {
  if (e.realizedMonthly === null) return 'not measurable yet'
  const range = e.interval
    ? ` (${formatMoney(e.interval.low, e.currency)} to ${formatMoney(e.interval.high, e.currency)})`
    : ''
  return `${formatMoney(e.realizedMonthly, e.currency)}${range}`
}

const confidence = (e: LedgerEntry): string =>
  `${e.confidence.grade} (${e.confidence.daysBefore}d before, ${e.confidence.daysAfter}d after${
    e.confidence.beforeNoise === null ? '' : `, noise ${percent(e.confidence.beforeNoise)}`
  })`

const ACTIONS: Column<LedgerEntry>[] = [
  {head: 'action', cell: (e) => e.actionId},
  {head: 'kind', cell: (e) => e.kind},
  {head: 'workload', cell: workloadLabel},
  {head: 'promised/mo', align: 'right', cell: (e) => formatMoneyOrDash(e.promisedMonthly, e.currency)},
  {head: 'realized/mo (95% interval)', align: 'right', cell: realized},
  {head: 'ratio', align: 'right', cell: (e) => percent(e.ratio)},
  {head: 'confidence', cell: confidence},
  {head: 'flags', cell: (e) => e.flags.join(', ')},
]

const GROUPS: Column<SavingsGroup>[] = [
  {head: '', cell: (g) => g.key},
  {head: 'actions', align: 'right', cell: (g) => String(g.actions)},
  {head: 'measured', align: 'right', cell: (g) => String(g.measured)},
  {head: 'flagged', align: 'right', cell: (g) => String(g.flagged)},
  {head: 'promised/mo', align: 'right', cell: (g) => formatMoneyOrDash(g.promisedMonthly, g.currency)},
  {head: 'realized/mo', align: 'right', cell: (g) => formatMoneyOrDash(g.realizedMonthly, g.currency)},
  {head: 'realized/promised', align: 'right', cell: (g) => percent(g.ratio)},
]

const COMMITMENTS: Column<CommitmentEntry>[] = [
  {head: 'commitment', cell: (c) => c.id},
  {head: 'provider', cell: (c) => c.provider},
  {head: 'type', cell: (c) => c.type},
  {head: 'hourly', align: 'right', cell: (c) => formatMoney(c.hourlyCommitment, c.currency)},
  {head: 'term', align: 'right', cell: (c) => `${c.termMonths} months`},
  {head: 'start', cell: (c) => c.startDay},
  {head: 'promised/mo', align: 'right', cell: (c) => formatMoneyOrDash(c.promisedMonthly, c.currency)},
  {
    head: 'realized/mo',
    cell: (c) => (c.realizedMonthly === null ? 'not measurable yet' : formatMoney(c.realizedMonthly, c.currency)),
  },
]

/** `finops savings` for people: per action, per kind, namespace and team, the totals and the commitments. */
export function savingsDocument(report: SavingsReport): TextDocument {
  const doc = new DocumentBuilder()
  doc.line(
    `Savings ledger through ${report.asOf}${report.since ? ` for actions applied since ${report.since}` : ''}${
      report.filter ? ` (${report.filter})` : ''
    }`,
  )
  if (report.actions.length === 0 && report.commitments.length === 0)
    doc.line(
      'No applied actions to measure. Actions applied with `finops apply --yes` (or the CronJob) appear here; record a purchased commitment with ' +
        '`finops savings record`.',
    )
  if (report.actions.length > 0) {
    doc.table(columnsTable('Per action (promised when applied, realized measured since)', ACTIONS, report.actions))
    doc.table(columnsTable('Per kind', GROUPS, report.byKind))
    doc.table(columnsTable('Per namespace', GROUPS, report.byNamespace))
    doc.table(columnsTable('Per team', GROUPS, report.byTeam))
    for (const t of report.totals)
      doc.line(
        `Total (${t.currency}): promised ${formatMoney(t.promisedMonthly, t.currency)}/month by ${t.actions} action${t.actions === 1 ? '' : 's'}; ` +
          `${t.measured} measured: realized ${formatMoney(t.realizedMonthly, t.currency)}/month ` +
          `of ${formatMoney(t.promisedMeasuredMonthly, t.currency)} promised (${percent(t.ratio)})` +
          (t.flagged > 0 ? `; ${t.flagged} flagged` : ''),
      )
    doc.line(`Method: ${report.method}.`)
  }
  if (report.commitments.length > 0) doc.table(columnsTable('Purchased commitments', COMMITMENTS, report.commitments))
  for (const w of report.warnings) doc.line(`Warning: ${w}`)
  return doc.build()
}

export const renderSavings = (report: SavingsReport): string => renderDocumentText(savingsDocument(report))

export function renderSavingsRecord({created, commitment: c}: SavingsRecordResult): string {
  return (
    `Commitment ${c.id} ${created ? 'recorded' : 'updated'}: ${c.provider} ${c.type}, ${formatMoney(c.hourlyCommitment, c.currency)}/hour ` +
    `for ${c.termMonths} months from ${c.startDay}` +
    (c.promisedMonthly === null ? '' : `, promised ${formatMoney(c.promisedMonthly, c.currency)}/month`)
  )
}
