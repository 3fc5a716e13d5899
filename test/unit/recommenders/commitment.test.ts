import {describe, expect, it} from 'vitest'

import {
  breakEvenCap,
  type CommitmentScopeInput,
  type CommitmentSettings,
  continuedSlope,
  dailyTrend,
  DEFAULT_COMMITMENT_SETTINGS,
  Profile,
  recommendCommitment,
  termSettings,
} from '../../../recommenders/commitment/recommend.js'
import {isEligibleService} from '../../../recommenders/commitment/programs.js'
import {ratesFor, scopeRates} from '../../../recommenders/commitment/rates.js'

const scope = {
  provider: 'AWS',
  billingAccountId: '1',
  serviceCategory: 'Compute',
  serviceName: 'Amazon Elastic Compute Cloud',
  regionId: 'us-east-1',
  currency: 'USD',
}
const days = (n: number, perHour: (h: number) => number) => Array.from({length: n * 24}, (_, h) => perHour(h))
const flatForecast = (perHour: number, lowerShare = 0.9) => ({
  daily: Array.from({length: 90}, () => ({
    mean: perHour * 24,
    lower: perHour * 24 * lowerShare,
    upper: perHour * 24 * 1.1,
  })),
  level: 80,
})
// One level per month at the lower bound of the 80% interval, no churn, the model alone (no term leans on the
// lookback): the exact figures below follow from it.
const lowerBound = {...DEFAULT_COMMITMENT_SETTINGS, quantile: 0.1, points: 1, churnPerMonth: 0, termOverrides: {}}
const noChurn = {...DEFAULT_COMMITMENT_SETTINGS, churnPerMonth: 0}
const input = (over: Partial<CommitmentScopeInput>): CommitmentScopeInput => ({
  scope,
  hourly: days(60, () => 10),
  history: {from: '2026-01-01', to: '2026-03-01'},
  forecast: flatForecast(10),
  pendingMonthlyReduction: 0,
  program: {name: 'AWS Compute Savings Plans'},
  rates: ratesFor('AWS', 'Amazon Elastic Compute Cloud'),
  ...over,
})

describe('commitment recommender', () => {
  it('on steady usage commits up to the lower forecast, every option side by side with its rate source', () => {
    // Sized at the forecast's 10% quantile: the lower bound of its 80% interval.
    const result = recommendCommitment(input({}), lowerBound)
    if (!('recommendation' in result)) throw new Error(result.skip.reason)
    const r = result.recommendation
    expect(r.options.map((o) => `${o.termYears}/${o.payment}`)).toEqual([
      '1/none',
      '1/partial',
      '1/all',
      '3/none',
      '3/partial',
      '3/all',
    ])
    for (const o of r.options) {
      // Flat usage at 10/h whose lower bound is 9/h: covering 9/h on demand is optimal.
      expect(o.coveredOnDemandPerHour).toBeCloseTo(9, 1)
      expect(o.hourlyCommitment).toBeCloseTo(9 * (1 - o.discount), 1)
      expect(o.expectedUtilization).toBeCloseTo(1, 3)
      expect(o.expectedMonthlySavings).toBeCloseTo(730 * 9 * o.discount, 0)
      expect(o.rateSource).toMatch(/AWS/)
    }
    expect(r.options.find((o) => o.payment === 'none')!.breakEvenMonth).toBe(1)
    expect(r.options.find((o) => o.termYears === 1 && o.payment === 'all')!.breakEvenMonth).toBeGreaterThan(6)
    expect(r.best).toMatchObject({termYears: 3, payment: 'all'})
    // Losing about the discount's share of usage wipes out the savings.
    expect(r.best!.lossIfUsageFallsBy!).toBeGreaterThan(0.4)
  })

  it('sizes on the daily shape: above the night-time floor only when the discount pays for the idle hours', () => {
    const shape = input({hourly: days(60, (h) => (h % 24 < 12 ? 4 : 12)), forecast: flatForecast(8, 1)})
    const result = recommendCommitment(shape, noChurn)
    if (!('recommendation' in result)) throw new Error('skipped')
    const option = (years: number, payment: string) =>
      result.recommendation.options.find((o) => o.termYears === years && o.payment === payment)!
    // Half the hours at 4, half at 12: covering the peak pays only when the commitment rate (1 - discount) is below 0.5.
    expect(option(1, 'none').coveredOnDemandPerHour).toBeCloseTo(4, 1)
    expect(option(1, 'none').expectedUtilization!).toBeCloseTo(1, 3)
    expect(option(3, 'all').coveredOnDemandPerHour).toBeCloseTo(12, 1)
    expect(option(3, 'all').expectedUtilization!).toBeCloseTo(2 / 3, 2)
    // Paid upfront, the peak's savings come over three years while the money leaves now: at a 10% cost of
    // capital their present value (about 0.5 x 0.86) no longer pays for the idle half (0.48).
    const withCapital = recommendCommitment(shape, {...noChurn, costOfCapital: 0.1})
    if (!('recommendation' in withCapital)) throw new Error('skipped')
    const allUpfront = withCapital.recommendation.options.find((o) => o.termYears === 3 && o.payment === 'all')!
    expect(allUpfront.coveredOnDemandPerHour).toBeCloseTo(4, 1)
    // The same plan paid monthly spreads its cost like its savings: still worth the peak.
    const monthly = withCapital.recommendation.options.find((o) => o.termYears === 3 && o.payment === 'none')!
    expect(monthly.coveredOnDemandPerHour).toBeGreaterThanOrEqual(option(3, 'none').coveredOnDemandPerHour - 0.01)
  })

  it('sizes each option on its own: a deeper discount commits further into an uncertain level', () => {
    // A daily cycle around 10/h whose forecast is uncertain (lower bound of the 80% interval at 70% of the mean).
    const cycle = days(60, (h) => 10 * (1 + 0.3 * Math.sin((2 * Math.PI * h) / 24)))
    // The model's spread alone: half the 1-year weight on the lookback's single level would flatten the comparison.
    const result = recommendCommitment(input({hourly: cycle, forecast: flatForecast(10, 0.7)}), {
      ...noChurn,
      termOverrides: {},
    })
    if (!('recommendation' in result)) throw new Error('skipped')
    const cap = (years: number, payment: string) =>
      result.recommendation.options.find((o) => o.termYears === years && o.payment === payment)!.coveredOnDemandPerHour
    // Idle commitment costs 1 - discount: 0.73 an hour for 1 year no upfront, 0.68 all upfront.
    expect(cap(1, 'all')).toBeGreaterThan(cap(1, 'partial'))
    expect(cap(1, 'partial')).toBeGreaterThan(cap(1, 'none'))
    expect(cap(3, 'none')).toBeGreaterThan(cap(1, 'all'))
    expect(cap(1, 'none')).toBeLessThan(10)
  })

  it('counts the chance that usage goes away: the same usage saves less over three years with churn', () => {
    const shape = input({hourly: days(60, (h) => (h % 24 < 12 ? 4 : 12)), forecast: flatForecast(8, 1)})
    const figures = (churnPerMonth: number) => {
      const r = recommendCommitment(shape, {...noChurn, churnPerMonth})
      if (!('recommendation' in r)) throw new Error('skipped')
      return r.recommendation.options.find((o) => o.termYears === 3 && o.payment === 'all')!
    }
    // 2% a month: on average 70% of the usage still runs over the term, so the idle half of the peak (0.48) costs
    // more than its savings (0.5 x 0.7): only the floor is covered, and the expected savings are lower.
    expect(figures(0.02).coveredOnDemandPerHour).toBeCloseTo(4, 1)
    expect(figures(0.02).expectedTermSavings).toBeLessThan(figures(0).expectedTermSavings)
  })

  it('commits less when usage is already falling, and nothing when it collapses', () => {
    const falling = recommendCommitment(
      input({hourly: days(60, (h) => (h < 53 * 24 ? 10 : 5)), forecast: flatForecast(10)}),
      lowerBound,
    )
    if (!('recommendation' in falling)) throw new Error('skipped')
    // A step to 5/h a week ago: sized on the days since (5/h, at the forecast's lower spread, 0.9), not on
    // the four weeks' 8.75/h nor the forecast's 9/h.
    expect(falling.recommendation.best!.coveredOnDemandPerHour).toBeCloseTo(5 * 0.9, 1)
    expect(falling.recommendation.notes.join(' ')).toMatch(/falling/)
    const gone = recommendCommitment(
      input({hourly: days(60, (h) => (h < 53 * 24 ? 10 : 0)), forecast: flatForecast(0)}),
    )
    if (!('recommendation' in gone)) throw new Error('skipped')
    expect(gone.recommendation.best).toBeNull()
    expect(gone.recommendation.notes.join(' ')).toMatch(/do not commit/)
  })

  it('a decline under way is sized on its continuation; a step down is a new level, not a slope', () => {
    // 120 days falling 4% a month (of the starting level), with a weekend dip and a daily cycle.
    const shape = (h: number) => (1 + 0.3 * Math.sin((2 * Math.PI * h) / 24)) * (Math.floor(h / 24) % 7 >= 5 ? 0.7 : 1)
    const declining = days(120, (h) => 20 * (1 - (0.04 * h) / 730) * shape(h))
    const trend = dailyTrend(declining, DEFAULT_COMMITMENT_SETTINGS.trendDays)!
    expect(trend.perMonth).toBeLessThan(-0.04)
    expect(trend.t).toBeLessThan(-2)
    const result = recommendCommitment(input({hourly: declining, forecast: flatForecast(14)}), lowerBound)
    if (!('recommendation' in result)) throw new Error(result.skip.reason)
    const r = result.recommendation
    expect(r.notes.join(' ')).toMatch(/usage is declining, about [\d.]+% a month .* sized on the decline continuing/)
    const oneYear = r.options.find((o) => o.termYears === 1 && o.payment === 'none')!
    const threeYears = r.options.find((o) => o.termYears === 3 && o.payment === 'none')!
    // The 3-year term sees more of the decline: it covers less than the 1-year one, despite its deeper discount.
    expect(threeYears.coveredOnDemandPerHour).toBeLessThan(oneYear.coveredOnDemandPerHour)

    // The same level stepping down once (a service moved away) and flat since: no decline to extrapolate.
    const stepped = days(120, (h) => (h < 90 * 24 ? 20 : 12) * shape(h))
    const step = recommendCommitment(input({hourly: stepped, forecast: flatForecast(12)}), lowerBound)
    if (!('recommendation' in step)) throw new Error(step.skip.reason)
    expect(step.recommendation.notes.join(' ')).not.toMatch(/declining/)
    const stepOneYear = step.recommendation.options.find((o) => o.termYears === 1 && o.payment === 'none')!
    const stepThreeYears = step.recommendation.options.find((o) => o.termYears === 3 && o.payment === 'none')!
    expect(stepThreeYears.coveredOnDemandPerHour).toBeGreaterThanOrEqual(stepOneYear.coveredOnDemandPerHour)
  })

  describe('robust sizing rules (each off by default, set in CommitmentSettings)', () => {
    const shape = (h: number) => (1 + 0.3 * Math.sin((2 * Math.PI * h) / 24)) * (Math.floor(h / 24) % 7 >= 5 ? 0.7 : 1)
    // Day-to-day noise that is not a trend (deterministic), so the fitted lines have a finite t statistic.
    const noise = (h: number) => 1 + 0.03 * Math.sin(Math.floor(h / 24) * 2.3)
    const cap = (r: ReturnType<typeof recommendCommitment>, years: number, payment = 'none') => {
      if (!('recommendation' in r)) throw new Error(r.skip.reason)
      return r.recommendation.options.find((o) => o.termYears === years && o.payment === payment)!
        .coveredOnDemandPerHour
    }

    it('declinePersistT: a step down a line fits is not continued as a decline; a decline under way still is', () => {
      // A step from 20 to 12/h 20 days before the end; stepGain 0 never keeps a step, so the line is fitted through it.
      const stepped = days(120, (h) => (h < 100 * 24 ? 20 : 12) * shape(h) * noise(h))
      const asLine = {...lowerBound, stepGain: 0}
      const trend = dailyTrend(stepped, 112, 0)!
      expect(trend.t).toBeLessThan(-2)
      expect(Math.abs(trend.afterBestStepT)).toBeLessThan(1.5)
      const read = recommendCommitment(input({hourly: stepped, forecast: flatForecast(12)}), asLine)
      const persist = recommendCommitment(input({hourly: stepped, forecast: flatForecast(12)}), {
        ...asLine,
        declinePersistT: 1.5,
      })
      if (!('recommendation' in read && 'recommendation' in persist)) throw new Error('skipped')
      expect(read.recommendation.notes.join(' ')).toMatch(/declining/)
      expect(persist.recommendation.notes.join(' ')).not.toMatch(/declining/)
      expect(cap(persist, 3)).toBeGreaterThan(cap(read, 3))
      // A steady fall keeps falling after any split: still a decline.
      const declining = days(120, (h) => 20 * (1 - (0.04 * h) / 730) * shape(h) * noise(h))
      const steady = recommendCommitment(input({hourly: declining, forecast: flatForecast(14)}), {
        ...lowerBound,
        declinePersistT: 1.5,
      })
      if (!('recommendation' in steady)) throw new Error('skipped')
      expect(steady.recommendation.notes.join(' ')).toMatch(/declining/)
    })

    it("recentWeight: the lookback's level gets its share, and only a deep enough discount commits to it", () => {
      // Flat at 10/h; the forecast's lower bound says 9/h. Half the weight on the last week's 10/h: covering the
      // hours between 9 and 10 pays when half the chance of using them beats the idle cost 1 - discount.
      const sized = (recentWeight: number) => recommendCommitment(input({}), {...lowerBound, recentWeight})
      expect(cap(sized(0), 1)).toBeCloseTo(9, 1)
      expect(cap(sized(1), 1)).toBeCloseTo(10, 1)
      expect(cap(sized(0.5), 1, 'none')).toBeCloseTo(9, 1) // 1 - 0.27 = 0.73 > 0.5
      expect(cap(sized(0.5), 3, 'all')).toBeCloseTo(10, 1) // 1 - 0.52 = 0.48 < 0.5
    })

    it('termOverrides: a term reads its own settings; by default only the 1-year term leans on the lookback', () => {
      const overridden = recommendCommitment(input({}), {...lowerBound, termOverrides: {'1': {recentWeight: 1}}})
      expect(cap(overridden, 1)).toBeCloseTo(10, 1)
      expect(cap(overridden, 3)).toBeCloseTo(9, 1)
      expect(termSettings(DEFAULT_COMMITMENT_SETTINGS, 1).recentWeight).toBeGreaterThan(0)
      expect(termSettings(DEFAULT_COMMITMENT_SETTINGS, 3)).toMatchObject({recentWeight: 0, declineCapHistory: 0})
    })

    it('a 3-year term continues a fall the 1-year test leaves (t between -2 and -1); a year does not', () => {
      // 4% a month under day-to-day swings wide enough that the slope's t statistic is about -1.4.
      const swings = (h: number) =>
        1 + 0.3 * Math.sin(Math.floor(h / 24) * 2.3) + 0.3 * Math.sin(Math.floor(h / 24) * 0.31)
      const hourly = days(120, (h) => 20 * (1 - (0.04 * h) / 730) * shape(h) * swings(h))
      const trend = dailyTrend(hourly, 112)!
      expect(trend.t).toBeGreaterThan(-2)
      expect(trend.t).toBeLessThan(-1)
      const sized = (termOverrides: CommitmentSettings['termOverrides']) =>
        recommendCommitment(input({hourly, forecast: flatForecast(14)}), {
          ...DEFAULT_COMMITMENT_SETTINGS,
          termOverrides,
        })
      const defaults = recommendCommitment(input({hourly, forecast: flatForecast(14)}))
      const without = sized({'1': DEFAULT_COMMITMENT_SETTINGS.termOverrides['1']!})
      expect(cap(defaults, 3)).toBeLessThan(cap(without, 3))
      expect(cap(defaults, 1)).toBe(cap(without, 1))
    })

    it('slopeShrinkT: a continued slope is shrunk by its uncertainty, a certain one hardly at all', () => {
      const off = {declineLowerZ: 0, slopeShrinkT: 0}
      expect(continuedSlope({perMonth: -0.05, t: -2}, off)).toBeCloseTo(-0.05, 6)
      expect(continuedSlope({perMonth: -0.05, t: -2}, {...off, slopeShrinkT: 2})).toBeCloseTo(-0.025, 6)
      expect(continuedSlope({perMonth: -0.05, t: -20}, {...off, slopeShrinkT: 2})).toBeCloseTo(-0.0495, 4)
      expect(continuedSlope({perMonth: -0.05, t: -Infinity}, {...off, slopeShrinkT: 2})).toBe(-0.05)
      // The lower bound is one standard error (0.025) steeper.
      expect(continuedSlope({perMonth: -0.05, t: -2}, {...off, declineLowerZ: 1})).toBeCloseTo(-0.075, 6)
    })

    it('declineCapHistory: a decline falls over the term no further than the history shows it falling', () => {
      // 4% a month over 120 days: the line falls about 15% over its days; continued over 3 years it reaches zero.
      const declining = days(120, (h) => 20 * (1 - (0.04 * h) / 730) * shape(h) * noise(h))
      const sized = (declineCapHistory: number, declineT = lowerBound.declineT) =>
        recommendCommitment(input({hourly: declining, forecast: flatForecast(14)}), {
          ...lowerBound,
          declineCapHistory,
          declineT,
        })
      expect(cap(sized(1), 3)).toBeGreaterThan(cap(sized(0), 3))
      // Still sized on some of the decline: below the level now held flat (no decline test).
      expect(cap(sized(1), 3)).toBeLessThan(cap(sized(0, Infinity), 3))
    })
  })

  describe('stressChurnPerMonth: the break-even test of a scope whose history declined', () => {
    const shape = (h: number) => (1 + 0.3 * Math.sin((2 * Math.PI * h) / 24)) * (Math.floor(h / 24) % 7 >= 5 ? 0.7 : 1)
    const noise = (h: number) => 1 + 0.03 * Math.sin(Math.floor(h / 24) * 2.3)
    const cap = (r: ReturnType<typeof recommendCommitment>, years: number, payment = 'none') => {
      if (!('recommendation' in r)) throw new Error(r.skip.reason)
      return r.recommendation.options.find((o) => o.termYears === years && o.payment === payment)!
        .coveredOnDemandPerHour
    }
    const rate = {termYears: 1 as const, payment: 'none' as const, discount: 0.3, source: 'test'}

    it('breakEvenCap: the largest cap whose net is not negative, beyond the optimum', () => {
      // Flat 10/h for a year: covering c costs 0.7c an hour and avoids min(10, c): break-even at 10 / 0.7.
      const flat = new Profile(Array.from({length: 24}, () => 10))
      const year = (weight: number) => Array.from({length: 12}, () => ({levels: [1], weights: [weight]}))
      expect(breakEvenCap(flat, year(1), rate, 0)).toBeCloseTo(10 / 0.7, 3)
      // Usage still running half the time: no cap breaks even (0.5 of each covered hour is below its 0.7 cost).
      expect(breakEvenCap(flat, year(0.5), rate, 0)).toBe(0)
      // At 0.8 of the time: covering up to 10 nets 0.1 an hour; beyond it each unit costs 0.7, break-even at 10 + 10/7.
      expect(breakEvenCap(flat, year(0.8), rate, 0)).toBeCloseTo(10 + 1 / 0.7, 3)
    })

    it('caps a declining scope at what breaks even if the decline continues and the usage goes away; a steady one is left alone', () => {
      const declining = days(120, (h) => 20 * (1 - (0.04 * h) / 730) * shape(h) * noise(h))
      const steady = days(120, (h) => 10 * shape(h) * noise(h))
      const sized = (hourly: number[], forecast: number, over: Partial<typeof lowerBound>) =>
        recommendCommitment(input({hourly, forecast: flatForecast(forecast)}), {
          ...DEFAULT_COMMITMENT_SETTINGS,
          ...over,
        })
      for (const years of [1, 3]) {
        expect(cap(sized(declining, 14, {stressChurnPerMonth: 0.05}), years)).toBeLessThan(
          cap(sized(declining, 14, {}), years),
        )
        expect(cap(sized(steady, 10, {stressChurnPerMonth: 0.05}), years)).toBeCloseTo(
          cap(sized(steady, 10, {}), years),
          6,
        )
      }
      // On every scope when asked: the steady one is capped too at a hazard no commitment survives.
      expect(cap(sized(steady, 10, {stressChurnPerMonth: 0.5, stressOn: 'all'}), 3)).toBe(0)
      // A harsher hazard never commits more.
      expect(cap(sized(declining, 14, {stressChurnPerMonth: 0.1}), 3)).toBeLessThanOrEqual(
        cap(sized(declining, 14, {stressChurnPerMonth: 0.02}), 3),
      )
    })
  })

  it('ladders: a 3-year commitment with a 1-year layer on top where the 1-year option covers more', () => {
    const shape = (h: number) => (1 + 0.3 * Math.sin((2 * Math.PI * h) / 24)) * (Math.floor(h / 24) % 7 >= 5 ? 0.7 : 1)
    const noise = (h: number) => 1 + 0.03 * Math.sin(Math.floor(h / 24) * 2.3)
    // Declining 4% a month: the 3-year term sees more of the decline than the first year and commits less.
    const declining = recommendCommitment(
      input({hourly: days(120, (h) => 20 * (1 - (0.04 * h) / 730) * shape(h) * noise(h)), forecast: flatForecast(14)}),
    )
    if (!('recommendation' in declining)) throw new Error('skipped')
    const r = declining.recommendation
    expect(r.ladders.map((l) => l.payment)).toEqual(['none', 'partial', 'all'])
    for (const l of r.ladders) {
      const one = r.options.find((o) => o.termYears === 1 && o.payment === l.payment)!
      const three = r.options.find((o) => o.termYears === 3 && o.payment === l.payment)!
      expect(l.threeYearCoveredOnDemandPerHour).toBe(three.coveredOnDemandPerHour)
      expect(l.threeYearCoveredOnDemandPerHour + l.layerCoveredOnDemandPerHour).toBeCloseTo(
        one.coveredOnDemandPerHour,
        3,
      )
      expect(l.layerHourlyCommitment).toBeCloseTo(l.layerCoveredOnDemandPerHour * (1 - one.discount), 3)
      // The layer is the 1-year newsvendor's top band: it adds to the 3-year savings in the first year.
      expect(l.expectedMonthlySavingsFirstYear).toBeGreaterThan(three.expectedMonthlySavings)
    }
    // Steady usage: the deeper 3-year discount commits at least as far as a year does, no ladder.
    const steady = recommendCommitment(input({}), noChurn)
    if (!('recommendation' in steady)) throw new Error('skipped')
    expect(steady.recommendation.ladders).toEqual([])
  })

  it('takes pending rightsizing and spot savings off before sizing (commit after you shrink)', () => {
    const result = recommendCommitment(input({pendingMonthlyReduction: 730 * 3}), lowerBound)
    if (!('recommendation' in result)) throw new Error('skipped')
    expect(result.recommendation.best!.coveredOnDemandPerHour).toBeCloseTo(9 * 0.7, 1)
    expect(result.recommendation.notes.join(' ')).toMatch(/commit after you shrink/)
  })

  it('skips with a reason: short history, no eligible spend; no forecast falls back to the last week', () => {
    expect(recommendCommitment(input({hourly: days(5, () => 10)}))).toMatchObject({
      skip: {reason: expect.stringMatching(/short history: 5 days/)},
    })
    expect(recommendCommitment(input({hourly: days(30, () => 0)}))).toMatchObject({
      skip: {reason: expect.stringMatching(/nothing to commit/)},
    })
    const noForecast = recommendCommitment(input({forecast: {skipped: true, reason: 'too little history'}}))
    if (!('recommendation' in noForecast)) throw new Error('skipped')
    expect(noForecast.recommendation.notes[0]).toMatch(/no forecast \(too little history\)/)
    expect(noForecast.recommendation.best!.coveredOnDemandPerHour).toBeCloseTo(10, 1)
  })

  it('hostile numbers do not produce NaN', () => {
    const result = recommendCommitment(
      input({hourly: days(30, (h) => (h % 7 === 0 ? Number.NaN : h % 5 === 0 ? -3 : 10))}),
    )
    if (!('recommendation' in result)) throw new Error('skipped')
    expect(JSON.stringify(result)).not.toMatch(/NaN|null,"options":\[\]/)
    for (const o of result.recommendation.options) expect(Number.isFinite(o.expectedMonthlySavings)).toBe(true)
  })

  it('configured rates replace defaults and say so; unknown providers get a documented generic rate', () => {
    const rates = ratesFor('Amazon Web Services', 'Amazon Elastic Compute Cloud', [
      {provider: 'aws', termYears: 1, payment: 'none', discount: 0.4, source: 'finops.yaml commitments.rates[0]'},
      {
        provider: 'AWS',
        service: 'amazon elastic compute cloud',
        termYears: 1,
        payment: 'none',
        discount: 0.42,
        source: 'finops.yaml commitments.rates[1]: our quote',
      },
      {provider: 'aws', service: 'Amazon RDS', termYears: 3, payment: 'all', discount: 0.6, source: 'rds'},
    ])
    // The service's own entry wins over the provider-wide one; another service's entry is not used.
    expect(rates.find((r) => r.termYears === 1 && r.payment === 'none')).toMatchObject({
      discount: 0.42,
      source: 'finops.yaml commitments.rates[1]: our quote',
    })
    expect(rates.find((r) => r.termYears === 3 && r.payment === 'all')!.source).toMatch(/default: AWS/)
    expect(ratesFor('Oracle', 'COMPUTE')[0]!.source).toMatch(/generic/)
    expect(ratesFor('Google Cloud', 'Compute Engine').map((r) => r.discount)).toEqual([0.37, 0.55])
  })

  it.each([
    ['AWS', 'Amazon Elastic Kubernetes Service', /EKS cluster \(control plane\) fees/],
    ['AWS', 'Amazon Elastic Container Service for Kubernetes', /EKS cluster/],
    ['Microsoft', 'Azure Kubernetes Service', /AKS Standard\/Premium tier \(uptime SLA\) fees/],
    ['Google Cloud', 'Kubernetes Engine', /GKE cluster management fees/],
    ['AWS', 'Amazon Lightsail', /no Savings Plan or reservation covers Amazon Lightsail/],
  ])('%s %s is not commitment-eligible, with the reason', (provider, service, reason) => {
    expect(isEligibleService(provider, service)).toBe(false)
    const rates = scopeRates(provider, service)
    expect(rates).toEqual({ineligible: expect.stringMatching(reason)})
    const result = recommendCommitment(input({program: rates as {ineligible: string}, rates: []}))
    expect(result).toMatchObject({skip: {reason: expect.stringMatching(/^not commitment-eligible: /)}})
  })

  it.each([
    ['AWS', 'Amazon Elastic Compute Cloud', 'AWS Compute Savings Plans'],
    ['AWS', 'AWS Lambda', 'AWS Compute Savings Plans'],
    ['AWS', 'Amazon Elastic Container Service', 'AWS Compute Savings Plans'],
    ['Microsoft', 'Virtual Machines', 'Azure savings plan for compute'],
    ['Microsoft', 'Azure App Service', 'Azure savings plan for compute'],
    ['Google Cloud', 'Compute Engine', 'GCP resource-based committed use discounts (vCPU and memory)'],
  ])('%s %s is covered by %s at its documented default rates', (provider, service, program) => {
    expect(isEligibleService(provider, service)).toBe(true)
    const rates = scopeRates(provider, service)
    expect(rates).toMatchObject({program})
    expect('rates' in rates && rates.rates.length).toBeGreaterThan(0)
  })

  it('prices databases with their reservation or CUD rates, never the compute Savings Plan rate', () => {
    const providerWide = [
      {provider: 'AWS', termYears: 1 as const, payment: 'none' as const, discount: 0.35, source: 'rates[0]'},
    ]
    // RDS has no default: it is skipped, naming the commitments.rates entry to add.
    const rds = scopeRates('AWS', 'Amazon Relational Database Service', providerWide)
    expect(rds).toEqual({program: 'Amazon RDS reserved instances', rates: []})
    const skipped = recommendCommitment(
      input({
        scope: {...scope, serviceCategory: 'Databases', serviceName: 'Amazon Relational Database Service'},
        program: {name: 'Amazon RDS reserved instances'},
        rates: [],
      }),
    )
    expect(skipped).toMatchObject({
      skip: {
        reason: expect.stringMatching(
          /^no rate for Amazon RDS reserved instances: add a commitments\.rates entry with provider: AWS, service: Amazon Relational Database Service/,
        ),
      },
    })
    // A reservation rate for the service prices it, alone.
    const withQuote = scopeRates('AWS', 'Amazon Relational Database Service', [
      ...providerWide,
      {
        provider: 'aws',
        service: 'amazon relational database service',
        termYears: 1,
        payment: 'all',
        discount: 0.41,
        source: 'q',
      },
    ])
    expect(withQuote).toEqual({
      program: 'Amazon RDS reserved instances',
      rates: [{termYears: 1, payment: 'all', discount: 0.41, source: 'q'}],
    })
    for (const service of ['Amazon ElastiCache', 'Amazon OpenSearch Service', 'Amazon Redshift'])
      expect(scopeRates('AWS', service)).toMatchObject({program: expect.stringMatching(/reserved/), rates: []})
    expect(scopeRates('Microsoft', 'SQL Database')).toMatchObject({
      program: 'Azure reservations (SQL Database)',
      rates: [],
    })
    // Cloud SQL has a documented spend-based CUD: 25% and 52%, not Compute Engine's 37% and 55%.
    const cloudSql = scopeRates('Google Cloud', 'Cloud SQL')
    expect('rates' in cloudSql && cloudSql.rates.map((r) => r.discount)).toEqual([0.25, 0.52])
    // A provider-wide entry still prices the compute program.
    expect(ratesFor('AWS', 'Amazon Elastic Compute Cloud', providerWide)[0]).toMatchObject({discount: 0.35})
  })

  it('a configured rate naming a service no program covers makes it eligible (the contract knows better)', () => {
    expect(
      scopeRates('AWS', 'Amazon Lightsail', [
        {provider: 'AWS', service: 'Amazon Lightsail', termYears: 1, payment: 'none', discount: 0.1, source: 'deal'},
      ]),
    ).toMatchObject({program: 'configured commitment for Amazon Lightsail', rates: [{discount: 0.1}]})
  })
})
