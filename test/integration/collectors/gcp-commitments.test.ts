import {afterAll, afterEach, beforeAll, beforeEach, describe, expect, it} from 'vitest'

import {collectCloudCosts} from '../../../src/collectors/cloud-collect.js'
import {cudId} from '../../../src/collectors/gcp/commitments.js'
import {gcpCostFetcher, type GcpSourceOptions} from '../../../src/collectors/gcp/index.js'
import {commitmentsStatusFromStore} from '../../../src/commitments/from-store.js'
import {openStore, type Db} from '../../../src/store/open.js'
import {tempDir} from '../../helpers/cli.js'
import {listCommitmentTerms} from '../../../src/store/commitment-terms.js'
import {
  commitmentGcpLedger,
  commitmentGcpResources,
  EXPORT_TABLE,
  GCP_TOKEN,
  type GcpServer,
  startGoogleApis,
} from '../../servers/gcp.js'

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
  gcp = await startGoogleApis({pageRows: 25, commitmentPageSize: 2})
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
    // shop-prod is billed resource-based CUD fees: its commitments are listed once (no CUDs there: one page).
    expect(gcp.commitmentRequests()).toHaveLength(1)
    expect(summary.requests).toBe(gcp.queries().length + gcp.commitmentRequests().length)
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

describe('finops collect gcp: CUD terms (Compute Engine regionCommitments.aggregatedList over the wire)', () => {
  beforeEach(() => {
    // Three in us-central1 (one expired) and two more in europe-west1, two to a page: three pages.
    gcp.commitments = commitmentGcpResources(2)
  })

  it('lists the commitments of the projects billed CUD fees, follows nextPageToken, and counts every page', async () => {
    const summary = await collect()
    const lists = gcp.commitmentRequests()
    expect(lists.map((r) => [r.method, r.path])).toEqual(
      Array(3).fill(['GET', '/compute/v1/projects/shop-prod/aggregated/commitments']),
    )
    expect(lists.map((r) => r.url.searchParams.get('pageToken'))).toEqual([null, '2', '4'])
    expect(lists.every((r) => r.headers.authorization === `Bearer ${GCP_TOKEN}`)).toBe(true)
    expect(summary.requests).toBe(gcp.queries().length + lists.length)
    const terms = new Map(listCommitmentTerms(db).map((t) => [t.commitmentId, t]))
    expect(terms.get('projects/shop-prod/regions/us-central1/commitments/cud-us-central1-2')).toMatchObject({
      provider: 'Google Cloud',
      billingAccountId: '01A2B3-C4D5E6-F7A8B9',
      startDay: '2026-05-01',
      endDay: '2029-05-01',
      term: '3 years',
      hourlyCommitment: null,
      currency: 'USD',
    })
    expect(terms.get('projects/shop-prod/regions/us-central1/commitments/cud-us-central1-2')!.source).toContain(
      '(ACTIVE; GENERAL_PURPOSE_N2, 8 vCPU, 32 GB memory, autoRenew on)',
    )
    // Each commitment, and a pool per region with active ones (the expired one is in no pool).
    expect(terms.size).toBe(5 + 2)
  })

  it('then commitments status states when the pooled CUD first ends, and where that came from', async () => {
    await collect()
    const status = commitmentsStatusFromStore(db, WINDOW, {today: TODAY})
    const compute = status.commitments.find((c) => c.id === COMPUTE_CUD)!
    expect(compute).toMatchObject({expiry: '2027-02-01', daysLeft: 67, hourlyCommitment: null})
    expect(compute.expirySource).toBe(
      'GCP Compute Engine regionCommitments.aggregatedList: the first endTimestamp of the 2 ACTIVE commitments in us-central1 ' +
        '(shop-prod/cud-us-central1-1 ends 2027-02-01, shop-prod/cud-us-central1-2 ends 2029-05-01 (autoRenew)), as of 2026-11-25',
    )
    // No money amount in a resource commitment: renewing costs its fee as billed (20/day).
    expect(compute.renewal.renewMonthlyCost).toBeCloseTo((200 * 730) / 240, 2)
    expect(compute.renewal.renewSource).toMatch(/^the bill/)
    // Spend-based CUDs: no API lists them, so their end stays unknown.
    expect(status.commitments.find((c) => c.id === SQL_CUD)).toMatchObject({expiry: 'unknown', daysLeft: null})
    expect(status.notes).toContainEqual(expect.stringMatching(/^expiry is unknown for 1 of 2 commitment/))
  })

  it('retries a 429 from Compute Engine and still reads every page', async () => {
    gcp.failNext(1, 429, 'rateLimitExceeded', 'compute')
    const summary = await collect()
    expect(summary.retries).toBe(1)
    expect(gcp.commitmentRequests()).toHaveLength(4)
    expect(listCommitmentTerms(db)).toHaveLength(7)
  })

  it('without compute.commitments.list: one line naming it, the costs and CUD usage still land', async () => {
    gcp.deniedProjects.add('shop-prod')
    const summary = await collect()
    expect(summary.details.missing).toContain(
      "CUD end dates (Compute Engine commitments (project shop-prod)): permission denied (Required 'compute.commitments.list' " +
        "permission for 'projects/shop-prod'); grant compute.commitments.list on the project (roles/compute.viewer has it) to read them",
    )
    expect(usageRows()).toBeGreaterThan(0)
    expect(listCommitmentTerms(db)).toHaveLength(0)
    const status = commitmentsStatusFromStore(db, WINDOW, {today: TODAY})
    expect(status.commitments.find((c) => c.id === COMPUTE_CUD)).toMatchObject({expiry: 'unknown', utilization: 1})
  })

  it('commitmentProjects names the projects to list instead', async () => {
    await collect({}, {commitmentProjects: ['shop-prod', 'shared-cuds']})
    expect([...new Set(gcp.commitmentRequests().map((r) => r.path))]).toEqual([
      '/compute/v1/projects/shop-prod/aggregated/commitments',
      '/compute/v1/projects/shared-cuds/aggregated/commitments',
    ])
  })
})
