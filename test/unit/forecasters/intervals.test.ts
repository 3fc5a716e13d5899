import {describe, expect, it} from 'vitest'

import type {OriginRun} from '../../../forecasters/backtest.js'
import {
  atStep,
  DEFAULT_CALIBRATION,
  errorBands,
  type IntervalCalibration,
  measuredReach,
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
    expect(atEnd / atReach).toBeGreaterThan(90 / reach)
    // The growth law itself, without the calibrated width factors: at least (90 / 20)^1.35.
    const unit = {reached: [1, 1, 1], shortfall: [0, 0, 0], farShortfall: [0, 0, 0]} as const
    const neutral: IntervalCalibration = {
      ...DEFAULT_CALIBRATION,
      daily: {at80: unit, at95: unit},
      total: {at80: unit, at95: unit},
    }
    const raw = errorBands(shortRuns(reach), 80, 90, neutral)
    expect(half(raw.cumulative[89]!) / half(raw.cumulative[reach - 1]!)).toBeGreaterThan((90 / reach) ** 1.35)
    // Daily bands keep widening past the reach too (pooled over neighbouring days, the daily errors are
    // measured a few days past the last path's end, so the growth starts a little later), by the growth
    // law alone and with the calibrated factors (which flatten or steepen it by thirds).
    expect(half(raw.daily[89]!)).toBeGreaterThan(half(raw.daily[reach - 1]!) * 1.5)
    expect(half(bands.daily[89]!)).toBeGreaterThan(half(bands.daily[reach - 1]!) * 1.5)
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
    const flat = {reached: [1, 1, 1], shortfall: [0, 0, 0], farShortfall: [0, 0, 0]} as const
    const middle: IntervalCalibration = {
      ...DEFAULT_CALIBRATION,
      daily: {at80: {reached: [1, 2, 1], shortfall: [0, 0, 0], farShortfall: [0, 0, 0]}, at95: flat},
    }
    const f = (step: number): number => widthFactor(middle, 'daily', 80, step, 89, 90)
    expect(f(5)).toBe(1)
    expect(f(44.5)).toBe(2)
    expect(f(85)).toBe(1)
    // With a shortfall the same steps widen by the shortfall term times the unreached share.
    const short: IntervalCalibration = {
      ...DEFAULT_CALIBRATION,
      daily: {at80: {reached: [1, 1, 1], shortfall: [0.5, 1, 2], farShortfall: [0.5, 1, 2]}, at95: flat},
    }
    expect(widthFactor(short, 'daily', 80, 74.5, 44, 90)).toBeCloseTo(1 + 2 * 0.5, 12)
    expect(widthFactor(short, 'daily', 80, 0, 44, 90)).toBeCloseTo(1 + 0.5 * 0.5, 12)
  })

  it('a backtest that reached little of the horizon takes the far shortfall term, one that reached most of it the near one, blended between', () => {
    const flat = {reached: [1, 1, 1], shortfall: [0, 0, 0], farShortfall: [0, 0, 0]} as const
    const calibration: IntervalCalibration = {
      ...DEFAULT_CALIBRATION,
      daily: {at80: {reached: [1, 1, 1], shortfall: [1, 1, 1], farShortfall: [3, 3, 3]}, at95: flat},
    }
    // `reach` is the last step measured (from 0): 89 is the whole horizon, -1 none of it.
    const f = (reach: number): number => widthFactor(calibration, 'daily', 80, 40, reach, 100)
    expect(f(99)).toBe(1)
    // Up to a quarter unreached: the near term alone.
    expect(f(79)).toBeCloseTo(1 + 1 * 0.2, 12)
    // Half unreached: halfway between the terms.
    expect(f(49)).toBeCloseTo(1 + 2 * 0.5, 12)
    // Three quarters or more unreached: the far term alone.
    expect(f(19)).toBeCloseTo(1 + 3 * 0.8, 12)
    expect(f(-1)).toBeCloseTo(1 + 3 * 1, 12)
    // The factor never jumps as the reach moves by a day.
    for (let reach = 0; reach < 99; reach++) expect(Math.abs(f(reach) - f(reach - 1))).toBeLessThan(0.1)
  })

  it('the steps a backtest measures follow from its path lengths alone (what the calibration tools use)', () => {
    for (const reach of [5, 20, 45, 90]) {
      const runs = shortRuns(reach).map((r, k) => ({
        ...r,
        actual: r.actual.slice(0, Math.max(1, reach - k)),
        forecast: r.forecast.slice(0, Math.max(1, reach - k)),
      }))
      const bands = errorBands(runs, 80, 90)
      expect(
        measuredReach(
          runs.map((r) => r.actual.length),
          90,
        ),
      ).toEqual(bands.reach)
    }
    // Paths too short to measure anything: nothing reached.
    expect(measuredReach([1, 1], 90)).toEqual({daily: -1, total: -1})
  })

  it('the width factor grows with the unreached share of the horizon and with the level', () => {
    const f = (level: number, reach: number): number => widthFactor(DEFAULT_CALIBRATION, 'daily', level, 10, reach, 90)
    expect(f(80, 89)).toBeLessThan(f(80, 29))
    expect(f(80, 29)).toBeLessThan(f(80, -1))
    expect(f(95, 89)).toBeGreaterThan(f(80, 89))
  })
})
