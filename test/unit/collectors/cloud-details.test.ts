import {describe, expect, test} from 'vitest'

import {attachDetails, crossUsageTypes, type DetailCell} from '../../../src/collectors/cloud-details.js'
import type {DailyCostRow} from '../../../src/model/cost.js'

const row = (sub: string, service: string, region: string, cost: number, category = 'Usage'): DailyCostRow => ({
  day: '2026-11-25',
  billingPeriodStart: '2026-11-01',
  provider: 'AWS',
  billingAccountId: '999',
  subAccountId: sub,
  serviceName: service,
  serviceCategory: '',
  regionId: region,
  chargeCategory: category,
  chargeFrequency: 'Usage-Based',
  currency: 'USD',
  tags: {},
  billedCost: cost,
  effectiveCost: cost,
  listCost: 0,
  contractedCost: 0,
})
const cell = (by: string, value: string, cost: number, day = '2026-11-25'): DetailCell => ({
  day,
  by,
  value,
  billedCost: cost,
  effectiveCost: cost,
})

describe('usage types crossed from two groupings', () => {
  test('a usage type of one service is placed exactly, account by account', () => {
    const out = crossUsageTypes([cell('a', 'BoxUsage', 30), cell('b', 'BoxUsage', 10)], [cell('EC2', 'BoxUsage', 40)])
    expect(out.map((d) => [d.match.subAccountId, d.match.serviceName, d.billedCost])).toEqual([
      ['a', 'EC2', 30],
      ['b', 'EC2', 10],
    ])
  })

  test("a usage type billed by two services is shared by the services' cost that day, and the total is kept", () => {
    const out = crossUsageTypes(
      [cell('a', 'DataTransfer-Out', 100)],
      [
        cell('EC2', 'DataTransfer-Out', 75),
        cell('S3', 'DataTransfer-Out', 25),
        cell('S3', 'DataTransfer-Out', 9, '2026-11-24'),
      ],
    )
    expect(out.map((d) => [d.match.serviceName, d.billedCost])).toEqual([
      ['EC2', 75],
      ['S3', 25],
    ])
  })

  test('a usage type the service grouping did not see stays on its account alone', () => {
    const out = crossUsageTypes([cell('a', 'Odd', 5)], [])
    expect(out).toEqual([expect.objectContaining({match: {subAccountId: 'a'}, billedCost: 5})])
  })
})

describe('details placed on the rows they explain', () => {
  test('on the one usage row that matches; split by cost over several; never on other charges; unmatched ones dropped', () => {
    const rows = [
      row('a', 'EC2', 'us-east-1', 30),
      row('a', 'EC2', 'eu-west-1', 10),
      row('a', 'EC2', '', 500, 'Purchase'),
      row('b', 'S3', 'us-east-1', 8),
    ]
    const {attached, unplaced} = attachDetails(rows, [
      {
        day: '2026-11-25',
        kind: 'resource',
        value: 'bucket-1',
        match: {subAccountId: 'b', serviceName: 'S3'},
        billedCost: 8,
        effectiveCost: 8,
      },
      {
        day: '2026-11-25',
        kind: 'usage-type',
        value: 'BoxUsage',
        match: {subAccountId: 'a', serviceName: 'EC2'},
        billedCost: 20,
        effectiveCost: 20,
      },
      {
        day: '2026-11-25',
        kind: 'usage-type',
        value: 'Nowhere',
        match: {subAccountId: 'c'},
        billedCost: 1,
        effectiveCost: 1,
      },
    ])
    expect(unplaced).toBe(1)
    expect(attached.map((d) => [d.value, d.row.regionId, d.row.chargeCategory, d.billedCost])).toEqual([
      ['bucket-1', 'us-east-1', 'Usage', 8],
      ['BoxUsage', 'us-east-1', 'Usage', 15],
      ['BoxUsage', 'eu-west-1', 'Usage', 5],
    ])
  })
})
