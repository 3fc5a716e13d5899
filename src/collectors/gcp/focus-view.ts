import type {BigQuery} from '@google-cloud/bigquery'

import type {DailyCostRow} from '../../model/cost.js'
import type {CostFetcher} from '../cloud-collect.js'
import {DEFAULT_RETRY, type RequestCounter, withRetry} from '../cloud-retry.js'
import type {CollectWindow} from '../cloud-window.js'
import {toDailyCostRow, WAREHOUSE_COLUMNS, type WarehouseColumn} from '../warehouse-rows.js'
import {classifyGcpError, mapGcpError} from './errors.js'
import {parseExportTable} from './export-query.js'
import {runQueryJob} from './query-job.js'
import {createBigQuery, GCP_SOURCE, type GcpSourceOptions} from './index.js'

/**
 * The same daily rollup as `collect athena`, run by BigQuery over the FOCUS view of the billing
 * export (Google's FOCUS BigQuery view, or the FOCUS export's table): FOCUS columns already, so the
 * query only groups them at the store's grain. Next to the native-export query (export-query.ts),
 * which maps the export's own columns; a source uses one or the other for a billing account.
 */
export function focusViewQuery(view: string): string {
  const t = parseExportTable(view)
  const select: Record<WarehouseColumn, string> = {
    day: `FORMAT_DATE('%Y-%m-%d', DATE(ChargePeriodStart))`,
    billing_period_start: `FORMAT_DATE('%Y-%m-%d', DATE(BillingPeriodStart))`,
    provider: 'ProviderName',
    billing_account_id: 'BillingAccountId',
    billing_account_name: 'BillingAccountName',
    sub_account_id: 'SubAccountId',
    sub_account_name: 'SubAccountName',
    service_name: 'ServiceName',
    service_category: 'ServiceCategory',
    region_id: 'RegionId',
    charge_category: 'ChargeCategory',
    charge_frequency: 'ChargeFrequency',
    currency: 'UPPER(BillingCurrency)',
    // A JSON object, or the view's array of {key, value}: either way one text to group on.
    tags: 'TO_JSON_STRING(Tags)',
    // NUMERIC sums are exact (9 decimals) in any order.
    billed_cost: 'CAST(SUM(CAST(BilledCost AS NUMERIC)) AS STRING)',
    effective_cost: 'CAST(SUM(CAST(EffectiveCost AS NUMERIC)) AS STRING)',
    list_cost: 'CAST(SUM(CAST(IFNULL(ListCost, 0) AS NUMERIC)) AS STRING)',
    contracted_cost: 'CAST(SUM(CAST(IFNULL(ContractedCost, 0) AS NUMERIC)) AS STRING)',
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
    fetchDays: async (window, counter) => ({rows: await fetchFocusViewDays(options, window, counter, scan)}),
  }
}

async function fetchFocusViewDays(
  options: GcpSourceOptions & {focusView: string; billingAccount: string},
  window: CollectWindow,
  counter: RequestCounter,
  scan: BigQueryScan,
): Promise<DailyCostRow[]> {
  const view = parseExportTable(options.focusView)
  const label = `BigQuery FOCUS view ${options.focusView}`
  const call = <T>(fn: () => Promise<T>): Promise<T> =>
    withRetry(label, fn, classifyGcpError, options.retry ?? DEFAULT_RETRY, counter, options.retryHooks)
  try {
    const bigquery: BigQuery = await createBigQuery(options, options.project ?? view.project)
    const result = await runQueryJob<Record<string, unknown>>(
      bigquery,
      {
        query: focusViewQuery(options.focusView),
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
    return result.rows.map(toRow)
  } catch (error) {
    throw mapGcpError(error, label)
  }
}

const toRow = (record: Record<string, unknown>): DailyCostRow =>
  toDailyCostRow((column) => {
    const value = record[column]
    return value === null || value === undefined ? null : String(value)
  }, 'focus')
