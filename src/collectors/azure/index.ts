import {
  agentPolicy,
  bearerTokenAuthenticationPolicy,
  createDefaultHttpClient,
  createEmptyPipeline,
  createHttpHeaders,
  createPipelineRequest,
  type HttpClient,
  type Pipeline,
  type PipelineResponse,
  userAgentPolicy,
} from '@azure/core-rest-pipeline'
import {DefaultAzureCredential, type TokenCredential} from '@azure/identity'
import https from 'node:https'

import {monthStart} from '../../dates.js'
import type {DailyCostRow} from '../../model/cost.js'
import type {CostFetcher, FetchedDays} from '../cloud-collect.js'
import {crossUsageTypes, type DetailCell, type FetchedDetail} from '../cloud-details.js'
import type {UserInput} from '../../errors.js'
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
import {chargeOfAzure} from './charge-types.js'
import {azureCommitmentUsage, planAzureCommitmentCalls} from './commitments.js'
import type {FetchedCommitmentTerm, FetchedCommitmentUsage} from '../cloud-commitments.js'
import {
  AZURE_BENEFITS_API_VERSION,
  AZURE_TERM_LISTS,
  type AzureBenefitPage,
  type AzureTermList,
  azureTerms,
} from './terms.js'
import {type AzureCloudName, azureTarget} from './clouds.js'
import {
  AZURE_COST_TYPES,
  type AzureCall,
  type AzureCostType,
  type AzureExtraGroup,
  planAzureCalls,
  planAzureDetailCalls,
  subscriptionOfScope,
} from './plan.js'

export const AZURE_SOURCE = 'azure'
export const AZURE_API_VERSION = '2023-11-01'

export interface AzureSourceOptions {
  /** /subscriptions/ID, .../resourceGroups/RG, /providers/Microsoft.Billing/billingAccounts/ID, /providers/Microsoft.Management/managementGroups/ID */
  scope: string
  /** Resource Manager endpoint (private endpoints, tests); default: the cloud's. */
  endpoint?: string
  /** Which Azure cloud (its Resource Manager, token audience and Entra ID host); default public. */
  cloud?: AzureCloudName
  extraGroup?: AzureExtraGroup
  /** Also fetch meters and resources for root causes (two or three more calls per cost type); default true. */
  details?: boolean
  /**
   * Also fetch commitment usage for `commitments status` (two more AmortizedCost calls); default
   * false: the Query API has no pay-as-you-go equivalent of covered usage (see azureCommitmentUsage).
   */
  commitments?: boolean
  /** Tests pass a fake TokenCredential; users get DefaultAzureCredential. */
  credential?: TokenCredential
  /** Extra trusted CA (PEM) for a private endpoint; the CLI also honours NODE_EXTRA_CA_CERTS. */
  tlsCa?: string
  retry?: RetryPolicy
  retryHooks?: RetryHooks
}

/** The Cost Management scope a source queries (`--scope`). */
const SCOPE_INPUT: UserInput = {key: 'scope', label: 'scope'}

/** A normalized scope: one leading slash, no trailing slash (it is the billing account key too). */
export function normalizeScope(scope: string): string {
  const trimmed = scope.trim().replace(/\/+$/, '')
  return trimmed.startsWith('/') ? trimmed : `/${trimmed}`
}

/**
 * Azure Cost Management Query API through the Azure core pipeline (REST, not the beta
 * @azure/arm-costmanagement: that client returns one page without following nextLink and hides the
 * x-ms-ratelimit retry-after headers we need). Retries are ours so each attempt is counted.
 */
export function azureCostFetcher(options: AzureSourceOptions): CostFetcher {
  const scope = normalizeScope(options.scope)
  return {
    source: AZURE_SOURCE,
    provider: 'Microsoft',
    billingAccountId: scope,
    location: `cost-management:${scope}${options.extraGroup ? `:${options.extraGroup.kind === 'region' ? 'region' : `tag:${options.extraGroup.key}`}` : ''}`,
    fetchDays: (window, counter) => fetchAzureDays({...options, scope}, window, counter),
  }
}

interface QueryResult {
  properties?: {nextLink?: string | null; columns?: {name: string; type: string}[]; rows?: unknown[][]}
}

async function fetchAzureDays(
  options: AzureSourceOptions,
  window: CollectWindow,
  counter: RequestCounter,
): Promise<FetchedDays> {
  const target = azureTarget(options.cloud, options.endpoint)
  const credential =
    options.credential ??
    new DefaultAzureCredential(target.authorityHost ? {authorityHost: target.authorityHost} : undefined)
  const pipeline: Pipeline = createEmptyPipeline()
  pipeline.addPolicy(userAgentPolicy({userAgentPrefix: 'finops'}))
  pipeline.addPolicy(bearerTokenAuthenticationPolicy({credential, scopes: target.tokenScope}))
  if (options.tlsCa) pipeline.addPolicy(agentPolicy(new https.Agent({ca: options.tlsCa, keepAlive: true})))
  const client: HttpClient = createDefaultHttpClient()
  const firstUrl = `${target.endpoint}${options.scope}/providers/Microsoft.CostManagement/query?api-version=${AZURE_API_VERSION}`
  const retry = options.retry ?? DEFAULT_RETRY

  /** One request, retried as the policy says; any answer of 300 or more is an error. */
  async function send(label: string, request: () => ReturnType<typeof createPipelineRequest>): Promise<string> {
    const response = await withRetry(
      label,
      async () => {
        const res = await pipeline.sendRequest(client, request())
        if (res.status >= 300) throw new AzureHttpError(res)
        return res
      },
      classifyAzureError,
      retry,
      counter,
      options.retryHooks,
    )
    return response.bodyAsText ?? '{}'
  }

  /** Every page of one planned call for one cost type, following nextLink. */
  async function* pages(call: AzureCall, type: AzureCostType): AsyncGenerator<QueryResult> {
    const body = JSON.stringify(queryBody(type, call, window))
    let url: string | undefined = firstUrl
    while (url) {
      const at: string = url
      const page = JSON.parse(
        await send(`Azure Cost Management ${call.label} (${type})`, () =>
          createPipelineRequest({
            url: at,
            method: 'POST',
            body,
            headers: createHttpHeaders({'content-type': 'application/json'}),
          }),
        ),
      ) as QueryResult
      yield page
      url = page.properties?.nextLink || undefined
    }
  }

  const merged = new Map<string, DailyCostRow>()
  const cells = new Map<string, Map<string, DetailCell>>()
  try {
    for (const call of planAzureCalls(options.scope, options.extraGroup))
      for (const type of AZURE_COST_TYPES)
        for await (const page of pages(call, type))
          for (const row of toAzureRows(page, call, type, options)) mergeRow(merged, row)
    if (options.details !== false)
      for (const call of planAzureDetailCalls(options.scope)) {
        const byCall = new Map<string, DetailCell>()
        for (const type of AZURE_COST_TYPES)
          for await (const page of pages(call, type))
            for (const cell of toAzureCells(page, type)) mergeCell(byCall, cell)
        cells.set(call.label, byCall)
      }
  } catch (error) {
    throw mapAzureError(error, options.scope)
  }
  /** Every page of one benefit list (GET), following nextLink. */
  async function* listPages(list: AzureTermList): AsyncGenerator<AzureBenefitPage> {
    let url: string | undefined = `${target.endpoint}${list.path}?api-version=${AZURE_BENEFITS_API_VERSION}`
    while (url) {
      const at: string = url
      const page = JSON.parse(
        await send(`Azure ${list.kind} list`, () => createPipelineRequest({url: at, method: 'GET'})),
      ) as AzureBenefitPage
      yield page
      url = page.nextLink || undefined
    }
  }

  const rows = [...merged.values()]
  let commitments: FetchedCommitmentUsage[] | undefined
  let terms: FetchedCommitmentTerm[] | undefined
  const missing: string[] = []
  if (options.commitments === true) {
    try {
      const [byService, byBenefit] = [[], []] as DetailCell[][]
      const [serviceCall, benefitCall] = planAzureCommitmentCalls()
      for await (const page of pages(serviceCall!, 'AmortizedCost'))
        byService!.push(...toAzureCells(page, 'AmortizedCost'))
      for await (const page of pages(benefitCall!, 'AmortizedCost'))
        byBenefit!.push(...toAzureCells(page, 'AmortizedCost'))
      commitments = azureCommitmentUsage(byService!, byBenefit!, subscriptionOfScope(options.scope) ?? '')
      const currencies = new Map(commitments.map((c) => [c.commitmentId.toLowerCase(), c.currency]))
      terms = []
      for (const list of AZURE_TERM_LISTS) {
        try {
          for await (const page of listPages(list))
            terms.push(...azureTerms(list, page, window.to, (id) => currencies.get(id.toLowerCase())))
        } catch (error) {
          // The lists need their own role: without it, usage and utilization still land, and one line says what to grant.
          if (error instanceof AzureHttpError && error.status !== 403 && error.status !== 401)
            throw remoteError(
              `Azure ${list.kind} list failed: ${error.message}`,
              'try again later, or set commitments: false on the source to collect without commitments; the store is unchanged',
              error,
            )
          if (!(error instanceof AzureHttpError) || error.status !== 403) throw error
          missing.push(
            `commitment end dates (${list.kind}): refused (${error.message}); grant ${list.role} to read them`,
          )
        }
      }
    } catch (error) {
      throw mapAzureError(error, options.scope)
    }
  }
  if (options.details === false)
    return {
      rows,
      commitments,
      terms,
      detailsMissing: ['usage types and resources: turned off (details: false)', ...missing],
    }
  return {rows, commitments, terms, details: azureDetails(options.scope, cells), detailsMissing: missing}
}

/** A detail page's rows as cells: `by` is the first grouping's value, `value` the second's. */
export function toAzureCells(page: QueryResult, type: AzureCostType): DetailCell[] {
  const columns = (page.properties?.columns ?? []).map((c) => c.name.toLowerCase())
  const col = (name: string): number => columns.indexOf(name.toLowerCase())
  const iCost = ['Cost', 'PreTaxCost', 'totalCost', 'CostUSD', 'PreTaxCostUSD'].map(col).find((i) => i >= 0) ?? -1
  const iDate = col('UsageDate')
  // The two grouping columns sit between UsageDate and Currency, in the order asked.
  const groupColumns = columns
    .map((name, i) => ({name, i}))
    .filter(({name, i}) => i !== iCost && i !== iDate && name !== 'currency')
  const cells: DetailCell[] = []
  for (const raw of page.properties?.rows ?? []) {
    const cost = Number(raw[iCost] ?? 0)
    const m = /^(\d{4})-?(\d{2})-?(\d{2})(?:$|T)/.exec(String(raw[iDate] ?? ''))
    if (!m || !Number.isFinite(cost) || groupColumns.length < 2) {
      throw remoteError(
        `Azure Cost Management answered a detail row we cannot read (columns: ${columns.join(', ')})`,
        'report this with the API version in use; the store is unchanged',
      )
    }
    if (cost === 0) continue
    cells.push({
      day: `${m[1]}-${m[2]}-${m[3]}`,
      by: String(raw[groupColumns[0]!.i] ?? ''),
      value: String(raw[groupColumns[1]!.i] ?? ''),
      label: String(raw[col('Currency')] ?? 'USD').toUpperCase(),
      billedCost: type === 'ActualCost' ? cost : 0,
      effectiveCost: type === 'AmortizedCost' ? cost : 0,
    })
  }
  return cells
}

/** Actual and amortized cells of the same day, grouping and currency become one. */
function mergeCell(merged: Map<string, DetailCell>, cell: DetailCell): void {
  const key = [cell.day, cell.by, cell.value, cell.label].join('\u0001')
  const existing = merged.get(key)
  if (!existing) merged.set(key, cell)
  else {
    existing.billedCost += cell.billedCost
    existing.effectiveCost += cell.effectiveCost
  }
}

/**
 * Resources and meters on the grain: a resource's subscription is in its id (or is the scope's),
 * its service is the grouping's; meters are crossed with subscriptions when the scope spans several.
 * (The cells' label carries the currency until here.)
 */
export function azureDetails(scope: string, cells: Map<string, Map<string, DetailCell>>): FetchedDetail[] {
  const scopeSubscription = subscriptionOfScope(scope)
  const list = (label: string): DetailCell[] => [...(cells.get(label)?.values() ?? [])]
  const resources: FetchedDetail[] = list('resources').map((c) => ({
    day: c.day,
    kind: 'resource',
    value: c.by,
    label: c.by.split('/').filter(Boolean).at(-1) ?? '',
    match: {
      serviceName: c.value,
      currency: c.label,
      ...(scopeSubscription !== undefined
        ? {subAccountId: scopeSubscription}
        : subscriptionOfScope(c.by) !== undefined
          ? {subAccountId: subscriptionOfScope(c.by)}
          : {}),
    },
    billedCost: c.billedCost,
    effectiveCost: c.effectiveCost,
  }))
  const byService = list('meters by service')
  const meters: FetchedDetail[] = cells.has('meters by subscription')
    ? crossUsageTypes(
        list('meters by subscription').map((c) => ({...c, label: undefined})),
        byService.map((c) => ({...c, label: undefined})),
      )
    : byService.map((c) => ({
        day: c.day,
        kind: 'usage-type',
        value: c.value,
        match: {serviceName: c.by, currency: c.label, ...(scopeSubscription ? {subAccountId: scopeSubscription} : {})},
        billedCost: c.billedCost,
        effectiveCost: c.effectiveCost,
      }))
  return [...resources, ...meters]
}

function queryBody(type: AzureCostType, call: AzureCall, window: CollectWindow): unknown {
  return {
    type,
    timeframe: 'Custom',
    timePeriod: {from: `${window.from}T00:00:00Z`, to: `${window.to}T23:59:59Z`},
    dataset: {
      granularity: 'Daily',
      aggregation: {totalCost: {name: 'Cost', function: 'Sum'}},
      grouping: call.grouping,
      ...(call.filter ? {filter: call.filter} : {}),
    },
  }
}

/** Rows of one page, by column name (the API returns columns in its own order). */
export function toAzureRows(
  page: QueryResult,
  call: AzureCall,
  type: AzureCostType,
  options: {scope: string; extraGroup?: AzureExtraGroup},
): DailyCostRow[] {
  const columns = (page.properties?.columns ?? []).map((c) => c.name.toLowerCase())
  const col = (name: string): number => columns.indexOf(name.toLowerCase())
  // The cost column is named after the aggregated metric: Cost (MCA), PreTaxCost (EA), or their USD forms.
  const iCost = ['Cost', 'PreTaxCost', 'totalCost', 'CostUSD', 'PreTaxCostUSD'].map(col).find((i) => i >= 0) ?? -1
  const iDate = col('UsageDate')
  const scopeSubscription = subscriptionOfScope(options.scope) ?? ''
  const rows: DailyCostRow[] = []
  if (iCost < 0 && (page.properties?.rows?.length ?? 0) > 0) {
    throw remoteError(
      `Azure Cost Management answered without a cost column (columns: ${columns.join(', ')})`,
      'report this with the API version in use',
    )
  }
  for (const raw of page.properties?.rows ?? []) {
    const cost = Number(raw[iCost] ?? 0)
    const date = String(raw[iDate] ?? '')
    // UsageDate is a number (20261124); an ISO date is accepted too. Anything else is an answer we do
    // not understand: skipping it would store an empty window over the days already collected.
    const m = /^(\d{4})-?(\d{2})-?(\d{2})(?:$|T)/.exec(date)
    if (!m || !Number.isFinite(cost)) {
      throw remoteError(
        `Azure Cost Management answered a row we cannot read ` +
          `(UsageDate ${JSON.stringify(raw[iDate] ?? null)}, cost ${JSON.stringify(raw[iCost] ?? null)}; columns: ${columns.join(', ')})`,
        'report this with the API version in use; the store is unchanged',
      )
    }
    const day = `${m[1]}-${m[2]}-${m[3]}`
    const text = (name: string): string => (col(name) >= 0 ? String(raw[col(name)] ?? '') : '')
    const chargeType = col('ChargeType') >= 0 ? text('ChargeType') : 'Usage'
    if (call.skipUsage && chargeType.toLowerCase() === 'usage') continue
    const charge = chargeOfAzure(chargeType)
    const tags: Record<string, string> = {}
    if (options.extraGroup?.kind === 'tag' && text('TagValue')) tags[options.extraGroup.key] = text('TagValue')
    rows.push({
      day,
      billingPeriodStart: monthStart(day),
      provider: 'Microsoft',
      billingAccountId: '',
      subAccountId: col('SubscriptionId') >= 0 ? text('SubscriptionId') : scopeSubscription,
      serviceName: text('ServiceName'),
      serviceCategory: '',
      regionId: text('ResourceLocation'),
      chargeCategory: charge.category,
      chargeFrequency: charge.frequency,
      currency: (text('Currency') || 'USD').toUpperCase(),
      tags,
      billedCost: type === 'ActualCost' ? cost : 0,
      effectiveCost: type === 'AmortizedCost' ? cost : 0,
      listCost: 0,
      contractedCost: 0,
    })
  }
  return rows
}

/** Actual and amortized rows of the same grain become one row with both metrics. */
function mergeRow(merged: Map<string, DailyCostRow>, row: DailyCostRow): void {
  const key = [
    row.day,
    row.subAccountId,
    row.serviceName,
    row.regionId,
    row.chargeCategory,
    row.chargeFrequency,
    row.currency,
    JSON.stringify(row.tags),
  ].join('\u0001')
  const existing = merged.get(key)
  if (!existing) merged.set(key, row)
  else {
    existing.billedCost += row.billedCost
    existing.effectiveCost += row.effectiveCost
  }
}

class AzureHttpError extends Error {
  readonly status: number
  readonly headers: PipelineResponse['headers']
  readonly code: string
  constructor(response: PipelineResponse) {
    let code = ''
    let message = response.bodyAsText ?? ''
    try {
      const parsed = JSON.parse(message) as {error?: {code?: string; message?: string}}
      code = parsed.error?.code ?? ''
      message = parsed.error?.message ?? message
    } catch {
      // not JSON: keep the text
    }
    super(`HTTP ${response.status}${code ? ` ${code}` : ''}: ${firstLine(message)}`)
    this.name = 'AzureHttpError'
    this.status = response.status
    this.headers = response.headers
    this.code = code
  }
}

const RETRY_AFTER_HEADERS = [
  'x-ms-ratelimit-microsoft.costmanagement-qpu-retry-after',
  'x-ms-ratelimit-microsoft.costmanagement-entity-retry-after',
  'x-ms-ratelimit-microsoft.costmanagement-tenant-retry-after',
  'x-ms-ratelimit-microsoft.costmanagement-clienttype-retry-after',
  'retry-after',
]

/** 429 and 5xx are retried; the longest of Cost Management's retry-after headers (seconds) is honoured. */
export function classifyAzureError(error: unknown): RetryVerdict {
  if (!(error instanceof AzureHttpError)) return {retry: isTransientNetworkError(error)}
  if (error.status !== 429 && error.status < 500) return {retry: false}
  const seconds = RETRY_AFTER_HEADERS.map((h) => Number(error.headers.get(h))).filter(
    (n) => Number.isFinite(n) && n >= 0,
  )
  return {retry: true, afterMs: seconds.length > 0 ? Math.max(...seconds) * 1000 : undefined}
}

const CHAIN =
  'DefaultAzureCredential (environment AZURE_CLIENT_ID/AZURE_TENANT_ID/AZURE_CLIENT_SECRET, workload identity, managed identity, Azure CLI, Azure ' +
  'PowerShell, Azure Developer CLI)'
const FIX =
  'run "az login", or set AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_CLIENT_SECRET for a service principal with Cost Management Reader on the scope'

export function mapAzureError(error: unknown, scope: string): unknown {
  const e = error as {name?: string; message?: string}
  if (!e || typeof e !== 'object' || e.name === 'FinopsError') return error
  if (
    e.name === 'CredentialUnavailableError' ||
    e.name === 'AggregateAuthenticationError' ||
    e.name === 'AuthenticationError' ||
    e.name === 'AuthenticationRequiredError'
  ) {
    return authError(`Azure credentials: no token from ${CHAIN}: ${firstLine(e.message)}`, FIX, error)
  }
  if (error instanceof AzureHttpError && (error.status === 401 || error.status === 403)) {
    return authError(
      `Azure Cost Management refused the token for ${scope} (${error.message})`,
      error.status === 403 ? 'grant Cost Management Reader (or Reader) on the scope to this identity' : FIX,
      error,
    )
  }
  if (error instanceof AzureHttpError && error.status === 404) {
    return remoteError(
      `Azure Cost Management: scope ${scope} not found (${error.message})`,
      (n) => `check the ${n(SCOPE_INPUT)}, e.g. /subscriptions/<id>`,
      error,
    )
  }
  return remoteError(
    `Azure Cost Management query failed for ${scope}: ${firstLine(e.message)}`,
    (n) => `check the ${n(SCOPE_INPUT)} and the ${n(ENDPOINT_INPUT)}, or try again later; the store is unchanged`,
    error,
  )
}
