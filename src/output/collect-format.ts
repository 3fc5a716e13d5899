import type {CollectSummary} from '../collectors/cloud-collect.js'
import type {FocusImportSummary} from '../collectors/focus/index.js'
import type {CatalogSummary} from '../collectors/gcp/catalog.js'
import type {CollectK8sResult, CollectUsageResult} from '../collectors/k8s/results.js'
import type {GcpRunSummary, SourceOutcome} from '../collectors/registry.js'
import {formatAmount} from '../money.js'

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`

/** One line per collected source, the request count first: Cost Explorer bills each request. */
export function describeCollect(s: CollectSummary): string {
  const totals =
    s.totals.length === 0
      ? 'no cost in the window'
      : s.totals
          .map((t) => `${t.currency} ${formatAmount(t.billedCost)} billed, ${formatAmount(t.effectiveCost)} effective`)
          .join('; ')
  return (
    `${s.provider} ${s.billingAccountId}: ${s.window.from} to ${s.window.to} in ${plural(s.requests, 'API request')}` +
    `${s.retries > 0 ? ` (${s.retries} retried)` : ''}, ${s.rollupRows} daily rows, ${totals}; watermark ${s.watermark.after}` +
    ` (settled through ${s.watermark.finalThrough})`
  )
}

export function describeCatalog(c: CatalogSummary): string {
  return (
    c.services.map((s) => `${s.serviceName}: ${s.prices} prices from ${s.skus} SKUs (${s.spotSkus} Spot)`).join('; ') +
    ` in ${plural(c.requests, 'API request')}`
  )
}

/** `collect aws|azure`: one line per source. */
export const renderCollectCloud = ({sources}: {sources: readonly CollectSummary[]}): string =>
  sources.map(describeCollect).join('\n')

const describeGcp = (g: GcpRunSummary): string[] =>
  [g.costs && describeCollect(g.costs), g.prices && describeCatalog(g.prices)].filter((l): l is string => Boolean(l))

/** `collect gcp`: the spend line and the price-catalog line of each source. */
export const renderCollectGcp = ({sources}: {sources: readonly GcpRunSummary[]}): string =>
  sources.flatMap(describeGcp).join('\n')

function describeFocus(f: FocusImportSummary): string {
  return `${f.rowsRead} rows into ${f.rollupRows} daily rows`
}

/** One line per source of `collect all`: what it collected, or why it failed. */
export function describeOutcome(o: SourceOutcome): string {
  if (!o.ok)
    return `${o.kind} ${o.name}: FAILED: ${o.error!.message}${o.error!.suggestion ? ` (${o.error!.suggestion})` : ''}`
  if (o.kind === 'focus') return `focus ${o.name}: ${describeFocus(o.result as FocusImportSummary)}`
  if (o.kind === 'gcp') return describeGcp(o.result as GcpRunSummary).join('\n')
  return describeCollect(o.result as CollectSummary)
}

export const renderCollectAll = ({sources}: {sources: readonly SourceOutcome[]}): string =>
  sources.map(describeOutcome).join('\n')

/** `collect focus`: rows read, the daily rows they became, and the billing periods replaced. */
export function renderCollectFocus(summary: FocusImportSummary): string {
  const periods = [
    ...new Set(
      summary.billingPeriods.map((p) => `${p.provider} ${p.billingAccountId} ${p.billingPeriodStart.slice(0, 7)}`),
    ),
  ]
  return [
    `Imported ${summary.rowsRead.toLocaleString('en-US')} rows from ${plural(summary.files.length, 'file')} into ${summary.rollupRows.toLocaleString('en-US')} daily cost rows` +
      (summary.days ? ` (${summary.days.first} to ${summary.days.last}, ${summary.currencies.join(', ')})` : ''),
    `Billing periods replaced: ${periods.join('; ')}`,
  ].join('\n')
}

const counts = (byName: Record<string, number>): string =>
  Object.entries(byName)
    .map(([name, n]) => `${n} ${name}`)
    .join(', ')

/** `collect k8s`: what the new snapshot holds. */
export function renderCollectK8s(r: CollectK8sResult): string {
  return (
    `Cluster ${r.cluster}: ${r.workloads} workloads (${counts(r.byKind) || 'none'}), ${r.nodes} nodes ` +
    `(${counts(r.capacityTypes) || 'none'}), ${r.namespaces} namespaces; snapshot replaced`
  )
}

/** `collect usage`: the window and what it held (a metrics-server run is one sample). */
export function renderCollectUsage(r: CollectUsageResult, options: {pods?: number} = {}): string {
  if (r.source === 'metrics-server')
    return (
      `Cluster ${r.cluster}: one metrics-server sample of ${r.containers} containers in ${options.pods ?? '?'} pods merged into ${r.windowStart.slice(0, 10)}'s digests; ` +
      `${r.oomKills ?? 0} new OOM kills`
    )
  return (
    `Cluster ${r.cluster}: ${r.containers} containers in ${r.namespaces} namespaces, ${r.containerDays} container-days ` +
    `(${r.samples.toLocaleString('en-US')} samples) from ${r.windowStart.slice(0, 10)} to ${r.windowEnd.slice(0, 16).replace('T', ' ')} UTC in ${r.queries} queries` +
    (r.oomSource === 'kube-state-metrics' ? `; ${r.oomKills} OOM kills` : '; OOM kills unknown (no kube-state-metrics)')
  )
}
