import fs from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'

import {anomalyListSchema} from '../../src/alerts/schemas.js'
import {awsCostFetcher} from '../../src/collectors/aws/index.js'
import {azureCostFetcher} from '../../src/collectors/azure/index.js'
import {type CollectSummary, collectCloudCosts, type CostFetcher} from '../../src/collectors/cloud-collect.js'
import {gcpCostFetcher} from '../../src/collectors/gcp/index.js'
import {openStore} from '../../src/store/open.js'
import {parseJson, runCli, tempDir} from '../helpers/cli.js'
import {isolatedCloudEnv} from '../helpers/cloud-env.js'
import {
  BUCKET_JUMP,
  EGRESS_JUMP_PER_INSTANCE,
  FIRST_DAY,
  HOT_BUCKET,
  LAST_DAY,
  rootCauseBill,
  type BillFact,
} from '../helpers/root-cause-bill.js'
import {CE_ACCESS_KEY, type CeFact, type CeServer, startCostExplorer} from '../servers/aws-cost-explorer.js'
import {AZ_TOKEN, type AzServer, startCostManagement, SUB_A, SUB_B} from '../servers/azure-cost-management.js'
import {GCP_TOKEN, type GcpServer, startGoogleApis} from '../servers/gcp.js'

/**
 * Root causes through each cloud source: the real SDK collects a bill with two planted spikes from
 * the cloud's stand-in, and the built CLI's `anomaly list --json` names what drove each one: egress
 * (a usage type on every instance) and one bucket (a resource). A re-collect of the same window
 * leaves the usage types and resources as they were, and they add up to the usage they explain.
 */
const NOW = '2026-11-26'
const SLOW = 300_000
const bill = rootCauseBill()
const nn = (n: number): string => String(n).padStart(2, '0')
const tmp = tempDir('finops-root-cause-')
afterAll(() => tmp.cleanup())

interface Case {
  store: string
  summary: CollectSummary
  fetcher: () => CostFetcher
}

async function collectInto(name: string, fetcher: () => CostFetcher): Promise<Case> {
  const store = path.join(tmp.dir, `${name}.db`)
  const db = openStore(store)
  try {
    const summary = await collectCloudCosts(db, fetcher(), {
      from: FIRST_DAY,
      to: LAST_DAY,
      today: NOW,
      restatementDays: 3,
      initialDays: 40,
    })
    return {store, summary, fetcher}
  } finally {
    db.close()
  }
}

async function anomalies(store: string) {
  const r = await runCli(['anomaly', 'list', '--json', '--db', store], {env: {FINOPS_NOW: NOW}})
  expect(r.code, r.stderr).toBe(0)
  return anomalyListSchema.parse(parseJson(r)).anomalies
}

/** The last day's spike of one service, with its root cause. */
async function spikeOf(store: string, service: string) {
  const found = (await anomalies(store)).filter((a) => a.keys.includes(service) && a.day === LAST_DAY)
  expect(found, `a spike of ${service} on ${LAST_DAY}`).toHaveLength(1)
  expect(found[0]!.direction).toBe('spike')
  return found[0]!
}

/** cost_details as rows, and its per-kind totals against the usage it explains. */
function details(store: string) {
  const db = openStore(store)
  try {
    const rows = db.prepare('SELECT * FROM cost_details ORDER BY key_id, billing_period, day, kind, value').raw().all()
    const totals = db
      .prepare(`SELECT kind, SUM(billed_units + billed_nanos / 1e9) FROM cost_details GROUP BY kind ORDER BY kind`)
      .raw()
      .all() as [number, number][]
    const usage = db
      .prepare(`SELECT SUM(billed_cost) FROM cost_daily WHERE charge_category = 'Usage'`)
      .pluck()
      .get() as number
    return {rows, totals, usage}
  } finally {
    db.close()
  }
}

/** Re-collecting the same window replaces the details: the same rows, not twice as many. */
async function expectRecollectUnchanged(c: Case): Promise<void> {
  const before = details(c.store)
  expect(before.rows.length).toBeGreaterThan(0)
  const db = openStore(c.store)
  try {
    await collectCloudCosts(db, c.fetcher(), {
      from: FIRST_DAY,
      to: LAST_DAY,
      today: NOW,
      restatementDays: 3,
      initialDays: 40,
    })
  } finally {
    db.close()
  }
  const after = details(c.store)
  expect(after.rows).toEqual(before.rows)
  for (const [, total] of after.totals) expect(total).toBeCloseTo(after.usage, 4)
}

const billed = (facts: BillFact[]): number => facts.reduce((a, f) => a + f.cost, 0)

const AWS_ACCOUNTS = ['111111111111', '222222222222']
const AWS_SERVICE = {compute: 'Amazon Elastic Compute Cloud - Compute', storage: 'Amazon Simple Storage Service'}
const AWS_USAGE = {
  hours: 'USE1-BoxUsage:m5.xlarge',
  egress: 'USE1-DataTransfer-Out-Bytes',
  storage: 'USE1-TimedStorage-ByteHrs',
  requests: 'USE1-Requests-Tier1',
}
/** The planted bill as Cost Explorer's ledger: instances and buckets carry their RESOURCE_ID. */
const awsLedger = (): CeFact[] =>
  bill.map((f) => ({
    day: f.day,
    account: AWS_ACCOUNTS[f.account]!,
    service: AWS_SERVICE[f.service],
    recordType: 'Usage',
    region: 'us-east-1',
    tags: {},
    unblended: f.cost,
    amortized: f.cost,
    usageType: AWS_USAGE[f.usageType],
    resourceId: f.service === 'compute' ? `i-0a1b2c3d4e5f600${nn(f.resource)}` : `shop-assets-${nn(f.resource)}`,
  }))

describe('AWS Cost Explorer: usage types for root causes', () => {
  let ce: CeServer
  let aws: Case
  const SERVICE = AWS_SERVICE
  const USAGE = AWS_USAGE
  beforeAll(async () => {
    ce = await startCostExplorer({pageDays: 40})
    ce.estimatedFrom = '2026-12-01'
    ce.ledger = awsLedger()
    aws = await collectInto('aws', () =>
      awsCostFetcher({
        endpoint: ce.url,
        region: 'us-east-1',
        billingAccount: '999999999999',
        credentials: {accessKeyId: CE_ACCESS_KEY, secretAccessKey: 'local-secret'},
      }),
    )
  }, SLOW)
  afterAll(async () => ce?.close())

  test(
    'a usage-type spike on every instance is named by its usage type; the request count stays small',
    async () => {
      expect(aws.summary.details).toEqual({
        usageTypes: 4,
        resources: 0,
        missing: [expect.stringMatching(/^resources: not fetched/)],
      })
      // 148 days in pages of 40: 4 pages for each of usage, other charges, commitment usage, usage types by service and by account.
      expect(aws.summary.requests).toBe(20)
      const spike = await spikeOf(aws.store, SERVICE.compute)
      expect(spike.rootCause![0]!.label).toBe(`usage type ${USAGE.egress}`)
      expect(spike.rootCause![0]!.share).toBeGreaterThan(95)
      expect(spike.rootCause![0]!.amount).toBeGreaterThan(24 * EGRESS_JUMP_PER_INSTANCE * 0.9)
      // Cost Explorer gives no resources here: the bucket's spike is placed by account, never by a made-up resource.
      const bucket = await spikeOf(aws.store, SERVICE.storage)
      expect(bucket.rootCause![0]!.label).toBe('sub-account 222222222222')
    },
    SLOW,
  )

  test('re-collecting the same window leaves the usage types unchanged', () => expectRecollectUnchanged(aws), SLOW)
})

describe('AWS Cost Explorer: resources through the opt-in GetCostAndUsageWithResources (built CLI)', () => {
  let ce: CeServer
  const dir = tempDir('finops-root-cause-aws-resources-')
  const config = path.join(dir.dir, 'finops.yaml')
  fs.writeFileSync(config, 'sources:\n  aws:\n    - billingAccount: "999999999999"\n      resources: true\n')
  beforeAll(async () => {
    ce = await startCostExplorer({pageDays: 40})
  }, SLOW)
  afterAll(async () => {
    await ce?.close()
    dir.cleanup()
  })
  /** `collect aws` as a user runs it, with the source from finops.yaml; returns its summary and the store. */
  async function collect(name: string, ...window: string[]) {
    ce.reset()
    ce.estimatedFrom = '2026-12-01'
    ce.ledger = awsLedger()
    const store = path.join(dir.dir, `${name}.db`)
    const env = isolatedCloudEnv(dir.dir, NOW, {
      AWS_ENDPOINT_URL_COST_EXPLORER: ce.url,
      AWS_ACCESS_KEY_ID: CE_ACCESS_KEY,
      AWS_SECRET_ACCESS_KEY: 'local-secret',
      AWS_REGION: 'us-east-1',
    })
    return {
      store,
      run: (...output: string[]) =>
        runCli(['collect', 'aws', '--db', store, '--config', config, ...window, ...output], {env}),
    }
  }
  const resourceCalls = () =>
    ce
      .calls('GetCostAndUsageWithResources')
      .map((r) => r.json as {TimePeriod: {Start: string; End: string}; GroupBy: {Key: string}[]; Filter: unknown})

  test(
    'opted in: the last 14 days of resources for the largest services, counted in the requests; a bucket spike is named by its bucket',
    async () => {
      const c = await collect('opted-in', '--from', FIRST_DAY)
      ce.resourcesToday = NOW
      const r = await c.run('--json')
      expect(r.code, r.stderr).toBe(0)
      const summary = (parseJson(r) as {sources: CollectSummary[]}).sources[0]!
      // One call per service (a 13-day window is one page), on top of the 20 of usage, charges, commitments and usage types.
      const calls = resourceCalls()
      expect(calls).toHaveLength(2)
      expect(summary.requests).toBe(22)
      for (const call of calls) {
        expect(call.TimePeriod).toEqual({Start: '2026-11-13', End: '2026-11-26'})
        expect(call.GroupBy.map((g) => g.Key)).toEqual(['LINKED_ACCOUNT', 'RESOURCE_ID'])
        expect(JSON.stringify(call.Filter)).toMatch(/"Key":"SERVICE"/)
      }
      expect(summary.details).toEqual({
        usageTypes: 4,
        resources: 34,
        missing: [expect.stringMatching(/^resources: 2026-11-13 to 2026-11-25 only .*2 service/)],
      })
      const bucket = await spikeOf(c.store, AWS_SERVICE.storage)
      expect(bucket.rootCause![0]!.label).toBe(`resource shop-assets-${nn(HOT_BUCKET)}`)
      expect(bucket.rootCause![0]!.share).toBeGreaterThan(95)
      expect(bucket.rootCause![0]!.amount).toBeGreaterThan(BUCKET_JUMP * 0.9)
      // Egress on every instance is still a usage type, not one of 24 instances.
      const compute = await spikeOf(c.store, AWS_SERVICE.compute)
      expect(compute.rootCause![0]!.label).toBe(`usage type ${AWS_USAGE.egress}`)
      // The human summary says how many requests the run made, the resource calls included.
      const human = await c.run()
      expect(human.code, human.stderr).toBe(0)
      expect(human.stdout + human.stderr).toMatch(/ in 22 API requests,/)
    },
    SLOW,
  )

  test(
    'not opted in: the costs land, the refusal is one line of what is missing, and the bucket falls back to its account',
    async () => {
      const c = await collect('not-opted-in', '--from', FIRST_DAY)
      const r = await c.run('--json')
      expect(r.code, r.stderr).toBe(0)
      const summary = (parseJson(r) as {sources: CollectSummary[]}).sources[0]!
      expect(resourceCalls()).toHaveLength(1)
      expect(summary.requests).toBe(21)
      expect(summary.details.resources).toBe(0)
      expect(summary.details.missing).toEqual([
        expect.stringMatching(
          /^resources: GetCostAndUsageWithResources failed \(.*not enabled.*\); enable resource-level data/,
        ),
      ])
      expect(summary.totals[0]!.billedCost).toBeCloseTo(billed(bill), 2)
      const bucket = await spikeOf(c.store, AWS_SERVICE.storage)
      expect(bucket.rootCause![0]!.label).toBe('sub-account 222222222222')
    },
    SLOW,
  )

  test(
    'a window older than 14 days asks for no resources at all',
    async () => {
      const c = await collect('old-window', '--from', FIRST_DAY, '--to', '2026-10-31')
      ce.resourcesToday = NOW
      const r = await c.run('--json')
      expect(r.code, r.stderr).toBe(0)
      const summary = (parseJson(r) as {sources: CollectSummary[]}).sources[0]!
      expect(resourceCalls()).toEqual([])
      expect(summary.details.missing).toEqual([expect.stringMatching(/^resources: none in this window/)])
    },
    SLOW,
  )
})

describe('Azure Cost Management: meters and resources for root causes', () => {
  let az: AzServer
  let azure: Case
  const serverDir = tempDir('finops-root-cause-az-')
  const SCOPE = '/providers/Microsoft.Billing/billingAccounts/8611537'
  const SUBS = [SUB_A, SUB_B]
  const SERVICE = {compute: 'Virtual Machines', storage: 'Storage'}
  const METER = {
    hours: 'D4s v3',
    egress: 'Standard Data Transfer Out',
    storage: 'Hot LRS Data Stored',
    requests: 'Hot Write Operations',
  }
  const resourceId = (f: BillFact): string =>
    f.service === 'compute'
      ? `/subscriptions/${SUBS[f.account]}/resourcegroups/rg-web/providers/microsoft.compute/virtualmachines/vm-${nn(f.resource)}`
      : `/subscriptions/${SUBS[f.account]}/resourcegroups/rg-data/providers/microsoft.storage/storageaccounts/stdata${nn(f.resource)}`
  beforeAll(async () => {
    az = await startCostManagement(serverDir.dir, {pageRows: 5000})
    az.ledger = bill.map((f) => ({
      day: f.day,
      subscription: SUBS[f.account]!,
      service: SERVICE[f.service],
      location: 'westeurope',
      chargeType: 'Usage',
      tags: {},
      actual: f.cost,
      amortized: f.cost,
      meter: METER[f.usageType],
      resourceId: resourceId(f),
    }))
    azure = await collectInto('azure', () =>
      azureCostFetcher({
        scope: SCOPE,
        endpoint: az.url,
        tlsCa: az.cert,
        credential: {getToken: async () => ({token: AZ_TOKEN, expiresOnTimestamp: Date.now() + 3_600_000})},
      }),
    )
  }, SLOW)
  afterAll(async () => {
    await az?.close()
    serverDir.cleanup()
  })

  test(
    'a meter spike is named by its meter, a resource spike by its resource id',
    async () => {
      expect(azure.summary.details).toEqual({usageTypes: 4, resources: 34, missing: []})
      const spike = await spikeOf(azure.store, SERVICE.compute)
      expect(spike.rootCause![0]!.label).toBe(`usage type ${METER.egress}`)
      expect(spike.rootCause![0]!.share).toBeGreaterThan(95)
      const bucket = await spikeOf(azure.store, SERVICE.storage)
      const hot = resourceId({
        day: LAST_DAY,
        account: 1,
        service: 'storage',
        usageType: 'storage',
        resource: HOT_BUCKET,
        cost: 0,
      })
      expect(bucket.rootCause![0]!.label).toBe(`resource ${hot} (stdata${nn(HOT_BUCKET)})`)
      expect(bucket.rootCause![0]!.share).toBeGreaterThan(95)
      expect(bucket.rootCause![0]!.amount).toBeGreaterThan(BUCKET_JUMP * 0.9)
    },
    SLOW,
  )

  test(
    're-collecting the same window leaves the meters and resources unchanged',
    () => expectRecollectUnchanged(azure),
    SLOW,
  )
})

describe('GCP billing export: SKUs and resources for root causes', () => {
  let gcp: GcpServer
  const PROJECTS = ['shop-prod', 'shop-dev']
  const SERVICE = {compute: 'Compute Engine', storage: 'Cloud Storage'}
  const SKU = {
    hours: {id: '9431-3B7D-5C9F', description: 'N2 Instance Core running in Americas'},
    egress: {id: '9DE9-9092-B3BC', description: 'Network Internet Egress from Americas to Americas'},
    storage: {id: 'E5F0-6A5D-7BAD', description: 'Standard Storage US Multi-region'},
    requests: {id: 'A1C4-4E5A-8F9B', description: 'Multi-Region Standard Class A Operations'},
  }
  const DETAILED = 'billing-admin.finops_export.gcp_billing_export_resource_v1_01A2B3_C4D5E6_F7A8B9'
  const STANDARD = 'billing-admin.finops_export.gcp_billing_export_v1_01A2B3_C4D5E6_F7A8B9'
  const fetcher = (table: string) => () =>
    gcpCostFetcher({table, endpoint: gcp.url, accessToken: GCP_TOKEN, pageSize: 5000})
  let detailed: Case
  let standard: Case
  beforeAll(async () => {
    gcp = await startGoogleApis({pageRows: 5000})
    gcp.ledger = bill.map((f) => ({
      day: f.day,
      invoiceMonth: f.day.slice(0, 7).replace('-', ''),
      project: PROJECTS[f.account]!,
      projectName: PROJECTS[f.account]!,
      service: SERVICE[f.service],
      region: 'us-central1',
      costType: 'regular',
      labels: {},
      cost: f.cost,
      credits: 0,
      sku: SKU[f.usageType],
      resource:
        f.service === 'compute'
          ? {
              name: `vm-${nn(f.resource)}`,
              globalName: `//compute.googleapis.com/projects/${PROJECTS[f.account]}/zones/us-central1-a/instances/${1000 + f.resource}`,
            }
          : {
              name: `bucket-${nn(f.resource)}`,
              globalName: `//storage.googleapis.com/projects/_/buckets/bucket-${nn(f.resource)}`,
            },
    }))
    detailed = await collectInto('gcp-detailed', fetcher(DETAILED))
    standard = await collectInto('gcp-standard', fetcher(STANDARD))
  }, SLOW)
  afterAll(async () => gcp?.close())

  test(
    'from the detailed export: a SKU spike is named by its SKU, a resource spike by its resource',
    async () => {
      expect(detailed.summary.details).toEqual({usageTypes: 4, resources: 34, missing: []})
      const spike = await spikeOf(detailed.store, SERVICE.compute)
      expect(spike.rootCause![0]!.label).toBe(`usage type ${SKU.egress.id} (${SKU.egress.description})`)
      expect(spike.rootCause![0]!.share).toBeGreaterThan(95)
      const bucket = await spikeOf(detailed.store, SERVICE.storage)
      expect(bucket.rootCause![0]!.label).toBe(
        `resource //storage.googleapis.com/projects/_/buckets/bucket-${nn(HOT_BUCKET)} (bucket-${nn(HOT_BUCKET)})`,
      )
      expect(bucket.rootCause![0]!.amount).toBeGreaterThan(BUCKET_JUMP * 0.9)
    },
    SLOW,
  )

  test(
    'from a standard export: SKUs only, and the summary says why there are no resources',
    async () => {
      expect(standard.summary.details.resources).toBe(0)
      expect(standard.summary.details.missing).toEqual([expect.stringMatching(/standard export has no resource\.name/)])
      const spike = await spikeOf(standard.store, SERVICE.compute)
      expect(spike.rootCause![0]!.label).toBe(`usage type ${SKU.egress.id} (${SKU.egress.description})`)
      const bucket = await spikeOf(standard.store, SERVICE.storage)
      expect(bucket.rootCause![0]!.label).not.toMatch(/^resource /)
    },
    SLOW,
  )

  test(
    're-collecting the same window leaves the SKUs and resources unchanged',
    () => expectRecollectUnchanged(detailed),
    SLOW,
  )

  test('the planted bill is what the store holds', () => {
    const db = openStore(detailed.store)
    try {
      const usage = db.prepare(`SELECT SUM(billed_cost) FROM cost_daily`).pluck().get() as number
      expect(usage).toBeCloseTo(billed(bill), 4)
    } finally {
      db.close()
    }
  })
})
