import {randomUUID} from 'node:crypto'

import {
  AthenaClient,
  GetQueryExecutionCommand,
  type GetQueryExecutionCommandOutput,
  GetQueryResultsCommand,
  type ResultSet,
  StartQueryExecutionCommand,
} from '@aws-sdk/client-athena'

import {WINDOW_END, WINDOW_START} from '../../dates.js'
import {usageError} from '../../errors.js'
import type {DailyCostRow} from '../../model/cost.js'
import {toDailyCostRow} from '../warehouse-rows.js'
import type {Db} from '../../store/open.js'
import {type CostFetcher, collectCloudCosts} from '../cloud-collect.js'
import {ENDPOINT_INPUT, firstLine, remoteError} from '../cloud-errors.js'
import {
  backoffDelay,
  DEFAULT_RETRY,
  type RequestCounter,
  type RetryHooks,
  type RetryPolicy,
  withRetry,
} from '../cloud-retry.js'
import {classifyAwsSdkError, mapAwsSdkError, REGION_INPUT} from '../aws/sdk-errors.js'
import type {CollectWindow} from '../cloud-window.js'
import type {RunSettings} from '../source-collector.js'
import {billingPeriods, type ExportFormat, rollupQuery} from './rollup-sql.js'
import {ATHENA_INPUTS, type AthenaRunSummary, type AthenaSourceConfig} from './source.js'

export const ATHENA_SOURCE = 'athena'

export interface AthenaSourceOptions extends AthenaSourceConfig {
  format: ExportFormat
  retry?: RetryPolicy
  retryHooks?: RetryHooks
  /** Tests pass static credentials; users get the SDK's default credential chain. */
  credentials?: {accessKeyId: string; secretAccessKey: string; sessionToken?: string}
  /** First wait between GetQueryExecution checks (doubled up to 5 s); tests shorten it. */
  pollDelayMs?: number
  /** Off only to measure what pruning saves (the benchmark). */
  prune?: boolean
}

/** The queries of one run and what Athena scanned for them. */
export interface AthenaScan {
  queryIds: string[]
  billingPeriods: string[]
  bytesScanned: number
  scanCostUsd: number
}

/** Athena: USD 5 per TB scanned, each query rounded up to the MB, 10 MB at least. */
const USD_PER_TB = 5
const MB = 2 ** 20
const TB = 2 ** 40
export const athenaScanCost = (bytesPerQuery: readonly number[]): number =>
  bytesPerQuery.reduce((usd, bytes) => usd + (Math.max(10 * MB, Math.ceil(bytes / MB) * MB) / TB) * USD_PER_TB, 0)

/** Rows per GetQueryResults page: Athena's maximum. */
const PAGE_ROWS = 1000
/** The longest wait between two checks of a running query, and how long a query may run in all. */
const MAX_POLL_DELAY_MS = 5000
const MAX_QUERY_MS = 60 * 60 * 1000

/** An Athena client on the SDK's default config chain; retries are ours, so each attempt is counted. */
export function createAthenaClient(options: AthenaSourceOptions): AthenaClient {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'
  return new AthenaClient({
    region: options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
    ...(options.profile ? {profile: options.profile} : {}),
    ...(options.endpoint ? {endpoint: options.endpoint} : {}),
    ...(options.credentials ? {credentials: options.credentials} : {}),
    maxAttempts: 1,
  })
}

/** Collects one Athena entry: the rollup through the shared window, watermark and replace, plus the scan. */
export async function collectAthena(
  db: Db,
  source: AthenaSourceConfig,
  run: RunSettings,
  extra: Partial<AthenaSourceOptions> = {},
): Promise<AthenaRunSummary> {
  const scan: AthenaScan = {queryIds: [], billingPeriods: [], bytesScanned: 0, scanCostUsd: 0}
  const fetcher = athenaCostFetcher({...source, retry: run.retry, retryHooks: run.retryHooks, ...extra}, scan)
  const summary = await collectCloudCosts(db, fetcher, run)
  return {...summary, scan: {queries: scan.queryIds.length, ...scan}}
}

/** The Athena source: one rollup query over the window's billing periods, read back page by page. */
export function athenaCostFetcher(
  options: AthenaSourceOptions,
  scan: AthenaScan,
  client = createAthenaClient(options),
): CostFetcher {
  return {
    source: ATHENA_SOURCE,
    provider: 'AWS',
    billingAccountId: options.billingAccount,
    location: `athena:${options.catalog ?? 'AwsDataCatalog'}.${options.table}:${options.format}:${options.billingAccount}`,
    fetchDays: async (window, counter) => {
      try {
        return {rows: await fetchAthenaDays(client, window, counter, options, scan)}
      } finally {
        client.destroy()
      }
    },
  }
}

async function fetchAthenaDays(
  client: AthenaClient,
  window: CollectWindow,
  counter: RequestCounter,
  options: AthenaSourceOptions,
  scan: AthenaScan,
): Promise<DailyCostRow[]> {
  const retry = options.retry ?? DEFAULT_RETRY
  const label = `Athena ${options.table}`
  const sleep = options.retryHooks?.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)))
  const send = <T>(what: string, call: () => Promise<T>): Promise<T> =>
    withRetry(`${label} ${what}`, call, classifyAwsSdkError, retry, counter, options.retryHooks).catch(
      (error: unknown) => {
        throw mapAthenaError(error, options)
      },
    )
  const [database, table] = options.table.split('.')
  const query = rollupQuery({
    format: options.format,
    table: `${database}.${table}`,
    billingAccountId: options.billingAccount,
    from: window.from,
    to: window.to,
    prune: options.prune,
  })
  scan.billingPeriods = options.prune === false ? [] : billingPeriods(window.from, window.to)
  const {id, finished} = await runQuery()
  const bytes = Number(finished.QueryExecution?.Statistics?.DataScannedInBytes ?? 0)
  scan.bytesScanned += bytes
  scan.scanCostUsd += athenaScanCost([bytes])

  const rows: DailyCostRow[] = []
  let columns: string[] | undefined
  let next: string | undefined
  do {
    const nextToken = next
    const page = await send('GetQueryResults', () =>
      client.send(
        new GetQueryResultsCommand({
          QueryExecutionId: id,
          MaxResults: PAGE_ROWS,
          ...(nextToken ? {NextToken: nextToken} : {}),
        }),
      ),
    )
    const values = resultValues(page.ResultSet)
    if (!columns) {
      columns = (page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? []).map((c) => c.Name ?? '')
      // The first row of a SELECT's first page repeats the column names.
      if (values[0]?.every((v, i) => v === columns![i])) values.shift()
    }
    for (const record of values) {
      const at = new Map(columns.map((c, i) => [c, i]))
      rows.push(toDailyCostRow((column) => record[at.get(column) ?? -1] ?? null, options.format))
    }
    next = page.NextToken
  } while (next)
  return rows

  /**
   * Starts the query and waits for it. A query Athena failed with an error it calls retryable (a
   * system error: AthenaError.Retryable) is submitted again, as a new query, within the retry policy's
   * attempts; Athena bills no failed query, so only the one that ran counts in the scan.
   */
  async function runQuery(): Promise<{id: string; finished: GetQueryExecutionCommandOutput}> {
    for (let attempt = 1; ; attempt++) {
      // One token for the start and its retries: a retried start never runs (and bills) the query twice.
      const token = randomUUID()
      const started = await send('StartQueryExecution', () =>
        client.send(
          new StartQueryExecutionCommand({
            QueryString: query,
            ClientRequestToken: token,
            QueryExecutionContext: {Database: database, Catalog: options.catalog ?? 'AwsDataCatalog'},
            ...(options.workgroup ? {WorkGroup: options.workgroup} : {}),
            ...(options.outputLocation ? {ResultConfiguration: {OutputLocation: options.outputLocation}} : {}),
          }),
        ),
      )
      const id = started.QueryExecutionId
      if (!id) throw remoteError(`${label}: StartQueryExecution answered without a QueryExecutionId`)
      scan.queryIds.push(id)
      const finished = await waitForQuery(id)
      const status = finished.QueryExecution?.Status
      if (status?.State === 'SUCCEEDED') return {id, finished}
      if (status?.State === 'FAILED' && status.AthenaError?.Retryable === true && attempt < retry.maxAttempts) {
        counter.retries++
        await sleep(backoffDelay(attempt, retry, options.retryHooks?.random ?? Math.random))
        continue
      }
      throw remoteError(
        `${label}: query ${id} ${status?.State}${status?.StateChangeReason ? `: ${firstLine(status.StateChangeReason)}` : ''}`,
        status?.State === 'CANCELLED'
          ? 'run it again; the store and watermark are unchanged'
          : 'check the table, format and workgroup (its history has the full error); the store and watermark are unchanged',
      )
    }
  }

  /** Polls GetQueryExecution with a doubling wait until the query ends (SUCCEEDED, FAILED or CANCELLED). */
  async function waitForQuery(queryId: string): Promise<GetQueryExecutionCommandOutput> {
    let delay = options.pollDelayMs ?? 250
    let waited = 0
    for (;;) {
      const answer = await send('GetQueryExecution', () =>
        client.send(new GetQueryExecutionCommand({QueryExecutionId: queryId})),
      )
      const status = answer.QueryExecution?.Status
      const state = status?.State
      if (state === 'SUCCEEDED' || state === 'FAILED' || state === 'CANCELLED') return answer
      if (waited > MAX_QUERY_MS)
        throw remoteError(
          `${label}: query ${queryId} was still ${state ?? 'running'} after ${Math.round(waited / 60_000)} minutes`,
          (n) =>
            `collect a shorter window with ${n(WINDOW_START)}/${n(WINDOW_END)}, or look at the query in the workgroup history; the store is unchanged`,
        )
      await sleep(delay)
      waited += delay
      delay = Math.min(MAX_POLL_DELAY_MS, delay * 2)
    }
  }
}

/** GetQueryResults' rows as text cells (null where Athena sent no VarCharValue). */
function resultValues(set: ResultSet | undefined): (string | null)[][] {
  return (set?.Rows ?? []).map((row) => (row.Data ?? []).map((d) => d.VarCharValue ?? null))
}

/**
 * Athena SDK errors as one clear line; a FinopsError (a failed query, throttling past retries) passes through.
 * Athena refuses a query whose workgroup does not exist, or whose results have nowhere to go (neither
 * the request nor the workgroup names a location): both are the entry's to fix, so they name its field.
 */
export function mapAthenaError(error: unknown, options: AthenaSourceOptions): unknown {
  const workgroup = options.workgroup ?? 'primary'
  return mapAwsSdkError(error, {
    special: (e) => {
      if (e.name !== 'InvalidRequestException') return undefined
      if (/no output location provided/i.test(e.message ?? ''))
        return usageError(
          `Athena workgroup ${workgroup} has no query result location, and none was given`,
          (n) =>
            `give ${n(ATHENA_INPUTS.outputLocation)} s3://BUCKET/PREFIX/ (a bucket this identity may write), or set the ` +
            `workgroup's query result location; the store is unchanged`,
        )
      if (/workgroup .* is not found/i.test(e.message ?? ''))
        return usageError(
          `Athena workgroup ${workgroup} does not exist in this account and region`,
          (n) =>
            `check the ${n(ATHENA_INPUTS.workgroup)} and ${n(REGION_INPUT)} (aws athena list-work-groups), or leave the workgroup out for primary`,
        )
      return undefined
    },
    service: 'Amazon Athena',
    profile: options.profile,
    grant:
      'grant athena:StartQueryExecution, athena:GetQueryExecution, athena:GetQueryResults, glue:GetTable and ' +
      's3:GetObject on the export and result buckets',
    check: (n) =>
      `check the ${n(ENDPOINT_INPUT)}, ${n(REGION_INPUT)} and workgroup, or try again later; the store is unchanged`,
  })
}
