import type {TokenCredential} from '@azure/identity'
import {afterAll, afterEach, beforeAll, beforeEach, describe, expect, it} from 'vitest'

import {azureCostFetcher, type AzureSourceOptions} from '../../../src/collectors/azure/index.js'
import {collectCloudCosts} from '../../../src/collectors/cloud-collect.js'
import {isFinopsError} from '../../../src/errors.js'
import {ExitCode} from '../../../src/exit-codes.js'
import {costDataRange} from '../../../src/store/costs.js'
import {openStore, type Db} from '../../../src/store/open.js'
import {getWatermark} from '../../../src/store/watermarks.js'
import {tempDir} from '../../helpers/cli.js'
import {
  AZ_TOKEN,
  type AzServer,
  sampleAzureLedger,
  startCostManagement,
  SUB_A,
} from '../../servers/azure-cost-management.js'
import {expectSameTotals, storeTotals as totalsInStore, type Totals} from '../../helpers/totals.js'

const TODAY = '2026-11-26'
const BILLING_SCOPE = '/providers/Microsoft.Billing/billingAccounts/12345678'
let az: AzServer
let db: Db
let tmp: {dir: string; cleanup: () => void}
let serverDir: {dir: string; cleanup: () => void}
const sleeps: number[] = []

const fakeCredential = (token = AZ_TOKEN): TokenCredential => ({
  getToken: async () => ({token, expiresOnTimestamp: Date.now() + 3_600_000}),
})
const options = (extra: Partial<AzureSourceOptions> = {}): AzureSourceOptions => ({
  scope: BILLING_SCOPE,
  endpoint: az.url,
  credential: fakeCredential(),
  tlsCa: az.cert,
  retry: {maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 10_000},
  retryHooks: {random: () => 0.5, sleep: async (ms) => void sleeps.push(ms)},
  ...extra,
})
const collect = (extra: Partial<AzureSourceOptions> = {}, window: {from?: string; to?: string} = {}) =>
  collectCloudCosts(db, azureCostFetcher(options(extra)), {
    restatementDays: 3,
    initialDays: 30,
    today: TODAY,
    ...window,
  })

const CATEGORY: Record<string, string> = {Usage: 'Usage', Purchase: 'Purchase', Refund: 'Credit'}
function ledgerTotals(from: string, to: string, key: (f: AzServer['ledger'][number]) => string) {
  const out = new Map<string, {billed: number; effective: number}>()
  for (const f of az.ledger.filter((x) => x.day >= from && x.day <= to)) {
    const t = out.get(key(f)) ?? {billed: 0, effective: 0}
    t.billed += f.actual
    t.effective += f.amortized
    out.set(key(f), t)
  }
  return out
}
const storeTotals = (from: string, to: string, keys: string[]): Totals => totalsInStore(db, keys, from, to)
const expectSame = expectSameTotals

beforeAll(async () => {
  serverDir = tempDir('finops-az-')
  az = await startCostManagement(serverDir.dir, {pageRows: 40})
})
afterAll(async () => {
  await az.close()
  serverDir.cleanup()
})
beforeEach(() => {
  tmp = tempDir()
  db = openStore(`${tmp.dir}/finops.db`)
  az.reset()
  az.ledger = sampleAzureLedger('2026-09-15', '2026-11-25')
  sleeps.length = 0
})
afterEach(() => {
  db.close()
  tmp.cleanup()
})

describe('finops collect azure (Cost Management Query over HTTPS)', () => {
  it('queries ActualCost and AmortizedCost daily at the scope, follows nextLink, and merges them per grain', async () => {
    const summary = await collect()
    expect(summary.window).toEqual({from: '2026-10-27', to: '2026-11-25'})
    const queries = az.queries()
    const first = queries[0]!
    expect(first.path).toBe(`${BILLING_SCOPE}/providers/Microsoft.CostManagement/query`)
    expect(first.url.searchParams.get('api-version')).toBe('2023-11-01')
    expect(first.headers.authorization).toBe(`Bearer ${AZ_TOKEN}`)
    expect(first.json).toEqual({
      type: 'ActualCost',
      timeframe: 'Custom',
      timePeriod: {from: '2026-10-27T00:00:00Z', to: '2026-11-25T23:59:59Z'},
      dataset: {
        granularity: 'Daily',
        aggregation: {totalCost: {name: 'Cost', function: 'Sum'}},
        grouping: [
          {type: 'Dimension', name: 'ServiceName'},
          {type: 'Dimension', name: 'SubscriptionId'},
        ],
        filter: {dimensions: {name: 'ChargeType', operator: 'In', values: ['Usage']}},
      },
    })
    // Pages follow nextLink with the same body.
    expect(queries[1]!.url.searchParams.get('$skiptoken')).toBe('40')
    expect(queries[1]!.body).toBe(first.body)
    const types = queries.map((q) => (q.json as {type: string}).type)
    expect(types).toContain('AmortizedCost')
    expect(summary.requests).toBe(queries.length)
    expect(queries.length).toBeGreaterThan(4)
    expectSame(
      storeTotals('2026-10-27', '2026-11-25', ['sub-account', 'charge-category']),
      ledgerTotals('2026-10-27', '2026-11-25', (f) => `${f.subscription}|${CATEGORY[f.chargeType]}`),
    )
    const purchase = db
      .prepare(
        `SELECT SUM(billed_cost) AS b, SUM(effective_cost) AS e, MIN(charge_frequency) AS f FROM cost_daily WHERE charge_category = 'Purchase'`,
      )
      .get()
    expect(purchase).toEqual({b: 240, e: 0, f: 'One-Time'})
    expect(getWatermark(db, 'azure', summary.location)).toMatchObject({
      collectedThrough: '2026-11-25',
      finalThrough: '2026-10-31',
    })
  })

  it('sends only filters the Query API has (no "not"): other charges are fetched unfiltered and their Usage rows dropped', async () => {
    await collect({}, {from: '2026-11-01', to: '2026-11-10'})
    const bodies = az
      .queries()
      .map((q) => q.json as {type: string; dataset: {grouping: {name: string}[]; filter?: unknown}})
    const other = bodies.filter((b) => b.dataset.grouping[0]!.name === 'ChargeType')
    expect(other.map((b) => b.type).sort()).toEqual(['ActualCost', 'AmortizedCost'])
    for (const b of other) expect(b.dataset.filter).toBeUndefined()
    for (const b of bodies.filter((x) => x.dataset.filter !== undefined))
      expect(JSON.stringify(b.dataset.filter)).not.toContain('"not"')
    // Usage is counted once (from the usage call, at service grain), purchases and refunds once.
    expectSame(
      storeTotals('2026-11-01', '2026-11-10', ['charge-category', 'sub-account']),
      ledgerTotals('2026-11-01', '2026-11-10', (f) => `${CATEGORY[f.chargeType]}|${f.subscription}`),
    )
  })

  it('at a subscription scope groups usage by service and location', async () => {
    await collect({scope: `subscriptions/${SUB_A}/`}, {from: '2026-11-20', to: '2026-11-25'})
    const body = az.queries()[0]!
    expect(body.path).toBe(`/subscriptions/${SUB_A}/providers/Microsoft.CostManagement/query`)
    expect((body.json as {dataset: {grouping: unknown}}).dataset.grouping).toEqual([
      {type: 'Dimension', name: 'ServiceName'},
      {type: 'Dimension', name: 'ResourceLocation'},
    ])
    const regions = db
      .prepare(`SELECT DISTINCT region_id FROM cost_daily WHERE charge_category = 'Usage' ORDER BY 1`)
      .pluck()
      .all()
    expect(regions).toEqual(['northeurope', 'westeurope'])
    expect(db.prepare('SELECT DISTINCT billing_account_id FROM cost_daily').pluck().all()).toEqual([
      `/subscriptions/${SUB_A}`,
    ])
  })

  it('retries 429 honouring the Cost Management retry-after headers, then succeeds', async () => {
    az.failNext(1, 429, {
      'x-ms-ratelimit-microsoft.costmanagement-qpu-retry-after': '2',
      'x-ms-ratelimit-microsoft.costmanagement-entity-retry-after': '1',
    })
    az.failNext(1, 503)
    const summary = await collect({}, {from: '2026-11-24', to: '2026-11-25'})
    expect(summary.retries).toBe(2)
    // The longest retry-after wins over the (shorter) jittered backoff; the 503 gets plain jitter.
    expect(sleeps).toEqual([2000, 100])
    expectSame(
      storeTotals('2026-11-24', '2026-11-25', ['sub-account']),
      ledgerTotals('2026-11-24', '2026-11-25', (f) => f.subscription),
    )
  })

  it('a connection reset mid-request is retried', async () => {
    az.failNext(1, 0)
    const summary = await collect({}, {from: '2026-11-24', to: '2026-11-25'})
    expect(summary.retries).toBe(1)
    expectSame(
      storeTotals('2026-11-24', '2026-11-25', ['sub-account']),
      ledgerTotals('2026-11-24', '2026-11-25', (f) => f.subscription),
    )
  })

  it('a retry-after beyond the limit ends the run without touching the store', async () => {
    az.failNext(1, 429, {'x-ms-ratelimit-microsoft.costmanagement-tenant-retry-after': '600'})
    const error = await collect().catch((e: unknown) => e)
    expect(isFinopsError(error) && error.exit).toBe(ExitCode.remote)
    expect((error as Error).message).toContain('asks to wait 600 s')
    expect(costDataRange(db)).toBeUndefined()
    expect(getWatermark(db, 'azure', `cost-management:${BILLING_SCOPE}`)).toBeUndefined()
  })

  it('a refused token is one auth error; a credential chain with nothing in it names DefaultAzureCredential', async () => {
    const refused = await collect({credential: fakeCredential('expired-token')}).catch((e: unknown) => e)
    expect(isFinopsError(refused) && refused.exit).toBe(ExitCode.auth)
    expect((refused as Error).message).toContain('401 AuthenticationFailed')
    const unavailable: TokenCredential = {
      getToken: async () => {
        const e = new Error('EnvironmentCredential is unavailable. Azure CLI not installed.')
        e.name = 'CredentialUnavailableError'
        throw e
      },
    }
    const missing = await collect({credential: unavailable}).catch((e: unknown) => e)
    expect(isFinopsError(missing) && missing.exit).toBe(ExitCode.auth)
    expect((missing as Error).message).toContain('DefaultAzureCredential')
    expect(az.queries()).toHaveLength(1)
  })

  it('restated values replace the window on the next run; an empty scope clears it', async () => {
    await collect({}, {from: '2026-11-01', to: '2026-11-25'})
    for (const f of az.ledger) if (f.day === '2026-11-23') f.actual *= 2
    const second = await collect()
    expect(second.window.from).toBe('2026-11-01')
    expectSame(
      storeTotals('2026-11-01', '2026-11-25', ['day']),
      ledgerTotals('2026-11-01', '2026-11-25', (f) => f.day),
    )
    az.ledger = []
    const third = await collect()
    expect(third.rollupRows).toBe(0)
    expect(db.prepare(`SELECT COUNT(*) FROM cost_daily WHERE day >= '2026-11-01'`).pluck().get()).toBe(0)
  })

  it('a tag grouping sends a TagKey grouping and stores the tag', async () => {
    await collect(
      {scope: `/subscriptions/${SUB_A}`, extraGroup: {kind: 'tag', key: 'env'}},
      {from: '2026-11-25', to: '2026-11-25'},
    )
    expect((az.queries()[0]!.json as {dataset: {grouping: unknown}}).dataset.grouping).toEqual([
      {type: 'Dimension', name: 'ServiceName'},
      {type: 'TagKey', name: 'env'},
    ])
    const tagged = db
      .prepare(
        `SELECT t.value AS v, SUM(c.billed_cost) AS b FROM cost_daily c JOIN tag_values t ON t.tag_set_id = c.tag_set_id AND t.key = 'env' GROUP BY 1`,
      )
      .all() as {v: string; b: number}[]
    const expected = az.ledger.filter((f) => f.day === '2026-11-25' && f.tags.env).reduce((s, f) => s + f.actual, 0)
    expect(tagged.map((r) => r.v).sort()).toEqual(['dev', 'prod'])
    expect(tagged.reduce((s, r) => s + r.b, 0)).toBeCloseTo(expected, 6)
  })
})
