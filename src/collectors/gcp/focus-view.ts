import type {BigQuery} from '@google-cloud/bigquery'

import {type UserInput, usageError} from '../../errors.js'
import type {DailyCostRow} from '../../model/cost.js'
import type {CostFetcher, FetchedDays} from '../cloud-collect.js'
import {DEFAULT_RETRY, type RequestCounter, withRetry} from '../cloud-retry.js'
import type {CollectWindow} from '../cloud-window.js'
import {toDailyCostRow, WAREHOUSE_COLUMNS, type WarehouseColumn} from '../warehouse-rows.js'
import {classifyGcpError, mapGcpError} from './errors.js'
import {parseExportTable} from './export-query.js'
import {runQueryJob} from './query-job.js'
import {createBigQuery, GCP_SOURCE, type GcpSourceOptions} from './index.js'

/** A column of the view as tables.get describes it. */
export interface ViewColumn {
  name: string
  type: string
  mode?: string
}

/** Without these the rollup means nothing: a view missing one is refused before any query. */
const REQUIRED = [
  'ChargePeriodStart',
  'BillingPeriodStart',
  'BillingAccountId',
  'BillingCurrency',
  'ServiceName',
  'ChargeCategory',
  'BilledCost',
  'EffectiveCost',
] as const

/**
 * What each optional column reads as when the view lacks it. Google's FOCUS view template (March
 * 2024) has no BillingAccountName, SubAccountName or ChargeFrequency, and its ServiceCategory is the
 * SKU's product taxonomy (ARRAY<STRING>, e.g. [GCP, Compute, GCE, ...]) rather than one text.
 */
const OPTIONAL: Record<string, string> = {
  ProviderName: `'Google Cloud'`,
  BillingAccountName: `''`,
  SubAccountId: `''`,
  SubAccountName: `''`,
  ServiceCategory: `''`,
  RegionId: `''`,
  ChargeFrequency: `''`,
  Tags: `'{}'`,
  ListCost: '0',
  ContractedCost: '0',
}

/** The columns a view lacks, required first: one usage line for a required one, a note for the rest. */
export function missingViewColumns(columns: readonly ViewColumn[]): {required: string[]; optional: string[]} {
  const have = new Set(columns.map((c) => c.name.toLowerCase()))
  return {
    required: REQUIRED.filter((c) => !have.has(c.toLowerCase())),
    optional: Object.keys(OPTIONAL).filter((c) => !have.has(c.toLowerCase())),
  }
}

/**
 * The same daily rollup as `collect athena`, run by BigQuery over the FOCUS view of the billing
 * export (Google's FOCUS BigQuery view, or the FOCUS export's table): FOCUS columns already, so the
 * query only groups them at the store's grain, reading a column the view lacks as its default (see
 * OPTIONAL). Next to the native-export query (export-query.ts), which maps the export's own columns;
 * a source uses one or the other for a billing account.
 */
export function focusViewQuery(view: string, columns?: readonly ViewColumn[]): string {
  const t = parseExportTable(view)
  const byName = new Map((columns ?? []).map((c) => [c.name.toLowerCase(), c]))
  const col = (name: string): string => {
    if (!columns || byName.has(name.toLowerCase())) return name
    return OPTIONAL[name] ?? name
  }
  const category = byName.get('servicecategory')
  // The product taxonomy's second level is the category (Compute, Storage, ...); its first is "GCP".
  const serviceCategory =
    category?.mode === 'REPEATED' ? `IFNULL(ServiceCategory[SAFE_OFFSET(1)], '')` : col('ServiceCategory')
  const select: Record<WarehouseColumn, string> = {
    day: `FORMAT_DATE('%Y-%m-%d', DATE(ChargePeriodStart))`,
    billing_period_start: `FORMAT_DATE('%Y-%m-%d', DATE(BillingPeriodStart))`,
    provider: col('ProviderName'),
    billing_account_id: 'BillingAccountId',
    billing_account_name: col('BillingAccountName'),
    sub_account_id: col('SubAccountId'),
    sub_account_name: col('SubAccountName'),
    service_name: 'ServiceName',
    service_category: serviceCategory,
    region_id: col('RegionId'),
    charge_category: 'ChargeCategory',
    charge_frequency: col('ChargeFrequency'),
    currency: 'UPPER(BillingCurrency)',
    // A JSON object, or the view's array of {key, value}: either way one text to group on.
    tags: byName.size && !byName.has('tags') ? `'{}'` : 'TO_JSON_STRING(Tags)',
    // NUMERIC sums are exact (9 decimals) in any order.
    billed_cost: 'CAST(SUM(CAST(BilledCost AS NUMERIC)) AS STRING)',
    effective_cost: 'CAST(SUM(CAST(EffectiveCost AS NUMERIC)) AS STRING)',
    list_cost: `CAST(SUM(CAST(IFNULL(${col('ListCost')}, 0) AS NUMERIC)) AS STRING)`,
    contracted_cost: `CAST(SUM(CAST(IFNULL(${col('ContractedCost')}, 0) AS NUMERIC)) AS STRING)`,
  }
  const groupBy = WAREHOUSE_COLUMNS.flatMap((c, i) => (c.endsWith('_cost') ? [] : [i + 1]))
  return [
    'SELECT',
    WAREHOUSE_COLUMNS.map((c) => `  ${select[c]} AS ${c}`).join(',\n'),
    `FROM \`${t.project}.${t.dataset}.${t.table}\``,
    'WHERE ChargePeriodStart >= TIMESTAMP(@from_day)',
    '  AND ChargePeriodStart < TIMESTAMP_ADD(TIMESTAMP(@to_day), INTERVAL 1 DAY)',
    '  AND BillingAccountId = @billing_account',
    `GROUP BY ${groupBy.join(', ')}`,
  ].join('\n')
}

/** What BigQuery processed (and bills on demand: USD 6.25 per TiB, 10 MB at least per query not answered from its cache). */
export interface BigQueryScan {
  queries: number
  bytesProcessed: number
  costUsd: number
}

const MB = 2 ** 20
const TIB = 2 ** 40
export const bigQueryScanCost = (bytes: number): number => (Math.max(10 * MB, Math.ceil(bytes / MB) * MB) / TIB) * 6.25

/** The FOCUS view's rollup for one billing account, paged with pageToken, with the bytes BigQuery processed. */
export function gcpFocusViewFetcher(
  options: GcpSourceOptions & {focusView: string; billingAccount: string},
  scan: BigQueryScan,
): CostFetcher {
  return {
    source: GCP_SOURCE,
    provider: 'Google Cloud',
    billingAccountId: options.billingAccount,
    location: `bigquery:${options.focusView}:focus:${options.billingAccount}`,
    fetchDays: (window, counter) => fetchFocusViewDays(options, window, counter, scan),
  }
}

async function fetchFocusViewDays(
  options: GcpSourceOptions & {focusView: string; billingAccount: string},
  window: CollectWindow,
  counter: RequestCounter,
  scan: BigQueryScan,
): Promise<FetchedDays> {
  const view = parseExportTable(options.focusView)
  const label = `BigQuery FOCUS view ${options.focusView}`
  const call = <T>(fn: () => Promise<T>): Promise<T> =>
    withRetry(label, fn, classifyGcpError, options.retry ?? DEFAULT_RETRY, counter, options.retryHooks)
  try {
    const bigquery: BigQuery = await createBigQuery(options, options.project ?? view.project)
    // tables.get is free (no job, no bytes): the view's real columns decide the query.
    const [metadata] = await call(() =>
      bigquery.dataset(view.dataset, {projectId: view.project}).table(view.table).getMetadata(),
    )
    const columns = ((metadata as {schema?: {fields?: ViewColumn[]}}).schema?.fields ?? []) as ViewColumn[]
    const missing = missingViewColumns(columns)
    if (missing.required.length > 0)
      throw usageError(
        `${label} has no ${missing.required.join(', ')} column${missing.required.length > 1 ? 's' : ''}`,
        (n) =>
          `point the ${n(FOCUS_VIEW_INPUT)} at a FOCUS 1.0 view (Google's FOCUS BigQuery view or the FOCUS export table); the store is unchanged`,
      )
    const result = await runQueryJob<Record<string, unknown>>(
      bigquery,
      {
        query: focusViewQuery(options.focusView, columns),
        params: {from_day: window.from, to_day: window.to, billing_account: options.billingAccount},
        location: options.location,
        label,
      },
      call,
      options.pageSize ?? 10_000,
    )
    // A result from BigQuery's cache processed nothing and is not billed: no 10 MB minimum either.
    scan.queries++
    scan.bytesProcessed += result.bytesProcessed
    scan.costUsd += result.cacheHit ? 0 : bigQueryScanCost(result.bytesProcessed)
    return {
      rows: result.rows.map(toRow),
      ...(missing.optional.length > 0
        ? {detailsMissing: [`columns: the view has no ${missing.optional.join(', ')}; stored empty (costs 0)`]}
        : {}),
    }
  } catch (error) {
    throw mapGcpError(error, label)
  }
}

/** The view the collector reads (`--focus-view`, or focusView: in sources.gcp). */
const FOCUS_VIEW_INPUT: UserInput = {key: 'focus-view', label: 'FOCUS view'}

const toRow = (record: Record<string, unknown>): DailyCostRow =>
  toDailyCostRow((column) => {
    const value = record[column]
    return value === null || value === undefined ? null : String(value)
  }, 'focus')
