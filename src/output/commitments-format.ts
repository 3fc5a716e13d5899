import type {CommitmentFamily, CommitmentsStatus, CommitmentStatusEntry} from '../commitments/schemas.js'
import {formatMoney} from '../money.js'
import {formatRatio} from './format.js'
import {type Column, columnsTable, renderDocumentText, textBlock, type TextDocument} from './text-document.js'

type Totals = CommitmentsStatus['totals'][number]

const money = <T extends {currency: string}>(head: string, amount: (item: T) => number): Column<T> => ({
  head,
  align: 'right',
  cell: (item) => formatMoney(amount(item), item.currency),
})
const ratio = <T>(head: string, value: (item: T) => number | null): Column<T> => ({
  head,
  align: 'right',
  cell: (item) => formatRatio(value(item)),
})

const TOTALS: Column<Totals>[] = [
  {head: 'Currency', cell: (t) => t.currency},
  money('Eligible (on-demand eq.)', (t) => t.eligibleOnDemandCost),
  money('Covered', (t) => t.coveredOnDemandCost),
  ratio('Coverage', (t) => t.coverage),
  money('Used', (t) => t.usedCost),
  money('Unused', (t) => t.unusedCost),
  ratio('Utilization', (t) => t.utilization),
  money('Net savings', (t) => t.netSavings),
]

const COMMITMENTS: Column<CommitmentStatusEntry>[] = [
  {head: 'Commitment', cell: (c) => c.id},
  {head: 'Type', cell: (c) => [c.type, c.category].filter(Boolean).join(', ') || '-'},
  money('Used', (c) => c.usedCost),
  money('Unused', (c) => c.unusedCost),
  ratio('Utilization', (c) => c.utilization),
  money('Net savings', (c) => c.netSavings),
  {head: 'Ends', cell: (c) => (c.daysLeft === null ? c.expiry : `${c.expiry} (${c.daysLeft} d)`)},
  {
    head: 'Renew / lapse per month',
    align: 'right',
    cell: (c) =>
      `${formatMoney(c.renewal.renewMonthlyCost, c.currency)} / ${formatMoney(c.renewal.notRenewingMonthlyCost, c.currency)}`,
  },
]

const SOURCES: Column<CommitmentStatusEntry>[] = [
  {head: 'Commitment', cell: (c) => c.id},
  {head: 'End date from', cell: (c) => c.expirySource ?? '-'},
  {head: 'Renewal cost from', cell: (c) => c.renewal.renewSource},
  {head: 'Lapse cost from', cell: (c) => c.renewal.notRenewingSource},
]

const FAMILIES: Column<CommitmentFamily>[] = [
  {head: 'Provider', cell: (f) => f.provider},
  {head: 'Service', cell: (f) => f.serviceName},
  {head: 'Region', cell: (f) => f.regionId || '-'},
  money('Eligible (on-demand eq.)', (f) => f.eligibleOnDemandCost),
  money('Covered', (f) => f.coveredOnDemandCost),
  ratio('Coverage', (f) => f.coverage),
  money('On-demand paid', (f) => f.onDemandCost),
]

/** `commitments status` for people: totals, each commitment, each family; notes last. */
export function commitmentsStatusDocument(status: CommitmentsStatus): TextDocument {
  const doc: TextDocument = [
    textBlock(`Commitments ${status.window.from} to ${status.window.to} (${status.window.hours} hours)`),
  ]
  if (status.totals.length === 0) doc.push(textBlock('No commitment-eligible usage in this window.'))
  else doc.push(columnsTable('Totals', TOTALS, status.totals))
  if (status.commitments.length > 0) {
    doc.push(columnsTable('Per commitment', COMMITMENTS, status.commitments))
    doc.push(columnsTable('Where each commitment figure comes from', SOURCES, status.commitments))
  }
  if (status.families.length > 0) doc.push(columnsTable('Per family (service and region)', FAMILIES, status.families))
  if (status.notes.length > 0) doc.push(textBlock(...status.notes.map((n) => `Note: ${n}`)))
  return doc
}

export const renderCommitmentsStatus = (status: CommitmentsStatus): string =>
  renderDocumentText(commitmentsStatusDocument(status))
