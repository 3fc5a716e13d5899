import type {AwsSourceConfig, AzureSourceConfig, GcpSourceConfig, SourcesConfig} from '../config/sections/sources.js'
import {FinopsError, isFinopsError} from '../errors.js'
import type {Db} from '../store/open.js'
import {awsCostFetcher} from './aws/index.js'
import {azureCostFetcher} from './azure/index.js'
import {collectCloudCosts, type CollectSummary} from './cloud-collect.js'
import type {RetryHooks} from './cloud-retry.js'
import {type FocusImportOptions, type FocusImportSummary, importFocusFiles} from './focus/index.js'
import {type CatalogSummary, collectCatalogPrices} from './gcp/catalog.js'
import {withoutMetadataWarnings} from './gcp/auth.js'
import {gcpCostFetcher} from './gcp/index.js'

/** An extra grouping as users write it (`region`, `tag:team`), for AWS and Azure. */
export type ExtraGroup = {kind: 'region'} | {kind: 'tag'; key: string}

export function parseExtraGroup(value: string | undefined): ExtraGroup | undefined {
  if (!value) return undefined
  return value === 'region' ? {kind: 'region'} : {kind: 'tag', key: value.slice(4)}
}

/** The run-wide settings every cloud source shares (from `sources:` and flags). */
export interface RunSettings {
  restatementDays: number
  initialDays: number
  retry: SourcesConfig['retry']
  retryHooks?: RetryHooks
  from?: string
  to?: string
  today?: string
}

export const collectAws = (db: Db, source: AwsSourceConfig, run: RunSettings): Promise<CollectSummary> =>
  collectCloudCosts(
    db,
    awsCostFetcher({
      ...source,
      extraGroup: parseExtraGroup(source.groupBy),
      retry: run.retry,
      retryHooks: run.retryHooks,
    }),
    run,
  )

export const collectAzure = (db: Db, source: AzureSourceConfig, run: RunSettings): Promise<CollectSummary> =>
  collectCloudCosts(
    db,
    azureCostFetcher({
      ...source,
      extraGroup: parseExtraGroup(source.groupBy),
      retry: run.retry,
      retryHooks: run.retryHooks,
    }),
    run,
  )

export interface GcpRunSummary {
  costs?: CollectSummary
  prices?: CatalogSummary
}

/** Spend from the export table (when given), then catalog prices (when asked); each lands on its own. */
export function collectGcp(db: Db, source: GcpSourceConfig, run: RunSettings): Promise<GcpRunSummary> {
  return withoutMetadataWarnings(() => collectGcpSources(db, source, run))
}

async function collectGcpSources(db: Db, source: GcpSourceConfig, run: RunSettings): Promise<GcpRunSummary> {
  const out: GcpRunSummary = {}
  if (source.table)
    out.costs = await collectCloudCosts(
      db,
      gcpCostFetcher({...source, table: source.table, retry: run.retry, retryHooks: run.retryHooks}),
      run,
    )
  if (source.prices) {
    try {
      out.prices = await collectCatalogPrices(db, {
        endpoint: source.endpoint,
        retry: run.retry,
        retryHooks: run.retryHooks,
      })
    } catch (error) {
      // The costs are already committed: say so, rather than the catalog error's "the store is unchanged".
      if (!out.costs || !isFinopsError(error)) throw error
      const c = out.costs
      throw new FinopsError(
        (n) =>
          `${error.naming(n).message}; the costs of ${source.table!.split('.').at(-1)} were collected (${c.window.from} to ${c.window.to}, ${c.rollupRows} daily rows)`,
        {
          code: 'PARTIAL',
          exit: 'partial',
          suggestion: 'collect the prices again to refresh them; the stored prices are unchanged',
          cause: error,
        },
      )
    }
  }
  return out
}

/** The collectors `finops collect all` knows, keyed as in `sources:`. */
export const sourceCollectors = {
  aws: collectAws,
  azure: collectAzure,
  gcp: collectGcp,
  focus: (db: Db, source: {path: string}): Promise<FocusImportSummary> => importFocusFiles(db, [source.path]),
} as const

export type SourceKind = keyof typeof sourceCollectors

export interface SourceOutcome {
  kind: SourceKind
  /** Which entry: profile, scope, table or path. */
  name: string
  ok: boolean
  result?: CollectSummary | GcpRunSummary | FocusImportSummary
  error?: {code: string; message: string; suggestion?: string; exit: number}
}

/**
 * Collects every source in `sources:`, one after another. Each source lands (or not) on its own:
 * one failing leaves the others' results and its own store rows and watermark untouched.
 */
export async function collectAllSources(
  db: Db,
  sources: SourcesConfig,
  run: RunSettings,
  onDone?: (outcome: SourceOutcome) => void,
  imports: FocusImportOptions = {},
): Promise<SourceOutcome[]> {
  const jobs: {kind: SourceKind; name: string; run: () => Promise<SourceOutcome['result']>}[] = [
    ...(sources.aws ?? []).map((s) => ({
      kind: 'aws' as const,
      name: s.profile ?? s.billingAccount ?? 'default',
      run: () => collectAws(db, s, run),
    })),
    ...(sources.azure ?? []).map((s) => ({kind: 'azure' as const, name: s.scope, run: () => collectAzure(db, s, run)})),
    ...(sources.gcp ?? []).map((s) => ({
      kind: 'gcp' as const,
      name: s.table ?? 'prices',
      run: () => collectGcp(db, s, run),
    })),
    ...(sources.focus ?? []).map((s) => ({
      kind: 'focus' as const,
      name: s.path,
      run: () => importFocusFiles(db, [s.path], imports),
    })),
  ]
  const outcomes: SourceOutcome[] = []
  for (const job of jobs) {
    let outcome: SourceOutcome
    try {
      outcome = {kind: job.kind, name: job.name, ok: true, result: await job.run()}
    } catch (error) {
      if (!isFinopsError(error)) throw error
      outcome = {
        kind: job.kind,
        name: job.name,
        ok: false,
        error: {code: error.code, message: error.message, suggestion: error.suggestion, exit: error.exit},
      }
    }
    outcomes.push(outcome)
    onDone?.(outcome)
  }
  return outcomes
}
