import fs from 'node:fs'
import {describe, expect, it} from 'vitest'

import {billingPeriodEnd, FOCUS_COLUMNS, toFocusRecord} from '../../../src/cost/focus-dataset.js'
import {csvLine} from '../../../src/csv.js'
import type {FocusGrainRow} from '../../../src/store/focus-export.js'
import {checkFocusCsv, fixturesDir} from '../../helpers/index.js'

const row = (over: Partial<FocusGrainRow> = {}): FocusGrainRow => ({
  day: '2024-02-29',
  billingPeriodStart: '2024-02-01',
  provider: 'AWS',
  billingAccountId: '123456789012',
  billingAccountName: 'Acme',
  subAccountId: '',
  subAccountName: null,
  serviceName: 'Amazon Elastic Compute Cloud',
  serviceCategory: 'compute',
  regionId: '',
  chargeCategory: 'Usage',
  chargeFrequency: '',
  currency: 'EUR',
  tags: '{}',
  costs: [-12.5, -12.5, 0, 0],
  ...over,
})

const toCsv = (rows: FocusGrainRow[]): string =>
  csvLine(FOCUS_COLUMNS) +
  rows
    .map(toFocusRecord)
    .map((r) => csvLine(FOCUS_COLUMNS.map((c) => r[c])))
    .join('')

describe('toFocusRecord', () => {
  it('fills every mandatory column, nulls only where FOCUS allows, datetimes with a Z', () => {
    const record = toFocusRecord(row())
    expect(record).toMatchObject({
      BillingPeriodStart: '2024-02-01T00:00:00Z',
      BillingPeriodEnd: '2024-03-01T00:00:00Z',
      ChargePeriodStart: '2024-02-29T00:00:00Z',
      ChargePeriodEnd: '2024-03-01T00:00:00Z',
      ChargeCategory: 'Usage',
      ChargeClass: null,
      ChargeFrequency: 'Usage-Based',
      ServiceCategory: 'Compute',
      InvoiceIssuerName: 'AWS',
      PublisherName: 'AWS',
      PricingQuantity: null,
      PricingUnit: null,
      RegionId: null,
      SubAccountId: null,
      Tags: null,
      BilledCost: -12.5,
      BillingCurrency: 'EUR',
    })
    expect(checkFocusCsv(toCsv([row()]))).toEqual([])
  })

  it('keeps credits numeric (a leading minus is not defused) and text that looks like a formula defused', () => {
    const csv = toCsv([row({serviceName: '=HYPERLINK("x")', chargeCategory: 'credit', chargeFrequency: 'one time'})])
    const line = csv.split('\n')[1]!
    expect(line).toContain(',-12.5,-12.5,0,0,')
    expect(line).toContain(`"'=HYPERLINK(""x"")"`)
    expect(line).toContain(',Credit,,')
    expect(line).toContain(',One-Time,')
    expect(checkFocusCsv(csv)).toEqual([])
  })

  it('maps a missing or unknown service category to Other and derives a missing frequency from the category', () => {
    expect(toFocusRecord(row({serviceCategory: ''})).ServiceCategory).toBe('Other')
    expect(toFocusRecord(row({serviceCategory: 'Quantum'})).ServiceCategory).toBe('Other')
    expect(toFocusRecord(row({chargeCategory: 'Purchase'})).ChargeFrequency).toBe('One-Time')
    expect(toFocusRecord(row({chargeFrequency: 'RECURRING'})).ChargeFrequency).toBe('Recurring')
  })

  it('refuses rows FOCUS cannot carry, naming the column', () => {
    expect(() => toFocusRecord(row({chargeCategory: 'Refund'}))).toThrow(
      /ChargeCategory 'Refund'.*not a FOCUS 1.0 value/,
    )
    expect(() => toFocusRecord(row({billingAccountId: ''}))).toThrow(/without BillingAccountId/)
    expect(() => toFocusRecord(row({provider: ''}))).toThrow(/without ProviderName/)
  })

  it('ends a billing period one month later, clamped to the month', () => {
    expect(billingPeriodEnd('2024-12-01')).toBe('2025-01-01')
    expect(billingPeriodEnd('2024-01-31')).toBe('2024-02-29')
    expect(billingPeriodEnd('2024-09-15')).toBe('2024-10-15')
  })
})

describe('the FOCUS 1.0 rule checker', () => {
  it('finds each kind of violation', () => {
    const good = toCsv([row()])
    const [header, line] = good.trim().split('\n') as [string, string]
    const cols = header.split(',')
    const withValue = (column: string, value: string): string => {
      const cells = csvLineCells(line)
      cells[cols.indexOf(column)] = value
      return `${header}\n${cells.join(',')}\n`
    }
    expect(checkFocusCsv(withValue('ChargePeriodStart', '2024-02-29 00:00:00'))).toEqual([
      "row 1 ChargePeriodStart: '2024-02-29 00:00:00' is not YYYY-MM-DDTHH:mm:ssZ",
    ])
    expect(checkFocusCsv(withValue('ChargeCategory', 'Usage-based'))[0]).toMatch(/not an allowed value/)
    expect(checkFocusCsv(withValue('ChargeClass', 'Refund'))[0]).toMatch(/not an allowed value/)
    expect(checkFocusCsv(withValue('InvoiceIssuerName', ''))[0]).toMatch(/null, which the spec does not allow/)
    expect(checkFocusCsv(withValue('BilledCost', '1e-7'))[0]).toMatch(/not a FOCUS decimal/)
    expect(checkFocusCsv(withValue('Tags', '"[1,2]"'))[0]).toMatch(/not a JSON object/)
    expect(checkFocusCsv(withValue('PricingUnit', 'Hours'))[0]).toMatch(/null exactly when SkuPriceId is/)
    expect(checkFocusCsv(withValue('BillingCurrency', 'usd'))[0]).toMatch(/ISO 4217/)
    expect(checkFocusCsv(good.replace('PublisherName,', 'Publisher,'))[0]).toBe(
      'row 0 PublisherName: mandatory column missing',
    )
  })

  it('flags the raw FOCUS sample as it is (NULL strings, space-separated timestamps): it checks real rules', () => {
    const sample = fs.readFileSync(`${fixturesDir}/focus/focus_sample_1000.csv`, 'utf8')
    const problems = checkFocusCsv(sample, 10_000)
    expect(
      problems.some((p) => /ChargePeriodStart: '2024-09-\d\d \d\d:00:00' is not YYYY-MM-DDTHH:mm:ssZ/.test(p)),
    ).toBe(true)
  })
})

/** Splits one CSV line of this test's own rows (quoted fields keep their commas). */
function csvLineCells(line: string): string[] {
  const cells: string[] = []
  let current = ''
  let quoted = false
  for (const ch of line) {
    if (ch === '"') quoted = !quoted
    if (ch === ',' && !quoted) {
      cells.push(current)
      current = ''
    } else current += ch
  }
  cells.push(current)
  return cells
}
