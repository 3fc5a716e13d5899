import {describe, expect, it} from 'vitest'

import {addDays, eachDay} from '../../../src/dates.js'
import {classifyRecurring, projectRecurring} from '../../../forecasters/recurring.js'

const series = (from: string, to: string, amountOn: (day: string) => number): {date: string; amount: number}[] =>
  eachDay(from, to).map((date) => ({date, amount: amountOn(date)}))

describe('recurring charges', () => {
  it('tells a daily-spread commitment fee from calendar-billed charges', () => {
    expect(classifyRecurring(series('2025-01-01', '2025-03-31', () => 12)).daily).toBe(true)
    expect(classifyRecurring(series('2025-01-01', '2025-03-31', (d) => (d.endsWith('-01') ? 500 : 0))).daily).toBe(
      false,
    )
    expect(classifyRecurring([]).daily).toBe(false)
  })

  it('repeats each billing day with its latest amount', () => {
    const history = series('2025-08-01', '2025-10-20', (d) =>
      d.endsWith('-01') ? (d < '2025-10-01' ? 400 : 450) : d.endsWith('-15') ? 99 : 0,
    )
    const projected = projectRecurring(history, '2025-10-20', 45)
    expect(projected).toHaveLength(45)
    expect(projected[0]!.date).toBe('2025-10-21')
    const nonZero = projected.filter((r) => r.amount !== 0)
    expect(nonZero).toEqual([
      {date: '2025-11-01', amount: 450},
      {date: '2025-11-15', amount: 99},
      {date: '2025-12-01', amount: 450},
    ])
  })

  it('moves a charge on the 31st to the last day of a shorter month', () => {
    const history = series('2025-08-01', '2025-10-31', (d) => (d.endsWith('-31') ? 70 : 0))
    const projected = projectRecurring(history, '2025-10-31', 61)
    expect(projected.filter((r) => r.amount !== 0).map((r) => r.date)).toEqual(['2025-11-30', '2025-12-31'])
  })

  it('drops a subscription not billed for over 45 days (cancelled)', () => {
    const last = '2025-10-31'
    const history = series('2025-06-01', last, (d) => (d === '2025-07-10' || d === '2025-08-10' ? 300 : 0))
    expect(projectRecurring(history, last, 40).every((r) => r.amount === 0)).toBe(true)
    expect(projectRecurring(history, addDays('2025-08-10', 20), 30).some((r) => r.amount === 300)).toBe(true)
  })
})
