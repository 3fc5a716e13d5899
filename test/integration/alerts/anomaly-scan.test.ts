import {parse} from 'csv-parse/sync'
import fs from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'

import {anomalyContributors, scanAnomalies} from '../../../src/alerts/anomaly-scan.js'
import {parseConfig} from '../../../src/config/index.js'
import type {DailyCostRow} from '../../../src/model/cost.js'
import {importFocusFiles} from '../../../src/collectors/focus/index.js'
import {queryCostDetails} from '../../../src/store/cost-details.js'
import {replaceCosts} from '../../../src/store/cost-writer.js'
import {queryDailyCosts} from '../../../src/store/costs.js'
import {type Db, openStore} from '../../../src/store/open.js'
import {fixturesDir, tempDir} from '../../helpers/cli.js'
import {syntheticRows} from '../../helpers/cost-data.js'
import {writeFocusCsv} from '../../helpers/focus-csv.js'
import {tempStore} from '../../helpers/store.js'
import {eachDay} from '../../../src/dates.js'

const defaults = parseConfig({}).alerts.anomalies
const tmp = tempDir()
let db: Db

const charge = (
  day: string,
  service: string,
  cost: number,
  chargeCategory: string,
  chargeFrequency: string,
  regionId = 'us-east-1',
): DailyCostRow => ({
  day,
  billingPeriodStart: `${day.slice(0, 7)}-01`,
  provider: 'AWS',
  billingAccountId: '111',
  subAccountId: '',
  serviceName: service,
  serviceCategory: '',
  regionId,
  chargeCategory,
  chargeFrequency,
  currency: 'USD',
  tags: {},
  billedCost: cost,
  effectiveCost: cost,
  listCost: cost,
  contractedCost: cost,
})

beforeAll(() => {
  db = openStore(path.join(tmp.dir, 'finops.db'))
  const rows = [
    ...syntheticRows([{account: '111', service: 'Amazon EC2', base: 400}], '2024-06-01', '2024-10-01'),
    // Support billed on the 1st of each month, and a one-time reserved-instance purchase on the last day.
    ...['2024-06-01', '2024-07-01', '2024-08-01', '2024-09-01', '2024-10-01'].map((d) =>
      charge(d, 'AWS Support (Business)', 1500, 'Usage', 'Recurring'),
    ),
    charge('2024-10-01', 'Amazon EC2', 20000, 'Purchase', 'One-Time'),
    // A real usage spike in another region on the last day.
    charge('2024-10-01', 'Amazon EC2', 900, 'Usage', 'Usage-Based', 'eu-west-1'),
  ]
  replaceCosts(
    db,
    [{kind: 'days', source: 'test', provider: 'AWS', billingAccountId: '111', from: '2024-06-01', to: '2024-10-01'}],
    rows,
    {source: 'test', location: 'synthetic', startedAt: '', rowsRead: rows.length, rowsSkipped: 0},
  )
})
afterAll(() => {
  db.close()
  tmp.cleanup()
})

describe('scanAnomalies over the store', () => {
  test('usage only (default): a fee on its billing day and a one-time purchase are not anomalies; the usage spike is', () => {
    const scan = scanAnomalies(db, defaults, '2024-10-01')
    expect(scan.through).toBe('2024-10-01')
    expect(scan.anomalies.map((a) => [a.keys[1], a.day, a.direction])).toEqual([['Amazon EC2', '2024-10-01', 'spike']])
    const [spike] = scan.anomalies
    expect(spike!.actual - spike!.expected).toBeGreaterThan(800)
    expect(spike!.actual).toBeLessThan(2000)
    expect(anomalyContributors(db, spike!, scan.groupBy, defaults)[0]).toMatchObject({
      label: 'region eu-west-1',
      amount: 900,
    })
    // us-east-1's own noise moved a little the same way: eu-west-1 carries nearly all of the change.
    expect(anomalyContributors(db, spike!, scan.groupBy, defaults)[0]!.share).toBeGreaterThan(90)
  })

  test('with usageOnly off every charge counts: the one-time purchase shows up; the same fee each month is a normal run', () => {
    const scan = scanAnomalies(db, {...defaults, usageOnly: false}, '2024-10-01')
    expect(scan.anomalies.map((a) => a.keys[1])).toEqual(['Amazon EC2'])
    expect(scan.anomalies[0]!.actual).toBeGreaterThan(20000)
  })

  test('days after the last data day are not judged as drops', () => {
    const scan = scanAnomalies(db, defaults, '2024-10-20')
    expect(scan.through).toBe('2024-10-01')
    expect(scan.anomalies.every((a) => a.day <= '2024-10-01')).toBe(true)
  })
})

describe('scanAnomalies with providers whose billing data lags by different amounts', () => {
  const lagging = tempDir()
  let store: Db
  beforeAll(() => {
    store = openStore(path.join(lagging.dir, 'finops.db'))
    const aws = syntheticRows([{account: '111', service: 'Amazon EC2', base: 100}], '2024-06-01', '2024-09-24')
    // GCP's export is three days behind; its last delivered day has a real spike.
    const gcp = syntheticRows(
      [
        {account: 'g1', service: 'Compute Engine', base: 200, spikes: {'2024-09-21': 600}},
        {account: 'g1', service: 'BigQuery', base: 150},
      ],
      '2024-06-01',
      '2024-09-21',
    ).map((r) => ({...r, provider: 'Google Cloud'}))
    const rows = [...aws, ...gcp]
    replaceCosts(store, [], rows, {
      source: 'test',
      location: 'synthetic',
      startedAt: '',
      rowsRead: rows.length,
      rowsSkipped: 0,
    })
  })
  afterAll(() => {
    store.close()
    lagging.cleanup()
  })

  test('days a provider has not delivered yet are not drops, and its own last days are still judged', () => {
    const scan = scanAnomalies(store, defaults, '2024-09-24')
    expect(scan.through).toBe('2024-09-24')
    expect(scan.anomalies.map((a) => [a.keys[1], a.day, a.direction])).toEqual([
      ['Compute Engine', '2024-09-21', 'spike'],
    ])
    expect(scan.anomalies[0]!.impact).toBeGreaterThan(500)
  })
})

describe('root cause one level down', () => {
  test('names the level that concentrates the change: a sub-account spread over two regions, with its share', () => {
    const store = tempStore()
    try {
      const rows: DailyCostRow[] = []
      for (const day of eachDay('2024-06-01', '2024-10-01'))
        for (const sub of ['prod-1', 'dev-42'])
          for (const region of ['us-east-1', 'eu-west-1']) {
            // The last day: dev-42 spends 600 more in each region; prod-1 100 more in us-east-1 only.
            const extra = day === '2024-10-01' ? (sub === 'dev-42' ? 600 : region === 'us-east-1' ? 100 : 0) : 0
            const row = charge(day, 'Amazon EC2', 300 + extra, 'Usage', 'Usage-Based', region)
            rows.push({...row, subAccountId: sub})
          }
      replaceCosts(store.db, [], rows, {
        source: 'test',
        location: 'synthetic',
        startedAt: '',
        rowsRead: rows.length,
        rowsSkipped: 0,
      })
      const [spike] = scanAnomalies(store.db, defaults, '2024-10-01').anomalies
      expect(spike).toMatchObject({day: '2024-10-01', direction: 'spike'})
      // By region the change splits 700 / 600; by sub-account 1200 / 100: the sub-account names it.
      expect(anomalyContributors(store.db, spike!, ['account', 'service'], defaults)).toEqual([
        {label: 'sub-account dev-42', amount: 1200, share: 92.3},
        {label: 'sub-account prod-1', amount: 100, share: 7.7},
      ])
    } finally {
      store.cleanup()
    }
  })
})

describe('root cause by usage type, resource and tag', () => {
  const LAST = '2024-10-01'
  const RESOURCES = Array.from({length: 30}, (_, i) => `i-0${(0xa000 + i).toString(16)}`)

  /**
   * An EC2 series of 30 instances in two regions, each billed for compute hours and data transfer,
   * with tags on every row; `extra` adds cost on the last day to the rows it picks.
   */
  function ec2Rows(
    extra: (row: {resource: string; usageType: string; team: string; region: string}) => number,
  ): DailyCostRow[] {
    // Deterministic day-to-day noise of about ±4%, so the series look like bills, not constants.
    let state = 12345
    const noise = (): number => {
      state = (state * 1103515245 + 12345) % 2 ** 31
      return 0.96 + (state / 2 ** 31) * 0.08
    }
    const rows: DailyCostRow[] = []
    for (const day of eachDay('2024-06-01', LAST))
      RESOURCES.forEach((resource, i) => {
        const region = i % 2 === 0 ? 'us-east-1' : 'eu-west-1'
        const team = ['checkout', 'search', 'ledger'][i % 3]!
        for (const [usageType, base, label] of [
          ['USE1-BoxUsage:m5.xlarge', 4.6, '$0.192 per On Demand Linux m5.xlarge Instance Hour'],
          ['USE1-DataTransfer-Out-Bytes', 1.5, '$0.09 per GB - first 10 TB / month data transfer out'],
        ] as const) {
          const cost = base * noise() + (day === LAST ? extra({resource, usageType, team, region}) : 0)
          rows.push({
            ...charge(day, 'Amazon EC2', Math.round(cost * 100) / 100, 'Usage', 'Usage-Based', region),
            tags: {team, Name: `web-${i}`, 'aws:createdBy': `role/deployer-${i % 4}`},
            usageType,
            usageTypeLabel: label,
            resourceId: `arn:aws:ec2:${region}:111:instance/${resource}`,
            resourceName: `web-${i}`,
          })
        }
      })
    return rows
  }

  function contributorsOf(rows: DailyCostRow[]) {
    const store = tempStore()
    try {
      replaceCosts(
        store.db,
        [{kind: 'days', source: 'test', provider: 'AWS', billingAccountId: '111', from: '2024-06-01', to: LAST}],
        rows,
        {source: 'test', location: 'synthetic', startedAt: '', rowsRead: rows.length, rowsSkipped: 0},
      )
      const [spike] = scanAnomalies(store.db, defaults, LAST).anomalies
      expect(spike).toMatchObject({day: LAST, direction: 'spike', keys: ['111', 'Amazon EC2']})
      return anomalyContributors(store.db, spike!, ['account', 'service'], defaults)
    } finally {
      store.cleanup()
    }
  }

  test('a spike driven by one resource names that resource with its share', () => {
    const hot = RESOURCES[7]!
    const contributors = contributorsOf(
      ec2Rows((r) => (r.resource === hot ? (r.usageType.includes('Box') ? 110 : 10) : 0)),
    )
    expect(contributors[0]!.label).toBe(`resource arn:aws:ec2:eu-west-1:111:instance/${hot} (web-7)`)
    expect(contributors[0]!.share).toBeGreaterThan(90)
    expect(contributors[0]!.amount).toBeGreaterThan(100)
    expect(contributors[0]!.amount).toBeLessThan(140)
  })

  test('a spike driven by one usage type (SKU) spread over every instance names the usage type', () => {
    const contributors = contributorsOf(ec2Rows((r) => (r.usageType.includes('DataTransfer') ? 12 : 0)))
    expect(contributors[0]!.label).toBe(
      'usage type USE1-DataTransfer-Out-Bytes ($0.09 per GB - first 10 TB / month data transfer out)',
    )
    expect(contributors[0]!.share).toBeGreaterThan(95)
    expect(contributors[0]!.amount).toBeGreaterThan(340)
    expect(contributors[0]!.amount).toBeLessThan(380)
  })

  test(
    'from a FOCUS export through the real import: a usage type by its SkuId and ChargeDescription; a resource by its ResourceId and ' +
      'ResourceName',
    async () => {
      const store = tempStore()
      try {
        const file = path.join(tmp.dir, 'ec2-focus.csv')
        writeFocusCsv(
          file,
          ec2Rows((r) => (r.usageType.includes('DataTransfer') ? 12 : 0)),
        )
        await importFocusFiles(store.db, [file])
        const [spike] = scanAnomalies(store.db, defaults, LAST).anomalies
        expect(spike).toMatchObject({day: LAST, direction: 'spike', keys: ['111', 'Amazon EC2']})
        const [top] = anomalyContributors(store.db, spike!, ['account', 'service'], defaults)
        expect(top!.label).toBe(
          'usage type USE1-DataTransfer-Out-Bytes ($0.09 per GB - first 10 TB / month data transfer out)',
        )
        expect(top!.share).toBeGreaterThan(95)
        // Re-importing the same export replaces its details rather than adding to them.
        await importFocusFiles(store.db, [file])
        expect(anomalyContributors(store.db, spike!, ['account', 'service'], defaults)[0]).toEqual(top)

        const hot = RESOURCES[12]!
        writeFocusCsv(
          file,
          ec2Rows((r) => (r.resource === hot ? 150 : 0)),
        )
        const other = tempStore()
        try {
          await importFocusFiles(other.db, [file])
          const [resourceSpike] = scanAnomalies(other.db, defaults, LAST).anomalies
          const [byResource] = anomalyContributors(other.db, resourceSpike!, ['account', 'service'], defaults)
          expect(byResource!.label).toBe(`resource arn:aws:ec2:us-east-1:111:instance/${hot} (web-12)`)
          expect(byResource!.share).toBeGreaterThan(90)
          // Two usage types of 150 more each on the hot instance.
          expect(byResource!.amount).toBeGreaterThan(280)
          expect(byResource!.amount).toBeLessThan(320)
        } finally {
          other.cleanup()
        }
      } finally {
        store.cleanup()
      }
    },
  )

  test("a spike driven by one team's instances names the tag, not one of its resources", () => {
    const contributors = contributorsOf(ec2Rows((r) => (r.team === 'ledger' ? 15 : 0)))
    expect(contributors[0]!.label).toBe('tag:team ledger')
    expect(contributors[0]!.share).toBeGreaterThan(95)
    // 10 instances, 2 usage types each, 15 more on each.
    expect(contributors[0]!.amount).toBeGreaterThan(280)
    expect(contributors[0]!.amount).toBeLessThan(320)
  })
})

describe('cost details in the store', () => {
  test('the FOCUS 1.0 sample, imported as it is, keeps its usage types and resources under their grain', async () => {
    const store = tempStore()
    try {
      await importFocusFiles(store.db, [path.join(fixturesDir, 'focus', 'focus_sample_1000.csv')])
      const query = (kind: 'usage-type' | 'resource') =>
        queryCostDetails(store.db, {from: '2000-01-01', to: '2100-01-01', kind, filters: [], metric: 'billed'})!
      const total = (points: {cost: number}[]) => points.reduce((a, p) => a + p.cost, 0)
      const usageTypes = query('usage-type')
      expect(usageTypes.length).toBeGreaterThan(20)
      expect(usageTypes.some((p) => p.value === 'G95FST5FTYV3JSRX' && p.label.includes('Amazon SQS'))).toBe(true)
      const resources = query('resource')
      expect(
        resources.some(
          (p) => p.value === 'arn:ats:sqs:us-test-2:347410479675:mibelllmel-i-032l64f2065481b12' && p.label === '',
        ),
      ).toBe(true)
      // Below the grain, not beside it: no detail adds up to more than the rollup holds.
      const billed = total(
        queryDailyCosts(store.db, {from: '2000-01-01', to: '2100-01-01', groupBy: [], filters: [], metric: 'billed'}),
      )
      expect(Math.abs(total(usageTypes))).toBeLessThanOrEqual(Math.abs(billed) + 1e-6)
      // Resources: every row with a ResourceId, once (credits without one make the total smaller).
      const rows = parse(fs.readFileSync(path.join(fixturesDir, 'focus', 'focus_sample_1000.csv')), {
        columns: true,
      }) as Record<string, string>[]
      const withResource = rows.filter((r) => r.ResourceId && r.ResourceId !== 'NULL')
      expect(withResource.length).toBeGreaterThan(500)
      expect(total(resources)).toBeCloseTo(
        withResource.reduce((a, r) => a + Number(r.BilledCost), 0),
        6,
      )
    } finally {
      store.cleanup()
    }
  })

  test('a key keeps its 20 largest resources a day and the rest summed; a replaced scope replaces its details', () => {
    const store = tempStore()
    try {
      const rows = (scale: number): DailyCostRow[] =>
        Array.from({length: 50}, (_, i) => ({
          ...charge('2024-10-01', 'Amazon S3', (i + 1) * scale, 'Usage', 'Usage-Based'),
          tags: {bucket: `b-${i}`},
          resourceId: `bucket-${i}`,
        }))
      const write = (batch: DailyCostRow[]) =>
        replaceCosts(
          store.db,
          [
            {
              kind: 'days',
              source: 'test',
              provider: 'AWS',
              billingAccountId: '111',
              from: '2024-10-01',
              to: '2024-10-01',
            },
          ],
          batch,
          {source: 'test', location: 'synthetic', startedAt: '', rowsRead: batch.length, rowsSkipped: 0},
        )
      const read = () =>
        queryCostDetails(store.db, {
          from: '2024-10-01',
          to: '2024-10-01',
          kind: 'resource',
          filters: [{key: {kind: 'dimension', name: 'service'}, values: ['Amazon S3']}],
          metric: 'effective',
        })!
      write(rows(1))
      write(rows(2))
      const details = read()
      expect(details).toHaveLength(21)
      expect(details.find((d) => d.value === 'bucket-49')!.cost).toBe(100)
      expect(details.find((d) => d.value === 'bucket-29')).toBeUndefined()
      // The 30 smallest (1..30, doubled) under '': the day's total is the rollup's, not twice it.
      expect(details.find((d) => d.value === '')!.cost).toBe(930)
      expect(details.reduce((a, d) => a + d.cost, 0)).toBe(2550)
      // Details carry no tags: a tag filter cannot be answered from them.
      expect(
        queryCostDetails(store.db, {
          from: '2024-10-01',
          to: '2024-10-01',
          kind: 'resource',
          filters: [{key: {kind: 'tag', key: 'bucket'}, values: ['b-1']}],
          metric: 'effective',
        }),
      ).toBeUndefined()
    } finally {
      store.cleanup()
    }
  })
})
