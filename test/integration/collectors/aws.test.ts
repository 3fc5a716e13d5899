import Database from 'better-sqlite3'
import {afterAll, afterEach, beforeAll, beforeEach, describe, expect, it} from 'vitest'

import {awsCostFetcher, type AwsSourceOptions} from '../../../src/collectors/aws/index.js'
import {collectCloudCosts} from '../../../src/collectors/cloud-collect.js'
import {isFinopsError} from '../../../src/errors.js'
import {ExitCode} from '../../../src/exit-codes.js'
import {accountNames, costDataRange} from '../../../src/store/costs.js'
import {openStore, type Db} from '../../../src/store/open.js'
import {getWatermark} from '../../../src/store/watermarks.js'
import {tempDir} from '../../helpers/cli.js'
import {CE_ACCESS_KEY, type CeServer, sampleLedger, startCostExplorer} from '../../servers/aws-cost-explorer.js'
import {expectSameTotals, storeTotals as totalsInStore, type Totals} from '../../helpers/totals.js'

const TODAY = '2026-11-26'
let ce: CeServer
let db: Db
let tmp: {dir: string; cleanup: () => void}

const sleeps: number[] = []
const options = (extra: Partial<AwsSourceOptions> = {}): AwsSourceOptions => ({
  endpoint: ce.url,
  region: 'us-east-1',
  billingAccount: '999999999999',
  credentials: {accessKeyId: CE_ACCESS_KEY, secretAccessKey: 'local-secret'},
  retry: {maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1000},
  retryHooks: {random: () => 0.5, sleep: async (ms) => void sleeps.push(ms)},
  // Commitment usage has its own test (aws-commitments.test.ts); these count the rollup's requests.
  commitments: false,
  ...extra,
})
const collect = (extra: Partial<AwsSourceOptions> = {}, window: {from?: string; to?: string} = {}) =>
  collectCloudCosts(db, awsCostFetcher(options(extra)), {restatementDays: 3, initialDays: 40, today: TODAY, ...window})

/** What the store holds per (sub account, service, charge category), to compare with the ledger. */
const storeTotals = (from: string, to: string): Totals =>
  totalsInStore(db, ['sub-account', 'charge-category'], from, to)

function ledgerTotals(from: string, to: string): Map<string, {billed: number; effective: number}> {
  const category: Record<string, string> = {Usage: 'Usage', Tax: 'Tax', RIFee: 'Purchase', Credit: 'Credit'}
  const out = new Map<string, {billed: number; effective: number}>()
  for (const f of ce.ledger.filter((x) => x.day >= from && x.day <= to)) {
    const k = `${f.account}|${category[f.recordType]}`
    const t = out.get(k) ?? {billed: 0, effective: 0}
    t.billed += f.unblended
    t.effective += f.amortized
    out.set(k, t)
  }
  return out
}

beforeAll(async () => {
  ce = await startCostExplorer({pageDays: 14})
})
afterAll(async () => ce.close())
beforeEach(() => {
  tmp = tempDir()
  db = openStore(`${tmp.dir}/finops.db`)
  ce.reset()
  ce.ledger = sampleLedger('2026-09-01', '2026-11-25')
  sleeps.length = 0
})
afterEach(() => {
  db.close()
  tmp.cleanup()
})

describe('finops collect aws (Cost Explorer over the wire)', () => {
  it('plans two GetCostAndUsage calls (and two for usage types), pages them, and lands the ledger at the FOCUS grain', async () => {
    const summary = await collect()
    expect(summary.window).toEqual({from: '2026-10-17', to: '2026-11-25'})
    const calls = ce.calls('GetCostAndUsage')
    // 40 days in pages of 14 days: 3 pages for each of the two planned calls, then of the two usage-type calls.
    expect(calls).toHaveLength(12)
    expect(summary.requests).toBe(12)
    expect(calls.slice(6).map((c) => (c.json as {GroupBy: {Key: string}[]}).GroupBy.map((g) => g.Key))).toEqual([
      ...Array.from({length: 3}, () => ['SERVICE', 'USAGE_TYPE']),
      ...Array.from({length: 3}, () => ['LINKED_ACCOUNT', 'USAGE_TYPE']),
    ])
    const first = calls[0]!.json as Record<string, unknown>
    expect(calls[0]!.headers['content-type']).toBe('application/x-amz-json-1.1')
    expect(first).toMatchObject({
      TimePeriod: {Start: '2026-10-17', End: '2026-11-26'},
      Granularity: 'DAILY',
      Metrics: ['UnblendedCost', 'AmortizedCost'],
      GroupBy: [
        {Type: 'DIMENSION', Key: 'LINKED_ACCOUNT'},
        {Type: 'DIMENSION', Key: 'SERVICE'},
      ],
      Filter: {
        Dimensions: {
          Key: 'RECORD_TYPE',
          Values: ['Usage', 'DiscountedUsage', 'SavingsPlanCoveredUsage', 'SavingsPlanNegation'],
        },
      },
    })
    expect(first.NextPageToken).toBeUndefined()
    expect((calls[1]!.json as {NextPageToken?: string}).NextPageToken).toBeTruthy()
    expect(calls[3]!.json).toMatchObject({
      GroupBy: [
        {Type: 'DIMENSION', Key: 'LINKED_ACCOUNT'},
        {Type: 'DIMENSION', Key: 'RECORD_TYPE'},
      ],
      Filter: {Not: {Dimensions: {Key: 'RECORD_TYPE'}}},
    })
    expectSameTotals(storeTotals('2026-10-17', '2026-11-25'), ledgerTotals('2026-10-17', '2026-11-25'))
    const rifee = db
      .prepare(
        `SELECT charge_frequency AS f, SUM(billed_cost) AS b, SUM(effective_cost) AS e FROM cost_daily WHERE charge_category = 'Purchase'`,
      )
      .get() as {f: string; b: number; e: number}
    expect(rifee).toEqual({f: 'Recurring', b: 60, e: 0})
    expect([...accountNames(db)].sort()).toEqual([
      ['111111111111', 'payments-prod'],
      ['222222222222', 'data-staging'],
    ])
    expect(getWatermark(db, 'aws-ce', summary.location)).toMatchObject({
      collectedThrough: '2026-11-25',
      finalThrough: '2026-10-31',
      lastRequests: 12,
    })
  })

  it('re-collects the restatement window and the open month on the next run and replaces restated values', async () => {
    await collect()
    const before = storeTotals('2026-10-17', '2026-10-31')
    // The provider restates two days of November, and would restate October too if asked (it is not).
    for (const f of ce.ledger)
      if (f.day === '2026-11-24' || f.day === '2026-11-03' || f.day === '2026-10-20') f.unblended += 100
    ce.requests.length = 0
    const second = await collect({}, {})
    expect(second.window).toEqual({from: '2026-11-01', to: '2026-11-25'})
    expect((ce.calls('GetCostAndUsage')[0]!.json as {TimePeriod: unknown}).TimePeriod).toEqual({
      Start: '2026-11-01',
      End: '2026-11-26',
    })
    expectSameTotals(storeTotals('2026-11-01', '2026-11-25'), ledgerTotals('2026-11-01', '2026-11-25'))
    // Settled October is untouched: the restated 10-20 value was not fetched and nothing double-counted.
    expectSameTotals(storeTotals('2026-10-17', '2026-10-31'), before)
  })

  it('days Cost Explorer still marks Estimated are not settled: last month is re-collected until its invoice closes', async () => {
    // 3 November: October's bill is not final yet, so Cost Explorer still answers October as Estimated.
    ce.estimatedFrom = '2026-10-01'
    const run = (today: string) =>
      collectCloudCosts(db, awsCostFetcher(options()), {restatementDays: 3, initialDays: 40, today})
    const first = await run('2026-11-03')
    expect(first.watermark).toMatchObject({after: '2026-11-02', finalThrough: '2026-09-30'})
    // A late October credit, posted on the 4th while October is still estimated, is picked up.
    ce.ledger.push({
      day: '2026-10-12',
      account: '111111111111',
      service: 'AWS Support (Business)',
      recordType: 'Credit',
      region: '',
      tags: {},
      unblended: -40,
      amortized: -40,
    })
    const second = await run('2026-11-05')
    expect(second.window).toEqual({from: '2026-10-01', to: '2026-11-04'})
    expectSameTotals(storeTotals('2026-10-01', '2026-11-04'), ledgerTotals('2026-10-01', '2026-11-04'))
    // The invoice closed: October is settled, November is not (the current month never is).
    ce.estimatedFrom = '2026-11-01'
    const third = await run('2026-11-07')
    expect(third.window.from).toBe('2026-10-01')
    expect(third.watermark.finalThrough).toBe('2026-10-31')
    expect((await run('2026-11-08')).window.from).toBe('2026-11-01')
  })

  it('Savings Plan negation nets covered usage per service; amortized totals count each fee once', async () => {
    const ec2 = 'Amazon Elastic Compute Cloud - Compute'
    const fact = (recordType: string, service: string, unblended: number, amortized: number) => ({
      day: '2026-11-20',
      account: '111111111111',
      service,
      recordType,
      region: 'us-east-1',
      tags: {},
      unblended,
      amortized,
    })
    // 100 of on-demand EC2 covered by a Savings Plan whose 80/day commitment is 70 used, 10 unused.
    ce.ledger = [
      fact('Usage', ec2, 25, 25),
      fact('SavingsPlanCoveredUsage', ec2, 100, 70),
      fact('SavingsPlanNegation', ec2, -100, 0),
      fact('SavingsPlanRecurringFee', 'Savings Plans for AWS Compute usage', 80, 10),
    ]
    await collect({}, {from: '2026-11-20', to: '2026-11-20'})
    const rows = db
      .prepare(
        `SELECT service_name AS s, charge_category AS c, charge_frequency AS f, billed_cost AS b, effective_cost AS e
      FROM cost_daily ORDER BY c, s`,
      )
      .all()
    expect(rows).toEqual([
      {s: '', c: 'Purchase', f: 'Recurring', b: 80, e: 10},
      {s: ec2, c: 'Usage', f: 'Usage-Based', b: 25, e: 95},
    ])
  })

  it('retries ThrottlingException with bounded, jittered backoff and then succeeds', async () => {
    ce.failNext(2, 'ThrottlingException')
    const summary = await collect({usageTypes: false}, {from: '2026-11-20', to: '2026-11-25'})
    expect(summary.retries).toBe(2)
    expect(summary.requests).toBe(4)
    expect(sleeps).toEqual([50, 100])
    expectSameTotals(storeTotals('2026-11-20', '2026-11-25'), ledgerTotals('2026-11-20', '2026-11-25'))
  })

  it('tells a request listener of every page and retry as it is sent, for the progress display', async () => {
    ce.failNext(2, 'ThrottlingException')
    const heard: {requests: number; retries: number}[] = []
    const summary = await collectCloudCosts(db, awsCostFetcher(options({usageTypes: false})), {
      restatementDays: 3,
      initialDays: 40,
      today: TODAY,
      onRequest: (sent) => heard.push({...sent}),
    })
    expect(summary.requests).toBe(8)
    expect(heard.map((h) => h.requests)).toEqual([1, 2, 3, 4, 5, 6, 7, 8])
    // The first two attempts are throttled: each resend is heard with its retry already counted.
    expect(heard.at(-1)!.retries).toBe(2)
    expect(heard.map((h) => h.retries)).toEqual([0, 1, 2, 2, 2, 2, 2, 2])
  })

  it('a connection reset mid-request is retried like throttling, within the same budget', async () => {
    ce.failNext(1, 'DROP')
    const summary = await collect({usageTypes: false}, {from: '2026-11-24', to: '2026-11-25'})
    expect(summary.retries).toBe(1)
    expect(summary.requests).toBe(3)
    expectSameTotals(storeTotals('2026-11-24', '2026-11-25'), ledgerTotals('2026-11-24', '2026-11-25'))
  })

  it('gives up after the retry budget with a remote error, leaving store and watermark unchanged', async () => {
    await collect({}, {from: '2026-11-20', to: '2026-11-22'})
    const before = storeTotals('2026-11-01', '2026-11-30')
    const mark = getWatermark(db, 'aws-ce', 'cost-explorer:999999999999')
    ce.failNext(10, 'LimitExceededException')
    const error = await collect().catch((e: unknown) => e)
    expect(isFinopsError(error) && error.exit).toBe(ExitCode.remote)
    expect(String((error as Error).message)).toMatch(/still throttled .* after 4 attempts/)
    expect(storeTotals('2026-11-01', '2026-11-30')).toEqual(before)
    expect(getWatermark(db, 'aws-ce', 'cost-explorer:999999999999')).toEqual(mark)
  })

  it('a refused key is one auth error naming the credential chain', async () => {
    const error = await collect({credentials: {accessKeyId: 'AKIAWRONGKEY00000000', secretAccessKey: 'x'}}).catch(
      (e: unknown) => e,
    )
    expect(isFinopsError(error) && error.exit).toBe(ExitCode.auth)
    expect((error as Error).message).toContain('UnrecognizedClientException')
    expect((error as Error).message).toContain('default credential chain')
    expect(costDataRange(db)).toBeUndefined()
  })

  it('a store locked by another process is a store error (exit 4), not an internal one; nothing is written', async () => {
    await collect({}, {from: '2026-11-20', to: '2026-11-21'})
    const before = db.prepare('SELECT COUNT(*) FROM cost_daily').pluck().get()
    const other = new Database(`${tmp.dir}/finops.db`)
    db.pragma('busy_timeout = 0')
    other.exec('BEGIN IMMEDIATE')
    try {
      const error = await collect({}, {from: '2026-11-22', to: '2026-11-25'}).catch((e: unknown) => e)
      expect(isFinopsError(error) && error.exit).toBe(ExitCode.store)
      expect((error as Error).message).toMatch(
        /^cannot write AWS costs for cost-explorer:999999999999 to the store: the store is locked by another process$/,
      )
    } finally {
      other.exec('ROLLBACK')
      other.close()
    }
    expect(db.prepare('SELECT COUNT(*) FROM cost_daily').pluck().get()).toBe(before)
    expect(getWatermark(db, 'aws-ce', 'cost-explorer:999999999999')?.collectedThrough).toBe('2026-11-21')
  })

  it('an empty result clears the window and still advances the watermark', async () => {
    await collect({}, {from: '2026-11-20', to: '2026-11-25'})
    ce.ledger = []
    const summary = await collect({}, {from: '2026-11-20', to: '2026-11-25'})
    expect(summary.rollupRows).toBe(0)
    expect(costDataRange(db)).toBeUndefined()
    expect(getWatermark(db, 'aws-ce', summary.location)?.collectedThrough).toBe('2026-11-25')
  })

  it('a region grouping lists linked accounts once and fans usage out per account', async () => {
    const summary = await collect(
      {extraGroup: {kind: 'region'}, billingAccount: '999999999999'},
      {from: '2026-11-20', to: '2026-11-25'},
    )
    expect(ce.calls('GetDimensionValues')).toHaveLength(1)
    const usage = ce.calls('GetCostAndUsage')
    // Usage types are not fanned out: two calls over all accounts, whatever their number.
    expect(usage.map((c) => (c.json as {GroupBy: {Key: string}[]}).GroupBy.map((g) => g.Key))).toEqual([
      ['SERVICE', 'REGION'],
      ['SERVICE', 'REGION'],
      ['LINKED_ACCOUNT', 'RECORD_TYPE'],
      ['SERVICE', 'USAGE_TYPE'],
      ['LINKED_ACCOUNT', 'USAGE_TYPE'],
    ])
    expect(summary.requests).toBe(6)
    const regions = db
      .prepare(`SELECT DISTINCT region_id FROM cost_daily WHERE charge_category = 'Usage' ORDER BY 1`)
      .pluck()
      .all()
    expect(regions).toEqual(['eu-west-1', 'us-east-1', 'us-west-2'])
    expectSameTotals(storeTotals('2026-11-20', '2026-11-25'), ledgerTotals('2026-11-20', '2026-11-25'))
    // No other charges in this window, so the account names come from GetDimensionValues' attributes.
    expect([...accountNames(db)].sort()).toEqual([
      ['111111111111', 'payments-prod'],
      ['222222222222', 'data-staging'],
    ])
  })

  it('a tag grouping maps "key$value" group keys to tags', async () => {
    await collect({extraGroup: {kind: 'tag', key: 'team'}}, {from: '2026-11-24', to: '2026-11-25'})
    const rows = db
      .prepare(
        `SELECT t.value AS team, SUM(c.billed_cost) AS b FROM cost_daily c JOIN tag_values t ON t.tag_set_id = c.tag_set_id AND t.key = 'team' GROUP ` +
          `BY 1 ORDER BY 1`,
      )
      .all() as {team: string; b: number}[]
    const expected = (team: string) =>
      ce.ledger
        .filter((f) => f.tags.team === team && f.day >= '2026-11-24' && f.day <= '2026-11-25')
        .reduce((s, f) => s + f.unblended, 0)
    expect(rows.map((r) => r.team)).toEqual(['data', 'payments'])
    expect(rows[0]!.b).toBeCloseTo(expected('data'), 6)
    expect(rows[1]!.b).toBeCloseTo(expected('payments'), 6)
  })
})
