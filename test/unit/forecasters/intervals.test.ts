import {describe, expect, it} from 'vitest'

import type {OriginRun} from '../../../forecasters/backtest.js'
import {
  atStep,
  DEFAULT_CALIBRATION,
  errorBands,
  type IntervalCalibration,
  widthFactor,
} from '../../../forecasters/intervals.js'
import {prng} from '../../helpers/bill-fixture.js'

/**
 * A short history's backtest: 24 origins a day apart whose paths reach only `reach` days, with
 * errors that persist from day to day (an AR(1) with a level error per origin), as real bills' do.
 */
function shortRuns(reach: number, seed = 7): OriginRun[] {
  const rand = prng(seed)
  return Array.from({length: 24}, (_, k) => {
    let ar = 0
    const levelError = 0.05 * (rand() * 2 - 1)
    const actual = Array.from({length: reach}, () => {
      ar = 0.7 * ar + 0.05 * (rand() * 2 - 1)
      return 100 * (1 + levelError + ar)
    })
    return {origin: 30 + k, forecast: actual.map(() => 100), actual, level: 100, scale: 5}
  })
}

const half = (b: {lo: number; hi: number}): number => (b.hi - b.lo) / 2

describe('interval bands past the backtest reach', () => {
  it("a quarter's total widens at least as fast as persistent errors add up, never as sqrt(n) of independent days", () => {
    const reach = 20
    const bands = errorBands(shortRuns(reach), 80, 90)
    const atReach = half(bands.cumulative[reach - 1]!)
    const atEnd = half(bands.cumulative[89]!)
    // Independent days would give (90 / 20)^0.5 = 2.1; a persistent level error alone gives 4.5.
    expect(atEnd / atReach).toBeGreaterThan((90 / reach) ** 1.35)
    // Daily bands keep widening past the reach too.
    expect(half(bands.daily[89]!)).toBeGreaterThan(half(bands.daily[reach - 1]!) * (90 / reach) ** 0.5)
  })

  it('a backtest that cannot reach the horizon gives wider bands than one that does, at the steps both measured', () => {
    const short = errorBands(shortRuns(20), 80, 90)
    const reached = errorBands(shortRuns(20), 80, 20)
    expect(half(short.daily[10]!)).toBeGreaterThan(half(reached.daily[10]!) * 1.3)
    expect(half(short.cumulative[10]!)).toBeGreaterThan(half(reached.cumulative[10]!) * 1.3)
  })

  it('each third of the horizon has its own width: straight lines between knots, rising past the last', () => {
    expect(atStep([1, 2, 1.5], [15, 45, 75], 0)).toBe(1)
    expect(atStep([1, 2, 1.5], [15, 45, 75], 30)).toBeCloseTo(1.5, 12)
    expect(atStep([1, 2, 1.5], [15, 45, 75], 60)).toBeCloseTo(1.75, 12)
    // Past the last knot: flat when the last segment falls, along it when it rises.
    expect(atStep([1, 2, 1.5], [15, 45, 75], 180)).toBe(1.5)
    expect(atStep([1, 1.5, 2], [15, 45, 75], 105)).toBeCloseTo(2.5, 12)
    // A calibration that widens only the middle third widens only days around it.
    const flat = {reached: [1, 1, 1], shortfall: [0, 0, 0]} as const
    const middle: IntervalCalibration = {
      ...DEFAULT_CALIBRATION,
      daily: {at80: {reached: [1, 2, 1], shortfall: [0, 0, 0]}, at95: flat},
    }
    const f = (step: number): number => widthFactor(middle, 'daily', 80, step, 89, 90)
    expect(f(5)).toBe(1)
    expect(f(44.5)).toBe(2)
    expect(f(85)).toBe(1)
    // With a shortfall the same steps widen by the shortfall term times the unreached share.
    const short: IntervalCalibration = {
      ...DEFAULT_CALIBRATION,
      daily: {at80: {reached: [1, 1, 1], shortfall: [0.5, 1, 2]}, at95: flat},
    }
    expect(widthFactor(short, 'daily', 80, 74.5, 44, 90)).toBeCloseTo(1 + 2 * 0.5, 12)
    expect(widthFactor(short, 'daily', 80, 0, 44, 90)).toBeCloseTo(1 + 0.5 * 0.5, 12)
  })

  it('the width factor grows with the unreached share of the horizon and with the level', () => {
    const f = (level: number, reach: number): number => widthFactor(DEFAULT_CALIBRATION, 'daily', level, 10, reach, 90)
    expect(f(80, 89)).toBeLessThan(f(80, 29))
    expect(f(80, 29)).toBeLessThan(f(80, -1))
    expect(f(95, 89)).toBeGreaterThan(f(80, 89))
  })
})
