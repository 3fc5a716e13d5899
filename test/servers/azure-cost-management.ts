import {execFileSync} from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'

import {type LocalServer, type RecordedRequest, type Reply, startLocalServer} from './http-server.js'

/**
 * A local Azure Resource Manager answering the Cost Management Query API over HTTPS (bearer tokens
 * are refused over plain http): POST {scope}/providers/Microsoft.CostManagement/query, columns +
 * rows with UsageDate as yyyymmdd, at most two groupings, nextLink paging with $skiptoken, and 429
 * with the x-ms-ratelimit retry-after headers. Answers by aggregating a ledger of daily facts.
 */
export interface AzFact {
  day: string
  subscription: string
  service: string
  location: string
  chargeType: string
  tags: Record<string, string>
  actual: number
  amortized: number
  /** Meter (the usage type), e.g. "D4s v3"; default: the service's one meter. */
  meter?: string
  /** ResourceId, lower-case as Cost Management answers it ('' for charges without a resource). */
  resourceId?: string
  /** PricingModel: OnDemand (default), Reservation, SavingsPlan, Spot. */
  pricingModel?: string
  /** BenefitId: the reservation or savings plan a covered or unused row belongs to ('' otherwise). */
  benefitId?: string
}

/** A reservation or savings plan as the tenant-wide lists (api-version 2022-11-01) answer it. */
export interface AzBenefit {
  id: string
  name: string
  type: string
  location?: string
  sku: {name: string}
  properties: Record<string, unknown>
}

export interface AzServer extends LocalServer {
  ledger: AzFact[]
  /** Microsoft.Capacity reservations and Microsoft.BillingBenefits savings plans the identity can read. */
  benefits: {reservations: AzBenefit[]; savingsPlans: AzBenefit[]}
  /** Lists answered 403 AuthorizationFailed (the identity lacks the role), by kind. */
  denied: Set<'reservations' | 'savingsPlans'>
  /** The CA (self-signed cert) clients must trust. */
  cert: string
  certFile: string
  /** Fail the next n queries with this status (0: reset the connection without an answer). */
  failNext: (n: number, status: number, headers?: Record<string, string>) => void
  /** Fail the next n benefit-list GETs with this status (e.g. 429 with Retry-After). */
  failListsNext: (n: number, status: number, headers?: Record<string, string>) => void
  reset: () => void
  queries: () => RecordedRequest[]
  /** The GETs of the two benefit lists, pages included. */
  listRequests: () => RecordedRequest[]
}

const READ_ACTIONS = {
  reservations: 'Microsoft.Capacity/reservations/read',
  savingsPlans: 'Microsoft.BillingBenefits/savingsPlans/read',
} as const

const BENEFIT_LISTS = {
  '/providers/microsoft.capacity/reservations': 'reservations',
  '/providers/microsoft.billingbenefits/savingsplans': 'savingsPlans',
} as const

export const AZ_TOKEN = 'local-fake-arm-token'
export const SUB_A = '00000000-0000-0000-0000-00000000000a'
export const SUB_B = '00000000-0000-0000-0000-00000000000b'

/** A self-signed certificate for IP:127.0.0.1, made with the system openssl. */
export function makeCert(dir: string): {key: string; cert: string; certFile: string} {
  const keyFile = path.join(dir, 'key.pem')
  const certFile = path.join(dir, 'cert.pem')
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '2',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    {stdio: 'ignore'},
  )
  return {key: fs.readFileSync(keyFile, 'utf8'), cert: fs.readFileSync(certFile, 'utf8'), certFile}
}

interface Filter {
  dimensions?: {name: string; operator: string; values: string[]}
  tags?: {name: string; operator: string; values: string[]}
  and?: Filter[]
  or?: Filter[]
}

/** The documented QueryFilter (api-version 2023-11-01): and, or, dimensions, tags; operator In. Anything else is refused. */
const FILTER_KEYS = new Set(['and', 'or', 'dimensions', 'tags'])
function filterProblem(filter: unknown): string | undefined {
  if (filter === undefined) return undefined
  if (!filter || typeof filter !== 'object') return 'filter must be an object'
  const f = filter as Record<string, unknown>
  const unknown = Object.keys(f).find((k) => !FILTER_KEYS.has(k))
  if (unknown) return `Invalid query definition: unknown filter property '${unknown}'`
  const comparison = (f.dimensions ?? f.tags) as {operator?: string} | undefined
  if (comparison && comparison.operator !== 'In')
    return `Invalid query definition: operator '${comparison.operator}' is not supported`
  for (const sub of [...((f.and as unknown[]) ?? []), ...((f.or as unknown[]) ?? [])]) {
    const problem = filterProblem(sub)
    if (problem) return problem
  }
  return undefined
}
interface Body {
  type: string
  timePeriod: {from: string; to: string}
  dataset: {granularity: string; grouping?: {type: string; name: string}[]; filter?: Filter}
}

const dimension = (f: AzFact, name: string): string => {
  switch (name) {
    case 'ServiceName':
      return f.service
    case 'ResourceLocation':
      return f.location
    case 'SubscriptionId':
      return f.subscription
    case 'ChargeType':
      return f.chargeType
    case 'Meter':
      return f.meter ?? `${f.service} usage`
    case 'ResourceId':
      return f.resourceId ?? ''
    case 'PricingModel':
      return f.pricingModel ?? 'OnDemand'
    case 'BenefitId':
      return f.benefitId ?? ''
    default:
      throw new Error(`unsupported dimension ${name}`)
  }
}
const matches = (f: AzFact, filter?: Filter): boolean =>
  !filter
    ? true
    : filter.and
      ? filter.and.every((x) => matches(f, x))
      : filter.or
        ? filter.or.some((x) => matches(f, x))
        : filter.dimensions
          ? filter.dimensions.values.includes(dimension(f, filter.dimensions.name))
          : filter.tags
            ? filter.tags.values.includes(f.tags[filter.tags.name] ?? '')
            : true

export async function startCostManagement(
  dir: string,
  options: {pageRows?: number; benefitPageSize?: number} = {},
): Promise<AzServer> {
  const pageRows = options.pageRows ?? 1000
  const benefitPageSize = options.benefitPageSize ?? 50
  const tls = makeCert(dir)
  const state = {
    ledger: [] as AzFact[],
    benefits: {reservations: [] as AzBenefit[], savingsPlans: [] as AzBenefit[]},
    denied: new Set<'reservations' | 'savingsPlans'>(),
    failures: [] as {status: number; headers: Record<string, string>}[],
    listFailures: [] as {status: number; headers: Record<string, string>}[],
    url: '',
  }

  /**
   * Reservation_ListAll / SavingsPlan_ListAll: GET, api-version required, pages of `benefitPageSize`
   * linked by nextLink with $skiptoken; the reservations answer carries its summary as the spec shows.
   */
  const listBenefits = (req: RecordedRequest, kind: 'reservations' | 'savingsPlans'): Reply => {
    if (req.url.searchParams.get('api-version') !== '2022-11-01')
      return {
        status: 400,
        body: {error: {code: 'InvalidApiVersionParameter', message: 'The api-version is invalid for this list.'}},
      }
    if (state.denied.has(kind))
      return {
        status: 403,
        body: {
          error: {
            code: 'AuthorizationFailed',
            message: `The client does not have authorization to perform action '${READ_ACTIONS[kind]}'.`,
          },
        },
      }
    const failure = state.listFailures.shift()
    if (failure?.status === 0) return {status: 0, drop: true}
    if (failure)
      return {
        status: failure.status,
        headers: failure.headers,
        body: {error: {code: failure.status === 429 ? 'TooManyRequests' : 'ServerError', message: 'Please retry.'}},
      }
    const all = state.benefits[kind]
    const skip = Number(req.url.searchParams.get('$skiptoken') ?? 0)
    const next =
      skip + benefitPageSize < all.length
        ? `${state.url}${req.path}?api-version=2022-11-01&$skiptoken=${skip + benefitPageSize}`
        : null
    return {
      status: 200,
      body: {
        value: all.slice(skip, skip + benefitPageSize),
        ...(kind === 'reservations' ? {summary: {succeededCount: all.length, failedCount: 0}} : {}),
        nextLink: next,
      },
    }
  }

  const handle = (req: RecordedRequest): Reply => {
    if (req.headers.authorization !== `Bearer ${AZ_TOKEN}`) {
      return {
        status: 401,
        body: {
          error: {
            code: 'AuthenticationFailed',
            message: 'Authentication failed. The Authorization header is missing or the token is invalid.',
          },
        },
      }
    }
    const list = BENEFIT_LISTS[req.path.toLowerCase() as keyof typeof BENEFIT_LISTS]
    if (list && req.method === 'GET') return listBenefits(req, list)
    const m = /^(.*)\/providers\/Microsoft\.CostManagement\/query$/i.exec(req.path)
    if (req.method !== 'POST' || !m)
      return {status: 404, body: {error: {code: 'NotFound', message: `no route ${req.method} ${req.path}`}}}
    if (!req.url.searchParams.get('api-version'))
      return {
        status: 400,
        body: {
          error: {
            code: 'MissingApiVersionParameter',
            message: 'The api-version query parameter (?api-version=) is required for all requests.',
          },
        },
      }
    const failure = state.failures.shift()
    if (failure?.status === 0) return {status: 0, drop: true}
    if (failure)
      return {
        status: failure.status,
        headers: failure.headers,
        body: {
          error: {code: failure.status === 429 ? '429' : 'ServerError', message: 'Too many requests. Please retry.'},
        },
      }
    const body = req.json as Body
    const grouping = body.dataset.grouping ?? []
    const problem = filterProblem(body.dataset.filter)
    if (problem) return {status: 400, body: {error: {code: 'BadRequest', message: problem}}}
    if (grouping.length > 2)
      return {
        status: 400,
        body: {
          error: {code: 'BadRequest', message: 'Invalid query definition: grouping supports at most 2 dimensions'},
        },
      }
    const from = body.timePeriod.from.slice(0, 10)
    const to = body.timePeriod.to.slice(0, 10)
    const groups = new Map<string, unknown[]>()
    for (const f of state.ledger) {
      if (f.day < from || f.day > to || !matches(f, body.dataset.filter)) continue
      const keys = grouping.flatMap((g) =>
        g.type === 'TagKey' ? [g.name, f.tags[g.name] ?? ''] : [dimension(f, g.name)],
      )
      const usageDate = Number(f.day.replaceAll('-', ''))
      const id = JSON.stringify([usageDate, ...keys])
      const cost = body.type === 'AmortizedCost' ? f.amortized : f.actual
      const row = groups.get(id) ?? [0, usageDate, ...keys, 'USD']
      row[0] = (row[0] as number) + cost
      groups.set(id, row)
    }
    const all = [...groups.values()].filter((r) => r[0] !== 0)
    const skip = Number(req.url.searchParams.get('$skiptoken') ?? 0)
    const rows = all.slice(skip, skip + pageRows)
    const next =
      skip + pageRows < all.length
        ? `${state.url}${m[1]}/providers/Microsoft.CostManagement/query?api-version=${req.url.searchParams.get('api-version')}&$skiptoken=${skip + pageRows}`
        : null
    const columns = [
      {name: 'Cost', type: 'Number'},
      {name: 'UsageDate', type: 'Number'},
      ...grouping.flatMap((g) =>
        g.type === 'TagKey'
          ? [
              {name: 'TagKey', type: 'String'},
              {name: 'TagValue', type: 'String'},
            ]
          : [{name: g.name, type: 'String'}],
      ),
      {name: 'Currency', type: 'String'},
    ]
    return {
      status: 200,
      body: {
        id: `${m[1]}/providers/Microsoft.CostManagement/query/q1`,
        name: 'q1',
        type: 'Microsoft.CostManagement/query',
        properties: {nextLink: next, columns, rows},
      },
    }
  }

  const server = await startLocalServer(handle, tls)
  state.url = server.url
  const api = server as AzServer
  Object.defineProperty(api, 'ledger', {get: () => state.ledger, set: (v: AzFact[]) => void (state.ledger = v)})
  Object.defineProperty(api, 'benefits', {
    get: () => state.benefits,
    set: (v: AzServer['benefits']) => void (state.benefits = v),
  })
  Object.defineProperty(api, 'denied', {get: () => state.denied})
  return Object.assign(api, {
    cert: tls.cert,
    certFile: tls.certFile,
    failNext: (n: number, status: number, headers: Record<string, string> = {}) => {
      for (let i = 0; i < n; i++) state.failures.push({status, headers})
    },
    failListsNext: (n: number, status: number, headers: Record<string, string> = {}) => {
      for (let i = 0; i < n; i++) state.listFailures.push({status, headers})
    },
    reset: () => {
      state.failures.length = 0
      state.listFailures.length = 0
      state.denied.clear()
      state.benefits = {reservations: [], savingsPlans: []}
      server.requests.length = 0
    },
    queries: () => server.requests.filter((r) => r.path.endsWith('/query')),
    listRequests: () =>
      server.requests.filter((r) => BENEFIT_LISTS[r.path.toLowerCase() as keyof typeof BENEFIT_LISTS]),
  })
}

/** Two subscriptions, three services across two regions, a monthly reservation purchase and a refund. */
export function sampleAzureLedger(from: string, to: string): AzFact[] {
  const facts: AzFact[] = []
  const services = [
    {service: 'Virtual Machines', location: 'westeurope', base: 55.2},
    {service: 'Storage', location: 'westeurope', base: 9.1},
    {service: 'Azure Kubernetes Service', location: 'northeurope', base: 21.7},
  ]
  let i = 0
  for (
    let day = from;
    day <= to;
    day = new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10), i++
  ) {
    for (const [a, subscription] of [SUB_A, SUB_B].entries()) {
      for (const [s, svc] of services.entries()) {
        const actual = svc.base * (a + 1) + ((i * 5 + s) % 7) / 3
        facts.push({
          day,
          subscription,
          service: svc.service,
          location: svc.location,
          chargeType: 'Usage',
          tags: s === 0 ? {env: a === 0 ? 'prod' : 'dev'} : {},
          actual,
          amortized: actual + (s === 0 ? 4 : 0),
        })
      }
      if (day.endsWith('-01'))
        facts.push({
          day,
          subscription,
          service: 'Virtual Machines',
          location: 'westeurope',
          chargeType: 'Purchase',
          tags: {},
          actual: 120,
          amortized: 0,
        })
      if (day.endsWith('-10'))
        facts.push({
          day,
          subscription,
          service: 'Storage',
          location: 'westeurope',
          chargeType: 'Refund',
          tags: {},
          actual: -3.5,
          amortized: -3.5,
        })
    }
  }
  return facts
}

export const AZ_RESERVATION =
  '/providers/microsoft.capacity/reservationorders/8b1c0d2e-0000-0000-0000-00000000r001/reservations/5a6b7c8d-0000-0000-0000-00000000r001'
export const AZ_SAVINGS_PLAN =
  '/providers/microsoft.billingbenefits/savingsplanorders/3c4d5e6f-0000-0000-0000-0000000sp001/savingsplans/9e8d7c6b-0000-0000-0000-0000000sp001'

/**
 * A subscription with commitments, as AmortizedCost records them: Virtual Machines on demand
 * (12/day), covered by a reservation (its amortized cost 9/day, 1/day unused) and a savings plan
 * (6/day applied to VMs and 2/day to App Service, 0.5/day unused); Spot VMs (3/day); Storage (not
 * eligible). `scale` multiplies the on-demand usage (a restated window).
 */
export function commitmentAzureLedger(from: string, to: string, scale = 1): AzFact[] {
  const facts: AzFact[] = []
  const fact = (day: string, f: Partial<AzFact> & Pick<AzFact, 'service' | 'amortized'>): void =>
    void facts.push({
      day,
      subscription: SUB_A,
      location: 'westeurope',
      chargeType: 'Usage',
      tags: {},
      actual: f.pricingModel === 'Reservation' || f.pricingModel === 'SavingsPlan' ? 0 : f.amortized,
      ...f,
    })
  for (
    let day = from;
    day <= to;
    day = new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10)
  ) {
    fact(day, {service: 'Virtual Machines', amortized: 12 * scale})
    fact(day, {service: 'Virtual Machines', pricingModel: 'Spot', amortized: 3})
    fact(day, {service: 'Storage', amortized: 2})
    fact(day, {service: 'Virtual Machines', pricingModel: 'Reservation', benefitId: AZ_RESERVATION, amortized: 9})
    fact(day, {
      service: 'Virtual Machines',
      chargeType: 'UnusedReservation',
      pricingModel: 'Reservation',
      benefitId: AZ_RESERVATION,
      amortized: 1,
    })
    fact(day, {service: 'Virtual Machines', pricingModel: 'SavingsPlan', benefitId: AZ_SAVINGS_PLAN, amortized: 6})
    fact(day, {service: 'App Service', pricingModel: 'SavingsPlan', benefitId: AZ_SAVINGS_PLAN, amortized: 2})
    fact(day, {
      service: 'Virtual Machines',
      chargeType: 'UnusedSavingsPlan',
      pricingModel: 'SavingsPlan',
      benefitId: AZ_SAVINGS_PLAN,
      amortized: 0.5,
    })
  }
  return facts
}

/**
 * The terms of commitmentAzureLedger's two benefits as the lists state them, plus `extra` more
 * reservations (other subscriptions' benefits, to page through): the VM reservation (3 years, monthly,
 * ends 2027-01-15) and the savings plan (1 year, 5 USD an hour, ends 2027-06-30).
 */
export function commitmentAzureBenefits(extra = 0): AzServer['benefits'] {
  const reservation = (id: string, n: number): AzBenefit => ({
    id: id.replace(
      '/providers/microsoft.capacity/reservationorders/',
      '/providers/microsoft.capacity/reservationOrders/',
    ),
    name: id
      .split('/')
      .slice(-3)
      .filter((_, i) => i !== 1)
      .join('/'),
    type: 'Microsoft.Capacity/reservationOrders/reservations',
    location: 'westeurope',
    sku: {name: 'Standard_D4s_v3'},
    properties: {
      appliedScopeType: 'Shared',
      displayName: `VM_RI_${n}`,
      displayProvisioningState: 'Succeeded',
      benefitStartTime: '2024-01-15T10:11:12.1234567Z',
      effectiveDateTime: '2024-01-15T10:11:12.1234567Z',
      expiryDate: n === 0 ? '2027-01-15' : '2028-03-01',
      expiryDateTime: n === 0 ? '2027-01-15T10:11:12.1234567Z' : '2028-03-01T00:00:00Z',
      provisioningState: 'Succeeded',
      purchaseDate: '2024-01-15',
      purchaseDateTime: '2024-01-15T10:09:00.0000000Z',
      quantity: 2,
      renew: false,
      reservedResourceType: 'VirtualMachines',
      term: 'P3Y',
      billingPlan: 'Monthly',
      userFriendlyAppliedScopeType: 'Shared',
    },
  })
  const others = Array.from({length: extra}, (_, i) =>
    reservation(
      `/providers/microsoft.capacity/reservationorders/0000aaaa-0000-0000-0000-${String(i).padStart(12, '0')}` +
        `/reservations/0000bbbb-0000-0000-0000-${String(i).padStart(12, '0')}`,
      i + 1,
    ),
  )
  return {
    reservations: [reservation(AZ_RESERVATION, 0), ...others],
    savingsPlans: [
      {
        id: AZ_SAVINGS_PLAN.replace(
          '/providers/microsoft.billingbenefits/savingsplanorders/',
          '/providers/Microsoft.BillingBenefits/savingsPlanOrders/',
        ).replace('/savingsplans/', '/savingsPlans/'),
        name: AZ_SAVINGS_PLAN.split('/')
          .slice(-3)
          .filter((_, i) => i !== 1)
          .join('/'),
        type: 'Microsoft.BillingBenefits/savingsPlanOrders/savingsPlans',
        sku: {name: 'Compute_Savings_Plan'},
        properties: {
          billingScopeId: `/subscriptions/${SUB_A}`,
          commitment: {grain: 'Hourly', currencyCode: 'USD', amount: 5},
          renew: false,
          appliedScopeType: 'Shared',
          displayName: 'Compute_SavingsPlan_06-30-2026',
          provisioningState: 'Succeeded',
          term: 'P1Y',
          billingPlan: 'P1M',
          userFriendlyAppliedScopeType: 'Shared',
          benefitStartTime: '2026-06-30T08:00:00.0000000Z',
          expiryDateTime: '2027-06-30T08:00:00.0000000Z',
          purchaseDateTime: '2026-06-30T07:58:00.0000000Z',
          effectiveDateTime: '2026-06-30T08:00:00.0000000Z',
        },
      },
    ],
  }
}
