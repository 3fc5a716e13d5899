import type {CommitmentsStatus} from '../commitments/schemas.js'
import {formatMoney} from '../money.js'
import {renderDocumentText, type TableBlock, textBlock, type TextDocument} from './text-document.js'

const percent = (v: number | null): string => (v === null ? '-' : `${(v * 100).toFixed(1)}%`)

/** `commitments status` for people: totals, each commitment, each family; notes last. */
export function commitmentsStatusDocument(status: CommitmentsStatus): TextDocument {
  const doc: TextDocument = [
    textBlock(`Commitments ${status.window.from} to ${status.window.to} (${status.window.hours} hours)`),
  ]
  if (status.totals.length === 0) {
    doc.push(textBlock('No commitment-eligible usage in this window.'))
  } else {
    const totals: TableBlock = {
      kind: 'table',
      caption: 'Totals',
      head: [
        'Currency',
        'Eligible (on-demand eq.)',
        'Covered',
        'Coverage',
        'Used',
        'Unused',
        'Utilization',
        'Net savings',
      ],
      align: ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
      rows: status.totals.map((t) => [
        t.currency,
        formatMoney(t.eligibleOnDemandCost, t.currency),
        formatMoney(t.coveredOnDemandCost, t.currency),
        percent(t.coverage),
        formatMoney(t.usedCost, t.currency),
        formatMoney(t.unusedCost, t.currency),
        percent(t.utilization),
        formatMoney(t.netSavings, t.currency),
      ]),
    }
    doc.push(totals)
  }
  if (status.commitments.length > 0)
    doc.push({
      kind: 'table',
      caption: 'Per commitment',
      head: ['Commitment', 'Type', 'Used', 'Unused', 'Utilization', 'Net savings', 'Expiry', 'Renew / lapse per month'],
      align: ['left', 'left', 'right', 'right', 'right', 'right', 'left', 'right'],
      rows: status.commitments.map((c) => [
        c.id,
        [c.type, c.category].filter(Boolean).join(', ') || '-',
        formatMoney(c.usedCost, c.currency),
        formatMoney(c.unusedCost, c.currency),
        percent(c.utilization),
        formatMoney(c.netSavings, c.currency),
        c.expiry,
        `${formatMoney(c.renewal.renewMonthlyCost, c.currency)} / ${formatMoney(c.renewal.notRenewingMonthlyCost, c.currency)}`,
      ]),
    })
  if (status.families.length > 0)
    doc.push({
      kind: 'table',
      caption: 'Per family (service and region)',
      head: ['Provider', 'Service', 'Region', 'Eligible (on-demand eq.)', 'Covered', 'Coverage', 'On-demand paid'],
      align: ['left', 'left', 'left', 'right', 'right', 'right', 'right'],
      rows: status.families.map((f) => [
        f.provider,
        f.serviceName,
        f.regionId || '-',
        formatMoney(f.eligibleOnDemandCost, f.currency),
        formatMoney(f.coveredOnDemandCost, f.currency),
        percent(f.coverage),
        formatMoney(f.onDemandCost, f.currency),
      ]),
    })
  if (status.notes.length > 0) doc.push(textBlock(...status.notes.map((n) => `Note: ${n}`)))
  return doc
}

export const renderCommitmentsStatus = (status: CommitmentsStatus): string =>
  renderDocumentText(commitmentsStatusDocument(status))
