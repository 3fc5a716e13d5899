import type {TokenCredential} from '@azure/identity'
import {afterAll, afterEach, beforeAll, beforeEach, describe, expect, it} from 'vitest'

import {azureCostFetcher, type AzureSourceOptions} from '../../../src/collectors/azure/index.js'
import {collectCloudCosts} from '../../../src/collectors/cloud-collect.js'
import {commitmentsStatusFromStore} from '../../../src/commitments/from-store.js'
import {listCommitmentTerms} from '../../../src/store/commitment-terms.js'
import {openStore, type Db} from '../../../src/store/open.js'
import {tempDir} from '../../helpers/cli.js'
import {
  AZ_RESERVATION,
  AZ_SAVINGS_PLAN,
  AZ_TOKEN,
  type AzServer,
  commitmentAzureBenefits,
  commitmentAzureLedger,
  startCostManagement,
  SUB_A,
} from '../../servers/azure-cost-management.js'

const TODAY = '2026-11-26'
const WINDOW = {from: '2026-11-16', to: '2026-11-25'}
let az: AzServer
let db: Db
let tmp: {dir: string; cleanup: () => void}
let serverDir: {dir: string; cleanup: () => void}
const credential: TokenCredential = {
  getToken: async () => ({token: AZ_TOKEN, expiresOnTimestamp: Date.now() + 3_600_000}),
}
const options = (extra: Partial<AzureSourceOptions> = {}): AzureSourceOptions => ({
  scope: `/subscriptions/${SUB_A}`,
  endpoint: az.url,
  credential,
  tlsCa: az.cert,
  details: false,
  commitments: true,
  retry: {maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1},
  retryHooks: {random: () => 0.5, sleep: async () => {}},
  ...extra,
})
const collect = (window: {from?: string; to?: string} = {}, extra: Partial<AzureSourceOptions> = {}) =>
  collectCloudCosts(db, azureCostFetcher(options(extra)), {
    restatementDays: 3,
    initialDays: 10,
    today: TODAY,
    ...window,
  })
const usageRows = (): number => db.prepare('SELECT count(*) FROM commitment_usage').pluck().get() as number

beforeAll(async () => {
  serverDir = tempDir('finops-az-commit-')
  az = await startCostManagement(serverDir.dir, {pageRows: 25, benefitPageSize: 2})
})
afterAll(async () => {
  await az.close()
  serverDir.cleanup()
})
beforeEach(() => {
  tmp = tempDir()
  db = openStore(`${tmp.dir}/finops.db`)
  az.reset()
  az.ledger = commitmentAzureLedger('2026-11-01', '2026-11-25')
})
afterEach(() => {
  db.close()
  tmp.cleanup()
})

describe('finops collect azure: commitment usage (Cost Management Query over the wire)', () => {
  it('asks AmortizedCost by ServiceName x PricingModel and by BenefitId x ChargeType, and counts every page', async () => {
    const summary = await collect()
    const bodies = az
      .queries()
      .map((q) => q.json as {type: string; dataset: {grouping: {name: string}[]; filter?: unknown}})
    const commitment = bodies.filter((b) =>
      b.dataset.grouping.some((g) => g.name === 'PricingModel' || g.name === 'BenefitId'),
    )
    expect(commitment.map((b) => [b.type, b.dataset.grouping.map((g) => g.name)])).toContainEqual([
      'AmortizedCost',
      ['ServiceName', 'PricingModel'],
    ])
    expect(commitment.map((b) => b.dataset.filter)).toContainEqual({
      dimensions: {name: 'PricingModel', operator: 'In', values: ['Reservation', 'SavingsPlan']},
    })
    expect(commitment.every((b) => b.type === 'AmortizedCost')).toBe(true)
    expect(summary.requests).toBe(az.queries().length + az.listRequests().length)
    expect(summary.commitmentRows).toBe(usageRows())
  })

  it('then commitments status states each benefit’s utilization exactly, and coverage at the commitment’s price', async () => {
    await collect()
    const status = commitmentsStatusFromStore(db, WINDOW)
    const byId = new Map(status.commitments.map((c) => [c.id, c]))
    expect(byId.get(AZ_RESERVATION)).toMatchObject({
      provider: 'Microsoft',
      type: 'Reservation',
      category: 'Usage',
      usedCost: 90,
      unusedCost: 10,
      utilization: 0.9,
      families: ['Virtual Machines (no region)'],
    })
    expect(byId.get(AZ_SAVINGS_PLAN)).toMatchObject({
      type: 'Savings Plan',
      category: 'Spend',
      usedCost: 80,
      unusedCost: 5,
      utilization: 80 / 85,
      families: ['App Service (no region)', 'Virtual Machines (no region)'],
    })
    const vms = status.families.find((f) => f.serviceName === 'Virtual Machines')!
    // On demand 12/day; covered 9 (reservation) + 6 (savings plan) a day at the commitments' price; Spot left out.
    expect(vms).toMatchObject({onDemandCost: 120, coveredOnDemandCost: 150, eligibleOnDemandCost: 270})
    expect(status.families.some((f) => f.serviceName === 'Storage')).toBe(false)
  })

  it('a re-collect of a restated window replaces those days rather than adding to them', async () => {
    await collect()
    const before = usageRows()
    az.ledger = commitmentAzureLedger('2026-11-01', '2026-11-25', 2)
    await collect({from: '2026-11-23', to: '2026-11-25'})
    expect(usageRows()).toBe(before)
    const status = commitmentsStatusFromStore(db, WINDOW)
    expect(status.families.find((f) => f.serviceName === 'Virtual Machines')!.onDemandCost).toBe(7 * 12 + 3 * 24)
    expect(status.commitments.find((c) => c.id === AZ_RESERVATION)!.usedCost).toBe(90)
  })

  it('is off unless asked (commitments: true): no extra query, no commitment usage', async () => {
    await collect({}, {commitments: undefined})
    const groupings = az.queries().flatMap((q) => (q.json as {dataset: {grouping: {name: string}[]}}).dataset.grouping)
    expect(groupings.some((g) => g.name === 'PricingModel' || g.name === 'BenefitId')).toBe(false)
    expect(usageRows()).toBe(0)
  })
})

describe('finops collect azure: commitment terms (Reservation_ListAll and SavingsPlan_ListAll over the wire)', () => {
  beforeEach(() => {
    // Three more reservations than the bill's one (other subscriptions'), two to a page: two pages.
    az.benefits = commitmentAzureBenefits(3)
  })

  it('lists reservations and savings plans with api-version 2022-11-01, follows nextLink, and counts every page', async () => {
    const summary = await collect()
    const lists = az.listRequests()
    expect(lists.map((r) => [r.method, r.path.toLowerCase()])).toEqual([
      ['GET', '/providers/microsoft.capacity/reservations'],
      ['GET', '/providers/microsoft.capacity/reservations'],
      ['GET', '/providers/microsoft.billingbenefits/savingsplans'],
    ])
    expect(lists[1]!.url.searchParams.get('$skiptoken')).toBe('2')
    expect(lists.every((r) => r.headers.authorization === `Bearer ${AZ_TOKEN}`)).toBe(true)
    expect(summary.requests).toBe(az.queries().length + lists.length)
    expect(listCommitmentTerms(db)).toHaveLength(5)
  })

  it('then commitments status states each benefit’s end, days left and renewal cost, and where they came from', async () => {
    await collect()
    const status = commitmentsStatusFromStore(db, WINDOW, {today: TODAY})
    const byId = new Map(status.commitments.map((c) => [c.id, c]))
    const reservation = byId.get(AZ_RESERVATION)!
    expect(reservation).toMatchObject({expiry: '2027-01-15', daysLeft: 50, hourlyCommitment: null})
    expect(reservation.expirySource).toMatch(
      /^Azure Microsoft\.Capacity reservations list \(VirtualMachines Standard_D4s_v3 x 2 Shared scope\): expiryDateTime, term, billingPlan, as of 2026-11-25$/,
    )
    // No price on a reservation: renewing costs what the bill amortized (10/day), lapsing what it covered (9/day).
    expect(reservation.renewal.renewMonthlyCost).toBeCloseTo((100 * 730) / 240, 2)
    expect(reservation.renewal.renewSource).toMatch(/^the bill/)
    const plan = byId.get(AZ_SAVINGS_PLAN)!
    expect(plan).toMatchObject({expiry: '2027-06-30', daysLeft: 216, hourlyCommitment: 5})
    expect(plan.renewal.renewMonthlyCost).toBe(5 * 730)
    expect(plan.renewal.renewSource).toMatch(
      /^hourly commitment x 730 h: Azure Microsoft\.BillingBenefits savingsPlans list/,
    )
    expect(status.notes.some((n) => /expiry is unknown/.test(n))).toBe(false)
    const terms = new Map(listCommitmentTerms(db).map((t) => [t.commitmentId.toLowerCase(), t]))
    expect(terms.get(AZ_RESERVATION)).toMatchObject({
      provider: 'Microsoft',
      startDay: '2024-01-15',
      term: '3 years',
      payment: 'Monthly',
      currency: 'USD',
    })
    expect(terms.get(AZ_SAVINGS_PLAN)).toMatchObject({term: '1 year', payment: 'Monthly', recurringHourlyFee: 5})
  })

  it('waits as long as a 429 Retry-After asks, then reads the page', async () => {
    const waits: number[] = []
    az.failListsNext(1, 429, {'retry-after': '3'})
    const summary = await collect(
      {},
      {
        retry: {maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 10_000},
        retryHooks: {random: () => 0, sleep: async (ms) => void waits.push(ms)},
      },
    )
    expect(waits).toEqual([3000])
    expect(summary.retries).toBe(1)
    expect(listCommitmentTerms(db)).toHaveLength(5)
  })

  it('a list the API will not answer (not a rate limit) fails the run with one line naming it, and nothing is written', async () => {
    az.failListsNext(1, 400)
    await expect(collect()).rejects.toThrow(/^Azure reservations list failed: HTTP 400 ServerError: Please retry\.$/)
    expect(usageRows()).toBe(0)
    expect(listCommitmentTerms(db)).toHaveLength(0)
  })

  it('without Reservations Reader: one line naming the role, the savings plans and the usage still land', async () => {
    az.denied.add('reservations')
    const summary = await collect()
    expect(summary.details.missing.filter((m) => m.startsWith('commitment'))).toEqual([
      expect.stringMatching(
        /^commitment end dates \(reservations\): refused \(HTTP 403 AuthorizationFailed: .*\); grant Reservations Reader \(tenant level/,
      ),
    ])
    expect(usageRows()).toBeGreaterThan(0)
    const status = commitmentsStatusFromStore(db, WINDOW, {today: TODAY})
    const byId = new Map(status.commitments.map((c) => [c.id, c]))
    expect(byId.get(AZ_RESERVATION)).toMatchObject({expiry: 'unknown', daysLeft: null, utilization: 0.9})
    expect(byId.get(AZ_SAVINGS_PLAN)).toMatchObject({expiry: '2027-06-30'})
  })
})
