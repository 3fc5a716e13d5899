import {afterAll, afterEach, beforeAll, beforeEach, describe, expect, it} from 'vitest'

import {awsCostFetcher, type AwsSourceOptions} from '../../../src/collectors/aws/index.js'
import {collectCloudCosts} from '../../../src/collectors/cloud-collect.js'
import {commitmentsStatusFromStore} from '../../../src/commitments/from-store.js'
import {openStore, type Db} from '../../../src/store/open.js'
import {tempDir} from '../../helpers/cli.js'
import {
  CE_ACCESS_KEY,
  type CeServer,
  commitmentLedger,
  PLAN_ARN,
  RDS_RESERVATION,
  startCostExplorer,
} from '../../servers/aws-cost-explorer.js'

const TODAY = '2026-11-26'
/** The days the first collect fetches (initialDays 10). */
const WINDOW = {from: '2026-11-16', to: '2026-11-25'}
let ce: CeServer
let db: Db
let tmp: {dir: string; cleanup: () => void}

const options = (extra: Partial<AwsSourceOptions> = {}): AwsSourceOptions => ({
  endpoint: ce.url,
  region: 'us-east-1',
  billingAccount: '999999999999',
  credentials: {accessKeyId: CE_ACCESS_KEY, secretAccessKey: 'local-secret'},
  retry: {maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1},
  retryHooks: {random: () => 0.5, sleep: async () => {}},
  usageTypes: false,
  ...extra,
})
const collect = (window: {from?: string; to?: string} = {}, extra: Partial<AwsSourceOptions> = {}) =>
  collectCloudCosts(db, awsCostFetcher(options(extra)), {restatementDays: 3, initialDays: 10, today: TODAY, ...window})
const usageRows = (): number => (db.prepare('SELECT count(*) FROM commitment_usage').pluck().get() as number) ?? 0

beforeAll(async () => {
  ce = await startCostExplorer({pageDays: 7})
})
afterAll(async () => ce.close())
beforeEach(() => {
  tmp = tempDir()
  db = openStore(`${tmp.dir}/finops.db`)
  ce.reset()
  ce.ledger = commitmentLedger('2026-11-01', '2026-11-25')
  // As Cost Explorer states a partial-upfront 3-year plan (32 a day: 24 recurring, 8 amortized upfront) and a 1-year RI.
  ce.planAttributes = {
    [PLAN_ARN]: {
      SavingsPlansType: 'ComputeSavingsPlans',
      StartDateTime: '2024-11-01T00:00:00.000Z',
      EndDateTime: '2027-10-31T23:59:59.000Z',
      PurchaseTerm: '3yr',
      PaymentOption: 'Partial Upfront',
      RecurringHourlyFee: '1',
      UpfrontFee: '8760',
    },
  }
  ce.reservationAttributes = {
    [RDS_RESERVATION]: {
      startDateTime: '2026-01-01T00:00:00.000Z',
      endDateTime: '2026-12-31T23:59:59.000Z',
      subscriptionType: 'No Upfront',
      region: 'us-east-1',
    },
  }
})
afterEach(() => {
  db.close()
  tmp.cleanup()
})

describe('finops collect aws: commitment usage (Cost Explorer over the wire)', () => {
  it('asks for eligible usage by service and record type, then each plan day and each RI service, and counts every request', async () => {
    const summary = await collect()
    expect(summary.window).toEqual({from: '2026-11-16', to: '2026-11-25'})
    const usage = ce.calls('GetCostAndUsage')
    expect(usage.at(-1)!.json).toMatchObject({
      Granularity: 'DAILY',
      Metrics: ['UnblendedCost', 'AmortizedCost'],
      GroupBy: [
        {Type: 'DIMENSION', Key: 'SERVICE'},
        {Type: 'DIMENSION', Key: 'RECORD_TYPE'},
      ],
      Filter: {
        Or: [
          {
            And: [
              {Dimensions: {Key: 'RECORD_TYPE', Values: ['Usage', 'DiscountedUsage', 'SavingsPlanCoveredUsage']}},
              {Dimensions: {Key: 'SERVICE'}},
              {Not: {Dimensions: {Key: 'PURCHASE_TYPE', Values: ['Spot Instances']}}},
            ],
          },
          {Dimensions: {Key: 'RECORD_TYPE', Values: ['SavingsPlanRecurringFee', 'RIFee']}},
        ],
      },
    })
    // One utilization request per day with plan activity (ten), one reservation request for RDS.
    const plans = ce.calls('GetSavingsPlansUtilizationDetails')
    expect(plans.map((c) => (c.json as {TimePeriod: {Start: string}}).TimePeriod.Start)).toEqual(
      Array.from({length: 10}, (_, i) => `2026-11-${String(16 + i)}`),
    )
    const reservations = ce.calls('GetReservationUtilization')
    expect(reservations.map((c) => c.json)).toEqual([
      {
        TimePeriod: {Start: '2026-11-16', End: '2026-11-26'},
        GroupBy: [{Type: 'DIMENSION', Key: 'SUBSCRIPTION_ID'}],
        Filter: {Dimensions: {Key: 'SERVICE', Values: ['Amazon Relational Database Service']}},
      },
    ])
    // Two 10-day calls in pages of 7 days (2 pages each) for the rollup, 2 pages for commitment usage, 10 + 1.
    expect(summary.requests).toBe(4 + 2 + 10 + 1)
    expect(summary.requests).toBe(ce.requests.length)
    expect(summary.commitmentRows).toBe(usageRows())
  })

  it('then commitments status states utilization and coverage per plan, reservation and service, as Cost Explorer does', async () => {
    await collect()
    const status = commitmentsStatusFromStore(db, WINDOW)
    expect(status.window).toEqual({from: '2026-11-16', to: '2026-11-25', hours: 240})
    const byId = new Map(status.commitments.map((c) => [c.id, c]))
    // Plan: 31.5 of 32 a day used, covering 45 on demand; ten days.
    expect(byId.get(PLAN_ARN)).toMatchObject({
      provider: 'AWS',
      billingAccountId: '999999999999',
      type: 'Savings Plan (ComputeSavingsPlans)',
      category: 'Spend',
      usedCost: 315,
      unusedCost: 5,
      utilization: 31.5 / 32,
      coveredOnDemandCost: 450,
      netSavings: 130,
      families: ['AWS Lambda (no region)', 'Amazon Elastic Compute Cloud - Compute (no region)'],
    })
    expect(byId.get(RDS_RESERVATION)).toMatchObject({
      type: 'Reserved Instance',
      category: 'Usage',
      usedCost: 90,
      unusedCost: 10,
      utilization: 0.9,
      coveredOnDemandCost: 150,
      netSavings: 50,
    })
    const families = new Map(status.families.map((f) => [f.serviceName, f]))
    // Spot (4/day) and S3 are not eligible; EC2 is 10 on demand + 40 covered.
    expect(families.get('Amazon Elastic Compute Cloud - Compute')).toMatchObject({
      serviceCategory: 'Compute',
      eligibleOnDemandCost: 500,
      coveredOnDemandCost: 400,
      onDemandCost: 100,
      commitmentCost: 280,
      coverage: 0.8,
    })
    expect(families.get('Amazon Relational Database Service')).toMatchObject({
      serviceCategory: 'Databases',
      eligibleOnDemandCost: 210,
      coveredOnDemandCost: 150,
      coverage: 15 / 21,
    })
    expect(families.get('AWS Lambda')).toMatchObject({coverage: 1, eligibleOnDemandCost: 50})
    expect([...families.keys()]).not.toContain('Amazon Simple Storage Service')
    expect(status.totals).toEqual([
      {
        currency: 'USD',
        eligibleOnDemandCost: 760,
        coveredOnDemandCost: 600,
        coverage: 600 / 760,
        usedCost: 405,
        unusedCost: 15,
        utilization: 405 / 420,
        netSavings: 180,
      },
    ])
  })

  it("keeps each plan's and reservation's end date, hourly commitment and recurring fees, so status says when each ends and what renewing costs", async () => {
    await collect()
    const status = commitmentsStatusFromStore(db, WINDOW, {today: TODAY})
    const byId = new Map(status.commitments.map((c) => [c.id, c]))
    const plan = byId.get(PLAN_ARN)!
    expect(plan).toMatchObject({expiry: '2027-10-31', daysLeft: 339, hourlyCommitment: 32 / 24})
    expect(plan.expirySource).toMatch(/^AWS Cost Explorer GetSavingsPlansUtilizationDetails .*, as of 2026-11-25$/)
    // Renewing buys the same 32 a day; lapsing puts the 45 a day it covers back on demand.
    expect(plan.renewal.renewMonthlyCost).toBeCloseTo((32 / 24) * 730, 2)
    expect(plan.renewal.renewSource).toMatch(
      /^hourly commitment x 730 h: AWS Cost Explorer GetSavingsPlansUtilizationDetails/,
    )
    expect(plan.renewal.notRenewingMonthlyCost).toBeCloseTo((45 / 24) * 730, 2)
    // The recurring part of the plan (24 a day) and the RI's fee (10 a day) are kept as its purchase rows.
    expect(plan.fees).toBe(240)
    const ri = byId.get(RDS_RESERVATION)!
    expect(ri).toMatchObject({expiry: '2026-12-31', daysLeft: 35, hourlyCommitment: 10 / 24, fees: 100})
    expect(ri.expirySource).toMatch(/GetReservationUtilization by SUBSCRIPTION_ID/)
    expect(status.notes).toContainEqual(expect.stringMatching(`^${RDS_RESERVATION} ends 2026-12-31 \\(in 35 days\\)`))
    expect(status.notes.join('\n')).not.toMatch(/expiry is unknown/)
    // A later collect states them again for its later days; an earlier window never overwrites them.
    ce.reservationAttributes = {[RDS_RESERVATION]: {endDateTime: '2027-12-31T23:59:59.000Z'}}
    await collect({from: '2026-11-10', to: '2026-11-12'})
    expect(
      commitmentsStatusFromStore(db, WINDOW, {today: TODAY}).commitments.find((c) => c.id === RDS_RESERVATION),
    ).toMatchObject({expiry: '2026-12-31'})
  })

  it('a re-collect of a restated window replaces those days rather than adding to them', async () => {
    await collect()
    const before = usageRows()
    // November is still open, so Cost Explorer restates it: on-demand usage doubles on the last three days.
    ce.ledger = commitmentLedger('2026-11-01', '2026-11-25', 2)
    const again = await collect({from: '2026-11-23', to: '2026-11-25'})
    expect(again.window).toEqual({from: '2026-11-23', to: '2026-11-25'})
    expect(usageRows()).toBe(before)
    const status = commitmentsStatusFromStore(db, WINDOW)
    const ec2 = status.families.find((f) => f.serviceName === 'Amazon Elastic Compute Cloud - Compute')!
    // Seven days at 10 on demand, the three restated days at 20.
    expect(ec2.onDemandCost).toBe(7 * 10 + 3 * 20)
    expect(status.commitments.find((c) => c.id === PLAN_ARN)!.usedCost).toBe(315)
  })

  it('an account without Savings Plans or reservations costs one more request per page, no more', async () => {
    ce.ledger = commitmentLedger('2026-11-01', '2026-11-25').filter((f) => !f.commitmentId && f.recordType === 'Usage')
    const summary = await collect()
    expect(ce.calls('GetSavingsPlansUtilizationDetails')).toHaveLength(0)
    expect(ce.calls('GetReservationUtilization')).toHaveLength(0)
    expect(summary.requests).toBe(4 + 2)
    const status = commitmentsStatusFromStore(db, WINDOW)
    expect(status.commitments).toEqual([])
    expect(status.totals[0]).toMatchObject({eligibleOnDemandCost: 160, coverage: 0})
  })

  it('commitments: false sends none of the commitment requests and writes no commitment usage', async () => {
    const summary = await collect({}, {commitments: false})
    expect(summary.requests).toBe(4)
    expect(summary.commitmentRows).toBe(0)
    expect(usageRows()).toBe(0)
  })

  it('an identity refused the utilization APIs still gets usage and coverage, and is told what is missing', async () => {
    ce.denyOperation('GetSavingsPlansUtilizationDetails')
    const summary = await collect()
    expect(summary.details.missing.join('\n')).toMatch(
      /Savings Plans: refused \(AccessDeniedException\); grant ce:GetSavingsPlansUtilizationDetails/,
    )
    const status = commitmentsStatusFromStore(db, WINDOW)
    expect(status.commitments.map((c) => c.id)).toEqual([RDS_RESERVATION])
    expect(status.families.find((f) => f.serviceName === 'Amazon Elastic Compute Cloud - Compute')).toMatchObject({
      onDemandCost: 100,
    })
  })
})
