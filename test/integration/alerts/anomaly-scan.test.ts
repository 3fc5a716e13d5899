import path from 'node:path'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'

import {anomalyContributors, scanAnomalies} from '../../../src/alerts/anomaly-scan.js'
import {parseConfig} from '../../../src/config/index.js'
import type {DailyCostRow} from '../../../src/model/cost.js'
import {replaceCosts} from '../../../src/store/costs.js'
import {type Db, openStore} from '../../../src/store/open.js'
import {tempDir} from '../../helpers/cli.js'
import {syntheticRows} from '../../helpers/cost-data.js'

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
