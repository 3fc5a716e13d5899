import {BigQuery} from '@google-cloud/bigquery'

import {type UserInput, usageError} from '../../errors.js'
import type {DailyCostRow} from '../../model/cost.js'
import type {CostFetcher, FetchedDays} from '../cloud-collect.js'
import type {FetchedDetail} from '../cloud-details.js'
import {DEFAULT_RETRY, type RequestCounter, type RetryHooks, type RetryPolicy, withRetry} from '../cloud-retry.js'
import type {CollectWindow} from '../cloud-window.js'
import {parseGcpEndpoint, resolvedGcpAuth} from './auth.js'
import {type CommitmentExportRow, gcpCommitmentUsage} from './commitments.js'
import {
  COMPUTE_ROOT,
  CUD_PERMISSION,
  commitmentsUrl,
  cudTerms,
  type GcpCommitmentPage,
  type ListedCommitment,
  listedCommitments,
} from './cud-terms.js'
import type {FetchedCommitmentTerm} from '../cloud-commitments.js'
import {firstLine} from '../cloud-errors.js'
import {classifyGcpError, mapGcpError} from './errors.js'
import {runQueryJob} from './query-job.js'
import {
  billingAccountFromTable,
  COST_TYPES,
  exportCommitmentQuery,
  exportDetailQuery,
  exportQuery,
  isDetailedExport,
  parseExportTable,
  TABLE_INPUT,
} from './export-query.js'

export const GCP_SOURCE = 'gcp'

export interface GcpSourceOptions {
  /** project.dataset.gcp_billing_export_v1_XXXXXX_XXXXXX_XXXXXX (standard or detailed export). */
  table: string
  /** BillingAccountId; default: read from the table name. */
  billingAccount?: string
  /** Project the query job runs (and is billed) in; default: the table's project. */
  project?: string
  /** BigQuery location of the dataset (US, EU, ...). */
  location?: string
  /** A resource label key grouped on (stored as a tag). */
  label?: string
  /** API root for BigQuery and the Billing Catalog (tests, private endpoints). */
  endpoint?: string
  /** A fixed token (tests); otherwise GOOGLE_OAUTH_ACCESS_TOKEN, else Application Default Credentials. */
  accessToken?: string
  /** Rows per result page. */
  pageSize?: number
  /** The table has resource.name (a detailed export); default: read from the table name. */
  detailedExport?: boolean
  /** Also read commitment usage (CUD credits and fees) for `commitments status`: one more query; default true. */
  commitments?: boolean
  /**
   * Projects whose Compute Engine commitments (CUD end dates) are listed; default: the projects the
   * export bills resource-based CUD fees to in the window.
   */
  commitmentProjects?: string[]
  retry?: RetryPolicy
  retryHooks?: RetryHooks
}

/** Builds a BigQuery client on ADC (or the given token), with the SDK's own retries off: ours count requests. */
export async function createBigQuery(options: GcpSourceOptions, projectId: string): Promise<BigQuery> {
  const auth = await resolvedGcpAuth({accessToken: options.accessToken, projectId})
  return new BigQuery({
    projectId,
    ...(options.location ? {location: options.location} : {}),
    ...(options.endpoint ? {apiEndpoint: parseGcpEndpoint(options.endpoint).apiEndpoint} : {}),
    // The BigQuery SDK pins its own copy of google-auth-library; the GoogleAuth API is the same.
    authClient: auth as never,
    autoRetry: false,
    maxRetries: 0,
  })
}

interface ExportRow {
  day: string
  invoice_month: string
  project_id: string
  project_name: string | null
  service: string
  region: string
  cost_type: string
  currency: string
  label_value?: string
  billed_cost: number
  effective_cost: number
}

/** The billing account a GCP source charges its rows to, when the table name does not carry it (`--billing-account`). */
const BILLING_ACCOUNT_INPUT: UserInput = {key: 'billing-account', label: 'billing account'}

/** Spend from the BigQuery billing export, aggregated by BigQuery, paged with pageToken. */
export function gcpCostFetcher(options: GcpSourceOptions): CostFetcher {
  const table = parseExportTable(options.table)
  const billingAccountId = options.billingAccount ?? billingAccountFromTable(table.table)
  if (!billingAccountId) {
    throw usageError(
      (n) => `${n(TABLE_INPUT)} ${options.table}: the billing account cannot be read from the table name`,
      (n) => `give the ${n(BILLING_ACCOUNT_INPUT)} XXXXXX-XXXXXX-XXXXXX`,
    )
  }
  return {
    source: GCP_SOURCE,
    provider: 'Google Cloud',
    billingAccountId,
    location: `bigquery:${options.table}${options.label ? `:label:${options.label}` : ''}`,
    fetchDays: (window, counter) => fetchGcpDays(options, window, counter),
  }
}

async function fetchGcpDays(
  options: GcpSourceOptions,
  window: CollectWindow,
  counter: RequestCounter,
): Promise<FetchedDays> {
  const table = parseExportTable(options.table)
  const retry = options.retry ?? DEFAULT_RETRY
  const label = `BigQuery export ${options.table}`
  const call = <T>(fn: () => Promise<T>): Promise<T> =>
    withRetry(label, fn, classifyGcpError, retry, counter, options.retryHooks)
  const withResources = options.detailedExport ?? isDetailedExport(options.table)
  try {
    const bigquery = await createBigQuery(options, options.project ?? table.project)
    const params: Record<string, string> = {from_day: window.from, to_day: window.to}
    const rows = await runQuery<ExportRow>(bigquery, exportQuery(options.table, options.label), {
      ...params,
      ...(options.label ? {label: options.label} : {}),
    })
    const details = await runQuery<DetailRow>(bigquery, exportDetailQuery(options.table, withResources), params)
    const commitmentRows =
      options.commitments === false
        ? undefined
        : await runQuery<CommitmentExportRow>(bigquery, exportCommitmentQuery(options.table), params)
    const missing: string[] = []
    const terms = commitmentRows ? await readCudTerms(commitmentRows, missing) : undefined
    return {
      rows: rows.map((r) => toGcpRow(r, options.label)),
      commitments: commitmentRows ? gcpCommitmentUsage(commitmentRows) : undefined,
      terms,
      details: details.map(toGcpDetail),
      detailsMissing: [
        ...(withResources
          ? []
          : [
              'resources: a standard export has no resource.name (use the detailed export gcp_billing_export_resource_v1_…, or detailedExport: true ' +
                'for a view over it)',
            ]),
        ...missing,
      ],
    }
  } catch (error) {
    throw mapGcpError(error, label)
  }

  /**
   * The CUDs' terms, from Compute Engine's regionCommitments.aggregatedList (GET, paged by
   * nextPageToken) in each project that holds CUDs. A project that refuses it (403) becomes one line
   * naming the permission, and the costs and commitment usage still land.
   */
  async function readCudTerms(
    rows: readonly CommitmentExportRow[],
    missing: string[],
  ): Promise<FetchedCommitmentTerm[]> {
    const projects =
      options.commitmentProjects ??
      [
        ...new Set(rows.filter((r) => r.commitment_kind === 'fee-resource' && r.project_id).map((r) => r.project_id)),
      ].sort()
    if (projects.length === 0) return []
    const auth = await resolvedGcpAuth({accessToken: options.accessToken, projectId: projects[0]})
    const root = options.endpoint ? parseGcpEndpoint(options.endpoint).apiEndpoint : COMPUTE_ROOT
    const listed: ListedCommitment[] = []
    for (const project of projects) {
      const what = `Compute Engine commitments (project ${project})`
      try {
        let token: string | undefined
        do {
          const url = commitmentsUrl(root, project, token)
          const page = await withRetry(
            what,
            async () => (await auth.request<GcpCommitmentPage>({url, method: 'GET', retry: false})).data,
            classifyGcpError,
            retry,
            counter,
            options.retryHooks,
          )
          listed.push(...listedCommitments(project, page))
          token = page.nextPageToken || undefined
        } while (token)
      } catch (error) {
        const status =
          (error as {status?: number; response?: {status?: number}}).status ??
          (error as {response?: {status?: number}}).response?.status
        if (status !== 403) throw mapGcpError(error, what)
        // The API's own words tell a missing permission from an API not enabled in the project.
        const said = firstLine((error as {message?: string}).message ?? '')
        missing.push(`CUD end dates (${what}): permission denied (${said}); grant ${CUD_PERMISSION} to read them`)
      }
    }
    const currency = String(rows.find((r) => r.commitment_kind === 'fee-resource')?.currency || 'USD').toUpperCase()
    return cudTerms(listed, window.to, currency)
  }

  /** Runs one query as one BigQuery job (a retried insert never starts a second, billed job). */
  async function runQuery<T>(bigquery: BigQuery, query: string, params: Record<string, string>): Promise<T[]> {
    const spec = {query, params, label, ...(options.location ? {location: options.location} : {})}
    return (await runQueryJob<T>(bigquery, spec, call, options.pageSize ?? 10_000)).rows
  }
}

interface DetailRow {
  kind: string
  day: string
  project_id: string
  service: string
  region: string
  currency: string
  kept_value: string
  kept_label: string | null
  billed_cost: number
  effective_cost: number
}

export function toGcpDetail(r: DetailRow): FetchedDetail {
  return {
    day: r.day,
    kind: r.kind === 'resource' ? 'resource' : 'usage-type',
    value: r.kept_value ?? '',
    label: r.kept_label ?? undefined,
    match: {
      subAccountId: r.project_id,
      serviceName: r.service,
      regionId: r.region,
      currency: String(r.currency || 'USD').toUpperCase(),
    },
    billedCost: Number(r.billed_cost),
    effectiveCost: Number(r.effective_cost),
  }
}

export function toGcpRow(r: ExportRow, label?: string): DailyCostRow {
  const charge = COST_TYPES[r.cost_type] ?? {category: 'Adjustment', frequency: ''}
  const month = String(r.invoice_month)
  return {
    day: r.day,
    billingPeriodStart: /^\d{6}$/.test(month) ? `${month.slice(0, 4)}-${month.slice(4)}-01` : `${r.day.slice(0, 7)}-01`,
    provider: 'Google Cloud',
    billingAccountId: '',
    subAccountId: r.project_id,
    subAccountName: r.project_name ?? undefined,
    serviceName: r.service,
    serviceCategory: '',
    regionId: r.region,
    chargeCategory: charge.category,
    chargeFrequency: charge.frequency,
    currency: String(r.currency || 'USD').toUpperCase(),
    tags: label && r.label_value ? {[label]: r.label_value} : {},
    billedCost: Number(r.billed_cost),
    effectiveCost: Number(r.effective_cost),
    listCost: 0,
    contractedCost: 0,
  }
}
