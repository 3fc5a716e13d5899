import fs from 'node:fs'
import path from 'node:path'

import {type LocalServer, type RecordedRequest, type Reply, startLocalServer} from './http-server.js'
import {fixturesDir} from '../helpers/cli.js'

/**
 * A local Google API front for the two GCP sources: BigQuery v2 jobs.insert (POST
 * /bigquery/v2/projects/P/jobs, the caller's jobReference.jobId answered 409 Already Exists when it
 * exists), jobs.query (POST .../queries) and getQueryResults (GET .../queries/JOB?pageToken=) in the
 * REST shape (schema + rows of {f: [{v}]}, pageToken), evaluating the billing-export aggregation over
 * a ledger with the request's query parameters; and Cloud Billing Catalog services.skus.list
 * (GET /v1/services/S/skus) paging the SKU fixture with nextPageToken. Rate limits answer 429 in
 * Google's error shape.
 */
export interface GcpFact {
  day: string
  invoiceMonth: string
  project: string
  projectName: string
  service: string
  region: string
  costType: string
  labels: Record<string, string>
  cost: number
  credits: number
  /** sku.id and sku.description (default: one SKU per service). */
  sku?: {id: string; description: string}
  /** resource.name and resource.global_name: only a detailed export has them. */
  resource?: {name: string; globalName: string}
  /**
   * The credit of type COMMITTED_USAGE_DISCOUNT (resource-based) or ..._DOLLAR_BASE (spend-based) on
   * covered usage: negative, the on-demand cost the CUD covered; it is part of `credits`.
   */
  cud?: {type: 'COMMITTED_USAGE_DISCOUNT' | 'COMMITTED_USAGE_DISCOUNT_DOLLAR_BASE'; amount: number}
}

/** A Compute Engine v1 Commitment resource, as regionCommitments.aggregatedList answers it. */
export type GcpCommitmentResource = Record<string, unknown> & {name: string; region: string}

export interface GcpServer extends LocalServer {
  ledger: GcpFact[]
  /** Compute Engine commitments per project (regionCommitments.aggregatedList). */
  commitments: Record<string, GcpCommitmentResource[]>
  /** Projects whose commitments list answers 403 (the identity lacks compute.commitments.list). */
  deniedProjects: Set<string>
  /** Fail the next n requests (only those to `api` when given) in Google's error shape. */
  failNext: (n: number, status: number, reason?: string, api?: 'bigquery' | 'catalog' | 'compute') => void
  /** The GETs of regionCommitments.aggregatedList, pages included. */
  commitmentRequests: () => RecordedRequest[]
  /** The next query is slow: jobs.query and the next n getQueryResults polls answer jobComplete: false, no rows. */
  slowNext: (n: number) => void
  /** The next n jobs.insert calls start their job and then drop the connection before answering. */
  loseNextInsertAnswer: (n: number) => void
  /** Jobs started, whichever way (jobs.query or jobs.insert). */
  jobCount: () => number
  reset: () => void
  queries: () => RecordedRequest[]
}

/** The query part of jobs.query's body or of jobs.insert's configuration.query. */
interface QuerySpec {
  query: string
  useLegacySql?: boolean
  queryParameters?: {name: string; parameterValue: {value: string}}[]
}

/** A finished query's answer in the REST shape: schema fields and rows of {f: [{v}]}. */
interface Evaluated {
  fields: {name: string; type: string}[]
  rows: {f: {v: string | null}[]}[]
}

export const GCP_TOKEN = 'ya29.local-fake-token'
export const EXPORT_TABLE = 'billing-admin.finops_export.gcp_billing_export_v1_01A2B3_C4D5E6_F7A8B9'
export const GCP_BILLING_ACCOUNT = '01A2B3-C4D5E6-F7A8B9'

const googleError = (status: number, message: string, reason: string, statusText: string): Reply => ({
  status,
  body: {error: {code: status, message, errors: [{message, domain: 'global', reason}], status: statusText}},
})

export async function startGoogleApis(
  options: {pageRows?: number; skuPageSize?: number; commitmentPageSize?: number} = {},
): Promise<GcpServer> {
  const pageRows = options.pageRows ?? 1000
  const skus = (
    JSON.parse(fs.readFileSync(path.join(fixturesDir, 'gcp', 'compute-engine-skus.json'), 'utf8')) as {skus: unknown[]}
  ).skus
  const state = {
    ledger: [] as GcpFact[],
    failures: [] as {status: number; reason: string; api?: 'bigquery' | 'catalog' | 'compute'}[],
    commitments: {} as Record<string, GcpCommitmentResource[]>,
    deniedProjects: new Set<string>(),
    slowPolls: 0,
    pending: new Map<string, number>(),
    jobs: new Map<string, Evaluated>(),
    lostAnswers: 0,
  }
  let jobCounter = 0

  const page = (jobId: string, projectId: string, start: number, kind: string): Reply => {
    const job = state.jobs.get(jobId)!
    const end = Math.min(start + pageRows, job.rows.length)
    return {
      status: 200,
      body: {
        kind,
        schema: {fields: job.fields},
        jobReference: {projectId, jobId, location: 'US'},
        totalRows: String(job.rows.length),
        rows: job.rows.slice(start, end),
        jobComplete: true,
        cacheHit: false,
        totalBytesProcessed: '1048576',
        ...(end < job.rows.length ? {pageToken: `page-${end}`} : {}),
      },
    }
  }

  /** Evaluates a query (jobs.query's body or jobs.insert's configuration.query) into a finished job's answer. */
  const evaluate = (body: QuerySpec): Evaluated | Reply => {
    if (body.useLegacySql !== false)
      return googleError(400, 'legacy SQL is not supported by this test server', 'invalidQuery', 'INVALID_ARGUMENT')
    const param = (name: string): string | undefined =>
      body.queryParameters?.find((p) => p.name === name)?.parameterValue.value
    const from = param('from_day')
    const to = param('to_day')
    if (!from || !to || !/GROUP BY/.test(body.query))
      return googleError(400, 'expected the aggregated billing export query', 'invalidQuery', 'INVALID_ARGUMENT')
    if (/detail_value/.test(body.query)) return runDetailQuery(body.query, from, to)
    if (/commitment_kind/.test(body.query)) return runCommitmentQuery(body.query, from, to)
    const label = param('label')
    const groups = new Map<string, (string | number)[]>()
    for (const f of state.ledger.filter((x) => x.day >= from && x.day <= to)) {
      const key = [
        f.day,
        f.invoiceMonth,
        f.project,
        f.service,
        f.region,
        f.costType,
        'USD',
        ...(label ? [f.labels[label] ?? ''] : []),
      ]
      const id = JSON.stringify(key)
      const row = groups.get(id) ?? [
        f.day,
        f.invoiceMonth,
        f.project,
        f.projectName,
        f.service,
        f.region,
        f.costType,
        'USD',
        ...(label ? [f.labels[label] ?? ''] : []),
        0,
        0,
      ]
      row[row.length - 2] = (row[row.length - 2] as number) + f.cost
      row[row.length - 1] = (row[row.length - 1] as number) + f.cost + f.credits
      groups.set(id, row)
    }
    const fields = [
      'day',
      'invoice_month',
      'project_id',
      'project_name',
      'service',
      'region',
      'cost_type',
      'currency',
      ...(label ? ['label_value'] : []),
    ]
      .map((name) => ({name, type: 'STRING', mode: 'NULLABLE'}))
      .concat([
        {name: 'billed_cost', type: 'FLOAT', mode: 'NULLABLE'},
        {name: 'effective_cost', type: 'FLOAT', mode: 'NULLABLE'},
      ])
    return finished(fields, [...groups.values()])
  }

  const finished = (fields: {name: string; type: string}[], rows: (string | number)[][]): Evaluated => ({
    fields,
    rows: rows.map((r) => ({f: r.map((v) => ({v: String(v)}))})),
  })

  /** Keeps an evaluated job; a slow job first answers "not complete" to the polls slowNext asked for. */
  const startJob = (jobId: string, evaluated: Evaluated): boolean => {
    state.jobs.set(jobId, evaluated)
    if (state.slowPolls === 0) return false
    state.pending.set(jobId, state.slowPolls)
    state.slowPolls = 0
    return true
  }

  // jobs.query: the job's ID is the server's; a retry is a second job.
  const runQuery = (req: RecordedRequest, projectId: string): Reply => {
    const evaluated = evaluate(req.json as QuerySpec)
    if ('status' in evaluated) return evaluated
    const jobId = `job_local_${++jobCounter}`
    if (startJob(jobId, evaluated))
      return {
        status: 200,
        body: {kind: 'bigquery#queryResponse', jobReference: {projectId, jobId, location: 'US'}, jobComplete: false},
      }
    return page(jobId, projectId, 0, 'bigquery#queryResponse')
  }

  // jobs.insert: the caller's job ID is its idempotency key; a second insert of it starts nothing.
  const insertJob = (req: RecordedRequest, projectId: string): Reply => {
    const body = req.json as {configuration?: {query?: QuerySpec}; jobReference?: {jobId?: string; location?: string}}
    const jobId = body.jobReference?.jobId ?? `job_local_${++jobCounter}`
    if (state.jobs.has(jobId))
      return googleError(409, `Already Exists: Job ${projectId}:US.${jobId}`, 'duplicate', 'ALREADY_EXISTS')
    if (!body.configuration?.query)
      return googleError(400, 'only query jobs are supported by this stand-in', 'invalid', 'INVALID_ARGUMENT')
    const evaluated = evaluate(body.configuration.query)
    if ('status' in evaluated) return evaluated
    const running = startJob(jobId, evaluated)
    return {
      status: 200,
      body: {
        kind: 'bigquery#job',
        id: `${projectId}:US.${jobId}`,
        jobReference: {projectId, jobId, location: 'US'},
        configuration: {jobType: 'QUERY', query: body.configuration.query},
        status: {state: running ? 'RUNNING' : 'DONE'},
        statistics: {creationTime: String(Date.now())},
      },
    }
  }

  /**
   * The usage-detail query: regular usage counted once per kind (SKU; resource when the query asks
   * for resource columns, which only a detailed export table has: BigQuery refuses the name
   * otherwise), summed per key, day and value, the 20 largest by |cost after credits| kept per key,
   * day and kind and the rest summed under ''.
   */
  const runDetailQuery = (query: string, from: string, to: string): Evaluated | Reply => {
    const table = /FROM `([^`]+)`/.exec(query)?.[1] ?? ''
    const wantsResources = /resource\.(global_)?name/.test(query)
    if (wantsResources && !/gcp_billing_export_resource_v1_/.test(table))
      return googleError(400, 'Unrecognized name: resource at [7:66]', 'invalidQuery', 'INVALID_ARGUMENT')
    const kinds = wantsResources ? ['usage-type', 'resource'] : ['usage-type']
    const sums = new Map<string, {key: string[]; value: string; label: string; billed: number; effective: number}>()
    for (const f of state.ledger.filter((x) => x.day >= from && x.day <= to && x.costType === 'regular'))
      for (const kind of kinds) {
        const sku = f.sku ?? {id: `SKU-${f.service.replaceAll(' ', '-')}`, description: `${f.service} usage`}
        const value = kind === 'usage-type' ? sku.id : (f.resource?.globalName ?? f.resource?.name ?? '')
        const label = kind === 'usage-type' ? sku.description : (f.resource?.name ?? '')
        const key = [kind, f.day, f.project, f.service, f.region, 'USD']
        const id = JSON.stringify([...key, value])
        const sum = sums.get(id) ?? {key, value, label, billed: 0, effective: 0}
        sum.billed += f.cost
        sum.effective += f.cost + f.credits
        sums.set(id, sum)
      }
    const byKey = new Map<string, {key: string[]; value: string; label: string; billed: number; effective: number}[]>()
    for (const sum of sums.values()) {
      const id = JSON.stringify(sum.key)
      byKey.set(id, [...(byKey.get(id) ?? []), sum])
    }
    const rows: (string | number)[][] = []
    for (const list of byKey.values()) {
      list.sort((a, b) => Math.abs(b.effective) - Math.abs(a.effective) || (a.value < b.value ? -1 : 1))
      const kept = new Map<string, (string | number)[]>()
      list.forEach((sum, rank) => {
        const value = rank < 20 ? sum.value : ''
        const row = kept.get(value) ?? [...sum.key, value, rank < 20 ? sum.label : '', 0, 0]
        row[8] = (row[8] as number) + sum.billed
        row[9] = (row[9] as number) + sum.effective
        kept.set(value, row)
      })
      rows.push(...kept.values())
    }
    const fields = ['kind', 'day', 'project_id', 'service', 'region', 'currency', 'kept_value', 'kept_label']
      .map((name) => ({name, type: 'STRING', mode: 'NULLABLE'}))
      .concat([
        {name: 'billed_cost', type: 'FLOAT', mode: 'NULLABLE'},
        {name: 'effective_cost', type: 'FLOAT', mode: 'NULLABLE'},
      ])
    return finished(fields, rows)
  }

  /**
   * The commitment query: regular rows of the services its IN list names, per day, invoice month,
   * project, service, region, currency and kind (fee by a `Commitment` SKU, spot by a Spot or
   * Preemptible SKU, else usage), with cost, the two CUD credit types and all credits.
   */
  const runCommitmentQuery = (query: string, from: string, to: string): Evaluated | Reply => {
    const list = /service\.description IN \(([^)]*)\)/.exec(query)?.[1]
    if (!list) return googleError(400, 'expected a service filter', 'invalidQuery', 'INVALID_ARGUMENT')
    const services = new Set([...list.matchAll(/'((?:[^'\\]|\\.)*)'/g)].map((m) => m[1]!))
    const groups = new Map<string, (string | number)[]>()
    for (const f of state.ledger) {
      if (f.day < from || f.day > to || f.costType !== 'regular' || !services.has(f.service)) continue
      const sku = (f.sku?.description ?? `${f.service} usage`).toLowerCase()
      const kind = sku.startsWith('commitment')
        ? /dollar based|spend based/.test(sku)
          ? 'fee-spend'
          : 'fee-resource'
        : /\bspot\b|preemptible/.test(sku)
          ? 'spot'
          : 'usage'
      const key = [f.day, f.invoiceMonth, f.project, f.service, f.region, 'USD', kind]
      const id = JSON.stringify(key)
      const row = groups.get(id) ?? [...key, 0, 0, 0, 0]
      row[7] = (row[7] as number) + f.cost
      if (f.cud?.type === 'COMMITTED_USAGE_DISCOUNT') row[8] = (row[8] as number) + f.cud.amount
      if (f.cud?.type === 'COMMITTED_USAGE_DISCOUNT_DOLLAR_BASE') row[9] = (row[9] as number) + f.cud.amount
      row[10] = (row[10] as number) + f.credits
      groups.set(id, row)
    }
    const fields = ['day', 'invoice_month', 'project_id', 'service', 'region', 'currency', 'commitment_kind']
      .map((name) => ({name, type: 'STRING', mode: 'NULLABLE'}))
      .concat(['cost', 'resource_cud', 'spend_cud', 'credits'].map((name) => ({name, type: 'FLOAT', mode: 'NULLABLE'})))
    return finished(fields, [...groups.values()])
  }

  /**
   * regionCommitments.aggregatedList: commitments grouped under `regions/R` items (every region of
   * the project, an empty one with the documented NO_RESULTS_ON_PAGE warning), at most maxResults
   * (capped by the server's page size) per page, nextPageToken while more remain.
   */
  const listCommitments = (req: RecordedRequest, project: string): Reply => {
    if (state.deniedProjects.has(project))
      return googleError(
        403,
        `Required 'compute.commitments.list' permission for 'projects/${project}'`,
        'forbidden',
        'PERMISSION_DENIED',
      )
    const all = state.commitments[project] ?? []
    const size = Math.min(
      Number(req.url.searchParams.get('maxResults') ?? 500),
      options.commitmentPageSize ?? Number.POSITIVE_INFINITY,
    )
    const start = Number(req.url.searchParams.get('pageToken') || 0)
    const chunk = all.slice(start, start + size)
    const items: Record<string, unknown> = {}
    for (const region of ['us-central1', 'europe-west1']) {
      const here = chunk.filter((c) => c.region.endsWith(`/regions/${region}`))
      items[`regions/${region}`] =
        here.length > 0
          ? {commitments: here}
          : {
              warning: {
                code: 'NO_RESULTS_ON_PAGE',
                message: "There are no results for scope 'regions/" + region + "' on this page.",
                data: [{key: 'scope', value: `regions/${region}`}],
              },
            }
    }
    return {
      status: 200,
      body: {
        kind: 'compute#commitmentAggregatedList',
        id: `projects/${project}/aggregated/commitments`,
        items,
        selfLink: `${req.url.origin}/compute/v1/projects/${project}/aggregated/commitments`,
        ...(start + size < all.length ? {nextPageToken: String(start + size)} : {}),
      },
    }
  }

  const handle = (req: RecordedRequest): Reply => {
    // Google's Security Token Service: a Workload Identity Federation credential trades its subject
    // token here for an access token (RFC 8693 token exchange, form-encoded).
    if (req.path === '/v1/token' && req.method === 'POST') {
      const form = new URLSearchParams(req.body)
      if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:token-exchange' || !form.get('subject_token'))
        return {status: 400, body: {error: 'invalid_request', error_description: 'not a token exchange'}}
      return {
        status: 200,
        body: {
          access_token: GCP_TOKEN,
          issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
          token_type: 'Bearer',
          expires_in: 3600,
        },
      }
    }
    if (req.headers.authorization !== `Bearer ${GCP_TOKEN}`)
      return googleError(
        401,
        'Request had invalid authentication credentials. Expected OAuth 2 access token.',
        'authError',
        'UNAUTHENTICATED',
      )
    const api = req.path.startsWith('/bigquery/')
      ? 'bigquery'
      : req.path.startsWith('/compute/')
        ? 'compute'
        : 'catalog'
    const at = state.failures.findIndex((f) => f.api === undefined || f.api === api)
    const failure = at >= 0 ? state.failures.splice(at, 1)[0] : undefined
    if (failure?.status === 0) return {status: 0, drop: true}
    if (failure)
      return googleError(
        failure.status,
        'Exceeded rate limits: too many api requests per user per method for this user_method.',
        failure.reason,
        failure.status === 429 ? 'RESOURCE_EXHAUSTED' : 'UNAVAILABLE',
      )
    let m = /^\/bigquery\/v2\/projects\/([^/]+)\/queries$/.exec(req.path)
    if (m && req.method === 'POST') return runQuery(req, m[1]!)
    m = /^\/bigquery\/v2\/projects\/([^/]+)\/jobs$/.exec(req.path)
    if (m && req.method === 'POST') {
      const reply = insertJob(req, m[1]!)
      // The job started but its answer never reaches the caller, as when a connection drops late.
      if (reply.status === 200 && state.lostAnswers > 0) {
        state.lostAnswers--
        return {status: 0, drop: true}
      }
      return reply
    }
    m = /^\/bigquery\/v2\/projects\/([^/]+)\/queries\/([^/]+)$/.exec(req.path)
    if (m && req.method === 'GET') {
      if (!state.jobs.has(m[2]!)) return googleError(404, `Not found: Job ${m[1]}:${m[2]}`, 'notFound', 'NOT_FOUND')
      const token = req.url.searchParams.get('pageToken')
      const polls = state.pending.get(m[2]!) ?? 0
      if (polls > 0) {
        state.pending.set(m[2]!, polls - 1)
        return {
          status: 200,
          body: {
            kind: 'bigquery#getQueryResultsResponse',
            jobReference: {projectId: m[1], jobId: m[2], location: 'US'},
            jobComplete: false,
          },
        }
      }
      return page(m[2]!, m[1]!, token ? Number(token.slice(5)) : 0, 'bigquery#getQueryResultsResponse')
    }
    m = /^\/compute\/v1\/projects\/([^/]+)\/aggregated\/commitments$/.exec(req.path)
    if (m && req.method === 'GET') return listCommitments(req, m[1]!)
    m = /^\/v1\/services\/([^/]+)\/skus$/.exec(req.path)
    if (m && req.method === 'GET') {
      const size = Number(req.url.searchParams.get('pageSize') ?? options.skuPageSize ?? 5000)
      const pageSize = Math.min(size, options.skuPageSize ?? size)
      const start = Number(req.url.searchParams.get('pageToken') || 0)
      const chunk = m[1] === '6F81-5844-456A' ? skus.slice(start, start + pageSize) : []
      const next = m[1] === '6F81-5844-456A' && start + pageSize < skus.length ? String(start + pageSize) : ''
      return {status: 200, body: {skus: chunk, nextPageToken: next}}
    }
    return googleError(404, `no route ${req.method} ${req.path}`, 'notFound', 'NOT_FOUND')
  }

  const server = await startLocalServer(handle)
  const api = server as GcpServer
  Object.defineProperty(api, 'ledger', {get: () => state.ledger, set: (v: GcpFact[]) => void (state.ledger = v)})
  Object.defineProperty(api, 'commitments', {
    get: () => state.commitments,
    set: (v: Record<string, GcpCommitmentResource[]>) => void (state.commitments = v),
  })
  Object.defineProperty(api, 'deniedProjects', {get: () => state.deniedProjects})
  return Object.assign(api, {
    commitmentRequests: () => server.requests.filter((r) => r.path.endsWith('/aggregated/commitments')),
    failNext: (n: number, status: number, reason = 'rateLimitExceeded', api?: 'bigquery' | 'catalog' | 'compute') => {
      for (let i = 0; i < n; i++) state.failures.push({status, reason, api})
    },
    slowNext: (n: number) => void (state.slowPolls = n),
    loseNextInsertAnswer: (n: number) => void (state.lostAnswers = n),
    jobCount: () => state.jobs.size,
    reset: () => {
      state.failures.length = 0
      state.commitments = {}
      state.deniedProjects.clear()
      state.slowPolls = 0
      state.lostAnswers = 0
      state.pending.clear()
      server.requests.length = 0
    },
    queries: () => server.requests.filter((r) => /\/(queries|jobs)\b/.test(r.path)),
  })
}

/** Three projects, four services, labels on GKE, credits (sustained use, free tier), and a monthly tax. */
export function sampleGcpLedger(from: string, to: string): GcpFact[] {
  const facts: GcpFact[] = []
  const projects = [
    {project: 'shop-prod', projectName: 'Shop Production'},
    {project: 'shop-dev', projectName: 'Shop Dev'},
    {project: 'analytics', projectName: 'Analytics'},
  ]
  const services = [
    {service: 'Compute Engine', region: 'us-central1', base: 33.3, credit: -0.2},
    {service: 'Cloud Storage', region: 'us', base: 4.4, credit: 0},
    {service: 'Kubernetes Engine', region: 'europe-west1', base: 12.8, credit: -0.1},
    {service: 'BigQuery', region: 'US', base: 6.6, credit: -1},
  ]
  let i = 0
  for (
    let day = from;
    day <= to;
    day = new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10), i++
  ) {
    const invoiceMonth = day.slice(0, 7).replace('-', '')
    for (const [p, project] of projects.entries()) {
      for (const [s, svc] of services.entries()) {
        const cost = svc.base / (p + 1) + ((i * 3 + s * 5 + p) % 13) / 5
        facts.push({
          day,
          invoiceMonth,
          ...project,
          service: svc.service,
          region: svc.region,
          costType: 'regular',
          labels: s === 2 ? {team: p === 0 ? 'checkout' : 'platform'} : {},
          cost,
          credits: cost * svc.credit,
        })
      }
      if (day.endsWith('-01'))
        facts.push({
          day,
          invoiceMonth,
          ...project,
          service: 'Invoice',
          region: '',
          costType: 'tax',
          labels: {},
          cost: 8 / (p + 1),
          credits: 0,
        })
    }
  }
  return facts
}

/**
 * A ledger with committed use discounts, shaped as the export records them: in us-central1 a
 * resource-based CUD whose fee (SKU "Commitment v1: Cpu in Americas for 1 Year") is 20/day covers
 * 30/day of shop-prod's N2 cores (a COMMITTED_USAGE_DISCOUNT credit of -30 on 36/day of usage, so
 * 6/day stays on demand, with a sustained-use credit of -1 on it); 5/day of Spot cores no CUD covers;
 * Cloud SQL in europe-west1 with a spend-based CUD of 7/day (COMMITTED_USAGE_DISCOUNT_DOLLAR_BASE
 * credits of -10 on 14/day of usage), unused on Sundays (no covered usage); and Cloud Storage, which
 * no CUD covers. `scale` multiplies the on-demand (uncovered) usage (a restated window).
 */
export function commitmentGcpLedger(from: string, to: string, scale = 1): GcpFact[] {
  const facts: GcpFact[] = []
  const fact = (day: string, f: Partial<GcpFact> & Pick<GcpFact, 'service' | 'region' | 'cost'>): void =>
    void facts.push({
      day,
      invoiceMonth: day.slice(0, 7).replace('-', ''),
      project: 'shop-prod',
      projectName: 'Shop Production',
      costType: 'regular',
      labels: {},
      credits: 0,
      ...f,
    })
  for (
    let day = from;
    day <= to;
    day = new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10)
  ) {
    const sunday = new Date(`${day}T00:00:00Z`).getUTCDay() === 0
    const cores = {id: 'CF4E-A0C7-E3BF', description: 'N2 Instance Core running in Americas'}
    fact(day, {
      service: 'Compute Engine',
      region: 'us-central1',
      sku: cores,
      cost: 30 + 6 * scale,
      credits: -30 - 1,
      cud: {type: 'COMMITTED_USAGE_DISCOUNT', amount: -30},
    })
    fact(day, {
      service: 'Compute Engine',
      region: 'us-central1',
      sku: {id: '2D34-AE0A-AB66', description: 'Commitment v1: Cpu in Americas for 1 Year'},
      cost: 20,
    })
    fact(day, {
      service: 'Compute Engine',
      region: 'us-central1',
      sku: {id: '9A5D-1F3C-3B0E', description: 'Spot Preemptible N2 Instance Core running in Americas'},
      cost: 5,
    })
    fact(day, {
      service: 'Cloud SQL',
      region: 'europe-west1',
      sku: {id: 'A1B2-C3D4-E5F6', description: 'Cloud SQL for PostgreSQL: Zonal - vCPU in Belgium'},
      cost: sunday ? 4 * scale : 10 + 4 * scale,
      credits: sunday ? 0 : -10,
      ...(sunday ? {} : {cud: {type: 'COMMITTED_USAGE_DISCOUNT_DOLLAR_BASE' as const, amount: -10}}),
    })
    fact(day, {
      service: 'Cloud SQL',
      region: 'europe-west1',
      sku: {id: 'F00D-0000-0001', description: 'Commitment - dollar based v1: Cloud SQL for 1 year'},
      cost: 7,
    })
    fact(day, {service: 'Cloud Storage', region: 'us', cost: 3})
  }
  return facts
}

/**
 * shop-prod's commitments as Compute Engine lists them: in us-central1 two ACTIVE N2 CUDs (a 1-year
 * one of 16 vCPU / 64 GB ending 2027-02-01, a 3-year one of 8 vCPU / 32 GB ending 2029-05-01 with
 * autoRenew) and an EXPIRED one, plus `extra` ACTIVE ones in europe-west1 (to page through).
 */
export function commitmentGcpResources(extra = 0): Record<string, GcpCommitmentResource[]> {
  const region = (r: string) => `https://www.googleapis.com/compute/v1/projects/shop-prod/regions/${r}`
  const cud = (
    n: number,
    r: string,
    f: {plan: string; status: string; start: string; end: string; vcpu: number; gb: number; autoRenew?: boolean},
  ): GcpCommitmentResource => ({
    kind: 'compute#commitment',
    id: String(4_000_000_000_000_000 + n),
    creationTimestamp: `${f.start}T10:00:00.000-07:00`,
    name: `cud-${r}-${n}`,
    region: region(r),
    selfLink: `${region(r)}/commitments/cud-${r}-${n}`,
    status: f.status,
    plan: f.plan,
    startTimestamp: `${f.start}T00:00:00.000-07:00`,
    endTimestamp: `${f.end}T00:00:00.000-07:00`,
    type: 'GENERAL_PURPOSE_N2',
    category: 'MACHINE',
    autoRenew: f.autoRenew ?? false,
    resources: [
      {type: 'VCPU', amount: String(f.vcpu)},
      {type: 'MEMORY', amount: String(f.gb * 1024)},
    ],
  })
  return {
    'shop-prod': [
      cud(1, 'us-central1', {
        plan: 'TWELVE_MONTH',
        status: 'ACTIVE',
        start: '2026-02-01',
        end: '2027-02-01',
        vcpu: 16,
        gb: 64,
      }),
      cud(2, 'us-central1', {
        plan: 'THIRTY_SIX_MONTH',
        status: 'ACTIVE',
        start: '2026-05-01',
        end: '2029-05-01',
        vcpu: 8,
        gb: 32,
        autoRenew: true,
      }),
      cud(3, 'us-central1', {
        plan: 'TWELVE_MONTH',
        status: 'EXPIRED',
        start: '2025-01-01',
        end: '2026-01-01',
        vcpu: 4,
        gb: 16,
      }),
      ...Array.from({length: extra}, (_, i) =>
        cud(10 + i, 'europe-west1', {
          plan: 'TWELVE_MONTH',
          status: 'ACTIVE',
          start: '2026-03-01',
          end: '2027-03-01',
          vcpu: 2,
          gb: 8,
        }),
      ),
    ],
  }
}
