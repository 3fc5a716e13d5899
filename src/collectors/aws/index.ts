import {
  CostExplorerClient,
  type DateInterval,
  GetCostAndUsageCommand,
  type GetCostAndUsageCommandOutput,
  GetDimensionValuesCommand,
  GetReservationUtilizationCommand,
  GetSavingsPlansUtilizationDetailsCommand,
} from '@aws-sdk/client-cost-explorer'

import {addDays, monthStart, today as todayUtc, WINDOW_START} from '../../dates.js'
import type {DailyCostRow} from '../../model/cost.js'
import type {CostFetcher, FetchedDays} from '../cloud-collect.js'
import {ENDPOINT_INPUT, firstLine, remoteError} from '../cloud-errors.js'
import {DEFAULT_RETRY, type RequestCounter, type RetryHooks, type RetryPolicy, withRetry} from '../cloud-retry.js'
import {classifyAwsSdkError, mapAwsSdkError, REGION_INPUT} from './sdk-errors.js'
import type {CollectWindow} from '../cloud-window.js'
import {type AwsCall, type AwsExtraGroup, planAwsCalls, planUsageTypeCalls} from './plan.js'
import {crossUsageTypes, type DetailCell, type FetchedDetail} from '../cloud-details.js'
import {chargeOf} from './record-types.js'
import {followPages} from './paging.js'
import {DEFAULT_RESOURCE_SERVICES, planResourceCalls, resourcePages, toResourceDetails} from './resources.js'
import {
  awsCommitmentUsage,
  type CommitmentCell,
  type CommitmentDay,
  commitmentFollowUps,
  commitmentUsageCall,
  toCommitmentCells,
  toPlanDays,
  toPlanTerms,
  toReservationDays,
  toReservationTerms,
} from './commitments.js'
import type {FetchedCommitmentTerm, FetchedCommitmentUsage} from '../cloud-commitments.js'

export interface AwsSourceOptions {
  /** Named profile from ~/.aws (otherwise AWS_PROFILE or the default chain). */
  profile?: string
  /** Cost Explorer's region: us-east-1 for the commercial partition. */
  region?: string
  /** Override the endpoint (otherwise AWS_ENDPOINT_URL_COST_EXPLORER / AWS_ENDPOINT_URL, else AWS's). */
  endpoint?: string
  /** BillingAccountId for the rows (the payer account); default: the profile name. */
  billingAccount?: string
  extraGroup?: AwsExtraGroup
  /** Also fetch usage types for root causes (one or two more paged calls); default true. */
  usageTypes?: boolean
  /** Also fetch resources for root causes (GetCostAndUsageWithResources, an opt-in of the account); default false. */
  resources?: boolean
  /** How many services, largest usage first, resources are fetched for (one call each, plus pages). */
  resourceServices?: number
  /** The run's today (FINOPS_NOW): resources are served for the last 14 days before it. */
  today?: string
  /**
   * Also fetch commitment usage for `commitments status` (one more paged GetCostAndUsage call, then
   * one GetSavingsPlansUtilizationDetails per day with Savings Plan activity and one
   * GetReservationUtilization per service with reservations); default true.
   */
  commitments?: boolean
  retry?: RetryPolicy
  retryHooks?: RetryHooks
  /** Tests pass static credentials; users get the SDK's default credential chain. */
  credentials?: {accessKeyId: string; secretAccessKey: string; sessionToken?: string}
}

export const AWS_SOURCE = 'aws-ce'

/** A Cost Explorer client on the SDK's default config chain; retries are ours, so each attempt is counted. */
export function createCostExplorerClient(options: AwsSourceOptions): CostExplorerClient {
  // The SDK warns about Node 20 on every call; users should not see that on each command.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'
  return new CostExplorerClient({
    region: options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
    ...(options.profile ? {profile: options.profile} : {}),
    ...(options.endpoint ? {endpoint: options.endpoint} : {}),
    ...(options.credentials ? {credentials: options.credentials} : {}),
    maxAttempts: 1,
  })
}

/** The Cost Explorer source: GetCostAndUsage DAILY, UnblendedCost -> BilledCost, AmortizedCost -> EffectiveCost. */
export function awsCostFetcher(options: AwsSourceOptions, client = createCostExplorerClient(options)): CostFetcher {
  const billingAccountId = options.billingAccount ?? options.profile ?? process.env.AWS_PROFILE ?? 'default'
  const group = options.extraGroup
  const groupSuffix = group ? `:${group.kind === 'region' ? 'region' : `tag:${group.key}`}` : ''
  return {
    source: AWS_SOURCE,
    provider: 'AWS',
    billingAccountId,
    location: `cost-explorer:${billingAccountId}${groupSuffix}`,
    fetchDays: async (window, counter) => {
      try {
        return await fetchAwsDays(client, window, counter, options)
      } finally {
        client.destroy()
      }
    },
  }
}

async function fetchAwsDays(
  client: CostExplorerClient,
  window: CollectWindow,
  counter: RequestCounter,
  options: AwsSourceOptions,
): Promise<FetchedDays> {
  // Cost Explorer's End is exclusive.
  const period: DateInterval = {Start: window.from, End: addDays(window.to, 1)}
  const retry = options.retry ?? DEFAULT_RETRY
  const send = <T>(label: string, call: () => Promise<T>): Promise<T> =>
    withRetry(`AWS Cost Explorer ${label}`, call, classifyAwsSdkError, retry, counter, options.retryHooks).catch(
      (error: unknown) => {
        throw mapAwsError(error, options)
      },
    )

  const rows: DailyCostRow[] = []
  const names = new Map<string, string>()
  const accounts = options.extraGroup ? await listLinkedAccounts(client, period, send, names) : []
  let estimatedFrom: string | undefined
  /** Every page of one planned call, in order. */
  async function* pages(call: AwsCall): AsyncGenerator<GetCostAndUsageCommandOutput> {
    yield* followPages(
      (token) =>
        send(call.label, () =>
          client.send(
            new GetCostAndUsageCommand({
              TimePeriod: period,
              Granularity: 'DAILY',
              Metrics: ['UnblendedCost', 'AmortizedCost'],
              GroupBy: call.groupBy,
              Filter: call.filter,
              ...(token ? {NextPageToken: token} : {}),
            }),
          ),
        ),
      (page) => page.NextPageToken,
    )
  }
  for (const call of planAwsCalls(options.extraGroup, accounts)) {
    for await (const page of pages(call)) {
      for (const attr of page.DimensionValueAttributes ?? [])
        if (attr.Value && attr.Attributes?.description) names.set(attr.Value, attr.Attributes.description)
      for (const result of page.ResultsByTime ?? []) {
        const day = result.TimePeriod?.Start
        if (result.Estimated && day && (estimatedFrom === undefined || day < estimatedFrom)) estimatedFrom = day
      }
      rows.push(...toRows(page, call, options.extraGroup))
    }
  }
  for (const row of rows) row.subAccountName = names.get(row.subAccountId)
  const commitmentUsage =
    options.commitments === false ? undefined : await fetchCommitmentUsage(client, period, send, pages)
  const usageTypes =
    options.usageTypes === false
      ? {details: [], missing: ['usage types: turned off (usageTypes: false)']}
      : {details: await fetchUsageTypes(rows, pages), missing: []}
  const resources = options.resources
    ? await fetchResources(client, rows, window, options, send)
    : {
        details: [],
        missing: [
          'resources: not fetched (resources: true in the source fetches them through GetCostAndUsageWithResources: the last 14 days, once ' +
            'resource-level data is enabled in the Cost Explorer settings)',
        ],
      }
  const details = [...usageTypes.details, ...resources.details]
  const missing = [...usageTypes.missing, ...resources.missing, ...(commitmentUsage?.missing ?? [])]
  return {
    rows,
    estimatedFrom,
    ...(details.length > 0 ? {details} : {}),
    detailsMissing: missing,
    commitments: commitmentUsage?.usage,
    terms: commitmentUsage?.terms,
  }
}

/**
 * Resources of the last 14 days of the window, for the largest services. The data is an opt-in of
 * the account: a refusal (not enabled, no permission) costs the root causes their resources, never
 * the run its costs, so it becomes a line of what is missing.
 */
async function fetchResources(
  client: CostExplorerClient,
  rows: readonly DailyCostRow[],
  window: CollectWindow,
  options: AwsSourceOptions,
  send: <T>(label: string, call: () => Promise<T>) => Promise<T>,
): Promise<{details: FetchedDetail[]; missing: string[]}> {
  const today = options.today ?? todayUtc()
  const calls = planResourceCalls(rows, window, today, options.resourceServices ?? DEFAULT_RESOURCE_SERVICES)
  if (calls.length === 0)
    return {details: [], missing: ['resources: none in this window (Cost Explorer keeps them for the last 14 days)']}
  const details: FetchedDetail[] = []
  try {
    for (const call of calls)
      for await (const page of resourcePages(client, call, send)) details.push(...toResourceDetails(page, call))
  } catch (error) {
    return {
      details: [],
      missing: [
        `resources: GetCostAndUsageWithResources failed ` +
          `(${firstLine((error as Error).message)}); enable resource-level data in the Cost Explorer settings and grant ce:GetCostAndUsageWithResources, or ` +
          `set resources: false`,
      ],
    }
  }
  const services = calls.map((c) => c.service)
  return {
    details,
    missing: [
      `resources: ${calls[0]!.from} to ${calls[0]!.to} only (Cost Explorer keeps the last 14 days), for ${services.length} service(s): ${services.join(', ')}`,
    ],
  }
}

/** Usage types by service (and by account when several have usage), placed on account x service. */
async function fetchUsageTypes(
  rows: readonly DailyCostRow[],
  pages: (call: AwsCall) => AsyncGenerator<GetCostAndUsageCommandOutput>,
): Promise<FetchedDetail[]> {
  const usageAccounts = [...new Set(rows.filter((r) => r.chargeCategory === 'Usage').map((r) => r.subAccountId))]
  const cells = new Map<string, DetailCell[]>()
  for (const call of planUsageTypeCalls(usageAccounts.length)) {
    const list: DetailCell[] = []
    for await (const page of pages(call)) list.push(...toUsageTypeCells(page))
    cells.set(call.groupBy[0]!.Key!, list)
  }
  const byService = cells.get('SERVICE') ?? []
  const byAccount = cells.get('LINKED_ACCOUNT')
  return byAccount
    ? crossUsageTypes(byAccount, byService)
    : byService.map((c) => ({
        day: c.day,
        kind: 'usage-type',
        value: c.value,
        match: {serviceName: c.by, ...(usageAccounts.length === 1 ? {subAccountId: usageAccounts[0]} : {})},
        billedCost: c.billedCost,
        effectiveCost: c.effectiveCost,
      }))
}

type Send = <T>(label: string, call: () => Promise<T>) => Promise<T>

/**
 * Commitment usage of the window: one GetCostAndUsage call (paged) for eligible usage and fees by
 * service and record type; then, only where that answer shows them, each Savings Plan's day
 * (GetSavingsPlansUtilizationDetails has no daily granularity: one request per day with plan
 * activity) and each reservation's days (GetReservationUtilization by SUBSCRIPTION_ID, one request
 * per service, its only grouping). An identity without the utilization permissions still gets the
 * on-demand and covered usage, and the line saying what is missing.
 */
async function fetchCommitmentUsage(
  client: CostExplorerClient,
  period: DateInterval,
  send: Send,
  pages: (call: AwsCall) => AsyncGenerator<GetCostAndUsageCommandOutput>,
): Promise<{usage: FetchedCommitmentUsage[]; terms: FetchedCommitmentTerm[]; missing: string[]}> {
  const cells: CommitmentCell[] = []
  for await (const page of pages(commitmentUsageCall())) cells.push(...toCommitmentCells(page))
  const {planDays, riServices} = commitmentFollowUps(cells)
  const days: CommitmentDay[] = []
  const terms: FetchedCommitmentTerm[] = []
  const missing: string[] = []
  const denied = (what: string, permission: string) => (error: unknown) => {
    if ((error as {cause?: {name?: string}}).cause?.name !== 'AccessDeniedException') throw error
    missing.push(`${what}: refused (AccessDeniedException); grant ${permission} for per-commitment utilization`)
    return 'denied' as const
  }
  for (const day of planDays) {
    const planPages = followPages(
      (token) =>
        send('Savings Plans utilization', () =>
          client.send(
            new GetSavingsPlansUtilizationDetailsCommand({
              TimePeriod: {Start: day, End: addDays(day, 1)},
              ...(token ? {NextToken: token} : {}),
            }),
          ),
        ).catch(denied('Savings Plans', 'ce:GetSavingsPlansUtilizationDetails')),
      (page) => (page === 'denied' ? undefined : page.NextToken),
    )
    for await (const page of planPages)
      if (page !== 'denied') {
        days.push(...toPlanDays(day, page))
        terms.push(...toPlanTerms(day, page))
      }
    if (missing.length > 0) break
  }
  for (const service of riServices) {
    const reservationPages = followPages(
      (token) =>
        send(`reservation utilization (${service})`, () =>
          client.send(
            new GetReservationUtilizationCommand({
              TimePeriod: period,
              GroupBy: [{Type: 'DIMENSION', Key: 'SUBSCRIPTION_ID'}],
              Filter: {Dimensions: {Key: 'SERVICE', Values: [service]}},
              ...(token ? {NextPageToken: token} : {}),
            }),
          ),
        ).catch(denied('reservations', 'ce:GetReservationUtilization')),
      (page) => (page === 'denied' ? undefined : page.NextPageToken),
    )
    for await (const page of reservationPages)
      if (page !== 'denied') {
        days.push(...toReservationDays(service, page))
        terms.push(...toReservationTerms(page))
      }
  }
  return {
    usage: awsCommitmentUsage(cells, days),
    terms: latestTerms(terms).map((t) => ({...t, currency: cells[0]?.currency ?? t.currency})),
    missing,
  }
}

/** One term per commitment: the one stated for the latest day. */
function latestTerms(terms: readonly FetchedCommitmentTerm[]): FetchedCommitmentTerm[] {
  const latest = new Map<string, FetchedCommitmentTerm>()
  for (const t of terms) if ((latest.get(t.commitmentId)?.seenDay ?? '') <= t.seenDay) latest.set(t.commitmentId, t)
  return [...latest.values()]
}

/** A usage-type page's groups (Keys: [account or service, usage type]) as cells; groups with no cost are dropped. */
export function toUsageTypeCells(page: GetCostAndUsageCommandOutput): DetailCell[] {
  const cells: DetailCell[] = []
  for (const result of page.ResultsByTime ?? []) {
    const day = result.TimePeriod?.Start
    if (!day) continue
    for (const group of result.Groups ?? []) {
      const billedCost = Number(group.Metrics?.UnblendedCost?.Amount ?? 0)
      const effectiveCost = Number(group.Metrics?.AmortizedCost?.Amount ?? 0)
      if (billedCost === 0 && effectiveCost === 0) continue
      cells.push({day, by: group.Keys?.[0] ?? '', value: group.Keys?.[1] ?? '', billedCost, effectiveCost})
    }
  }
  return cells
}

/** The linked accounts with cost in the period; their names (Attributes.description) go into `names`. */
async function listLinkedAccounts(
  client: CostExplorerClient,
  period: DateInterval,
  send: <T>(label: string, call: () => Promise<T>) => Promise<T>,
  names: Map<string, string>,
): Promise<string[]> {
  const accounts: string[] = []
  const listing = followPages(
    (token) =>
      send('linked accounts', () =>
        client.send(
          new GetDimensionValuesCommand({
            TimePeriod: period,
            Dimension: 'LINKED_ACCOUNT',
            Context: 'COST_AND_USAGE',
            ...(token ? {NextPageToken: token} : {}),
          }),
        ),
      ),
    (page) => page.NextPageToken,
  )
  for await (const page of listing)
    for (const v of page.DimensionValues ?? []) {
      if (!v.Value) continue
      accounts.push(v.Value)
      if (v.Attributes?.description) names.set(v.Value, v.Attributes.description)
    }
  return accounts.sort()
}

/** One row per day and group; groups with no cost in either metric are dropped. */
export function toRows(page: GetCostAndUsageCommandOutput, call: AwsCall, extra?: AwsExtraGroup): DailyCostRow[] {
  const rows: DailyCostRow[] = []
  for (const result of page.ResultsByTime ?? []) {
    const day = result.TimePeriod?.Start
    if (!day) continue
    for (const group of result.Groups ?? []) {
      const billed = Number(group.Metrics?.UnblendedCost?.Amount ?? 0)
      const effective = Number(group.Metrics?.AmortizedCost?.Amount ?? 0)
      if (billed === 0 && effective === 0) continue
      const keyOf = (key: string): string =>
        group.Keys?.[call.groupBy.findIndex((g) => g.Key === key && g.Type === 'DIMENSION')] ?? ''
      const recordType = call.groupBy.some((g) => g.Key === 'RECORD_TYPE') ? keyOf('RECORD_TYPE') : 'Usage'
      const charge = chargeOf(recordType)
      const tags: Record<string, string> = {}
      if (extra?.kind === 'tag') {
        // Tag group keys arrive as "key$value"; "key$" means untagged.
        const raw = group.Keys?.[1] ?? ''
        const value = raw.slice(raw.indexOf('$') + 1)
        if (value) tags[extra.key] = value
      }
      rows.push({
        day,
        billingPeriodStart: monthStart(day),
        provider: 'AWS',
        billingAccountId: '',
        subAccountId: call.linkedAccount ?? keyOf('LINKED_ACCOUNT'),
        serviceName: keyOf('SERVICE'),
        serviceCategory: '',
        regionId: extra?.kind === 'region' ? keyOf('REGION') : '',
        chargeCategory: charge.category,
        chargeFrequency: charge.frequency,
        currency: (group.Metrics?.UnblendedCost?.Unit ?? group.Metrics?.AmortizedCost?.Unit ?? 'USD').toUpperCase(),
        tags,
        billedCost: billed,
        effectiveCost: effective,
        listCost: 0,
        contractedCost: 0,
      })
    }
  }
  return rows
}

/** AWS SDK errors as one clear line; throttling that outlived the retries is already a FinopsError. */
export function mapAwsError(error: unknown, options: AwsSourceOptions): unknown {
  return mapAwsSdkError(error, {
    service: 'AWS Cost Explorer',
    profile: options.profile,
    grant: 'grant ce:GetCostAndUsage and ce:GetDimensionValues to this identity',
    check: (n) => `check the ${n(ENDPOINT_INPUT)} and ${n(REGION_INPUT)}, or try again later; the store is unchanged`,
    special: (e, cause) => {
      if (e.name === 'DataUnavailableException') {
        return remoteError(
          'AWS Cost Explorer has no data for this account yet (DataUnavailableException)',
          'enable Cost Explorer in the Billing console; data appears within 24 hours',
          cause,
        )
      }
      if (e.name === 'BillExpirationException') {
        return remoteError(
          `AWS Cost Explorer: ${firstLine(e.message)} (BillExpirationException)`,
          (n) => `use a ${n(WINDOW_START)} within the last 14 months`,
          cause,
        )
      }
      return undefined
    },
  })
}
