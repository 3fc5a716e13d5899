import {describe, expect, it} from 'vitest'

import {addDays} from '../../../src/dates.js'
import {forecastSeries, MODEL_NAMES, sumForecast} from '../../../forecasters/index.js'
import type {ForecastResult, HistoryPoint} from '../../../forecasters/types.js'
import {prng, weeklyUsage} from '../../helpers/bill-fixture.js'

const toHistory = (rows: {day: string; cost: number}[]): HistoryPoint[] =>
  rows.map((r) => ({date: r.day, value: r.cost}))
const usage = (days: number, seed = 1, noise = 0.08): HistoryPoint[] =>
  toHistory(weeklyUsage({start: '2025-01-06', days, service: 'Compute', level: 1000, noise, seed}))

function expectResult(f: ReturnType<typeof forecastSeries>): ForecastResult {
  if (f.skipped) throw new Error(`unexpected skip: ${f.reason}`)
  return f
}

describe('forecastSeries', () => {
  it('starts the day after the history and covers the horizon, intervals around the mean', () => {
    const history = usage(120)
    const f = expectResult(forecastSeries(history, 45))
    expect(f.daily).toHaveLength(45)
    expect(f.daily[0]!.date).toBe(addDays(history.at(-1)!.date, 1))
    expect(f.daily.at(-1)!.date).toBe(addDays(history.at(-1)!.date, 45))
    expect(f.level).toBe(80)
    expect(MODEL_NAMES).toContain(f.model)
    for (const p of f.daily) {
      expect(p.lower).toBeLessThanOrEqual(p.mean)
      expect(p.upper).toBeGreaterThanOrEqual(p.mean)
      expect(p.lower).toBeGreaterThanOrEqual(0)
    }
    // The running total's interval is narrower than the sum of the daily bounds (errors partly cancel).
    const sumWidth = f.daily.reduce((a, p) => a + p.upper - p.lower, 0)
    const last = f.cumulative.at(-1)!
    expect(last.upper - last.lower).toBeLessThan(sumWidth)
    expect(last.mean).toBeCloseTo(
      f.daily.reduce((a, p) => a + p.mean, 0),
      6,
    )
  })

  it('a sparse series (a batch job on some days) gets finite, ordered intervals from every horizon step', () => {
    const rand = prng(3)
    const history = Array.from({length: 60}, (_, i) => ({
      date: addDays('2025-01-01', i),
      value: rand() < 0.7 ? 0 : 100 * rand(),
    }))
    const f = expectResult(forecastSeries(history, 30, {backtestAll: true}))
    for (const p of [...f.daily, ...f.cumulative]) {
      expect([p.mean, p.lower, p.upper].every(Number.isFinite)).toBe(true)
      expect(p.lower).toBeLessThanOrEqual(p.mean)
      expect(p.mean).toBeLessThanOrEqual(p.upper)
      expect(p.lower).toBeGreaterThanOrEqual(0)
    }
    expect(f.backtest.every((a) => Number.isFinite(a.mase))).toBe(true)
  })

  it('is deterministic', () => {
    const history = usage(90, 4)
    expect(forecastSeries(history, 30)).toEqual(forecastSeries(history, 30))
  })

  it('skips too little history and says how much is needed', () => {
    const f = forecastSeries(usage(20), 30)
    expect(f).toMatchObject({skipped: true, needDays: 21})
    expect(f.skipped && f.reason).toMatch(/20 days of history; at least 21/)
    expect(forecastSeries(usage(20), 30, {minHistoryDays: 14}).skipped).toBe(false)
  })

  it('fills a few missing days and says so; a history mostly missing is a skip naming the first day', () => {
    const history = usage(60).filter((p) => p.date !== '2025-02-10' && p.date !== '2025-02-11')
    const f = expectResult(forecastSeries(history, 30))
    expect(f.history).toMatchObject({days: 60, filled: 2})
    expect(f.warnings.map((w) => w.code)).toEqual(['filled-days'])
    const full = expectResult(forecastSeries(usage(60), 30))
    expect(f.cumulative.at(-1)!.mean / full.cumulative.at(-1)!.mean).toBeCloseTo(1, 1)
    const sparse = forecastSeries(
      usage(60).filter((_, i) => i % 4 !== 1),
      30,
    )
    expect(sparse.skipped && sparse.reason).toMatch(
      /^15 of 60 days from 2025-01-06 to 2025-03-06 have no data \(first: 2025-01-07\)/,
    )
  })

  it('skips a bad horizon or level instead of throwing', () => {
    expect(forecastSeries(usage(60), 0).skipped).toBe(true)
    expect(forecastSeries(usage(60), 30, {level: 100}).skipped).toBe(true)
  })

  it('with backtestAll reports accuracy for every candidate, the chosen model first', () => {
    const f = expectResult(forecastSeries(usage(150), 30, {backtestAll: true}))
    expect(f.backtest.map((b) => b.model).sort()).toEqual([...MODEL_NAMES].sort())
    expect(f.backtest[0]!.model).toBe(f.model)
    for (const b of f.backtest) {
      expect(b.origins).toBeGreaterThan(5)
      expect(b.horizonDays).toBe(30)
      expect(b.coverage).toBeGreaterThan(0.5)
      expect(b.mase).toBeGreaterThan(0)
    }
  })

  it('honours the candidate list', () => {
    const f = expectResult(forecastSeries(usage(90), 14, {models: ['seasonal-naive']}))
    expect(f.model).toBe('seasonal-naive')
    expect(expectResult(forecastSeries(usage(90), 14, {models: ['ensemble']})).model).toBe('ensemble')
  })

  it('never goes below what the backtest needs, whatever minHistoryDays says', () => {
    const f = forecastSeries(usage(15), 30, {minHistoryDays: 14})
    expect(f).toMatchObject({skipped: true, needDays: 16})
    expect(expectResult(forecastSeries(usage(16), 30, {minHistoryDays: 14})).daily).toHaveLength(30)
  })

  it('80% intervals hold roughly 80% of out-of-sample days (calibration over many series)', () => {
    let inside = 0
    let total = 0
    let totalInside = 0
    const series = 24
    for (let seed = 1; seed <= series; seed++) {
      const rand = prng(seed * 31)
      const rows = weeklyUsage({
        start: '2025-01-06',
        days: 150,
        service: 'Compute',
        level: 200 + 2000 * rand(),
        noise: 0.05 + 0.2 * rand(),
        seed,
        trendPerDay: 0.002 * rand(),
      })
      const history = toHistory(rows.slice(0, 120))
      const actual = rows.slice(120).map((r) => r.cost)
      const f = expectResult(forecastSeries(history, 30))
      actual.forEach((a, h) => {
        if (a >= f.daily[h]!.lower && a <= f.daily[h]!.upper) inside++
        total++
      })
      const sum = actual.reduce((a, b) => a + b, 0)
      const t = f.cumulative.at(-1)!
      if (sum >= t.lower && sum <= t.upper) totalInside++
    }
    const coverage = inside / total
    expect(coverage).toBeGreaterThan(0.7)
    expect(coverage).toBeLessThan(0.92)
    expect(totalInside / series).toBeGreaterThan(0.5)
  })

  it('keeps forecasting the weekly level through a one-day spike at the end of the history', () => {
    const history = usage(120, 7, 0.03)
    const spiked = history.map((p, i) => (i === history.length - 2 ? {...p, value: p.value * 10} : p))
    const a = expectResult(forecastSeries(history, 14))
    const b = expectResult(forecastSeries(spiked, 14))
    const total = (f: ForecastResult): number => f.daily.reduce((s, p) => s + p.mean, 0)
    expect(Math.abs(total(b) - total(a)) / total(a)).toBeLessThan(0.05)
  })
})

describe('sumForecast', () => {
  it('uses the running-total interval for a span from the first day and scales it for later spans', () => {
    const f = expectResult(forecastSeries(usage(120), 40))
    const first = sumForecast(f, f.daily[0]!.date, f.daily[9]!.date)
    expect(first).toEqual({
      mean: f.cumulative[9]!.mean,
      lower: f.cumulative[9]!.lower,
      upper: f.cumulative[9]!.upper,
      days: 10,
    })
    const later = sumForecast(f, f.daily[20]!.date, f.daily[29]!.date)
    expect(later.days).toBe(10)
    expect(later.mean).toBeCloseTo(
      f.daily.slice(20, 30).reduce((a, p) => a + p.mean, 0),
      6,
    )
    expect(later.lower).toBeLessThanOrEqual(later.mean)
    expect(later.upper).toBeGreaterThan(later.mean)
    expect(sumForecast(f, '1999-01-01', '1999-01-31')).toEqual({mean: 0, lower: 0, upper: 0, days: 0})
  })
})
