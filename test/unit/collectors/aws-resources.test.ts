import {describe, expect, test} from 'vitest'

import {planResourceCalls, toResourceDetails} from '../../../src/collectors/aws/resources.js'
import type {DailyCostRow} from '../../../src/model/cost.js'

const row = (day: string, sub: string, service: string, cost: number, category = 'Usage'): DailyCostRow => ({
  day,
  billingPeriodStart: `${day.slice(0, 7)}-01`,
  provider: 'AWS',
  billingAccountId: '999',
  subAccountId: sub,
  serviceName: service,
  serviceCategory: '',
  regionId: '',
  chargeCategory: category,
  chargeFrequency: 'Usage-Based',
  currency: 'USD',
  tags: {},
  billedCost: cost,
  effectiveCost: cost,
  listCost: 0,
  contractedCost: 0,
})

describe('planResourceCalls (GetCostAndUsageWithResources)', () => {
  const rows = [
    row('2026-11-20', '111', 'EC2', 500),
    row('2026-11-20', '111', 'S3', 80),
    row('2026-11-20', '111', 'Lambda', 120),
    // Large, but before the 14 days Cost Explorer serves: does not rank the services.
    row('2026-10-01', '111', 'S3', 90_000),
    // Not usage: a fee never asks for resources.
    row('2026-11-20', '111', 'Support', 9_000, 'Purchase'),
  ]

  test('clips the window to the last 14 days and asks for the largest services there, one call each', () => {
    const calls = planResourceCalls(rows, {from: '2026-09-01', to: '2026-11-25'}, '2026-11-26', 2)
    expect(calls.map((c) => [c.service, c.from, c.to, c.linkedAccount])).toEqual([
      ['EC2', '2026-11-13', '2026-11-25', '111'],
      ['Lambda', '2026-11-13', '2026-11-25', '111'],
    ])
    // One account: resources grouped alone and placed on that account; every call filters by its service.
    expect(calls[0]!.groupBy).toEqual([{Type: 'DIMENSION', Key: 'RESOURCE_ID'}])
    expect(JSON.stringify(calls[0]!.filter)).toContain('{"Dimensions":{"Key":"SERVICE","Values":["EC2"]}}')
  })

  test('several accounts with usage: grouped by account and resource', () => {
    const calls = planResourceCalls(
      [...rows, row('2026-11-21', '222', 'EC2', 10)],
      {from: '2026-11-01', to: '2026-11-25'},
      '2026-11-26',
      5,
    )
    expect(calls.map((c) => c.service)).toEqual(['EC2', 'Lambda', 'S3'])
    expect(calls[0]!.groupBy.map((g) => g.Key)).toEqual(['LINKED_ACCOUNT', 'RESOURCE_ID'])
    expect(calls[0]!.linkedAccount).toBeUndefined()
  })

  test('a window older than 14 days, or with no usage there, asks for nothing', () => {
    expect(planResourceCalls(rows, {from: '2026-09-01', to: '2026-10-31'}, '2026-11-26', 5)).toEqual([])
    expect(planResourceCalls(rows, {from: '2026-11-21', to: '2026-11-25'}, '2026-11-26', 5)).toEqual([])
  })

  test("a page's groups become resource details of the call's service and account; empty groups are dropped", () => {
    const [call] = planResourceCalls(
      [row('2026-11-20', '111', 'EC2', 5), row('2026-11-20', '222', 'EC2', 5)],
      {from: '2026-11-20', to: '2026-11-20'},
      '2026-11-26',
      1,
    )
    const details = toResourceDetails(
      {
        $metadata: {},
        ResultsByTime: [
          {
            TimePeriod: {Start: '2026-11-20', End: '2026-11-21'},
            Groups: [
              {Keys: ['222', 'i-0abc'], Metrics: {UnblendedCost: {Amount: '4.5'}, AmortizedCost: {Amount: '4'}}},
              {Keys: ['111', 'i-0def'], Metrics: {UnblendedCost: {Amount: '0'}, AmortizedCost: {Amount: '0'}}},
            ],
          },
        ],
      },
      call!,
    )
    expect(details).toEqual([
      {
        day: '2026-11-20',
        kind: 'resource',
        value: 'i-0abc',
        match: {serviceName: 'EC2', subAccountId: '222'},
        billedCost: 4.5,
        effectiveCost: 4,
      },
    ])
  })
})
