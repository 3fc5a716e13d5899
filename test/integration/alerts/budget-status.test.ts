import {afterEach, beforeEach, describe, expect, test} from 'vitest'

import {forecastBudgetScope} from '../../../src/alerts/budget-forecast.js'
import {budgetReport} from '../../../src/alerts/budget-status.js'
import type {Budget} from '../../../src/model/budget.js'
import type {DailyCostRow} from '../../../src/model/cost.js'
import {replaceCosts} from '../../../src/store/cost-writer.js'
import type {Db} from '../../../src/store/open.js'
import {tempStore} from '../../helpers/index.js'
import {syntheticRows} from '../../helpers/cost-data.js'

const NOW = '2024-09-25'
const budget = (over: Partial<Budget> = {}): Budget => ({
  id: 1,
  name: 'b',
  amount: 10000,
  period: 'monthly',
  metric: 'billed',
  filters: [],
  thresholds: [
    {kind: 'actual', percent: 80},
    {kind: 'forecast', percent: 100},
  ],
  createdAt: '',
  updatedAt: '',
  ...over,
})

describe('budgetReport over a real store: data the forecast cannot use still gives actual spend', () => {
  let db: Db
  let cleanup: () => void
  beforeEach(() => {
    ;({db, cleanup} = tempStore())
  })
  afterEach(() => cleanup())
  const load = (rows: DailyCostRow[]): void => {
    replaceCosts(db, [], rows, {
      source: 'test',
      location: 'synthetic',
      startedAt: '',
      rowsRead: rows.length,
      rowsSkipped: 0,
    })
  }
  const report = (b: Budget = budget()) => budgetReport(db, b, forecastBudgetScope, {level: 80, now: NOW})

  test('a few missing days are filled: actual spend and a forecast', () => {
    load(
      syntheticRows([{account: '111', service: 'EC2', base: 100}], '2024-06-01', '2024-09-24').filter(
        (r) => r.day < '2024-08-10' || r.day > '2024-08-12',
      ),
    )
    const {status} = report()
    expect(status.actual).toBeGreaterThan(1500)
    expect(status.forecastSkipped).toBeUndefined()
    expect(status.forecast!.mean).toBeGreaterThan(status.actual)
  })

  test('history mostly missing: actual spend, no forecast, and which days are missing', () => {
    load(
      syntheticRows([{account: '111', service: 'EC2', base: 100}], '2024-06-01', '2024-09-24').filter(
        (r) => new Date(`${r.day}T00:00:00Z`).getUTCDate() % 4 !== 0,
      ),
    )
    const {status} = report()
    expect(status.actual).toBeGreaterThan(1500)
    expect(status.forecast).toBeUndefined()
    expect(status.forecastSkipped).toMatch(
      /26 of 115 days from 2024-06-01 to 2024-09-23 have no data \(first: 2024-06-04\)/,
    )
    expect(status.thresholds.find((t) => t.kind === 'actual')!.crossed).toBe(false)
  })

  test('negative daily totals (credits as usage): no forecast, and the reason', () => {
    const rows = syntheticRows([{account: '111', service: 'EC2', base: 100}], '2024-06-01', '2024-09-24')
    rows.push({...rows.at(-5)!, serviceName: 'Credit', billedCost: -5000})
    load(rows)
    expect(report().status.forecastSkipped).toMatch(/negative on 1 day/)
  })

  test('costs in two currencies: the larger is shown, with a note; a pinned currency without costs says so', () => {
    const usd = syntheticRows([{account: '111', service: 'EC2', base: 100}], '2024-06-01', '2024-09-24')
    const eur = syntheticRows([{account: '222', service: 'VM', base: 30}], '2024-06-01', '2024-09-24').map((r) => ({
      ...r,
      currency: 'EUR',
    }))
    load([...usd, ...eur])
    const mixed = report()
    expect(mixed.status.currency).toBe('USD')
    expect(mixed.notes).toEqual([
      'the scope has costs in EUR, USD; showing USD (set one with finops budget set b --currency CODE)',
    ])
    expect(mixed.status.forecast).toBeDefined()
    const eurOnly = report(budget({currency: 'EUR'}))
    expect(eurOnly.status.actual).toBeLessThan(mixed.status.actual)
    const gbp = report(budget({currency: 'GBP'}))
    expect(gbp.status.actual).toBe(0)
    expect(gbp.status.forecastSkipped).toBe("no GBP cost data in this budget's scope up to 2024-09-24")
    expect(gbp.notes[0]).toMatch(/has costs in EUR, USD but none in GBP/)
  })

  test("another currency's import lagging or sparse does not stop the budget currency's forecast", () => {
    const usd = syntheticRows([{account: '111', service: 'EC2', base: 100}], '2024-06-01', '2024-09-24')
    const eur = syntheticRows([{account: '222', service: 'VM', base: 300}], '2024-06-01', '2024-09-22').map((r) => ({
      ...r,
      currency: 'EUR',
    }))
    const gbp = ['2024-08-03', '2024-09-03'].map((day) => ({
      ...usd[0]!,
      day,
      serviceName: 'Marketplace',
      currency: 'GBP',
      billedCost: 40,
    }))
    load([...usd, ...eur, ...gbp])
    const {status} = report(budget({currency: 'USD'}))
    expect(status.forecastSkipped).toBeUndefined()
    expect(status.dataThrough).toBe('2024-09-24')
    expect(status.forecast!.mean - status.actual).toBeGreaterThan(0)
    // The lagging currency itself forecasts from its own last day.
    const eurStatus = report(budget({currency: 'EUR'})).status
    expect(eurStatus.dataThrough).toBe('2024-09-22')
    expect(eurStatus.forecast).toBeDefined()
  })

  test('billing data lagging behind: the missing days are forecast, and the note says so', () => {
    load(syntheticRows([{account: '111', service: 'EC2', base: 100, noise: 0}], '2024-06-01', '2024-09-20'))
    const {status, notes} = report()
    expect(status.dataThrough).toBe('2024-09-20')
    expect(notes).toContain('cost data ends 2024-09-20; the days after it are forecast')
    // 10 forecast days (21st to 30th) at about 100 on weekdays, 70 at weekends.
    expect(status.forecast!.mean - status.actual).toBeGreaterThan(800)
    expect(status.forecast!.mean - status.actual).toBeLessThan(1000)
  })
})
