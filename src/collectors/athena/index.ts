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
import {type InputNamer, type UserInput} from '../../errors.js'
import type {DailyCostRow} from '../../model/cost.js'
import type {Db} from '../../store/open.js'
import {chargeOf} from '../aws/record-types.js'
import {type CostFetcher, collectCloudCosts} from '../cloud-collect.js'
import {authError, ENDPOINT_INPUT, firstLine, remoteError} from '../cloud-errors.js'
import {
  DEFAULT_RETRY,
  isTransientNetworkError,
  type RequestCounter,
  type RetryHooks,
  type RetryPolicy,
  type RetryVerdict,
  withRetry,
} from '../cloud-retry.js'
import type {CollectWindow} from '../cloud-window.js'
import {
  canonicalChargeCategory,
  canonicalChargeFrequency,
  canonicalServiceCategory,
  parseTags,
} from '../focus/normalize.js'
import type {RunSettings} from '../source-collector.js'
import {billingPeriods, type ExportFormat, type RollupColumn, rollupQuery} from './rollup-sql.js'
import type {AthenaRunSummary, AthenaSourceConfig} from './source.js'

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
  const send = <T>(what: string, call: () => Promise<T>): Promise<T> =>
    withRetry(`${label} ${what}`, call, classifyAthenaError, retry, counter, options.retryHooks).catch(
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
  scan.billingPeriods = options.prune === false ? [] : billingPeriods(window.from, window.to)

  const finished = await waitForQuery(id)
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
    for (const record of values) rows.push(toDailyRow(record, columns, options.format))
    next = page.NextToken
  } while (next)
  return rows

  /** Polls GetQueryExecution with a doubling wait until the query ends; FAILED or CANCELLED is one line. */
  async function waitForQuery(queryId: string): Promise<GetQueryExecutionCommandOutput> {
    const sleep = options.retryHooks?.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)))
    let delay = options.pollDelayMs ?? 250
    let waited = 0
    for (;;) {
      const answer = await send('GetQueryExecution', () =>
        client.send(new GetQueryExecutionCommand({QueryExecutionId: queryId})),
      )
      const status = answer.QueryExecution?.Status
      const state = status?.State
      if (state === 'SUCCEEDED') return answer
      if (state === 'FAILED' || state === 'CANCELLED')
        throw remoteError(
          `${label}: query ${queryId} ${state}${status?.StateChangeReason ? `: ${firstLine(status.StateChangeReason)}` : ''}`,
          state === 'CANCELLED'
            ? 'run it again; the store and watermark are unchanged'
            : 'check the table, format and workgroup (its history has the full error); the store and watermark are unchanged',
        )
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

/** CUR 2.0 line item types beyond Cost Explorer's record types, as the export spells them. */
const CUR_LINE_ITEM_TYPES: Record<string, string> = {
  EdpDiscount: 'Enterprise Discount Program Discount',
  PrivateRateDiscount: 'Private Rate Card Discount',
  SppDiscount: 'Solution Provider Program Discount',
  DistributorDiscount: 'Distributor Discount',
}

/** CUR's resource_tags keys: user-defined tags are user_<key>, AWS-generated ones aws_<key> (aws:<key> as written). */
function curTagKey(key: string): string {
  if (key.startsWith('user_')) return key.slice(5)
  if (key.startsWith('aws_')) return `aws:${key.slice(4)}`
  return key
}

export function toDailyRow(
  record: readonly (string | null)[],
  columns: readonly string[],
  format: ExportFormat,
): DailyCostRow {
  const at = new Map(columns.map((c, i) => [c, i]))
  const get = (column: RollupColumn): string => {
    const i = at.get(column)
    const value = i === undefined ? null : record[i]
    return value === null || value === undefined || value.trim().toUpperCase() === 'NULL' ? '' : value.trim()
  }
  const money = (column: RollupColumn): number => (get(column) === '' ? 0 : Number(get(column)))
  const charge =
    format === 'cur2'
      ? chargeOf(CUR_LINE_ITEM_TYPES[get('charge_category')] ?? get('charge_category'))
      : {
          category: canonicalChargeCategory(get('charge_category')),
          frequency: canonicalChargeFrequency(get('charge_frequency')),
        }
  const parsed = parseTags(get('tags')) ?? {}
  const tags =
    format === 'cur2' ? Object.fromEntries(Object.entries(parsed).map(([k, v]) => [curTagKey(k), v])) : parsed
  return {
    day: get('day'),
    billingPeriodStart: get('billing_period_start') || `${get('day').slice(0, 7)}-01`,
    provider: get('provider'),
    billingAccountId: get('billing_account_id'),
    billingAccountName: get('billing_account_name') || undefined,
    subAccountId: get('sub_account_id'),
    subAccountName: get('sub_account_name') || undefined,
    serviceName: get('service_name'),
    serviceCategory: canonicalServiceCategory(get('service_category')),
    regionId: get('region_id'),
    chargeCategory: charge.category,
    chargeFrequency: charge.frequency,
    currency: get('currency').toUpperCase(),
    tags,
    billedCost: money('billed_cost'),
    effectiveCost: money('effective_cost'),
    listCost: money('list_cost'),
    contractedCost: money('contracted_cost'),
  }
}

const THROTTLES = new Set(['ThrottlingException', 'TooManyRequestsException', 'TooManyRequests'])

function classifyAthenaError(error: unknown): RetryVerdict {
  const e = error as {name?: string; $metadata?: {httpStatusCode?: number}}
  if ((e.name && THROTTLES.has(e.name)) || isTransientNetworkError(error)) return {retry: true}
  const status = e.$metadata?.httpStatusCode
  return {retry: status !== undefined && status >= 500}
}

const AUTH_NAMES = new Set([
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'ExpiredTokenException',
  'ExpiredToken',
  'SignatureDoesNotMatch',
  'InvalidSignatureException',
  'IncompleteSignature',
  'MissingAuthenticationToken',
])

const PROFILE_INPUT: UserInput = {key: 'profile', label: 'named profile'}
const REGION_INPUT: UserInput = {key: 'region', label: 'region'}
const chain = (n: InputNamer): string =>
  `the AWS default credential chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE or a ` +
  `${n(PROFILE_INPUT)} in ~/.aws/config, SSO, web identity, container/instance role)`

/** Athena SDK errors as one clear line; a FinopsError (a failed query, throttling past retries) passes through. */
export function mapAthenaError(error: unknown, options: AthenaSourceOptions): unknown {
  const e = error as {name?: string; message?: string; $metadata?: {httpStatusCode?: number}}
  if (!e || typeof e !== 'object' || !('name' in e) || e.name === 'FinopsError') return error
  const fix = options.profile
    ? `run "aws sso login --profile ${options.profile}" or refresh that profile's keys`
    : (n: InputNamer) => `run "aws configure" or "aws sso login", set AWS_PROFILE, or give a ${n(PROFILE_INPUT)}`
  if (e.name === 'CredentialsProviderError' || (/credential/i.test(e.name ?? '') && !AUTH_NAMES.has(e.name!)))
    return authError((n) => `AWS credentials: none found in ${chain(n)}: ${firstLine(e.message)}`, fix, error)
  if (e.name === 'AccessDeniedException')
    return authError(
      `Amazon Athena refused the request (AccessDeniedException): ${firstLine(e.message)}`,
      'grant athena:StartQueryExecution, athena:GetQueryExecution, athena:GetQueryResults, glue:GetTable and s3:GetObject on the export and result buckets',
      error,
    )
  if (AUTH_NAMES.has(e.name!) || e.$metadata?.httpStatusCode === 401)
    return authError(
      (n) => `AWS credentials from ${chain(n)} were refused (${e.name}): ${firstLine(e.message)}`,
      fix,
      error,
    )
  return remoteError(
    `Amazon Athena request failed (${e.name}${e.$metadata?.httpStatusCode ? `, HTTP ${e.$metadata.httpStatusCode}` : ''}): ${firstLine(e.message)}`,
    (n) =>
      `check the ${n(ENDPOINT_INPUT)}, ${n(REGION_INPUT)} and workgroup, or try again later; the store is unchanged`,
    error,
  )
}
