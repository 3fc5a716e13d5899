import {afterAll, afterEach, beforeAll, beforeEach, describe, expect, it} from 'vitest'

import {collectCloudCosts} from '../../../src/collectors/cloud-collect.js'
import {collectCatalogPrices, familyKeyOf} from '../../../src/collectors/gcp/catalog.js'
import {gcpCostFetcher, type GcpSourceOptions} from '../../../src/collectors/gcp/index.js'
import {collectGcp} from '../../../src/collectors/gcp/collect.js'
import {type FinopsError, isFinopsError} from '../../../src/errors.js'
import {ExitCode} from '../../../src/exit-codes.js'
import {accountNames, costDataRange} from '../../../src/store/costs.js'
import {openStore, type Db} from '../../../src/store/open.js'
import {listPrices, spotPriceRatio} from '../../../src/store/prices.js'
import {getWatermark} from '../../../src/store/watermarks.js'
import {tempDir} from '../../helpers/cli.js'
import {
  EXPORT_TABLE,
  GCP_BILLING_ACCOUNT,
  GCP_TOKEN,
  type GcpServer,
  sampleGcpLedger,
  startGoogleApis,
} from '../../servers/gcp.js'
import {expectSameTotals, storeTotals, type Totals} from '../../helpers/totals.js'
import type {RecordedRequest} from '../../servers/http-server.js'

const TODAY = '2026-11-26'
let gcp: GcpServer
let db: Db
let tmp: {dir: string; cleanup: () => void}
const sleeps: number[] = []

const options = (extra: Partial<GcpSourceOptions> = {}): GcpSourceOptions => ({
  table: EXPORT_TABLE,
  endpoint: gcp.url,
  accessToken: GCP_TOKEN,
  pageSize: 100,
  retry: {maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1000},
  retryHooks: {random: () => 0.25, sleep: async (ms) => void sleeps.push(ms)},
  // Commitment usage has its own test (gcp-commitments.test.ts); these count the rollup's queries.
  commitments: false,
  ...extra,
})
const collect = (extra: Partial<GcpSourceOptions> = {}, window: {from?: string; to?: string} = {}) =>
  collectCloudCosts(db, gcpCostFetcher(options(extra)), {restatementDays: 3, initialDays: 30, today: TODAY, ...window})

function ledgerBy(from: string, to: string, key: (f: GcpServer['ledger'][number]) => string) {
  const out = new Map<string, {billed: number; effective: number}>()
  for (const f of gcp.ledger.filter((x) => x.day >= from && x.day <= to)) {
    const t = out.get(key(f)) ?? {billed: 0, effective: 0}
    t.billed += f.cost
    t.effective += f.cost + f.credits
    out.set(key(f), t)
  }
  return out
}
const storeBy = (from: string, to: string, keys: string[]): Totals => storeTotals(db, keys, from, to)
const expectSame = expectSameTotals

beforeAll(async () => {
  gcp = await startGoogleApis({pageRows: 100, skuPageSize: 4})
})
afterAll(async () => gcp.close())
beforeEach(() => {
  tmp = tempDir()
  db = openStore(`${tmp.dir}/finops.db`)
  gcp.reset()
  gcp.ledger = sampleGcpLedger('2026-09-20', '2026-11-25')
  sleeps.length = 0
})
afterEach(() => {
  db.close()
  tmp.cleanup()
})

/** The query a jobs.insert request carries (configuration.query). */
function queryOf(request: RecordedRequest): {
  query: string
  useLegacySql: boolean
  queryParameters: {name: string; parameterValue: {value: string}}[]
} {
  return (request.json as {configuration: {query: ReturnType<typeof queryOf>}}).configuration.query
}

describe('finops collect gcp: BigQuery billing export', () => {
  it('runs one aggregated, partition-filtered query job (and one for usage details) and pages their results with pageToken', async () => {
    const summary = await collect()
    expect(summary.window).toEqual({from: '2026-10-27', to: '2026-11-25'})
    const posts = gcp.queries().filter((r) => r.method === 'POST')
    expect(posts).toHaveLength(2)
    expect(queryOf(posts[1]!).query).toContain('detail_value')
    const query = posts[0]
    const pages = gcp.queries().filter((r) => r.method !== 'POST')
    expect(query!.method).toBe('POST')
    expect(query!.path).toBe('/bigquery/v2/projects/billing-admin/jobs')
    const body = queryOf(query!)
    expect(body.useLegacySql).toBe(false)
    expect(body.query).toContain(`FROM \`${EXPORT_TABLE}\``)
    expect(body.query).toMatch(/WHERE _PARTITIONTIME >= TIMESTAMP_SUB\(TIMESTAMP\(@from_day\), INTERVAL 1 DAY\)/)
    expect(body.query).toContain(
      'SUM(cost) + SUM(IFNULL((SELECT SUM(c.amount) FROM UNNEST(credits) AS c), 0)) AS effective_cost',
    )
    expect(body.query).toMatch(/GROUP BY day, invoice_month, project_id, service, region, cost_type, currency$/)
    expect(Object.fromEntries(body.queryParameters.map((p) => [p.name, p.parameterValue.value]))).toEqual({
      from_day: '2026-10-27',
      to_day: '2026-11-25',
    })
    // Each job's first page, then the further pages by pageToken.
    expect(pages.filter((p) => !p.url.searchParams.get('pageToken'))).toHaveLength(2)
    expect(pages.filter((p) => p.url.searchParams.get('pageToken')).length).toBeGreaterThan(0)
    expect(pages.every((p) => p.method === 'GET' && p.path.includes('/queries/'))).toBe(true)
    expect(summary.requests).toBe(2 + pages.length)
    expectSame(
      storeBy('2026-10-27', '2026-11-25', ['sub-account', 'service', 'charge-category']),
      ledgerBy(
        '2026-10-27',
        '2026-11-25',
        (f) => `${f.project}|${f.service}|${f.costType === 'tax' ? 'Tax' : 'Usage'}`,
      ),
    )
    expect(db.prepare('SELECT DISTINCT billing_account_id FROM cost_daily').pluck().all()).toEqual([
      GCP_BILLING_ACCOUNT,
    ])
    expect(accountNames(db).get('shop-prod')).toBe('Shop Production')
  })

  it('a query still running (jobComplete: false) is polled until done, never taken for an empty answer', async () => {
    await collect({}, {from: '2026-11-20', to: '2026-11-25'})
    gcp.reset()
    gcp.slowNext(2)
    const summary = await collect({}, {from: '2026-11-20', to: '2026-11-25'})
    const queries = gcp.queries()
    // jobs.insert, two polls answering "not yet", the poll with the first page, then the pages.
    expect(queries[0]!.method).toBe('POST')
    expect(queries.slice(1, 4).every((q) => q.method === 'GET' && !q.url.searchParams.get('pageToken'))).toBe(true)
    expect(summary.requests).toBe(queries.length)
    expectSame(
      storeBy('2026-11-20', '2026-11-25', ['day', 'sub-account']),
      ledgerBy('2026-11-20', '2026-11-25', (f) => `${f.day}|${f.project}`),
    )
  })

  it('groups a label server-side when asked and stores it as a tag', async () => {
    await collect({label: 'team'}, {from: '2026-11-25', to: '2026-11-25'})
    const body = queryOf(gcp.queries()[0]!)
    expect(body.query).toContain('WHERE l.key = @label')
    expect(body.queryParameters.find((p) => p.name === 'label')?.parameterValue.value).toBe('team')
    const rows = db
      .prepare(
        `SELECT t.value AS v, SUM(c.billed_cost) AS b FROM cost_daily c JOIN tag_values t ON t.tag_set_id = c.tag_set_id AND t.key = 'team' GROUP BY ` +
          `1 ORDER BY 1`,
      )
      .all() as {v: string; b: number}[]
    const expected = ledgerBy('2026-11-25', '2026-11-25', (f) => f.labels.team ?? '')
    expect(rows.map((r) => r.v)).toEqual(['checkout', 'platform'])
    for (const r of rows) expect(r.b).toBeCloseTo(expected.get(r.v)!.billed, 6)
  })

  it('retries rate limits (429) and then lands the data; a refused token is an auth error', async () => {
    gcp.failNext(2, 429)
    const summary = await collect({}, {from: '2026-11-24', to: '2026-11-25'})
    expect(summary.retries).toBe(2)
    expect(sleeps).toEqual([25, 50])
    expectSame(
      storeBy('2026-11-24', '2026-11-25', ['day']),
      ledgerBy('2026-11-24', '2026-11-25', (f) => f.day),
    )
    const error = await collect({accessToken: 'ya29.expired'}).catch((e: unknown) => e)
    expect(isFinopsError(error) && error.exit).toBe(ExitCode.auth)
    expect((error as Error).message).toContain('token was refused')
  })

  it('an insert whose answer is lost after the job started is retried as the same job, never a second billed one', async () => {
    const jobsBefore = gcp.jobCount()
    gcp.loseNextInsertAnswer(1)
    const summary = await collect({}, {from: '2026-11-24', to: '2026-11-25'})
    expect(summary.retries).toBe(1)
    const inserts = gcp.queries().filter((r) => r.method === 'POST')
    // The retried insert carries the first one's job ID and is answered 409; then the detail query.
    expect(inserts).toHaveLength(3)
    const ids = inserts.map((r) => (r.json as {jobReference: {jobId: string}}).jobReference.jobId)
    expect(ids[1]).toBe(ids[0])
    expect(ids[2]).not.toBe(ids[0])
    expect(gcp.jobCount() - jobsBefore).toBe(2)
    expectSame(
      storeBy('2026-11-24', '2026-11-25', ['day']),
      ledgerBy('2026-11-24', '2026-11-25', (f) => f.day),
    )
  })

  it('a connection reset mid-request is retried', async () => {
    gcp.failNext(1, 0)
    const summary = await collect({}, {from: '2026-11-24', to: '2026-11-25'})
    expect(summary.retries).toBe(1)
    expectSame(
      storeBy('2026-11-24', '2026-11-25', ['day']),
      ledgerBy('2026-11-24', '2026-11-25', (f) => f.day),
    )
  })

  it('replaces restated days on the next run, and an empty window clears them', async () => {
    await collect()
    for (const f of gcp.ledger) if (f.day === '2026-11-24') f.credits -= 5
    const second = await collect()
    expect(second.window.from).toBe('2026-11-01')
    expectSame(
      storeBy('2026-10-27', '2026-11-25', ['day']),
      ledgerBy('2026-10-27', '2026-11-25', (f) => f.day),
    )
    gcp.ledger = []
    const third = await collect()
    expect(third.rollupRows).toBe(0)
    expect(costDataRange(db)?.last).toBe('2026-10-31')
    expect(getWatermark(db, 'gcp', third.location)?.collectedThrough).toBe('2026-11-25')
  })

  it('a table name without a billing account needs --billing-account; a bad name is a usage error', () => {
    expect(() => gcpCostFetcher(options({table: 'p-roject.ds.my_export'}))).toThrow(
      /billing account cannot be read from the table name/,
    )
    expect(() => gcpCostFetcher(options({table: 'x; DROP TABLE'}))).toThrow(/expected project.dataset.table/)
    expect(
      gcpCostFetcher(options({table: 'p-roject.ds.my_export', billingAccount: 'AAAAAA-BBBBBB-CCCCCC'}))
        .billingAccountId,
    ).toBe('AAAAAA-BBBBBB-CCCCCC')
  })
})

describe('finops collect gcp --prices: Cloud Billing Catalog', () => {
  it('pages listSkus over REST and stores one price per SKU and region, spot included', async () => {
    const summary = await collectCatalogPrices(db, {
      endpoint: gcp.url,
      accessToken: GCP_TOKEN,
      pageSize: 4,
    })
    const calls = gcp.requests.filter((r) => r.path.startsWith('/v1/services/'))
    expect(calls.map((c) => c.path)).toEqual(Array(3).fill('/v1/services/6F81-5844-456A/skus'))
    expect(calls[0]!.url.searchParams.get('currencyCode')).toBe('USD')
    expect(calls[1]!.url.searchParams.get('pageToken')).toBe('4')
    expect(summary).toMatchObject({
      requests: 3,
      services: [{serviceName: 'Compute Engine', skus: 10, prices: 10, spotSkus: 4}],
    })
    const prices = listPrices(db, 'Google Cloud', 'us-central1')
    const core = prices.find((p) => p.skuId === '0E6A-2AA2-0FBA')!
    expect(core).toMatchObject({
      capacity: 'on-demand',
      unit: 'h',
      currency: 'USD',
      familyKey: 'n2 instance core running in americas',
    })
    expect(core.unitPrice).toBeCloseTo(0.031611, 9)
    // The free first tier of egress is skipped for the first paid tier.
    expect(prices.find((p) => p.skuId === '9DE9-9092-B3BC')!.unitPrice).toBeCloseTo(0.12, 9)
  })

  it('spotPriceRatio pairs spot with on-demand SKUs of the same family, region and unit', async () => {
    expect(spotPriceRatio(db, 'Google Cloud')).toBeUndefined()
    await collectCatalogPrices(db, {endpoint: gcp.url, accessToken: GCP_TOKEN})
    const ratios = [0.00765 / 0.031611, 0.001025 / 0.004237, 0.006543 / 0.02181159].sort((a, b) => a - b)
    const us = spotPriceRatio(db, 'Google Cloud', 'us-central1')!
    expect(us.pairs).toBe(3)
    expect(us.ratio).toBeCloseTo(ratios[1]!, 9)
    expect(us.min).toBeCloseTo(ratios[0]!, 9)
    const eu = spotPriceRatio(db, 'Google Cloud', 'europe-west1')!
    expect(eu).toMatchObject({pairs: 1})
    expect(eu.ratio).toBeCloseTo(0.008422 / 0.034806, 9)
    expect(familyKeyOf('Spot Preemptible E2 Instance Core running in Americas')).toBe(
      'e2 instance core running in americas',
    )
  })

  it('costs collected but prices failed: a partial error (exit 7) that says the costs landed, not "the store is unchanged"', async () => {
    gcp.failNext(2, 503, 'backendError', 'catalog')
    const saved = process.env.GOOGLE_OAUTH_ACCESS_TOKEN
    process.env.GOOGLE_OAUTH_ACCESS_TOKEN = GCP_TOKEN
    try {
      const run = {
        restatementDays: 3,
        initialDays: 30,
        today: TODAY,
        from: '2026-11-24',
        to: '2026-11-25',
        retry: {maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 5},
        retryHooks: {sleep: async () => {}},
      }
      const error = await collectGcp(db, {table: EXPORT_TABLE, endpoint: gcp.url, prices: true}, run).catch(
        (e: unknown) => e,
      )
      expect(isFinopsError(error) && error.exit).toBe(ExitCode.partial)
      expect((error as Error).message).toMatch(
        /^Cloud Billing Catalog services\/6F81-5844-456A: still throttled or unavailable after 2 attempts; the costs of gcp_billing_export_v1_01A2B3_C4D5E6_F7A8B9 were collected \(2026-11-24 to 2026-11-25, \d+ daily rows\)$/,
      )
      expect((error as FinopsError).suggestion).not.toMatch(/store is unchanged/)
    } finally {
      if (saved === undefined) delete process.env.GOOGLE_OAUTH_ACCESS_TOKEN
      else process.env.GOOGLE_OAUTH_ACCESS_TOKEN = saved
    }
    expectSame(
      storeBy('2026-11-24', '2026-11-25', ['day']),
      ledgerBy('2026-11-24', '2026-11-25', (f) => f.day),
    )
  })

  it('a failed catalog fetch leaves the stored prices as they were', async () => {
    await collectCatalogPrices(db, {endpoint: gcp.url, accessToken: GCP_TOKEN})
    const before = listPrices(db, 'Google Cloud')
    gcp.failNext(5, 503, 'backendError')
    const error = await collectCatalogPrices(db, {
      endpoint: gcp.url,
      accessToken: GCP_TOKEN,
      pageSize: 4,
      retry: {maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 5},
    }).catch((e: unknown) => e)
    expect(isFinopsError(error) && error.exit).toBe(ExitCode.remote)
    expect(listPrices(db, 'Google Cloud')).toEqual(before)
  })
})
