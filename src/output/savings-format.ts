import {formatMoney} from '../money.js'
import type {LedgerEntry, SavingsGroup, SavingsRecordResult, SavingsReport} from '../savings/schemas.js'
import {DocumentBuilder, renderDocumentText, type TableBlock, type TextDocument} from './text-document.js'

const money = (value: number | null, currency: string): string => (value === null ? '-' : formatMoney(value, currency))
const percent = (ratio: number | null): string => (ratio === null ? '-' : `${(ratio * 100).toFixed(0)}%`)

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
    e.confidence.beforeNoise === null ? '' : `, noise ${(e.confidence.beforeNoise * 100).toFixed(0)}%`
  })`

function groupTable(caption: string, groups: readonly SavingsGroup[]): TableBlock {
  return {
    kind: 'table',
    caption,
    head: ['', 'actions', 'measured', 'flagged', 'promised/mo', 'realized/mo', 'realized/promised'],
    align: ['left', 'right', 'right', 'right', 'right', 'right', 'right'],
    rows: groups.map((g) => [
      g.key,
      String(g.actions),
      String(g.measured),
      String(g.flagged),
      money(g.promisedMonthly, g.currency),
      money(g.realizedMonthly, g.currency),
      percent(g.ratio),
    ]),
  }
}

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
      'No applied actions to measure. Actions applied with `finops apply --yes` (or the CronJob) appear here; record a purchased commitment with `finops savings record`.',
    )
  if (report.actions.length > 0) {
    doc.table({
      kind: 'table',
      caption: 'Per action (promised when applied, realized measured since)',
      head: ['action', 'kind', 'workload', 'promised/mo', 'realized/mo (95% interval)', 'ratio', 'confidence', 'flags'],
      align: ['left', 'left', 'left', 'right', 'right', 'right', 'left', 'left'],
      rows: report.actions.map((e) => [
        e.actionId,
        e.kind,
        workloadLabel(e),
        money(e.promisedMonthly, e.currency),
        realized(e),
        percent(e.ratio),
        confidence(e),
        e.flags.join(', '),
      ]),
    })
    doc.table(groupTable('Per kind', report.byKind))
    doc.table(groupTable('Per namespace', report.byNamespace))
    doc.table(groupTable('Per team', report.byTeam))
    for (const t of report.totals)
      doc.line(
        `Total (${t.currency}): promised ${formatMoney(t.promisedMonthly, t.currency)}/month by ${t.actions} action${t.actions === 1 ? '' : 's'}; ` +
          `${t.measured} measured: realized ${formatMoney(t.realizedMonthly, t.currency)}/month of ${formatMoney(t.promisedMeasuredMonthly, t.currency)} promised (${percent(t.ratio)})` +
          (t.flagged > 0 ? `; ${t.flagged} flagged` : ''),
      )
    doc.line(`Method: ${report.method}.`)
  }
  if (report.commitments.length > 0)
    doc.table({
      kind: 'table',
      caption: 'Purchased commitments',
      head: ['commitment', 'provider', 'type', 'hourly', 'term', 'start', 'promised/mo', 'realized/mo'],
      align: ['left', 'left', 'left', 'right', 'right', 'left', 'right', 'left'],
      rows: report.commitments.map((c) => [
        c.id,
        c.provider,
        c.type,
        formatMoney(c.hourlyCommitment, c.currency),
        `${c.termMonths} months`,
        c.startDay,
        money(c.promisedMonthly, c.currency),
        c.realizedMonthly === null ? 'not measurable yet' : formatMoney(c.realizedMonthly, c.currency),
      ]),
    })
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
