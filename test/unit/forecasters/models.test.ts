import {describe, expect, it} from 'vitest'

import {cleanSpikes} from '../../../forecasters/clean.js'
import {dampedTrend, holtWintersAdditive, holtWintersMultiplicative} from '../../../forecasters/models/holt-winters.js'
import {lastLevelShift, robustDecomposition, weeklyProfile} from '../../../forecasters/models/robust-decomposition.js'
import {seasonalNaive} from '../../../forecasters/models/seasonal-naive.js'
import {pointModels} from '../../../forecasters/registry.js'
import {prng} from '../../helpers/bill-fixture.js'

const PATTERN = [100, 104, 98, 102, 101, 55, 50]
const weekly = (weeks: number, f: (i: number) => number = () => 1): number[] =>
  Array.from({length: weeks * 7}, (_, i) => PATTERN[i % 7]! * f(i))
const noisy = (y: number[], seed: number, amount = 0.03): number[] => {
  const rand = prng(seed)
  return y.map((v) => v * (1 + amount * (rand() * 2 - 1)))
}
const mape = (forecast: number[], truth: number[]): number =>
  forecast.reduce((a, f, i) => a + Math.abs(f - truth[i]!) / truth[i]!, 0) / forecast.length

describe('point models', () => {
  it('seasonal naive repeats the last observed week', () => {
    const y = weekly(4).map((v, i) => v + i)
    const f = seasonalNaive.forecast(y, 10)
    expect(f).toEqual(Array.from({length: 10}, (_, h) => y[y.length - 7 + (h % 7)]))
  })

  it.each([
    ['holt-winters-additive', holtWintersAdditive],
    ['holt-winters-multiplicative', holtWintersMultiplicative],
    ['damped-trend', dampedTrend],
    ['robust-decomposition', robustDecomposition],
  ] as const)('%s learns a noisy weekly pattern', (_name, model) => {
    const all = noisy(weekly(16), 3)
    const f = model.forecast(all.slice(0, 12 * 7), 28)
    expect(f).toHaveLength(28)
    expect(mape(f, weekly(16).slice(12 * 7))).toBeLessThan(0.06)
  })

  it('trend models follow a steady growth that seasonal naive cannot', () => {
    const growth = (i: number): number => 1 + 0.01 * i
    const y = weekly(12, growth)
    const truth = weekly(16, growth).slice(12 * 7)
    const naive = mape(seasonalNaive.forecast(y, 28), truth)
    expect(mape(holtWintersAdditive.forecast(y, 28), truth)).toBeLessThan(naive)
    expect(mape(dampedTrend.forecast(y, 28), truth)).toBeLessThan(naive)
    expect(mape(robustDecomposition.forecast(y, 28), truth)).toBeLessThan(naive / 2)
  })

  it('every registered model is deterministic and returns finite numbers', () => {
    const y = noisy(weekly(10), 9, 0.2)
    for (const model of Object.values(pointModels)) {
      const a = model.forecast(y, 20)
      expect(model.forecast(y, 20)).toEqual(a)
      expect(a.every(Number.isFinite)).toBe(true)
    }
  })

  it('every registered model returns finite numbers on sparse usage (most days zero, some weekdays always zero)', () => {
    const rand = prng(3)
    const sparse = Array.from({length: 60}, () => (rand() < 0.7 ? 0 : 100 * rand()))
    const weekdaysOnly = weekly(8).map((v, i) => (i % 7 >= 5 ? 0 : v))
    for (const y of [sparse, weekdaysOnly]) {
      for (const [name, model] of Object.entries(pointModels))
        expect(model.forecast(y, 14).every(Number.isFinite), name).toBe(true)
    }
  })
})

describe('robust decomposition', () => {
  it('estimates the weekly profile as ratios to the weekly mean', () => {
    const profile = weeklyProfile(weekly(8))
    const mean = PATTERN.reduce((a, b) => a + b, 0) / 7
    // Index t % 7 of a series starting at index 0 is PATTERN's position.
    profile.forEach((p, d) => expect(p).toBeCloseTo(PATTERN[d]! / mean, 1))
  })

  it('finds a level shift and forecasts the new level, not the average', () => {
    const y = noisy(
      weekly(16, (i) => (i >= 80 ? 1.6 : 1)),
      5,
    )
    const shift = lastLevelShift(y.map((v, t) => v / weeklyProfile(y)[t % 7]!))
    expect(Math.abs(shift - 80)).toBeLessThanOrEqual(3)
    const f = robustDecomposition.forecast(y, 14)
    const truth = weekly(18, () => 1.6).slice(16 * 7)
    expect(mape(f, truth)).toBeLessThan(0.06)
  })

  it('does not take a smooth trend for a level shift', () => {
    const y = weekly(16, (i) => 1 + 0.004 * i)
    const d = y.map((v, t) => v / weeklyProfile(y)[t % 7]!)
    expect(lastLevelShift(d)).toBe(Math.max(0, y.length - 120))
  })

  it('is not moved by a one-day spike', () => {
    const base = noisy(weekly(12), 11)
    const spiked = [...base]
    spiked[base.length - 3] = base[base.length - 3]! * 8
    const a = robustDecomposition.forecast(base, 14)
    const b = robustDecomposition.forecast(spiked, 14)
    expect(mape(b, a)).toBeLessThan(0.02)
  })
})

describe('cleanSpikes', () => {
  it('replaces an isolated spike with the same weekday of nearby weeks', () => {
    const y = noisy(weekly(8), 2, 0.02)
    const spiked = [...y]
    spiked[30] = y[30]! * 10
    const clean = cleanSpikes(spiked)
    expect(clean[30]).toBeLessThan(y[30]! * 1.1)
    expect(clean[30]).toBeGreaterThan(y[30]! * 0.9)
    // Other days are untouched, including the same weekday next to the spike.
    clean.forEach((v, i) => (i === 30 ? undefined : expect(v).toBe(spiked[i])))
  })

  it('keeps a level shift (a run longer than two days)', () => {
    const y = noisy(
      weekly(8, (i) => (i >= 40 ? 3 : 1)),
      4,
      0.02,
    )
    expect(cleanSpikes(y)).toEqual(y)
  })
})
