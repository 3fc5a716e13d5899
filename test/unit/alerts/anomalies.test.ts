import {describe, expect, test} from 'vitest'

import {type AnomalySeries, type AnomalySettings, detectAnomalies} from '../../../src/alerts/anomalies.js'
import {addDays, dayToDate, eachDay} from '../../../src/dates.js'
import {seeded} from '../../helpers/cost-data.js'

const THROUGH = '2024-09-24'
const settings: AnomalySettings = {
  level: 99,
  trainingDays: 56,
  minHistoryDays: 21,
  lookbackDays: 1,
  through: THROUGH,
  minImpact: 10,
}

/** A weekday/weekend series with relative noise, ending THROUGH; `change` overrides given days. */
function series(base: number, noise: number, days = 90, change: Record<string, number> = {}, seed = 1): AnomalySeries {
  const rand = seeded(seed)
  const points = eachDay(addDays(THROUGH, -(days - 1)), THROUGH).map((day) => {
    const dow = dayToDate(day).getUTCDay()
    const weekly = dow === 0 || dow === 6 ? 0.6 : 1
    return {day, cost: change[day] ?? base * weekly * (1 + noise * (rand() * 2 - 1))}
  })
  return {keys: ['111', 'Amazon EC2'], currency: 'USD', points}
}

describe('detectAnomalies', () => {
  test('a spike far outside the weekly model is found, with its size in money', () => {
    const s = series(1000, 0.03, 90, {[THROUGH]: 2500})
    const [a, ...rest] = detectAnomalies([s], settings)
    expect(rest).toEqual([])
    expect(a).toMatchObject({
      day: THROUGH,
      direction: 'spike',
      actual: 2500,
      keys: ['111', 'Amazon EC2'],
      currency: 'USD',
      level: 99,
    })
    // 2024-09-24 is a Tuesday: expected near the weekday level of 1000, not the weekly average.
    expect(a!.expected).toBeGreaterThan(950)
    expect(a!.expected).toBeLessThan(1050)
    expect(a!.impact).toBeCloseTo(2500 - a!.expected, 2)
    expect(a!.beyondInterval).toBeCloseTo(2500 - a!.upper, 2)
    expect(a!.upper).toBeLessThan(1200)
  })

  test('weekends are expected to be lower: a normal Saturday is not a drop', () => {
    const saturday = '2024-09-21'
    const found = detectAnomalies([series(1000, 0.03, 90)], {...settings, through: saturday})
    expect(found).toEqual([])
  })

  test('the band is model-based: the same 30% jump is an anomaly on a steady series and not on a noisy one', () => {
    const steady = series(1000, 0.02, 90, {[THROUGH]: 1300}, 3)
    const noisy = series(1000, 0.45, 90, {[THROUGH]: 1300}, 3)
    expect(detectAnomalies([steady], settings).map((a) => a.direction)).toEqual(['spike'])
    expect(detectAnomalies([noisy], settings)).toEqual([])
  })

  test('a drop to near zero is reported as a negative impact', () => {
    const [a] = detectAnomalies([series(500, 0.03, 90, {[THROUGH]: 20})], settings)
    expect(a).toMatchObject({direction: 'drop', actual: 20})
    expect(a!.impact).toBeLessThan(-400)
  })

  test('earlier spikes do not widen the band enough to hide a new one', () => {
    const pastSpikes = Object.fromEntries(['2024-08-06', '2024-08-20', '2024-09-03'].map((d) => [d, 5000]))
    const s = series(1000, 0.03, 90, {...pastSpikes, [THROUGH]: 1600})
    expect(detectAnomalies([s], settings).map((a) => a.day)).toEqual([THROUGH])
  })

  test('after a level shift the model follows the new level within a week', () => {
    const shiftFrom = addDays(THROUGH, -13)
    const shifted = series(1000, 0.03, 90)
    shifted.points = shifted.points.map((p) => (p.day >= shiftFrom ? {...p, cost: p.cost * 2} : p))
    expect(detectAnomalies([shifted], {...settings, lookbackDays: 5})).toEqual([])
  })

  test.each([
    ['a new service', 0, 400],
    ['a service switched off', 400, 0],
    ['a step up', 400, 1200],
  ])('%s is one alert on its first day, not one a day while the model catches up', (_name, before, after) => {
    const shiftFrom = addDays(THROUGH, -9)
    const s = series(1, 0.03, 90)
    s.points = s.points.map((p) => ({...p, cost: (p.day >= shiftFrom ? after : before) * (1 + (p.cost - 1) / 10)}))
    // Successive daily runs, each judging its last 3 days: every day of the shift is judged at least once.
    const found = new Map<string, string>()
    for (let k = 9; k >= 0; k--) {
      for (const a of detectAnomalies([s], {...settings, lookbackDays: 3, through: addDays(THROUGH, -k)}))
        found.set(a.day, a.direction)
    }
    expect([...found]).toEqual([[shiftFrom, after > before ? 'spike' : 'drop']])
  })

  test('intermittent spend (some days only) is not an alert on every spending day; a real spike on it still is', () => {
    const intermittent = (seed: number, zeroShare: number): AnomalySeries => {
      const rand = seeded(seed)
      return {
        keys: ['111', 'Batch'],
        currency: 'USD',
        points: eachDay(addDays(THROUGH, -119), THROUGH).map((day) => ({
          day,
          cost: rand() < zeroShare ? 0 : 100 * (0.5 + rand()),
        })),
      }
    }
    let flagged = 0
    let spending = 0
    for (let seed = 1; seed <= 10; seed++) {
      for (const zeroShare of [0.3, 0.5, 0.8]) {
        const s = intermittent(seed, zeroShare)
        spending += s.points.slice(-31).filter((p) => p.cost > 0).length
        flagged += detectAnomalies([s], {...settings, lookbackDays: 31}).length
      }
    }
    // At a 99% level about 1 day in 100 is outside; before, most spending days were (a zero MAD gave a 2% band).
    expect(flagged / (30 * 31)).toBeLessThan(0.03)
    expect(spending).toBeGreaterThan(300)
    const s = intermittent(1, 0.5)
    s.points[s.points.length - 1]!.cost = 2000
    expect(detectAnomalies([s], settings).map((a) => [a.day, a.direction])).toEqual([[THROUGH, 'spike']])
  })

  test('a runaway cost alerts on its largest day in each run, and again each day it grows by half', () => {
    const s = series(1000, 0.03, 90, {[addDays(THROUGH, -2)]: 2000, [addDays(THROUGH, -1)]: 5000, [THROUGH]: 5100})
    // One run judging the last 3 days reports the runaway once, on its largest day so far.
    expect(detectAnomalies([s], {...settings, lookbackDays: 3}).map((a) => [a.day, a.actual])).toEqual([
      [addDays(THROUGH, -1), 5000],
    ])
    // Successive daily runs: day -2 when it was the newest, then day -1 (it grew 4x); day 0 is its plateau.
    const alerted = new Set<string>()
    for (let k = 2; k >= 0; k--)
      for (const a of detectAnomalies([s], {...settings, lookbackDays: 3, through: addDays(THROUGH, -k)}))
        alerted.add(a.day)
    expect([...alerted].sort()).toEqual([addDays(THROUGH, -2), addDays(THROUGH, -1)])
  })

  test('an all-zero or perfectly flat series raises nothing and gives finite numbers', () => {
    for (const cost of [0, 250]) {
      const flat: AnomalySeries = {
        keys: ['111', 'flat'],
        currency: 'USD',
        points: eachDay(addDays(THROUGH, -89), THROUGH).map((day) => ({day, cost})),
      }
      expect(detectAnomalies([flat], {...settings, lookbackDays: 30, minImpact: 0})).toEqual([])
      const jump = detectAnomalies(
        [{...flat, points: flat.points.map((p) => (p.day === THROUGH ? {...p, cost: cost + 50} : p))}],
        {...settings, minImpact: 0},
      )
      expect(jump).toHaveLength(1)
      expect(
        Object.values(jump[0]!)
          .filter((v) => typeof v === 'number')
          .every(Number.isFinite),
      ).toBe(true)
      expect(jump[0]!.lower).toBeLessThanOrEqual(jump[0]!.expected)
      expect(jump[0]!.expected).toBeLessThanOrEqual(jump[0]!.upper)
    }
  })

  test('deviations below minImpact are ignored however unlikely', () => {
    const s = series(10, 0.01, 90, {[THROUGH]: 19})
    expect(detectAnomalies([s], settings)).toEqual([])
    expect(detectAnomalies([s], {...settings, minImpact: 1})).toHaveLength(1)
  })

  test('too little history is not judged', () => {
    const s = series(1000, 0.03, 20, {[THROUGH]: 9000})
    expect(detectAnomalies([s], settings)).toEqual([])
  })

  test('lookback judges each recent day once, largest impact first, across series', () => {
    const a = series(1000, 0.03, 90, {[addDays(THROUGH, -1)]: 1800})
    const b = {...series(300, 0.03, 90, {[THROUGH]: 3000}, 9), keys: ['222', 'Amazon S3']}
    const found = detectAnomalies([a, b], {...settings, lookbackDays: 3})
    expect(found.map((x) => [x.keys[1], x.day])).toEqual([
      ['Amazon S3', THROUGH],
      ['Amazon EC2', addDays(THROUGH, -1)],
    ])
  })

  test('the interval is calibrated: about (100 - level)% of normal days fall outside it', () => {
    const outside = (level: number): number => {
      let flagged = 0
      for (let seed = 1; seed <= 20; seed++) {
        const rand = seeded(seed)
        const gaussian = (): number => Array.from({length: 12}, rand).reduce((a, v) => a + v, 0) - 6
        const s = series(1000, 0, 120)
        s.points = s.points.map((p) => ({...p, cost: p.cost * (1 + 0.1 * gaussian())}))
        // The interval alone: every day outside it, also those after a shift (which alerts report once).
        flagged += detectAnomalies([s], {...settings, level, lookbackDays: 30, minImpact: 0, shiftsOnce: false}).length
      }
      return flagged / (20 * 30)
    }
    expect(outside(50)).toBeGreaterThan(0.4)
    expect(outside(50)).toBeLessThan(0.6)
    expect(outside(90)).toBeGreaterThan(0.05)
    expect(outside(90)).toBeLessThan(0.15)
    expect(outside(99)).toBeLessThan(0.02)
  })
})
