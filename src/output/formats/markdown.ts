import {formatByKind, type RendererLoader} from '../output-format.js'
import type {ResultData, ResultKind, ResultOptions} from '../result-kinds.js'
import type {TextDocument} from '../text-document.js'

/** A renderer from a result's document (the same one the terminal draws) to markdown. */
function fromDocument<K extends ResultKind>(
  loadDocument: () => Promise<(data: ResultData<K>, options: ResultOptions<K>) => TextDocument>,
): RendererLoader<K> {
  return async () => {
    const [toDocument, {renderDocumentMarkdown}] = await Promise.all([loadDocument(), import('../markdown.js')])
    return (data, options) => renderDocumentMarkdown(toDocument(data, options))
  }
}

/**
 * GitHub-flavoured markdown (pull-request comments, wikis) of every result people see as a table:
 * the same document the terminal draws, so a command that prints a table offers this too.
 */
export const markdownFormat = formatByKind({
  description: 'GitHub-flavoured markdown tables (for pull requests and wikis)',
  writes: 'text',
  renderers: {
    'cost-report': fromDocument(async () => (await import('../cost-report-format.js')).costReportDocument),
    'cost-allocation': fromDocument(async () => (await import('../allocation-format.js')).allocationDocument),
    forecast: fromDocument(async () => (await import('../forecast-format.js')).forecastDocument),
    recommend: fromDocument(async () => (await import('../recommend-format.js')).recommendDocument),
    apply: fromDocument(async () => (await import('../apply-format.js')).applyDocument),
    'actions-list': fromDocument(async () => (await import('../apply-format.js')).actionsListDocument),
    'budget-list': fromDocument(async () => (await import('../budget-format.js')).budgetListDocument),
    'budget-status': fromDocument(async () => (await import('../budget-format.js')).budgetStatusDocument),
    'anomaly-list': fromDocument(async () => (await import('../anomaly-format.js')).anomalyListDocument),
    'recommend-commitment': fromDocument(
      async () => (await import('../commitment-recommend-format.js')).commitmentRecommendDocument,
    ),
    savings: fromDocument(async () => (await import('../savings-format.js')).savingsDocument),
    'commitments-status': fromDocument(
      async () => (await import('../commitments-format.js')).commitmentsStatusDocument,
    ),
  },
})
