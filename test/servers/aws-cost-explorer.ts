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
  /** PURCHASE_TYPE (default On Demand Instances; Spot Instances, Savings Plans, Standard Reserved Instances). */
  purchaseType?: string
  /**
   * The Savings Plan ARN or reservation id a SavingsPlanCoveredUsage / DiscountedUsage /
   * SavingsPlanRecurringFee / RIFee fact belongs to. As in Cost Explorer: covered usage's AmortizedCost
   * is what the commitment charged for it; a plan's SavingsPlanRecurringFee has the day's commitment
   * as UnblendedCost and the unused part as AmortizedCost; an RIFee's AmortizedCost is the unused part.
   */
  commitmentId?: string
  /** On-demand cost of RI-covered usage (DiscountedUsage's own UnblendedCost is 0): OnDemandCostOfRIHoursUsed. */
  onDemand?: number
}

/** What GetSavingsPlansUtilizationDetails returns as a plan's Attributes (SavingsPlansType, EndDateTime, ...). */
export type PlanAttributes = Record<string, string>

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
   * The next call of `operation` waits unanswered: `arrived` resolves when it comes in, `release`
   * answers it as usual (a caller killed meanwhile never reads the answer).
   */
  holdNext: (operation: string) => {arrived: Promise<void>; release: () => void}
  /**
   * GetCostAndUsageWithResources: unset, the account has not opted in to resource-level data and
   * the call is refused; set, the day resources are served relative to (the last 14 days before it).
   */
  resourcesToday?: string
  /** Refuse every call of this operation with AccessDeniedException (an identity without that permission). */
  denyOperation: (operation: string) => void
  /** Attributes of each Savings Plan by ARN. */
  planAttributes: Record<string, PlanAttributes>
  /** Attributes of each reservation by subscription id (endDateTime, startDateTime, subscriptionType, ...). */
  reservationAttributes: Record<string, PlanAttributes>
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
    case 'PURCHASE_TYPE':
      return fact.purchaseType ?? 'On Demand Instances'
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
  const state = {
    ledger: options.ledger ?? [],
    estimatedFrom: '2026-11-01',
    planAttributes: {} as Record<string, PlanAttributes>,
    reservationAttributes: {} as Record<string, PlanAttributes>,
    denied: new Set<string>(),
    resourcesToday: undefined as string | undefined,
  }
  const ok = (body: unknown): Reply => ({
    status: 200,
    headers: {'content-type': 'application/x-amz-json-1.1'},
    body,
  })
  const sum = (facts: readonly CeFact[], metric: (f: CeFact) => number): number =>
    facts.reduce((s, f) => s + metric(f), 0)

  /**
   * GetSavingsPlansUtilizationDetails: one entry per plan over the whole TimePeriod (the API has no
   * granularity), MaxResults per page (default 20) with NextToken.
   */
  const planDetails = (body: {TimePeriod: {Start: string; End: string}; NextToken?: string; MaxResults?: number}) => {
    const facts = state.ledger.filter(
      (f) => f.day >= body.TimePeriod.Start && f.day < body.TimePeriod.End && f.commitmentId,
    )
    const arns = [
      ...new Set(
        facts
          .filter((f) => f.recordType === 'SavingsPlanCoveredUsage' || f.recordType === 'SavingsPlanRecurringFee')
          .map((f) => f.commitmentId!),
      ),
    ].sort()
    const start = Number(body.NextToken ?? 0)
    const size = body.MaxResults ?? 20
    const details = arns.slice(start, start + size).map((arn) => {
      const mine = facts.filter((f) => f.commitmentId === arn)
      const covered = mine.filter((f) => f.recordType === 'SavingsPlanCoveredUsage')
      const fees = mine.filter((f) => f.recordType === 'SavingsPlanRecurringFee')
      const total = sum(fees, (f) => f.unblended)
      const unused = sum(fees, (f) => f.amortized)
      const onDemand = sum(covered, (f) => f.unblended)
      const attributes = state.planAttributes[arn] ?? {}
      // The recurring part is the plan's RecurringHourlyFee over the days it billed; the rest is amortized upfront.
      const feeDays = new Set(fees.map((f) => f.day)).size
      const recurring =
        attributes.RecurringHourlyFee === undefined ? total : Number(attributes.RecurringHourlyFee) * 24 * feeDays
      return {
        SavingsPlanArn: arn,
        Attributes: attributes,
        Utilization: {
          TotalCommitment: total.toFixed(8),
          UsedCommitment: (total - unused).toFixed(8),
          UnusedCommitment: unused.toFixed(8),
          UtilizationPercentage: total > 0 ? (((total - unused) / total) * 100).toFixed(2) : '0',
        },
        Savings: {NetSavings: (onDemand - total).toFixed(8), OnDemandCostEquivalent: onDemand.toFixed(8)},
        AmortizedCommitment: {
          AmortizedRecurringCommitment: recurring.toFixed(8),
          AmortizedUpfrontCommitment: (total - recurring).toFixed(8),
          TotalAmortizedCommitment: total.toFixed(8),
        },
      }
    })
    return ok({
      SavingsPlansUtilizationDetails: details,
      TimePeriod: body.TimePeriod,
      ...(start + size < arns.length ? {NextToken: String(start + size)} : {}),
    })
  }

  /**
   * GetReservationUtilization grouped by SUBSCRIPTION_ID (its only grouping; Granularity may not be
   * set with it): one UtilizationsByTime per day, the reservations of the one SERVICE filtered on
   * (default EC2, as the API does).
   */
  const reservationUtilization = (body: {
    TimePeriod: {Start: string; End: string}
    GroupBy?: {Key: string}[]
    Granularity?: string
    Filter?: Expr
  }): Reply => {
    if (body.GroupBy && body.Granularity)
      return err('ValidationException', 'Granularity cannot be set when GroupBy is set')
    if (body.GroupBy && (body.GroupBy.length !== 1 || body.GroupBy[0]!.Key !== 'SUBSCRIPTION_ID'))
      return err('ValidationException', 'GroupBy supports only SUBSCRIPTION_ID')
    const services = body.Filter?.Dimensions?.Key === 'SERVICE' ? body.Filter.Dimensions.Values : undefined
    if (services && services.length !== 1) return err('ValidationException', 'SERVICE filter takes one value')
    const service = services?.[0] ?? 'Amazon Elastic Compute Cloud - Compute'
    const UtilizationsByTime = []
    for (let day = body.TimePeriod.Start; day < body.TimePeriod.End; day = nextDay(day)) {
      const facts = state.ledger.filter(
        (f) =>
          f.day === day &&
          f.service === service &&
          f.commitmentId &&
          (f.recordType === 'DiscountedUsage' || f.recordType === 'RIFee'),
      )
      const ids = [...new Set(facts.map((f) => f.commitmentId!))].sort()
      UtilizationsByTime.push({
        TimePeriod: {Start: day, End: nextDay(day)},
        Groups: ids.map((id) => {
          const mine = facts.filter((f) => f.commitmentId === id)
          const used = sum(
            mine.filter((f) => f.recordType === 'DiscountedUsage'),
            (f) => f.amortized,
          )
          const unused = sum(
            mine.filter((f) => f.recordType === 'RIFee'),
            (f) => f.amortized,
          )
          const onDemand = sum(mine, (f) => f.onDemand ?? 0)
          // An RIFee's UnblendedCost is the day's recurring fee; the amortized upfront is the rest of the fee.
          const recurring = sum(
            mine.filter((f) => f.recordType === 'RIFee'),
            (f) => f.unblended,
          )
          return {
            Key: 'SUBSCRIPTION_ID',
            Value: id,
            Attributes: state.reservationAttributes[id] ?? {},
            Utilization: {
              AmortizedRecurringFee: recurring.toFixed(8),
              AmortizedUpfrontFee: (used + unused - recurring).toFixed(8),
              UtilizationPercentage: used + unused > 0 ? ((used / (used + unused)) * 100).toFixed(2) : '0',
              OnDemandCostOfRIHoursUsed: onDemand.toFixed(8),
              TotalAmortizedFee: (used + unused).toFixed(8),
              RICostForUnusedHours: unused.toFixed(8),
              NetRISavings: (onDemand - used - unused).toFixed(8),
            },
          }
        }),
      })
    }
    return ok({UtilizationsByTime})
  }

  const handle = (req: RecordedRequest): Reply => {
    const target = String(req.headers['x-amz-target'] ?? '')
    const auth = String(req.headers.authorization ?? '')
    if (!auth.startsWith(`AWS4-HMAC-SHA256 Credential=${CE_ACCESS_KEY}/`))
      return err('UnrecognizedClientException', 'The security token included in the request is invalid.')
    if (state.denied.has(target.replace('AWSInsightsIndexService.', '')))
      return err('AccessDeniedException', `User is not authorized to perform: ce:${target.split('.')[1]}`)
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
    if (target === 'AWSInsightsIndexService.GetSavingsPlansUtilizationDetails')
      return planDetails(req.json as Parameters<typeof planDetails>[0])
    if (target === 'AWSInsightsIndexService.GetReservationUtilization')
      return reservationUtilization(req.json as Parameters<typeof reservationUtilization>[0])
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

  const holds = new Map<string, {arrive: () => void; released: Promise<void>}>()
  const server = await startLocalServer(async (req) => {
    const operation = String(req.headers['x-amz-target'] ?? '').replace('AWSInsightsIndexService.', '')
    const hold = holds.get(operation)
    if (hold) {
      holds.delete(operation)
      hold.arrive()
      await hold.released
    }
    return handle(req)
  })
  const api = server as CeServer
  Object.defineProperty(api, 'ledger', {get: () => state.ledger, set: (value: CeFact[]) => void (state.ledger = value)})
  Object.defineProperty(api, 'resourcesToday', {
    get: () => state.resourcesToday,
    set: (value: string | undefined) => void (state.resourcesToday = value),
  })
  Object.defineProperty(api, 'planAttributes', {
    get: () => state.planAttributes,
    set: (value: Record<string, PlanAttributes>) => void (state.planAttributes = value),
  })
  Object.defineProperty(api, 'reservationAttributes', {
    get: () => state.reservationAttributes,
    set: (value: Record<string, PlanAttributes>) => void (state.reservationAttributes = value),
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
      state.planAttributes = {}
      state.reservationAttributes = {}
      state.denied.clear()
      server.requests.length = 0
    },
    denyOperation: (operation: string) => void state.denied.add(operation),
    failNext: (n: number, type: string, message = 'Rate exceeded') => {
      for (let i = 0; i < n; i++) failures.push({type, message})
    },
    holdNext: (operation: string) => {
      let arrive = (): void => {}
      let release = (): void => {}
      const arrived = new Promise<void>((resolve) => (arrive = resolve))
      holds.set(operation, {arrive, released: new Promise<void>((resolve) => (release = resolve))})
      return {arrived, release}
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

export const PLAN_ARN = 'arn:aws:savingsplans::111111111111:savingsplan/3f1a-compute'
export const RDS_RESERVATION = 'ri-0a1b2c3d-rds'
const EC2 = 'Amazon Elastic Compute Cloud - Compute'
const RDS = 'Amazon Relational Database Service'

/**
 * A day-by-day ledger with commitments, shaped as Cost Explorer records them: a Compute Savings Plan
 * of 32/day covering EC2 (40 on demand for 28) and Lambda (5 on demand for 3.5), so 0.5/day unused;
 * an RDS reservation of 10/day covering 15 on demand for 9, 1/day unused; on-demand EC2 (10/day)
 * and RDS (6/day); Spot EC2 (4/day), which no commitment can cover; and S3, which is not eligible.
 * `scale` multiplies the covered and on-demand usage (a restated window).
 */
export function commitmentLedger(from: string, to: string, scale = 1): CeFact[] {
  const facts: CeFact[] = []
  const fact = (day: string, f: Partial<CeFact> & Pick<CeFact, 'service' | 'recordType'>): void =>
    void facts.push({day, account: '111111111111', region: 'us-east-1', tags: {}, unblended: 0, amortized: 0, ...f})
  for (let day = from; day <= to; day = nextDay(day)) {
    fact(day, {service: EC2, recordType: 'Usage', unblended: 10 * scale, amortized: 10 * scale})
    fact(day, {service: EC2, recordType: 'Usage', purchaseType: 'Spot Instances', unblended: 4, amortized: 4})
    fact(day, {service: 'Amazon Simple Storage Service', recordType: 'Usage', unblended: 3, amortized: 3})
    const planUsage = [
      {service: EC2, onDemand: 40, cost: 28},
      {service: 'AWS Lambda', onDemand: 5, cost: 3.5},
    ]
    for (const u of planUsage) {
      fact(day, {
        service: u.service,
        recordType: 'SavingsPlanCoveredUsage',
        purchaseType: 'Savings Plans',
        commitmentId: PLAN_ARN,
        unblended: u.onDemand,
        amortized: u.cost,
      })
      fact(day, {service: u.service, recordType: 'SavingsPlanNegation', unblended: -u.onDemand, amortized: 0})
    }
    fact(day, {
      service: 'Savings Plans for AWS Compute usage',
      recordType: 'SavingsPlanRecurringFee',
      commitmentId: PLAN_ARN,
      unblended: 32,
      amortized: 0.5,
    })
    fact(day, {service: RDS, recordType: 'Usage', unblended: 6 * scale, amortized: 6 * scale})
    fact(day, {
      service: RDS,
      recordType: 'DiscountedUsage',
      purchaseType: 'Standard Reserved Instances',
      commitmentId: RDS_RESERVATION,
      unblended: 0,
      amortized: 9,
      onDemand: 15,
    })
    fact(day, {service: RDS, recordType: 'RIFee', commitmentId: RDS_RESERVATION, unblended: 10, amortized: 1})
  }
  return facts
}
