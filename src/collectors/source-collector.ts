import type {z} from 'zod'

import type {SourcesConfig} from '../config/sections/sources.js'
import type {Db} from '../store/open.js'
import type {CollectSummary, CostFetcher} from './cloud-collect.js'
import type {RequestListener, RetryHooks} from './cloud-retry.js'

/** The run-wide settings every cloud source shares (from `sources:` and flags). */
export interface RunSettings {
  restatementDays: number
  initialDays: number
  retry: SourcesConfig['retry']
  retryHooks?: RetryHooks
  /** Hears of every request a cloud source sends (pages, retries), for a progress display. */
  onRequest?: RequestListener
  from?: string
  to?: string
  today?: string
  /** The FOCUS import's memory budget (bytes) and spill directory, from `import:` in finops.yaml. */
  focusImport?: {memoryBytes?: number; tempDirectory?: string}
}

/**
 * One billing source (AWS, Azure, GCP, FOCUS files, ...): the shape of its `sources:` entries in
 * finops.yaml, the shape of what collecting one entry returns (its `--json` contract), and the
 * collector itself, imported only when an entry of this source is collected so a command never
 * loads the SDKs of sources it does not use.
 */
export interface SourceCollector<Config extends z.ZodType = z.ZodType, Result extends z.ZodType = z.ZodType> {
  /** One line for help texts and docs. */
  summary: string
  /** One `sources.<name>` entry of finops.yaml. */
  config: Config
  /** What collecting one entry returns (part of `collect all --json`). */
  result: Result
  /** Names an entry in messages and in `collect all` (profile, scope, table, path): never a credential. */
  entryName: (entry: z.output<Config>) => string
  /** Collects one entry into the store; one entry lands (or not) on its own. */
  collect: (db: Db, entry: z.output<Config>, run: RunSettings) => Promise<z.output<Result>>
  /** Lines for people, one per thing collected. */
  describe: (result: z.output<Result>) => string[]
}

/** Declares a source collector, keeping its config and result types for the registry. */
export const defineSourceCollector = <Config extends z.ZodType, Result extends z.ZodType>(
  collector: SourceCollector<Config, Result>,
): SourceCollector<Config, Result> => collector

/** An extra grouping as users write it (`region`, `tag:team`), for AWS and Azure. */
export type ExtraGroup = {kind: 'region'} | {kind: 'tag'; key: string}

export function parseExtraGroup(value: string | undefined): ExtraGroup | undefined {
  if (!value) return undefined
  return value === 'region' ? {kind: 'region'} : {kind: 'tag', key: value.slice(4)}
}

/** What a daily-cost fetcher (AWS, Azure) is built from: the entry, its extra grouping and the run's retries. */
export type FetcherOptions<Entry> = Entry & {
  extraGroup?: ExtraGroup
  retry: RunSettings['retry']
  retryHooks?: RetryHooks
  /** The run's today (FINOPS_NOW), for APIs that serve only the last days before it. */
  today?: string
}

/**
 * Collects one entry of a source whose provider aggregates cost by day (a `CostFetcher`, AWS and
 * Azure): the fetcher is built from the entry, its extra grouping and the run's retries.
 */
export async function collectDailyCosts<Entry extends {groupBy?: string}>(
  db: Db,
  entry: Entry,
  run: RunSettings,
  loadFetcher: () => Promise<(options: FetcherOptions<Entry>) => CostFetcher>,
): Promise<CollectSummary> {
  const [makeFetcher, {collectCloudCosts}] = await Promise.all([loadFetcher(), import('./cloud-collect.js')])
  const fetcher = makeFetcher({
    ...entry,
    extraGroup: parseExtraGroup(entry.groupBy),
    retry: run.retry,
    retryHooks: run.retryHooks,
    today: run.today,
  })
  return collectCloudCosts(db, fetcher, run)
}
