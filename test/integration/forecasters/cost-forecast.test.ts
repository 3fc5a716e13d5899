import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {expectFinopsError, namedAsFlags} from '../../helpers/errors.js'

import {addDays, eachDay} from '../../../src/dates.js'
import {type CostForecastQuery, forecastCosts} from '../../../src/cost/forecast.js'
import {renderForecastText} from '../../../src/output/forecast-format.js'
import type {DailyCostRow} from '../../../src/model/cost.js'
import {replaceCosts} from '../../../src/store/cost-writer.js'
import type {Db} from '../../../src/store/open.js'
import {tempStore} from '../../helpers/index.js'
import {type BillRow, weeklyUsage} from '../../helpers/bill-fixture.js'

let db: Db
let cleanup: () => void

beforeEach(() => {
  ;({db, cleanup} = tempStore())
})
afterEach(() => cleanup())

/** Starts over with an empty store (the test's own costs replaced by others). */
function freshStore(): void {
  cleanup()
  ;({db, cleanup} = tempStore())
}

function load(rows: readonly BillRow[]): void {
  const daily: DailyCostRow[] = rows.map((r) => ({
    day: r.day,
    billingPeriodStart: `${r.day.slice(0, 7)}-01`,
    provider: 'TestCloud',
    billingAccountId: 'acct-1',
    subAccountId: '',
    serviceName: r.service,
    serviceCategory: '',
    regionId: 'region-1',
    chargeCategory: r.category ?? 'Usage',
    chargeFrequency: r.frequency ?? 'Usage-Based',
    currency: r.currency ?? 'USD',
    tags: {},
    billedCost: r.cost,
    effectiveCost: r.cost,
    listCost: r.cost,
    contractedCost: 0,
  }))
  replaceCosts(db, [], daily, {
    source: 'focus',
    location: 'test',
    startedAt: new Date().toISOString(),
    rowsRead: daily.length,
    rowsSkipped: 0,
  })
}

const START = '2025-06-02'
const LAST = '2025-10-31'
const DAYS = eachDay(START, LAST).length
const base: CostForecastQuery = {horizonDays: 30, level: 80, metric: 'effective', groupBy: [], filters: []}

function standardBill(): BillRow[] {
  return [
    ...weeklyUsage({start: START, days: DAYS, service: 'Compute', level: 1000, seed: 1}),
    ...weeklyUsage({start: START, days: DAYS, service: 'Storage', level: 300, weekend: 1, seed: 2}),
    // Support billed on the 1st; a subscription on the 20th; an hourly commitment spread daily.
    ...eachDay(START, LAST)
      .filter((d) => d.endsWith('-01'))
      .map((day) => ({day, service: 'Support', cost: 2500, category: 'Purchase', frequency: 'Recurring'})),
    ...eachDay(START, LAST)
      .filter((d) => d.endsWith('-20'))
      .map((day) => ({day, service: 'Marketplace', cost: 800, category: 'Purchase', frequency: 'Recurring'})),
    ...eachDay(START, LAST).map((day) => ({
      day,
      service: 'Savings Plans',
      cost: 50,
      category: 'Purchase',
      frequency: 'Recurring',
    })),
    // A one-time reservation purchase and a credit: not extrapolated.
    {day: '2025-09-15', service: 'Reserved Instances', cost: 40_000, category: 'Purchase', frequency: 'One-Time'},
    {day: '2025-10-10', service: 'Credits', cost: -5_000, category: 'Credit', frequency: 'One-Time'},
  ]
}

const expectError = (fn: () => unknown, message: RegExp, code: string): void => {
  expectFinopsError(fn, {message, code})
}

describe('forecastCosts', () => {
  it('projects recurring charges on their billing days and leaves one-time charges out', () => {
    load(standardBill())
    const f = forecastCosts(db, {...base, horizonDays: 40})
    expect(f.daily![0]!.date).toBe('2025-11-01')
    expect(f.daily).toHaveLength(40)
    expect(f.forecast).toEqual({from: '2025-11-01', to: '2025-12-10'})
    expect(f.history).toEqual({from: START, to: LAST, days: DAYS})
    const c = f.currencies[0]!
    const recurring = c.components.recurring.filter((r) => r.amount !== 0)
    expect(recurring).toEqual([
      {date: '2025-11-01', amount: 2500},
      {date: '2025-11-20', amount: 800},
      {date: '2025-12-01', amount: 2500},
    ])
    // The daily fee is forecast with usage: ordinary days sit near 1000*season + 300 + 50.
    const ordinary = f.daily!.find((p) => p.date === '2025-11-05')!
    expect(ordinary.mean).toBeGreaterThan(1200)
    expect(ordinary.mean).toBeLessThan(1450)
    const first = f.daily![0]!
    expect(first.mean - f.currencies[0]!.components.usage[0]!.mean).toBeCloseTo(2500, 6)
    // No day carries the one-time purchase or credit.
    expect(Math.max(...f.daily!.map((p) => p.mean))).toBeLessThan(4500)
    expect(c.oneTime).toEqual({
      total: 35_000,
      charges: [
        {date: '2025-09-15', amount: 40_000},
        {date: '2025-10-10', amount: -5_000},
      ],
    })
  })

  it('projects month ends from the actual month-to-date plus the forecast', () => {
    load(standardBill().filter((r) => r.day <= '2025-10-20'))
    const f = forecastCosts(db, base)
    const [october, november] = f.currencies[0]!.monthEnds
    const actualOctober = standardBill()
      .filter((r) => r.day >= '2025-10-01' && r.day <= '2025-10-20')
      .reduce((a, r) => a + r.cost, 0)
    expect(october!.month).toBe('2025-10')
    expect(october!.actualToDate).toBeCloseTo(actualOctober, 4)
    const rest = f.daily!.filter((p) => p.date <= '2025-10-31').reduce((a, p) => a + p.mean, 0)
    expect(october!.mean).toBeCloseTo(actualOctober + rest, 4)
    expect(october!.lower).toBeLessThanOrEqual(october!.mean)
    expect(october!.upper).toBeGreaterThan(october!.mean)
    expect(october!.complete).toBe(true)
    expect(november!.complete).toBe(false)
  })

  it('a month-end projection counts the whole month to date, also days before --from', () => {
    load(standardBill().filter((r) => r.day <= '2025-10-28'))
    const actualOctober = standardBill()
      .filter((r) => r.day >= '2025-10-01' && r.day <= '2025-10-28')
      .reduce((a, r) => a + r.cost, 0)
    for (const query of [
      {...base, from: '2025-10-05'},
      {...base, historyDays: 24},
    ]) {
      const f = forecastCosts(db, query)
      expect(f.history.from).toBe('2025-10-05')
      const october = f.currencies[0]!.monthEnds[0]!
      expect(october.month).toBe('2025-10')
      expect(october.actualToDate).toBeCloseTo(actualOctober, 4)
      expect(october.mean).toBeCloseTo(
        actualOctober + f.daily!.filter((p) => p.date <= '2025-10-31').reduce((a, p) => a + p.mean, 0),
        4,
      )
    }
  })

  it('a month-end projection after the last day of a month starts the next month from zero', () => {
    load(standardBill().filter((r) => r.day <= '2025-09-30'))
    const f = forecastCosts(db, {...base, horizonDays: undefined, from: '2025-09-10'})
    expect(f.forecast).toEqual({from: '2025-10-01', to: '2025-11-30'})
    const [october, november] = f.currencies[0]!.monthEnds
    expect(october!.actualToDate).toBe(0)
    expect(october!.mean).toBeCloseTo(
      f.daily!.filter((p) => p.date <= '2025-10-31').reduce((a, p) => a + p.mean, 0),
      4,
    )
    expect(october!.complete && november!.complete).toBe(true)
  })

  it('defaults the horizon to the end of next month', () => {
    load(standardBill())
    const f = forecastCosts(db, {...base, horizonDays: undefined})
    expect(f.forecast).toEqual({from: '2025-11-01', to: '2025-12-31'})
    expect(f.horizonDays).toBe(61)
  })

  it('forecasts each group and reconciles the groups to the total day by day', () => {
    load(standardBill())
    const f = forecastCosts(db, {...base, groupBy: [{kind: 'dimension', name: 'service'}]})
    const c = f.currencies[0]!
    expect(c.groups.map((g) => g.keys[0]).sort()).toEqual([
      'Compute',
      'Credits',
      'Marketplace',
      'Reserved Instances',
      'Savings Plans',
      'Storage',
      'Support',
    ])
    c.daily.forEach((p, h) => {
      const sum = c.groups.reduce((a, g) => a + g.daily[h]!.mean, 0)
      expect(sum).toBeCloseTo(p.mean, 6)
    })
    const byName = new Map(c.groups.map((g) => [g.keys[0], g]))
    expect(byName.get('Compute')!.total.mean).toBeGreaterThan(byName.get('Storage')!.total.mean)
    expect(byName.get('Reserved Instances')!.total.mean).toBeCloseTo(0, 6)
    for (const g of c.groups) {
      expect(g.total.lower).toBeLessThanOrEqual(g.total.mean + 1e-9)
      expect(g.total.upper).toBeGreaterThanOrEqual(g.total.mean - 1e-9)
    }
  })

  it('never adds currencies together, and the top level never switches to another currency', () => {
    const eur = weeklyUsage({start: START, days: DAYS, service: 'Compute', level: 90, seed: 5}).map((r) => ({
      ...r,
      currency: 'EUR',
    }))
    load(standardBill())
    const usdOnly = forecastCosts(db, base)
    expect(usdOnly.currency).toBe('USD')
    expect(usdOnly.daily).toEqual(usdOnly.currencies[0]!.daily)
    // A second currency appears, then outgrows the first: the top level is no one's rather than the larger one's.
    for (const scale of [1, 100]) {
      freshStore()
      load(standardBill())
      load(eur.map((r) => ({...r, cost: r.cost * scale})))
      const f = forecastCosts(db, base)
      expect(f.currencies.map((c) => c.currency)).toEqual(['EUR', 'USD'])
      expect(f).toMatchObject({currency: null, model: null, daily: null})
      expect(f.currencies[0]!.total.mean).toBeLessThan(90 * scale * 31)
      expect(f.currencies[1]!.total.mean).toBeCloseTo(usdOnly.currencies[0]!.total.mean, 6)
    }
    // Pinned with a currency filter, the top level is that currency's.
    const pinned = forecastCosts(db, {
      ...base,
      filters: [{key: {kind: 'dimension', name: 'currency'}, values: ['USD']}],
    })
    expect(pinned.currency).toBe('USD')
    expect(pinned.daily).toEqual(usdOnly.daily)
  })

  it('a currency whose import lags is forecast from its own last day; one that cannot be forecast is skipped with its reason', () => {
    const usd = weeklyUsage({start: START, days: DAYS, service: 'Compute', level: 1000, seed: 1})
    // A few marketplace charges in EUR (most days without EUR rows), and a GBP account whose import lags two days.
    const eur = ['2025-08-10', '2025-09-10', '2025-10-10'].map((day) => ({
      day,
      service: 'Marketplace',
      cost: 50,
      currency: 'EUR',
    }))
    const gbp = weeklyUsage({start: START, days: DAYS - 2, service: 'Compute', level: 20, seed: 3}).map((r) => ({
      ...r,
      currency: 'GBP',
    }))
    load([...usd, ...eur, ...gbp])
    const f = forecastCosts(db, base)
    expect(f.currency).toBeNull()
    expect(f.currencies.map((c) => c.currency)).toEqual(['GBP', 'USD'])
    const [gbpForecast, usdForecast] = f.currencies
    expect(usdForecast!.forecast).toEqual({from: '2025-11-01', to: '2025-11-30'})
    expect(gbpForecast!.forecast).toEqual({from: '2025-10-30', to: '2025-11-30'})
    expect(gbpForecast!.daily).toHaveLength(32)
    expect(gbpForecast!.warnings.map((w) => w.code)).toContain('lagging-data')
    expect(renderForecastText(f)).toContain('GBP data ends 2025-10-29: its forecast runs from 2025-10-30 to 2025-11-30')
    expect(f.skippedCurrencies.map((c) => c.currency)).toEqual(['EUR'])
    expect(f.skippedCurrencies[0]!.reason).toMatch(
      /^cannot forecast EUR cost: 1 day of history after a gap of 29 days \(2025-09-11 to 2025-10-09\)/,
    )
    expect(renderForecastText(f)).toMatch(/EUR: no forecast: cannot forecast EUR cost/)
    // The only currency in scope must forecast: then the whole forecast fails, naming it.
    expectError(
      () => forecastCosts(db, {...base, filters: [{key: {kind: 'dimension', name: 'currency'}, values: ['EUR']}]}),
      /cannot forecast EUR cost/,
      'INVALID_INPUT',
    )
  })

  it('honours filters and --to', () => {
    load(standardBill())
    const f = forecastCosts(db, {
      ...base,
      to: '2025-09-30',
      filters: [{key: {kind: 'dimension', name: 'service'}, values: ['Storage']}],
    })
    expect(f.daily![0]!.date).toBe('2025-10-01')
    const mean = f.daily!.reduce((a, p) => a + p.mean, 0) / f.daily!.length
    expect(mean).toBeGreaterThan(250)
    expect(mean).toBeLessThan(350)
  })

  it("a filter to a fee billed on the 1st is not a gap: it forecasts from the store's last day", () => {
    load(standardBill())
    const f = forecastCosts(db, {
      ...base,
      horizonDays: 35,
      filters: [{key: {kind: 'dimension', name: 'service'}, values: ['Support']}],
    })
    expect(f.forecast.from).toBe('2025-11-01')
    expect(f.history.from).toBe('2025-07-01')
    expect(f.daily!.filter((p) => p.mean > 1).map((p) => [p.date, p.mean])).toEqual([
      ['2025-11-01', 2500],
      ['2025-12-01', 2500],
    ])
  })

  it('a few days missing from the store are filled from the same weekdays and said so, also under a service filter', () => {
    const full = standardBill()
    load(full.filter((r) => r.day !== '2025-09-09' && r.day !== '2025-09-10'))
    const f = forecastCosts(db, {...base, filters: [{key: {kind: 'dimension', name: 'service'}, values: ['Compute']}]})
    const c = f.currencies[0]!
    expect(c.history).toMatchObject({from: START, to: LAST, filled: 2})
    expect(c.warnings).toContainEqual({
      code: 'filled-days',
      message: '2 days without data (first 2025-09-09) filled from the same weekdays around them',
    })
    // Filled, not zero: the forecast is as high as with the days present.
    freshStore()
    load(full)
    const complete = forecastCosts(db, {
      ...base,
      filters: [{key: {kind: 'dimension', name: 'service'}, values: ['Compute']}],
    })
    expect(c.total.mean / complete.currencies[0]!.total.mean).toBeGreaterThan(0.97)
    expect(c.total.mean / complete.currencies[0]!.total.mean).toBeLessThan(1.03)
  })

  it('a long run of missing days cuts the history, which starts after it', () => {
    load(standardBill().filter((r) => r.day < '2025-07-01' || r.day > '2025-07-20'))
    const c = forecastCosts(db, base).currencies[0]!
    expect(c.history.from).toBe('2025-07-21')
    expect(c.warnings.map((w) => w.code)).toContain('history-cut')
  })

  it.each([
    [
      'too little history',
      () => load(weeklyUsage({start: '2025-10-20', days: 12, service: 'Compute', level: 10})),
      /12 days of history; at least 21 are needed/,
      'INVALID_INPUT',
    ],
    [
      'more missing days than can be filled in',
      () =>
        load(
          weeklyUsage({start: START, days: DAYS, service: 'Compute', level: 10}).filter(
            (r) => Number(r.day.slice(8)) % 3 !== 0,
          ),
        ),
      /cannot forecast USD cost: \d+ of \d+ days from 2025-06-02 to 2025-10-31 have no data \(first: 2025-06-03\)/,
      'INVALID_INPUT',
    ],
    [
      'too little history after a long gap',
      () =>
        load(
          weeklyUsage({start: START, days: DAYS, service: 'Compute', level: 10}).filter(
            (r) => r.day < '2025-09-01' || r.day > '2025-10-20',
          ),
        ),
      /11 days of history after a gap of 50 days \(2025-09-01 to 2025-10-20\); at least 21 are needed/,
      'INVALID_INPUT',
    ],
    [
      'negative totals',
      () =>
        load([
          ...weeklyUsage({start: START, days: DAYS, service: 'Compute', level: 10}),
          {day: '2025-09-09', service: 'Refund', cost: -100},
        ]),
      /negative on 1 day \(first: 2025-09-09\)/,
      'INVALID_INPUT',
    ],
    ['an empty store', () => undefined, /no cost data/, 'NOT_FOUND'],
  ])('refuses %s with one line', (_name, setup, pattern, code) => {
    setup()
    expectError(() => forecastCosts(db, base), pattern, code)
  })

  it('a late --from is refused with what to do', () => {
    load(standardBill())
    expectError(
      () => forecastCosts(db, {...base, from: addDays(LAST, 3)}),
      /after the last day with cost data/,
      'INVALID_INPUT',
    )
  })

  it('a --to after the last day with data is refused, not reported as missing days', () => {
    load(standardBill())
    const error = expectFinopsError(() => forecastCosts(db, {...base, to: addDays(LAST, 5)}), {
      message: 'window end 2025-11-05 is after the last day with cost data (2025-10-31)',
      code: 'INVALID_INPUT',
    })
    // `finops forecast` names its flag.
    expect(namedAsFlags(error).message).toBe('--to 2025-11-05 is after the last day with cost data (2025-10-31)')
  })
})
