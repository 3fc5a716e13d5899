import fs from 'node:fs'
import path from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'

import {importFocusFiles} from '../../../src/collectors/focus/index.js'
import {
  type CommitmentUsageRow,
  commitmentUsageExtent,
  iterateCommitmentUsageHours,
  readCommitmentUsageTotals,
} from '../../../src/store/commitment-usage.js'
import {writeCommitmentBill} from '../../helpers/commitment-bill.js'
import {fixturesDir} from '../../helpers/cli.js'
import {tempStore, type TempStore} from '../../helpers/store.js'

const sampleFile = path.join(fixturesDir, 'focus', 'focus_sample_1000.csv')

let store: TempStore | undefined
afterEach(() => store?.cleanup())

const sum = (rows: readonly CommitmentUsageRow[], pick: (r: CommitmentUsageRow) => number = (r) => r.effectiveCost) =>
  rows.reduce((s, r) => s + pick(r), 0)

describe('commitment usage written by the FOCUS import', () => {
  it('keeps the hourly eligible spend, the commitment used and unused, and the fees, in the same transaction', async () => {
    store = tempStore()
    const file = path.join(store.dir, 'bill.csv')
    const truth = writeCommitmentBill(file, {
      start: '2026-03-01',
      hours: 24 * 10,
      onDemand: (h) => 10 + 6 * Math.sin((2 * Math.PI * h) / 24),
      commitment: {id: 'arn:aws:savingsplans::1:savingsplan/a', hourly: 5, discount: 0.3},
      noise: true,
    })
    await importFocusFiles(store.db, [file])
    const totals = readCommitmentUsageTotals(store.db, {from: '2026-03-01', to: '2026-03-10'})
    const used = totals.filter((r) => r.commitmentStatus === 'used')
    const unused = totals.filter((r) => r.commitmentStatus === 'unused')
    const standard = totals.filter((r) => r.pricingCategory === 'standard' && r.chargeCategory === 'Usage')
    const fees = totals.filter((r) => r.chargeCategory === 'Purchase')
    expect(sum(used)).toBeCloseTo(truth.used, 4)
    expect(sum(unused)).toBeCloseTo(truth.unused, 4)
    expect(sum(used, (r) => r.listCost)).toBeCloseTo(truth.covered, 4)
    expect(sum(standard, (r) => r.listCost)).toBeCloseTo(truth.onDemand - truth.covered, 4)
    expect(sum(fees, (r) => r.billedCost)).toBeCloseTo(5 * 240, 4)
    expect(used[0]).toMatchObject({
      commitmentType: 'Savings Plan',
      commitmentCategory: 'Spend',
      pricingCategory: 'committed',
    })
    // Storage and spot are not eligible: neither is kept.
    expect(totals.some((r) => r.serviceCategory === 'Storage' || r.pricingCategory === 'dynamic')).toBe(false)
    const hours = [...iterateCommitmentUsageHours(store.db, {from: '2026-03-01', to: '2026-03-01'})]
    expect(new Set(hours.map((h) => h.hour)).size).toBe(24)
    expect(hours.every((h) => h.spanHours === 1)).toBe(true)
    expect(commitmentUsageExtent(store.db)).toEqual({
      first: Date.parse('2026-03-01T00:00:00Z') / 3_600_000,
      last: Date.parse('2026-03-10T23:00:00Z') / 3_600_000,
    })
  })

  it('replaces a re-imported billing period instead of adding to it, and reads FOCUS 1.0-preview names', async () => {
    store = tempStore()
    const file = path.join(store.dir, 'bill.csv')
    const options = {
      start: '2026-03-01',
      hours: 48,
      onDemand: () => 4,
      commitment: {id: 'ri-1', hourly: 2, discount: 0.5, type: 'Reservation', category: 'Usage' as const},
      previewNames: true,
    }
    writeCommitmentBill(file, options)
    await importFocusFiles(store.db, [file])
    await importFocusFiles(store.db, [file])
    const totals = readCommitmentUsageTotals(store.db, {from: '2026-03-01', to: '2026-03-31'})
    expect(sum(totals.filter((r) => r.commitmentStatus === 'used'))).toBeCloseTo(2 * 48, 6)
    expect(
      sum(
        totals.filter((r) => r.pricingCategory === 'standard'),
        (r) => r.listCost,
      ),
    ).toBeCloseTo(0, 6)
    expect(totals.filter((r) => r.commitmentStatus === 'used')[0]).toMatchObject({
      pricingCategory: 'committed',
      commitmentCategory: 'Usage',
      commitmentType: 'Reservation',
    })
    // A restated period with less usage replaces the old hours.
    writeCommitmentBill(file, {...options, hours: 24, commitment: undefined})
    await importFocusFiles(store.db, [file], {allowShrink: true})
    const restated = readCommitmentUsageTotals(store.db, {from: '2026-03-01', to: '2026-03-31'})
    expect(restated.some((r) => r.commitmentId !== '')).toBe(false)
    expect(sum(restated, (r) => r.listCost)).toBeCloseTo(4 * 24, 6)
  })

  it('hands hourly usage out one row at a time, in hour order, usage only: memory does not grow with the window', async () => {
    store = tempStore()
    const file = path.join(store.dir, 'bill.csv')
    const truth = writeCommitmentBill(file, {
      start: '2026-03-01',
      hours: 24 * 40,
      onDemand: (h) => 8 + 4 * Math.sin((2 * Math.PI * h) / 24),
      commitment: {id: 'arn:aws:savingsplans::1:savingsplan/a', hourly: 3, discount: 0.3},
    })
    await importFocusFiles(store.db, [file])
    const range = {from: '2026-03-01', to: '2026-04-09'}
    const rows = iterateCommitmentUsageHours(store.db, range)
    // A lazy cursor, not an array of every row of the window.
    expect(Array.isArray(rows)).toBe(false)
    const first = rows.next()
    expect(first.done).toBe(false)
    expect(first.value!.hour).toBe(Date.parse('2026-03-01T00:00:00Z') / 3_600_000)
    let previous = first.value!.hour
    let count = 1
    let onDemand = first.value!.listCost
    for (const row of rows) {
      expect(row.hour).toBeGreaterThanOrEqual(previous)
      expect(row.chargeCategory).toBe('Usage')
      previous = row.hour
      onDemand += row.commitmentStatus === 'unused' ? 0 : row.listCost
      count++
    }
    // A standard and a used row each hour (usage never falls below what the plan covers); the fee (Purchase) rows are not read.
    expect(count).toBe(2 * 24 * 40)
    expect(onDemand).toBeCloseTo(truth.onDemand, 3)
  })

  it('keeps a daily charge period as one row spanning 24 hours', async () => {
    store = tempStore()
    const file = path.join(store.dir, 'daily.csv')
    fs.writeFileSync(
      file,
      [
        'BilledCost,EffectiveCost,ListCost,BillingAccountId,BillingCurrency,BillingPeriodStart,ChargeCategory,ChargePeriodStart,ChargePeriodEnd,' +
          'ProviderName,ServiceCategory,ServiceName,RegionId,PricingCategory',
        '24,24,24,sub-1,EUR,2026-03-01T00:00:00Z,Usage,2026-03-02T00:00:00Z,2026-03-03T00:00:00Z,Microsoft,Compute,Virtual Machines,westeurope,Standard',
        '3,3,3,sub-1,EUR,2026-03-01T00:00:00Z,Usage,2026-03-02T00:00:00Z,2026-03-03T00:00:00Z,Microsoft,Storage,Storage Accounts,westeurope,Standard',
      ].join('\n'),
    )
    await importFocusFiles(store.db, [file])
    const hours = [...iterateCommitmentUsageHours(store.db, {from: '2026-03-01', to: '2026-03-31'})]
    expect(hours).toHaveLength(1)
    expect(hours[0]).toMatchObject({spanHours: 24, serviceName: 'Virtual Machines', currency: 'EUR', listCost: 24})
  })

  it('leaves out rows skipped as invalid and writes nothing when the import fails', async () => {
    store = tempStore()
    const file = path.join(store.dir, 'bad.csv')
    const header =
      'BilledCost,EffectiveCost,ListCost,BillingAccountId,BillingCurrency,BillingPeriodStart,ChargeCategory,ChargePeriodStart,ProviderName,' +
      'ServiceCategory,ServiceName,PricingCategory,CommitmentDiscountId,CommitmentDiscountStatus'
    fs.writeFileSync(
      file,
      [
        header,
        '1,1,1,a,USD,2026-03-01,Usage,2026-03-01T01:00:00Z,AWS,Compute,EC2,Standard,,',
        'abc,1,1,a,USD,2026-03-01,Usage,2026-03-01T02:00:00Z,AWS,Compute,EC2,Standard,,',
        '0,0.5,1,a,USD,2026-03-01,Usage,2026-03-01T03:00:00Z,AWS,Compute,EC2,Committed,sp-1,Used',
      ].join('\n'),
    )
    await expect(importFocusFiles(store.db, [file])).rejects.toThrow(/BilledCost/)
    expect(readCommitmentUsageTotals(store.db, {from: '2026-03-01', to: '2026-03-31'})).toEqual([])
    await importFocusFiles(store.db, [file], {skipInvalid: true})
    const hours = [...iterateCommitmentUsageHours(store.db, {from: '2026-03-01', to: '2026-03-31'})]
    expect(hours.map((h) => [h.hour % 24, h.commitmentId, h.commitmentStatus])).toEqual([
      [1, '', ''],
      [3, 'sp-1', 'used'],
    ])
  })

  it('imports the three-provider FOCUS 1.0 sample and keeps its Savings Plan rows', async () => {
    store = tempStore()
    await importFocusFiles(store.db, [sampleFile])
    const totals = readCommitmentUsageTotals(store.db, {from: '2024-01-01', to: '2025-12-31'})
    const used = totals.filter((r) => r.commitmentStatus === 'used')
    expect(new Set(used.map((r) => r.commitmentId)).size).toBe(2)
    expect(sum(used, (r) => r.listCost)).toBeCloseTo(0.1426790222, 8)
    expect(new Set(totals.map((r) => r.provider))).toEqual(new Set(['AWS', 'Microsoft', 'Oracle']))
    expect(
      totals.every(
        (r) => ['Compute', 'Databases', 'AI and Machine Learning'].includes(r.serviceCategory) || r.commitmentId !== '',
      ),
    ).toBe(true)
  })
})
