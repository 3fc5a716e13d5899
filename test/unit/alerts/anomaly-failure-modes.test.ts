import {describe, expect, test} from 'vitest'

import {type AnomalySeries, type AnomalySettings, detectAnomalies} from '../../../src/alerts/anomalies.js'
import {parseConfig} from '../../../src/config/index.js'
import {addDays, dayToDate, eachDay} from '../../../src/dates.js'
import {seeded} from '../../helpers/cost-data.js'

// Each test builds a series that shows one way anomaly alerts went wrong, with the defaults users get.
const THROUGH = '2025-06-02'
const defaults = parseConfig({}).alerts.anomalies
const settings: AnomalySettings = {
  level: defaults.level,
  trainingDays: defaults.trainingDays,
  minHistoryDays: defaults.minHistoryDays,
  lookbackDays: 1,
  through: THROUGH,
  minImpact: defaults.minImpact,
  minRelative: defaults.minRelative,
  minScopeShare: defaults.minAccountShare,
}

interface Shape {
  level: number
  /** Day-to-day noise on the log scale (0.2: the 10-22% of data transfer, CDN, BigQuery, Lambda). */
  noise: number
  /** Weekend multiplier. */
  weekend?: number
  /** Day-to-day correlation of the noise. */
  ar?: number
  days?: number
  seed?: number
}

/** Right-skewed (log-normal) daily cost with a weekly pattern, ending THROUGH; mean `level` on weekdays. */
function skewed(shape: Shape): AnomalySeries {
  const rand = seeded(shape.seed ?? 1)
  const normal = (): number => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand())
  const ar = shape.ar ?? 0.3
  let e = 0
  const points = eachDay(addDays(THROUGH, -((shape.days ?? 150) - 1)), THROUGH).map((day) => {
    const dow = dayToDate(day).getUTCDay()
    const weekly = dow === 0 || dow === 6 ? (shape.weekend ?? 0.6) : 1
    e = ar * e + Math.sqrt(1 - ar * ar) * normal()
    return {day, cost: shape.level * weekly * Math.exp(shape.noise * e - shape.noise ** 2 / 2)}
  })
  return {keys: ['111', 'AWS Data Transfer'], currency: 'USD', points}
}

const withDay = (s: AnomalySeries, day: string, cost: number): AnomalySeries => ({
  ...s,
  points: s.points.map((p) => (p.day === day ? {...p, cost} : p)),
})

/** Flagged share of the last `days` days over many seeds: each day judged as the newest by its own run. */
function flaggedShare(make: (seed: number) => AnomalySeries, seeds: number, days: number): number {
  let flagged = 0
  for (let seed = 1; seed <= seeds; seed++)
    flagged += detectAnomalies([make(seed)], {...settings, lookbackDays: days}).length
  return flagged / (seeds * days)
}

describe('noisy, right-skewed series (data transfer, BigQuery, CloudFront, Lambda)', () => {
  test.each([0.1, 0.16, 0.22])(
    'at %s noise, ordinary days (the skewed upper tail included) are not flagged',
    (noise) => {
      // 40 series x 30 days = 1200 ordinary days; a 99.8% band flags a couple at most.
      expect(flaggedShare((seed) => skewed({level: 800, noise, seed}), 40, 30)).toBeLessThan(0.004)
    },
  )

  test("the expected value sits at the series' level, not 15-40% under it", () => {
    const ratios: number[] = []
    for (let seed = 1; seed <= 20; seed++) {
      const [a] = detectAnomalies([withDay(skewed({level: 800, noise: 0.22, seed}), THROUGH, 10_000)], settings)
      // 2025-06-02 is a Monday: the weekday mean is 800.
      ratios.push(a!.expected / 800)
    }
    // Not biased: on average within 5%; a single week's noise (22%, correlated) moves one series' level more.
    expect(Math.abs(ratios.reduce((a, v) => a + v, 0) / ratios.length - 1)).toBeLessThan(0.05)
    expect(Math.min(...ratios)).toBeGreaterThan(0.65)
  })

  test('the band is asymmetric in money: more room above the typical day than below it', () => {
    const s = withDay(skewed({level: 800, noise: 0.2, seed: 3}), THROUGH, 5000)
    const [a] = detectAnomalies([s], settings)
    expect(a!.upper - a!.expected).toBeGreaterThan(1.3 * (a!.expected - a!.lower))
  })

  test('a material spike on it is still found: 3x the level', () => {
    let found = 0
    for (let seed = 1; seed <= 20; seed++) {
      const s = skewed({level: 800, noise: 0.2, seed})
      if (detectAnomalies([withDay(s, THROUGH, 2400)], settings).length === 1) found++
    }
    expect(found).toBeGreaterThanOrEqual(19)
  })
})

describe('steady series (about 2% noise)', () => {
  test('the band is centred on the level, so a normal day 2.5 sd off is not flagged, up or down', () => {
    const bandOnly = {...settings, minImpact: 0, minRelative: 0, minScopeShare: 0}
    const offCentre: number[] = []
    let flagged = 0
    for (let seed = 1; seed <= 20; seed++) {
      const s = skewed({level: 5000, noise: 0.02, weekend: 0.9, ar: 0.2, seed})
      const trueLevel = 5000 * Math.exp(-(0.02 ** 2) / 2)
      for (const sd of [2.5, -2.5])
        flagged += detectAnomalies([withDay(s, THROUGH, trueLevel * Math.exp(sd * 0.02))], bandOnly).length
      const [far] = detectAnomalies([withDay(s, THROUGH, 7000)], bandOnly)
      offCentre.push(Math.abs(far!.expected / 5000 - 1))
    }
    // The centre is not systematically off (the old model sat 2-3% off); a random week's noise still moves it a little.
    expect(offCentre.reduce((a, v) => a + v, 0) / offCentre.length).toBeLessThan(0.01)
    expect(Math.max(...offCentre)).toBeLessThan(0.03)
    expect(flagged).toBeLessThanOrEqual(2)
  })

  test('a 25% step on it is found, up or down', () => {
    const s = skewed({level: 5000, noise: 0.02, weekend: 1, ar: 0.2})
    expect(detectAnomalies([withDay(s, THROUGH, 6250)], settings).map((a) => a.direction)).toEqual(['spike'])
    expect(detectAnomalies([withDay(s, THROUGH, 3750)], settings).map((a) => a.direction)).toEqual(['drop'])
  })
})

describe('intermittent batch jobs', () => {
  /** A job that runs on ~35% of days; a run costs 600 with 25% spread. */
  function batch(seed: number, lastRun?: number): AnomalySeries {
    const rand = seeded(seed)
    const normal = (): number => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand())
    const points = eachDay(addDays(THROUGH, -149), THROUGH).map((day) => ({
      day,
      cost: rand() < 0.35 ? 600 * Math.exp(0.25 * normal()) : 0,
    }))
    if (lastRun !== undefined) points[points.length - 1]!.cost = lastRun
    return {keys: ['111', 'AWS Glue'], currency: 'USD', points}
  }

  test('a normal run slightly above the highest recent day is not flagged', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const s = batch(seed)
      const recentMax = Math.max(...s.points.slice(-29, -1).map((p) => p.cost))
      const [a, ...rest] = detectAnomalies([withDay(s, THROUGH, recentMax * 1.1)], settings)
      expect(rest).toEqual([])
      // When anything is flagged it is a run well beyond the run size the job has, never a normal one.
      if (a) expect(a.actual).toBeGreaterThan(600 * Math.exp(0.25 * 3))
    }
  })

  test('idle days are not drops, and a run 5x the usual size is a spike', () => {
    for (let seed = 1; seed <= 10; seed++) {
      expect(detectAnomalies([batch(seed, 0)], settings)).toEqual([])
      const [a] = detectAnomalies([batch(seed, 3000)], settings)
      expect(a).toMatchObject({direction: 'spike', model: 'intermittent'})
    }
  })

  test("a job on a schedule that runs on a weekday it never ran on is flagged; a job on random days isn't", () => {
    // Mondays only, for 20 weeks; THROUGH is a Monday, so the day after it is a Tuesday.
    const tuesday = addDays(THROUGH, 1)
    const weekly: AnomalySeries = {
      keys: ['111', 'AWS Batch'],
      currency: 'USD',
      points: eachDay(addDays(THROUGH, -139), tuesday).map((day) => ({
        day,
        cost: day === tuesday || dayToDate(day).getUTCDay() === 1 ? 900 : 0,
      })),
    }
    expect(detectAnomalies([weekly], {...settings, through: tuesday}).map((a) => [a.day, a.expected])).toEqual([
      [tuesday, 0],
    ])
    expect(flaggedShare((seed) => batch(seed), 20, 30)).toBeLessThan(0.005)
  })
})

describe('level-shift memory checks the days in between', () => {
  test('a +133% jump six days after a one-off spike is reported', () => {
    const base = skewed({level: 1000, noise: 0.05, weekend: 1})
    const spiked = withDay(base, addDays(THROUGH, -6), 3000)
    const jump = withDay(spiked, THROUGH, 2330)
    expect(detectAnomalies([jump], settings).map((a) => [a.day, a.direction])).toEqual([[THROUGH, 'spike']])
  })

  test('a shift that began two days before and stays at its level is not reported again', () => {
    const base = skewed({level: 1000, noise: 0.05, weekend: 1})
    const shifted = {
      ...base,
      points: base.points.map((p) => (p.day >= addDays(THROUGH, -2) ? {...p, cost: p.cost * 2.3} : p)),
    }
    expect(detectAnomalies([shifted], {...settings, lookbackDays: 3}).map((a) => a.day)).toEqual([addDays(THROUGH, -2)])
    expect(detectAnomalies([shifted], settings)).toEqual([])
  })

  test('after three days at double the cost, a fall back to the old level is a drop, not a normal day', () => {
    const base = skewed({level: 1000, noise: 0.02, weekend: 1})
    const doubled = {
      ...base,
      points: base.points.map((p) => (p.day >= addDays(THROUGH, -3) && p.day < THROUGH ? {...p, cost: p.cost * 2} : p)),
    }
    expect(detectAnomalies([doubled], settings).map((a) => [a.day, a.direction])).toEqual([[THROUGH, 'drop']])
  })

  test('a batch run far above its size, three days after another outsized run with idle days between, is reported', () => {
    const rand = seeded(3)
    const points = eachDay(addDays(THROUGH, -149), THROUGH).map((day, i) => ({
      day,
      cost: (149 - i) % 3 === 0 ? 1500 * Math.exp(0.2 * (rand() * 2 - 1)) : 0,
    }))
    const s: AnomalySeries = {keys: ['111', 'Dataflow'], currency: 'USD', points}
    const last = points.length - 1
    expect(points[last]!.cost).toBeGreaterThan(0)
    const twoBig = withDay(withDay(s, points[last - 3]!.day, 4700), THROUGH, 5600)
    expect(detectAnomalies([twoBig], settings).map((a) => [a.day, a.direction])).toEqual([[THROUGH, 'spike']])
  })

  test('a new service is reported on its first day of material spend, against the days it had none', () => {
    const s: AnomalySeries = {
      keys: ['111', 'Amazon Bedrock'],
      currency: 'USD',
      points: [{day: THROUGH, cost: 450}],
      since: addDays(THROUGH, -120),
    }
    expect(detectAnomalies([s], settings)).toMatchObject([{day: THROUGH, direction: 'spike', expected: 0}])
  })
})

describe('materiality: in money, relative to the series and to the account', () => {
  test('a $12 wiggle on a small steady series is not an alert even far outside its band', () => {
    const s = skewed({level: 40, noise: 0.01, weekend: 1})
    expect(detectAnomalies([withDay(s, THROUGH, 52)], {...settings, minRelative: 0})).toEqual([])
  })

  test('a change under 20% of the expected day is not an alert however unlikely', () => {
    const s = skewed({level: 5000, noise: 0.01, weekend: 1})
    expect(detectAnomalies([withDay(s, THROUGH, 5750)], settings)).toEqual([])
    expect(detectAnomalies([withDay(s, THROUGH, 6500)], settings)).toHaveLength(1)
  })

  test('a $300 jump is not an alert in an account that spends $200,000 a day, and is one in a $20,000 account', () => {
    const s = skewed({level: 600, noise: 0.02, weekend: 1})
    const day = withDay(s, THROUGH, 900)
    expect(detectAnomalies([{...day, scopeDaily: 200_000}], settings)).toEqual([])
    expect(detectAnomalies([{...day, scopeDaily: 20_000}], settings)).toHaveLength(1)
  })
})
