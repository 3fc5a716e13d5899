import {afterAll, afterEach, beforeAll, beforeEach, describe, expect, it} from 'vitest'

import {collectCloudCosts} from '../../../src/collectors/cloud-collect.js'
import {cudId} from '../../../src/collectors/gcp/commitments.js'
import {gcpCostFetcher, type GcpSourceOptions} from '../../../src/collectors/gcp/index.js'
import {commitmentsStatusFromStore} from '../../../src/commitments/from-store.js'
import {openStore, type Db} from '../../../src/store/open.js'
import {tempDir} from '../../helpers/cli.js'
import {commitmentGcpLedger, EXPORT_TABLE, GCP_TOKEN, type GcpServer, startGoogleApis} from '../../servers/gcp.js'

const TODAY = '2026-11-26'
const WINDOW = {from: '2026-11-16', to: '2026-11-25'}
const COMPUTE_CUD = cudId('resource', 'Compute Engine', 'us-central1')
const SQL_CUD = cudId('spend', 'Cloud SQL', 'europe-west1')
let gcp: GcpServer
let db: Db
let tmp: {dir: string; cleanup: () => void}

const options = (extra: Partial<GcpSourceOptions> = {}): GcpSourceOptions => ({
  table: EXPORT_TABLE,
  endpoint: gcp.url,
  accessToken: GCP_TOKEN,
  pageSize: 25,
  retry: {maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1},
  retryHooks: {random: () => 0.5, sleep: async () => {}},
  ...extra,
})
const collect = (window: {from?: string; to?: string} = {}, extra: Partial<GcpSourceOptions> = {}) =>
  collectCloudCosts(db, gcpCostFetcher(options(extra)), {restatementDays: 3, initialDays: 10, today: TODAY, ...window})
const usageRows = (): number => db.prepare('SELECT count(*) FROM commitment_usage').pluck().get() as number

beforeAll(async () => {
  gcp = await startGoogleApis({pageRows: 25})
})
afterAll(async () => gcp.close())
beforeEach(() => {
  tmp = tempDir()
  db = openStore(`${tmp.dir}/finops.db`)
  gcp.reset()
  gcp.ledger = commitmentGcpLedger('2026-11-01', '2026-11-25')
})
afterEach(() => {
  db.close()
  tmp.cleanup()
})

describe('finops collect gcp: commitment usage (BigQuery export over the wire)', () => {
  it('runs one more query over the same partitions for CUD credits and fees, paged, and counts it', async () => {
    const summary = await collect()
    const queries = gcp.queries().filter((q) => q.method === 'POST')
    expect(queries).toHaveLength(3)
    const sql = (queries[2]!.json as {configuration: {query: {query: string}}}).configuration.query.query
    expect(sql).toContain("c.type = 'COMMITTED_USAGE_DISCOUNT'")
    expect(sql).toContain("c.type = 'COMMITTED_USAGE_DISCOUNT_DOLLAR_BASE'")
    expect(sql).toContain("STARTS_WITH(LOWER(sku.description), 'commitment')")
    expect(sql).toMatch(/_PARTITIONTIME >= TIMESTAMP_SUB\(TIMESTAMP\(@from_day\)/)
    expect(sql).toMatch(/service\.description IN \('Compute Engine', 'Cloud Run', 'Cloud SQL'/)
    expect(summary.requests).toBe(gcp.queries().length)
    expect(summary.commitmentRows).toBe(usageRows())
  })

  it('then commitments status states what each CUD cost, covered and saved, and coverage per service and region', async () => {
    await collect()
    const status = commitmentsStatusFromStore(db, WINDOW)
    const byId = new Map(status.commitments.map((c) => [c.id, c]))
    // 20/day of fee covering 30/day on demand, every day.
    expect(byId.get(COMPUTE_CUD)).toMatchObject({
      provider: 'Google Cloud',
      type: 'Committed Use Discount (resource-based)',
      category: 'Usage',
      usedCost: 200,
      unusedCost: 0,
      utilization: 1,
      coveredOnDemandCost: 300,
      netSavings: 100,
      families: ['Compute Engine us-central1'],
    })
    // 7/day covering 10/day on demand, except Sunday 2026-11-22 (nothing covered: the fee is unused).
    expect(byId.get(SQL_CUD)).toMatchObject({
      type: 'Committed Use Discount (spend-based)',
      category: 'Spend',
      usedCost: 63,
      unusedCost: 7,
      utilization: 0.9,
      coveredOnDemandCost: 90,
      netSavings: 20,
    })
    const families = new Map(status.families.map((f) => [`${f.serviceName} ${f.regionId}`, f]))
    // 36/day of cores, 30 covered, 6 on demand less a sustained-use credit of 1; Spot is not eligible.
    expect(families.get('Compute Engine us-central1')).toMatchObject({
      serviceCategory: 'Compute',
      eligibleOnDemandCost: 360,
      coveredOnDemandCost: 300,
      onDemandCost: 50,
      commitmentCost: 200,
      coverage: 300 / 360,
    })
    expect(families.get('Cloud SQL europe-west1')).toMatchObject({
      serviceCategory: 'Databases',
      eligibleOnDemandCost: 130,
      coverage: 90 / 130,
    })
    expect([...families.keys()].some((k) => k.startsWith('Cloud Storage'))).toBe(false)
    expect(status.totals).toEqual([
      {
        currency: 'USD',
        eligibleOnDemandCost: 490,
        coveredOnDemandCost: 390,
        coverage: 390 / 490,
        usedCost: 263,
        unusedCost: 7,
        utilization: 263 / 270,
        netSavings: 120,
      },
    ])
  })

  it('a re-collect of a restated window replaces those days rather than adding to them', async () => {
    await collect()
    const before = usageRows()
    gcp.ledger = commitmentGcpLedger('2026-11-01', '2026-11-25', 2)
    await collect({from: '2026-11-23', to: '2026-11-25'})
    expect(usageRows()).toBe(before)
    const status = commitmentsStatusFromStore(db, WINDOW)
    const compute = status.families.find((f) => f.serviceName === 'Compute Engine')!
    // Seven days at 6 on demand, the three restated days at 12; the CUDs are as they were.
    expect(compute.eligibleOnDemandCost).toBe(7 * 6 + 3 * 12 + 300)
    expect(status.totals[0]).toMatchObject({usedCost: 263, unusedCost: 7})
  })

  it('commitments: false sends two queries and writes no commitment usage', async () => {
    const summary = await collect({}, {commitments: false})
    expect(gcp.queries().filter((q) => q.method === 'POST')).toHaveLength(2)
    expect(summary.commitmentRows).toBe(0)
    expect(usageRows()).toBe(0)
  })
})
