import fs from 'node:fs'
import path from 'node:path'
import {afterAll, describe, expect, test} from 'vitest'

import {importFocusFiles} from '../../../src/collectors/focus/index.js'
import {queryCostDetails} from '../../../src/store/cost-details.js'
import {queryDailyCosts} from '../../../src/store/costs.js'
import {readResourceDayCosts} from '../../../src/store/resource-costs.js'
import {tempDir} from '../../helpers/cli.js'
import {tempStore} from '../../helpers/store.js'

const HEADER = [
  'BillingAccountId',
  'BillingCurrency',
  'BillingPeriodStart',
  'ChargeCategory',
  'ChargePeriodStart',
  'BilledCost',
  'EffectiveCost',
  'ListCost',
  'ProviderName',
  'ServiceName',
  'ServiceCategory',
  'RegionId',
  'ResourceId',
  'ResourceName',
  'PricingUnit',
  'PricingQuantity',
  'ConsumedUnit',
  'ConsumedQuantity',
  'SkuId',
]

interface Line {
  day: string
  service: string
  category: string
  resource: string | null
  name?: string
  cost: number
  pricingUnit?: string
  pricingQuantity?: number | string
  consumedUnit?: string
  consumedQuantity?: number
  sku?: string
}

const cell = (v: string | number | null | undefined): string =>
  v === null || v === undefined ? '' : typeof v === 'number' ? String(v) : `"${v.replace(/"/g, '""')}"`

function writeExport(file: string, lines: readonly Line[]): void {
  const rows = lines.map((l) =>
    [
      '111',
      'USD',
      `${l.day.slice(0, 8)}01T00:00:00Z`,
      'Usage',
      `${l.day}T00:00:00Z`,
      l.cost,
      l.cost * 0.8,
      l.cost * 1.25,
      'AWS',
      l.service,
      l.category,
      'eu-west-1',
      l.resource,
      l.name,
      l.pricingUnit,
      l.pricingQuantity,
      l.consumedUnit,
      l.consumedQuantity,
      l.sku,
    ]
      .map(cell)
      .join(','),
  )
  fs.writeFileSync(file, `${HEADER.join(',')}\n${rows.join('\n')}\n`)
}

const DAYS = ['2024-10-01', '2024-10-02', '2024-10-03']
const instance = (n: number) => `arn:aws:ec2:eu-west-1:111:instance/i-0abc${n}`

/** Two instances billed per hour (24 h and a partial day), 30 S3 buckets, a NAT gateway (Networking). */
function bill(instanceCost: number): Line[] {
  return DAYS.flatMap((day) => [
    // The instance's hours in two rows (a day split over two usage types), its EBS volume under Storage.
    {
      day,
      service: 'Amazon EC2',
      category: 'Compute',
      resource: instance(1),
      name: 'node-a',
      cost: instanceCost / 2,
      pricingUnit: 'Hours',
      pricingQuantity: 12,
      sku: 'BoxUsage:m5.xlarge',
    },
    {
      day,
      service: 'Amazon EC2',
      category: 'Compute',
      resource: instance(1),
      name: 'node-a',
      cost: instanceCost / 2,
      pricingUnit: 'Hours',
      pricingQuantity: 12,
      sku: 'BoxUsage:m5.xlarge',
    },
    // No PricingUnit: ConsumedUnit and ConsumedQuantity stand in.
    {
      day,
      service: 'Amazon EC2',
      category: 'Compute',
      resource: instance(2),
      cost: 3,
      consumedUnit: 'Hours',
      consumedQuantity: 6,
      sku: 'BoxUsage:t3.large',
    },
    {
      day,
      service: 'Amazon EC2',
      category: 'Storage',
      resource: 'arn:aws:ec2:eu-west-1:111:volume/vol-0aa',
      cost: 0.4,
      pricingUnit: 'GB-Mo',
      pricingQuantity: 3.3,
      sku: 'EBS:VolumeUsage.gp3',
    },
    // A row with no resource counts in the rollup only.
    {day, service: 'Amazon EC2', category: 'Compute', resource: null, cost: 5, sku: 'DataTransfer'},
    ...Array.from({length: 30}, (_, i) => ({
      day,
      service: 'Amazon S3',
      category: 'Storage',
      resource: `bucket-${i}`,
      cost: i + 1,
      pricingUnit: 'GB-Mo',
      pricingQuantity: 'NaN',
    })),
    {
      day,
      service: 'Amazon VPC',
      category: 'Networking',
      resource: 'nat-0123',
      cost: 1.1,
      pricingUnit: 'Hours',
      pricingQuantity: 24,
    },
  ])
}

describe('resource costs from a FOCUS import', () => {
  const tmp = tempDir()
  afterAll(() => tmp.cleanup())

  test('Compute and Storage resources per day and unit in cost_resource_daily; each key keeps its 20 largest resources a day', async () => {
    const store = tempStore()
    try {
      const file = path.join(tmp.dir, 'bill.csv')
      writeExport(file, bill(48))
      await importFocusFiles(store.db, [file])

      const nodes = readResourceDayCosts(store.db, {
        keys: ['i-0abc1', 'i-0abc2'],
        from: DAYS[0]!,
        to: DAYS.at(-1)!,
        serviceCategory: 'Compute',
      })
      expect(nodes).toHaveLength(6)
      for (const day of DAYS) {
        expect(nodes.find((n) => n.resourceKey === 'i-0abc1' && n.day === day)).toMatchObject({
          provider: 'AWS',
          hours: 24,
          currency: 'USD',
        })
        const a = nodes.find((n) => n.resourceKey === 'i-0abc1' && n.day === day)!
        expect(a.effectiveCost).toBeCloseTo(48 * 0.8, 9)
        expect(a.listCost).toBeCloseTo(48 * 1.25, 9)
        const b = nodes.find((n) => n.resourceKey === 'i-0abc2' && n.day === day)!
        expect(b.hours).toBe(6)
        expect(b.effectiveCost).toBeCloseTo(3 * 0.8, 9)
      }
      // Storage: the volume, and every bucket (a NaN quantity counts as none); Networking is not kept.
      const storage = readResourceDayCosts(store.db, {
        keys: ['vol-0aa', ...Array.from({length: 30}, (_, i) => `bucket-${i}`), 'nat-0123'],
        from: DAYS[0]!,
        to: DAYS.at(-1)!,
      })
      expect(storage).toHaveLength(31 * 3)
      expect(storage.every((s) => s.resourceKey !== 'nat-0123')).toBe(true)
      const units = store.db
        .prepare(
          "SELECT unit, sum(quantity) AS q FROM cost_resource_daily WHERE service_category = 'Storage' GROUP BY unit",
        )
        .all()
      expect(units).toEqual([{unit: 'GB-Mo', q: expect.closeTo(3.3 * 3, 9)}])

      // Details: S3 keeps its 20 largest buckets a day and the rest (buckets 0-9: 1+...+10) under ''.
      const details = queryCostDetails(store.db, {
        from: DAYS[0]!,
        to: DAYS[0]!,
        kind: 'resource',
        filters: [],
        metric: 'billed',
      })!
      const buckets = details.filter((d) => d.value.startsWith('bucket-'))
      expect(buckets.map((d) => d.value).sort()).toEqual(Array.from({length: 20}, (_, i) => `bucket-${i + 10}`).sort())
      const rest = details.filter((d) => d.value === '')
      expect(rest.reduce((a, d) => a + d.cost, 0)).toBeCloseTo(55, 9)
      expect(details.find((d) => d.value === instance(1))).toMatchObject({label: 'node-a', cost: 48})
      expect(details.find((d) => d.value === 'nat-0123')!.cost).toBeCloseTo(1.1, 9)
      // Every cost with a resource is in the details once: the day's total less the row without one.
      const dayTotal = queryDailyCosts(store.db, {
        from: DAYS[0]!,
        to: DAYS[0]!,
        groupBy: [],
        filters: [],
        metric: 'billed',
      }).reduce((a, p) => a + p.cost, 0)
      expect(details.reduce((a, d) => a + d.cost, 0)).toBeCloseTo(dayTotal - 5, 6)
    } finally {
      store.cleanup()
    }
  })

  test('a re-imported billing period replaces its resource rows; an export without ResourceId leaves none', async () => {
    const store = tempStore()
    try {
      const file = path.join(tmp.dir, 'restated.csv')
      const node = () =>
        readResourceDayCosts(store.db, {
          keys: ['i-0abc1'],
          from: DAYS[0]!,
          to: DAYS.at(-1)!,
          serviceCategory: 'Compute',
        })
      writeExport(file, bill(48))
      await importFocusFiles(store.db, [file])
      writeExport(file, bill(24))
      await importFocusFiles(store.db, [file])
      expect(node().map((n) => n.effectiveCost)).toEqual(DAYS.map(() => expect.closeTo(24 * 0.8, 9)))

      // The same period without the resource columns: its resource rows go, as the rest of the period is replaced.
      const plain = path.join(tmp.dir, 'plain.csv')
      fs.writeFileSync(
        plain,
        'BillingAccountId,BillingCurrency,BillingPeriodStart,ChargeCategory,ChargePeriodStart,BilledCost,EffectiveCost,ProviderName,ServiceName,' +
          'ServiceCategory\n' +
          DAYS.map((d) => `111,USD,2024-10-01,Usage,${d},40,40,AWS,Amazon EC2,Compute`).join('\n') +
          '\n',
      )
      await importFocusFiles(store.db, [plain], {allowShrink: true})
      expect(node()).toEqual([])
      expect(
        queryCostDetails(store.db, {from: DAYS[0]!, to: DAYS.at(-1)!, kind: 'resource', filters: [], metric: 'billed'}),
      ).toEqual([])
    } finally {
      store.cleanup()
    }
  })

  test('rows skipped as invalid are not in the resource costs', async () => {
    const store = tempStore()
    try {
      const file = path.join(tmp.dir, 'bad.csv')
      const lines = bill(48)
      writeExport(file, lines)
      // A row whose cost is not a number, for a resource no other row has.
      fs.appendFileSync(
        file,
        `111,USD,2024-10-01T00:00:00Z,Usage,2024-10-02T00:00:00Z,abc,1,1,AWS,Amazon EC2,Compute,eu-west-1,${instance(9)},,Hours,24,,,x\n`,
      )
      const summary = await importFocusFiles(store.db, [file], {skipInvalid: true})
      expect(summary.rowsSkipped).toBe(1)
      expect(
        readResourceDayCosts(store.db, {keys: ['i-0abc9', 'i-0abc1'], from: DAYS[0]!, to: DAYS.at(-1)!}).map(
          (n) => n.resourceKey,
        ),
      ).toEqual(['i-0abc1', 'i-0abc1', 'i-0abc1'])
    } finally {
      store.cleanup()
    }
  })
})
