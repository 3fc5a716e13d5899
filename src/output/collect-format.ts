import type {CollectSummary} from '../collectors/cloud-collect.js'
import {describeCollect} from '../collectors/describe.js'
import type {ClusterFailure} from '../collectors/k8s/fleet-run.js'
import type {
  CollectK8sOutput,
  CollectK8sResult,
  CollectUsageOutput,
  CollectUsageResult,
  FleetResult,
} from '../collectors/k8s/results.js'
import {type SourceOutcome, sourceCollectors} from '../collectors/registry.js'
import type {SourceCollector} from '../collectors/source-collector.js'
import type {FocusImportSummary} from '../collectors/focus/schema.js'
import type {GcpRunSummary} from '../collectors/gcp/source.js'
import type {AthenaRunSummary} from '../collectors/athena/source.js'

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`

/** `collect aws|azure`: one line per source. */
export const renderCollectCloud = ({sources}: {sources: readonly CollectSummary[]}): string =>
  sources.map(describeCollect).join('\n')

/** `collect gcp`: the spend line and the price-catalog line of each source. */
export const renderCollectGcp = ({sources}: {sources: readonly GcpRunSummary[]}): string =>
  sources.flatMap((s) => sourceCollectors.gcp.describe(s)).join('\n')

/** `collect athena`: the spend line with what Athena scanned and billed. */
export const renderCollectAthena = ({sources}: {sources: readonly AthenaRunSummary[]}): string =>
  sources.flatMap((s) => sourceCollectors.athena.describe(s)).join('\n')

/** One line per source of `collect all` (as its collector describes it), or why it failed. */
export function describeOutcome(o: SourceOutcome): string {
  if (!o.ok)
    return `${o.kind} ${o.name}: FAILED: ${o.error!.message}${o.error!.suggestion ? ` (${o.error!.suggestion})` : ''}`
  const lines = (sourceCollectors[o.kind] as unknown as SourceCollector).describe(o.result)
  // A cloud source names itself (provider and account); a file source is named by its path.
  return o.kind === 'focus' ? `focus ${o.name}: ${lines.join('; ')}` : lines.join('\n')
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
    `Imported ${summary.rowsRead.toLocaleString('en-US')} rows ` +
      `from ${plural(summary.files.length, 'file')} into ${summary.rollupRows.toLocaleString('en-US')} daily cost rows` +
      (summary.days ? ` (${summary.days.first} to ${summary.days.last}, ${summary.currencies.join(', ')})` : ''),
    `Billing periods replaced: ${periods.join('; ')}`,
  ].join('\n')
}

const counts = (byName: Record<string, number>): string =>
  Object.entries(byName)
    .map(([name, n]) => `${n} ${name}`)
    .join(', ')

/** `collect k8s`: what the new snapshot holds. */
function describeSnapshot(r: CollectK8sResult): string {
  return (
    `Cluster ${r.cluster}: ${r.workloads} workloads (${counts(r.byKind) || 'none'}), ${r.nodes} nodes ` +
    `(${counts(r.capacityTypes) || 'none'}), ${r.namespaces} namespaces; snapshot replaced`
  )
}

/** `collect usage`: the window and what it held (a metrics-server run is one sample). */
function describeUsage(r: CollectUsageResult, options: {pods?: number}): string {
  if (r.source === 'metrics-server')
    return (
      `Cluster ${r.cluster}: one metrics-server sample ` +
      `of ${r.containers} containers in ${options.pods ?? '?'} pods merged into ${r.windowStart.slice(0, 10)}'s digests; ` +
      `${r.oomKills ?? 0} new OOM kills`
    )
  return (
    `Cluster ${r.cluster}: ${r.containers} containers in ${r.namespaces} namespaces, ${r.containerDays} container-days ` +
    `(${r.samples.toLocaleString('en-US')} samples) ` +
    `from ${r.windowStart.slice(0, 10)} to ${r.windowEnd.slice(0, 16).replace('T', ' ')} UTC in ${r.queries} queries` +
    (r.oomSource === 'kube-state-metrics'
      ? `; ${r.oomKills} OOM kills`
      : '; OOM kills unknown (no kube-state-metrics)') +
    historyLine(r.history)
  )
}

/** What `collect usage` stored for cost allocation, when kube-state-metrics was there to read. */
const historyLine = (h: CollectUsageResult['history']): string =>
  h?.source === 'kube-state-metrics'
    ? `\nHistory for cost allocation: ${h.containerRows} workload-container-node-days, ${h.nodeDays} node-days, ` +
      `${h.volumeDays} volume-days, ${h.loadBalancerDays} LoadBalancer-days over ${h.days} days in ${h.queries} queries`
    : ''

const failureLine = (f: ClusterFailure): string =>
  `Cluster ${f.cluster}: FAILED: ${f.message}${f.suggestion ? ` (${f.suggestion})` : ''}`

/** A fleet's clusters one after another, then the ones that failed. */
const renderFleet = <T>(fleet: FleetResult<T>, describe: (r: T) => string): string =>
  [...fleet.clusters.map(describe), ...fleet.failures.map(failureLine)].join('\n')

/** `collect k8s`: what the snapshot (or each cluster's) holds now. */
export const renderCollectK8s = (r: CollectK8sOutput): string =>
  'clusters' in r ? renderFleet(r, describeSnapshot) : describeSnapshot(r)

/** `collect usage`: the window and what it held, per cluster of a fleet. */
export const renderCollectUsage = (r: CollectUsageOutput, options: {pods?: number} = {}): string =>
  'clusters' in r ? renderFleet(r, (c) => describeUsage(c, options)) : describeUsage(r, options)
