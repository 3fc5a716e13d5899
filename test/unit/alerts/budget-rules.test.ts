import {describe, expect, test} from 'vitest'

import {type BudgetFacts, evaluateBudget} from '../../../src/alerts/budget-rules.js'
import {periodContaining} from '../../../src/alerts/periods.js'
import type {Budget} from '../../../src/model/budget.js'
import {addDays, eachDay} from '../../../src/dates.js'

const budget = (over: Partial<Budget> = {}): Budget => ({
  id: 1,
  name: 'prod',
  amount: 3000,
  period: 'monthly',
  metric: 'billed',
  filters: [],
  createdAt: '',
  updatedAt: '',
  thresholds: [
    {kind: 'actual', percent: 50},
    {kind: 'actual', percent: 100},
    {kind: 'forecast', percent: 100},
  ],
  ...over,
})

/** `perDay` each day from the 1st through `through`, and a flat forecast of `forecastPerDay` (+-10% per day of horizon) after. */
function facts(
  perDay: number,
  through: string,
  forecastPerDay: number | undefined,
  over: Partial<BudgetFacts> = {},
): BudgetFacts {
  const window = periodContaining('monthly', through)
  const days = eachDay(addDays(through, 1), addDays(through, 40))
  return {
    budget: budget(),
    window,
    currency: 'USD',
    asOf: through,
    dataThrough: through,
    actuals: eachDay(window.start, through).map((day) => ({day, cost: perDay})),
    forecast:
      forecastPerDay === undefined
        ? {skipped: true, reason: '10 days of history; at least 21 are needed'}
        : {
            model: 'test',
            level: 80,
            cumulative: days.map((date, i) => ({
              date,
              mean: forecastPerDay * (i + 1),
              lower: forecastPerDay * (i + 1) * 0.9,
              upper: forecastPerDay * (i + 1) * 1.1,
            })),
          },
    ...over,
  }
}

describe('evaluateBudget', () => {
  test('spend to date, period-end forecast = actual + rest-of-period forecast, and the projected breach day', () => {
    // 10 days at 100 = 1000; 20 more days at 110 = 2200 -> 3200 at month end (2024-09 has 30 days).
    const s = evaluateBudget(facts(100, '2024-09-10', 110))
    expect(s.actual).toBe(1000)
    expect(s.actualPercent).toBeCloseTo(33.3, 1)
    expect(s.forecast).toMatchObject({mean: 3200, lower: 2980, upper: 3420, model: 'test', level: 80})
    expect(s.forecast!.percent).toBeCloseTo(106.7, 1)
    // 1000 + 110 * 19 = 3090 >= 3000 on the 19th forecast day: 2024-09-29.
    expect(s.breachDate).toBe('2024-09-29')
    expect(s.breachKind).toBe('forecast')
    expect(s.thresholds.map((t) => [t.kind, t.percent, t.crossed, t.over])).toEqual([
      ['actual', 50, false, undefined],
      ['actual', 100, false, undefined],
      ['forecast', 100, true, 200],
    ])
  })

  test('an actual breach is dated on the day the running total reached the amount', () => {
    const s = evaluateBudget(facts(200, '2024-09-20', 200))
    expect(s.actual).toBe(4000)
    expect(s.breachDate).toBe('2024-09-15')
    expect(s.breachKind).toBe('actual')
    expect(s.thresholds.filter((t) => t.crossed).map((t) => `${t.kind} ${t.percent}`)).toEqual([
      'actual 50',
      'actual 100',
      'forecast 100',
    ])
    expect(s.thresholds.find((t) => t.kind === 'actual' && t.percent === 50)!.over).toBe(2500)
  })

  test('no breach expected when the forecast stays under the amount', () => {
    const s = evaluateBudget(facts(50, '2024-09-10', 50))
    expect(s.forecast!.mean).toBe(1500)
    expect(s.breachDate).toBeUndefined()
    expect(s.thresholds.some((t) => t.crossed)).toBe(false)
  })

  test('a skipped forecast keeps the actuals and says why; forecast thresholds cannot cross', () => {
    const s = evaluateBudget(facts(200, '2024-09-10', undefined))
    expect(s.actual).toBe(2000)
    expect(s.forecast).toBeUndefined()
    expect(s.forecastSkipped).toMatch(/at least 21/)
    const forecastThreshold = s.thresholds.find((t) => t.kind === 'forecast')!
    expect(forecastThreshold.crossed).toBe(false)
    expect(forecastThreshold.value).toBeUndefined()
    expect(s.thresholds.find((t) => t.percent === 50)!.crossed).toBe(true)
  })

  test('data that stops before the period starts: the forecast days before the period are not counted', () => {
    // Data through Aug 31, asOf Sep 2: the forecast starts Sep 1, so nothing is taken off.
    const base = facts(100, '2024-08-31', 100)
    const s = evaluateBudget({
      ...base,
      window: periodContaining('monthly', '2024-09-02'),
      asOf: '2024-09-02',
      actuals: [],
    })
    expect(s.actual).toBe(0)
    expect(s.forecast!.mean).toBe(3000)
    // Data through Aug 29: Aug 30 and 31 (200) are forecast too and are taken off the September total.
    const lagging = facts(100, '2024-08-29', 100)
    const t = evaluateBudget({
      ...lagging,
      window: periodContaining('monthly', '2024-09-02'),
      asOf: '2024-09-02',
      actuals: [],
    })
    expect(t.forecast!.mean).toBe(3000)
    expect(t.forecast!.upper - t.forecast!.mean).toBeCloseTo(320, 6)
  })

  test('a period complete in the data closes at its actual spend', () => {
    const base = facts(100, '2024-09-30', 100)
    const s = evaluateBudget({...base, forecast: {cumulative: [], model: 'actual', level: 80}})
    expect(s.forecast).toMatchObject({mean: 3000, lower: 3000, upper: 3000, model: 'actual'})
  })
})
