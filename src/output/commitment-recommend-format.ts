import type {CommitmentRecommendReport} from '../../recommenders/commitment/schema.js'
import {formatMoney} from '../money.js'
import {formatRatio} from './format.js'
import {renderDocumentText, textBlock, type TextDocument} from './text-document.js'

const pct = (v: number | null): string => formatRatio(v, 0)

/** `recommend --kind commitment` for people: per scope, its options side by side, then skips. */
export function commitmentRecommendDocument(report: CommitmentRecommendReport): TextDocument {
  const doc: TextDocument = []
  if (report.recommendations.length === 0) doc.push(textBlock('No commitment-eligible scope to recommend for.'))
  for (const r of report.recommendations) {
    const money = (v: number) => formatMoney(v, r.scope.currency)
    const s = r.scope
    doc.push({
      kind: 'table',
      caption: `${s.provider} ${s.serviceName} ${s.regionId || '(no region)'} (account ${s.billingAccountId}): ${
        r.best
          ? `commit ${money(r.best.hourlyCommitment)}/h ` +
            `for ${r.best.termYears} year${r.best.termYears > 1 ? 's' : ''}, ${r.best.payment} upfront, saving ${money(r.best.expectedMonthlySavings)}/month`
          : 'do not commit'
      }`,
      head: [
        'Term',
        'Upfront',
        'Discount',
        'Per hour',
        'Upfront paid',
        'Monthly',
        'Savings/month',
        'Break-even',
        'Utilization',
        'Waste/month at lower',
        'Loses money if usage falls by',
      ],
      align: ['left', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
      rows: r.options.map((o) => [
        `${o.termYears}y`,
        o.payment,
        pct(o.discount),
        money(o.hourlyCommitment),
        money(o.upfront),
        money(o.monthlyPayment),
        money(o.expectedMonthlySavings),
        o.breakEvenMonth === null ? '-' : `month ${o.breakEvenMonth}`,
        pct(o.expectedUtilization),
        money(o.wasteMonthlyAtLower),
        pct(o.lossIfUsageFallsBy),
      ]),
    })
    const sources = [...new Set(r.options.map((o) => o.rateSource))]
    const ladders = r.ladders.map(
      (l) =>
        `Ladder, ${l.payment} upfront: ${money(l.threeYearHourlyCommitment)}/h for 3 years and ${money(l.layerHourlyCommitment)}/h for 1 year ` +
        `on top (re-sized each year): ${money(l.expectedMonthlySavingsFirstYear)}/month in the first year`,
    )
    doc.push(textBlock(...sources.map((src) => `Rates: ${src}`), ...ladders, ...r.notes.map((n) => `Note: ${n}`)))
  }
  if (report.skipped.length > 0)
    doc.push(
      textBlock(
        'Skipped:',
        ...report.skipped.map((k) => `  ${k.scope.provider} ${k.scope.serviceName} ${k.scope.regionId}: ${k.reason}`),
      ),
    )
  return doc
}

export const renderCommitmentRecommend = (report: CommitmentRecommendReport): string =>
  renderDocumentText(commitmentRecommendDocument(report))
