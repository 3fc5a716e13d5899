import {type LocalServer, type RecordedRequest, type Reply, startLocalServer} from './http-server.js'

/**
 * A local Cost Explorer speaking AWS JSON 1.1 (POST /, X-Amz-Target), answering GetCostAndUsage,
 * GetCostAndUsageWithResources and GetDimensionValues by really aggregating a ledger of daily facts over the request's
 * TimePeriod, Filter and GroupBy, paging by days with NextPageToken, as the documented responses do.
 */
export interface CeFact {
  day: string
  account: string
  service: string
  recordType: string
  region: string
  tags: Record<string, string>
  unblended: number
  amortized: number
  /** USAGE_TYPE, e.g. USE1-BoxUsage:m5.large ('' for charges without one: tax, fees). */
  usageType?: string
  /** RESOURCE_ID (an instance id, a bucket name), served only by GetCostAndUsageWithResources. */
  resourceId?: string
}

export interface CeServer extends LocalServer {
  ledger: CeFact[]
  /** Fail the next n GetCostAndUsage/GetDimensionValues calls with this AWS error type ('DROP': reset the connection). */
  failNext: (n: number, type: string, message?: string) => void
  /** Forget queued failures and recorded requests. */
  reset: () => void
  /** Days from here on are answered with `Estimated: true` (the open month, and the last one until its invoice closes). */
  estimatedFrom: string
  /** Calls that carried a given X-Amz-Target operation. */
  calls: (operation: string) => RecordedRequest[]
  /**
   * GetCostAndUsageWithResources: unset, the account has not opted in to resource-level data and
   * the call is refused; set, the day resources are served relative to (the last 14 days before it).
   */
  resourcesToday?: string
}

export const CE_ACCESS_KEY = 'AKIDLOCALTEST'
export const ACCOUNT_NAMES: Record<string, string> = {'111111111111': 'payments-prod', '222222222222': 'data-staging'}

interface Expr {
  Dimensions?: {Key: string; Values: string[]}
  Tags?: {Key: string; Values: string[]}
  Not?: Expr
  And?: Expr[]
  Or?: Expr[]
}

function matches(fact: CeFact, expr: Expr | undefined): boolean {
  if (!expr) return true
  if (expr.And) return expr.And.every((e) => matches(fact, e))
  if (expr.Or) return expr.Or.some((e) => matches(fact, e))
  if (expr.Not) return !matches(fact, expr.Not)
  if (expr.Dimensions) return expr.Dimensions.Values.includes(dimensionOf(fact, expr.Dimensions.Key))
  if (expr.Tags) return expr.Tags.Values.includes(fact.tags[expr.Tags.Key] ?? '')
  return true
}

function dimensionOf(fact: CeFact, key: string): string {
  switch (key) {
    case 'LINKED_ACCOUNT':
      return fact.account
    case 'SERVICE':
      return fact.service
    case 'RECORD_TYPE':
      return fact.recordType
    case 'REGION':
      return fact.region
    case 'USAGE_TYPE':
      return fact.usageType ?? ''
    case 'RESOURCE_ID':
      return fact.resourceId ?? ''
    default:
      throw new Error(`unsupported dimension ${key}`)
  }
}

const nextDay = (day: string): string =>
  new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10)
const daysBefore = (day: string, n: number): string =>
  new Date(Date.parse(`${day}T00:00:00Z`) - n * 86_400_000).toISOString().slice(0, 10)

/** Does the expression filter by this dimension somewhere (GetCostAndUsageWithResources requires SERVICE)? */
function filtersBy(expr: Expr | undefined, key: string): boolean {
  if (!expr) return false
  if (expr.Dimensions?.Key === key) return true
  return (expr.And ?? []).some((e) => filtersBy(e, key))
}

/**
 * The documented limits of GetCostAndUsageWithResources: opt-in per account, a Filter with SERVICE,
 * a start at most 14 days before today. The refusal of an account that has not opted in is not
 * documented word for word; a ValidationException is what the stand-in answers.
 */
function resourceRequestError(
  body: {TimePeriod: {Start: string}; Filter?: Expr; Granularity?: string},
  today: string | undefined,
): Reply | undefined {
  if (today === undefined)
    return err('ValidationException', 'Resource-level data is not enabled for this account in Cost Explorer settings')
  if (!body.Filter) return err('ValidationException', '1 validation error detected: Value null at filter')
  if (!filtersBy(body.Filter, 'SERVICE'))
    return err('ValidationException', 'GetCostAndUsageWithResources requires a SERVICE filter')
  if (body.TimePeriod.Start < daysBefore(today, 14))
    return err('ValidationException', 'Start date is more than 14 days ago. Please adjust start date.')
  if (body.Granularity !== 'DAILY' && body.Granularity !== 'HOURLY')
    return err('ValidationException', `granularity ${body.Granularity} is not supported for resources`)
  return undefined
}
const err = (type: string, message: string, status = 400): Reply => ({
  status,
  headers: {'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': type},
  body: {__type: type, message},
})

export async function startCostExplorer(options: {pageDays?: number; ledger?: CeFact[]} = {}): Promise<CeServer> {
  const pageDays = options.pageDays ?? 31
  const failures: {type: string; message: string}[] = []
  const state: {ledger: CeFact[]; estimatedFrom: string; resourcesToday?: string} = {
    ledger: options.ledger ?? [],
    estimatedFrom: '2026-11-01',
  }

  const handle = (req: RecordedRequest): Reply => {
    const target = String(req.headers['x-amz-target'] ?? '')
    const auth = String(req.headers.authorization ?? '')
    if (!auth.startsWith(`AWS4-HMAC-SHA256 Credential=${CE_ACCESS_KEY}/`))
      return err('UnrecognizedClientException', 'The security token included in the request is invalid.')
    const failure = failures.shift()
    if (failure) return failure.type === 'DROP' ? {status: 0, drop: true} : err(failure.type, failure.message)
    const body = req.json as {
      TimePeriod: {Start: string; End: string}
      Granularity?: string
      GroupBy?: {Type: string; Key: string}[]
      Filter?: Expr
      NextPageToken?: string
      Dimension?: string
    }
    const inPeriod = state.ledger.filter((f) => f.day >= body.TimePeriod.Start && f.day < body.TimePeriod.End)
    if (target === 'AWSInsightsIndexService.GetDimensionValues') {
      const values = [...new Set(inPeriod.map((f) => dimensionOf(f, body.Dimension!)))].sort()
      return {
        status: 200,
        headers: {'content-type': 'application/x-amz-json-1.1'},
        body: {
          DimensionValues: values.map((Value) => ({
            Value,
            Attributes: ACCOUNT_NAMES[Value] ? {description: ACCOUNT_NAMES[Value]} : {},
          })),
          ReturnSize: values.length,
          TotalSize: values.length,
        },
      }
    }
    const withResources = target === 'AWSInsightsIndexService.GetCostAndUsageWithResources'
    if (target !== 'AWSInsightsIndexService.GetCostAndUsage' && !withResources)
      return err('UnknownOperationException', target)
    if (withResources) {
      const refused = resourceRequestError(body, state.resourcesToday)
      if (refused) return refused
    } else if (body.GroupBy?.some((g) => g.Key === 'RESOURCE_ID'))
      return err('ValidationException', 'Dimension RESOURCE_ID is not allowed.')
    if ((body.GroupBy?.length ?? 0) > 2) return err('ValidationException', 'GroupBy can have at most 2 elements')
    const start = body.NextPageToken
      ? Buffer.from(body.NextPageToken, 'base64').toString('utf8')
      : body.TimePeriod.Start
    const days: string[] = []
    for (let d = start; d < body.TimePeriod.End && days.length < pageDays; d = nextDay(d)) days.push(d)
    const after = days.length > 0 ? nextDay(days.at(-1)!) : body.TimePeriod.End
    const selected = inPeriod.filter((f) => matches(f, body.Filter))
    const accounts = new Set<string>()
    const ResultsByTime = days.map((day) => {
      const groups = new Map<string, {Keys: string[]; un: number; am: number}>()
      for (const f of selected.filter((x) => x.day === day)) {
        const keys = (body.GroupBy ?? []).map((g) =>
          g.Type === 'TAG' ? `${g.Key}$${f.tags[g.Key] ?? ''}` : dimensionOf(f, g.Key),
        )
        if (body.GroupBy?.some((g) => g.Key === 'LINKED_ACCOUNT')) accounts.add(f.account)
        const id = keys.join('\u0000')
        const g = groups.get(id) ?? {Keys: keys, un: 0, am: 0}
        g.un += f.unblended
        g.am += f.amortized
        groups.set(id, g)
      }
      return {
        TimePeriod: {Start: day, End: nextDay(day)},
        Total: {},
        Estimated: day >= state.estimatedFrom,
        Groups: [...groups.values()].map((g) => ({
          Keys: g.Keys,
          Metrics: {
            UnblendedCost: {Amount: g.un.toFixed(10), Unit: 'USD'},
            AmortizedCost: {Amount: g.am.toFixed(10), Unit: 'USD'},
          },
        })),
      }
    })
    return {
      status: 200,
      headers: {'content-type': 'application/x-amz-json-1.1'},
      body: {
        GroupDefinitions: body.GroupBy,
        ResultsByTime,
        DimensionValueAttributes: [...accounts]
          .sort()
          .map((Value) => ({Value, Attributes: ACCOUNT_NAMES[Value] ? {description: ACCOUNT_NAMES[Value]} : {}})),
        ...(after < body.TimePeriod.End ? {NextPageToken: Buffer.from(after).toString('base64')} : {}),
      },
    }
  }

  const server = await startLocalServer(handle)
  const api = server as CeServer
  Object.defineProperty(api, 'ledger', {get: () => state.ledger, set: (value: CeFact[]) => void (state.ledger = value)})
  Object.defineProperty(api, 'resourcesToday', {
    get: () => state.resourcesToday,
    set: (value: string | undefined) => void (state.resourcesToday = value),
  })
  Object.defineProperty(api, 'estimatedFrom', {
    get: () => state.estimatedFrom,
    set: (value: string) => void (state.estimatedFrom = value),
  })
  return Object.assign(api, {
    reset: () => {
      failures.length = 0
      state.estimatedFrom = '2026-11-01'
      state.resourcesToday = undefined
      server.requests.length = 0
    },
    failNext: (n: number, type: string, message = 'Rate exceeded') => {
      for (let i = 0; i < n; i++) failures.push({type, message})
    },
    calls: (operation: string) =>
      server.requests.filter((r) => r.headers['x-amz-target'] === `AWSInsightsIndexService.${operation}`),
  })
}

/**
 * A deterministic ledger shaped like a small organisation: two linked accounts, three services,
 * usage every day plus a monthly tax, an RI fee and a credit. Amounts vary by day so sums are checkable.
 */
export function sampleLedger(from: string, to: string): CeFact[] {
  const facts: CeFact[] = []
  const services = [
    {service: 'Amazon Elastic Compute Cloud - Compute', region: 'us-east-1', base: 41.5},
    {service: 'Amazon Simple Storage Service', region: 'us-west-2', base: 7.25},
    {service: 'Amazon Relational Database Service', region: 'eu-west-1', base: 18.4},
  ]
  let i = 0
  for (let day = from; day <= to; day = nextDay(day), i++) {
    for (const [a, account] of Object.keys(ACCOUNT_NAMES).entries()) {
      for (const [s, svc] of services.entries()) {
        const unblended = svc.base * (1 + a) + ((i * 7 + s * 3) % 11) / 4
        facts.push({
          day,
          account,
          service: svc.service,
          recordType: 'Usage',
          region: svc.region,
          tags: s === 0 ? {team: a === 0 ? 'payments' : 'data'} : {},
          unblended,
          amortized: unblended * 0.9,
        })
      }
      if (day.endsWith('-01')) {
        facts.push({
          day,
          account,
          service: 'Tax',
          recordType: 'Tax',
          region: '',
          tags: {},
          unblended: 12.5 * (a + 1),
          amortized: 12.5 * (a + 1),
        })
        facts.push({
          day,
          account,
          service: 'Amazon Elastic Compute Cloud - Compute',
          recordType: 'RIFee',
          region: 'us-east-1',
          tags: {},
          unblended: 30,
          amortized: 0,
        })
      }
      if (day.endsWith('-15'))
        facts.push({
          day,
          account,
          service: 'AWS Support (Business)',
          recordType: 'Credit',
          region: '',
          tags: {},
          unblended: -5,
          amortized: -5,
        })
    }
  }
  return facts
}
