import {describe, expect, it} from 'vitest'

import {memoryGrowth} from '../../../recommenders/rightsize/memory-growth.js'
import {sizeContainer} from '../../../recommenders/rightsize/recommend.js'
import {defaultRecommendSettings} from '../../../recommenders/settings.js'
import {days, MIB} from '../../helpers/workload-builders.js'

const settings = defaultRecommendSettings().rightsize
const idleCpu = () => 0.05
// A daily swing of +-4% around a level that leaks `perDay` MiB a day from 100Mi.
const leaking = (perDay: number) => (i: number, d: number) =>
  (100 + perDay * d) * (1 + 0.04 * Math.sin((2 * Math.PI * i) / 288)) * MIB
// What the container shows under `limit`: the demand, held just under the limit once it gets there.
const under = (limit: number, demand: (i: number, d: number) => number) => (i: number, d: number) =>
  Math.min(demand(i, d), limit * 0.999)
// The days the demand first crossed the limit (the kernel kills it there; afterwards it stays pinned).
const crossings = (limit: number, demand: (i: number, d: number) => number, n: number): number[] =>
  Array.from({length: n}, (_, d) => d).filter((d) => {
    const before = d === 0 ? 0 : Math.max(...Array.from({length: 288}, (_, i) => demand(i, d - 1)))
    return before <= limit && Math.max(...Array.from({length: 288}, (_, i) => demand(i, d))) > limit
  })

describe('memoryGrowth', () => {
  it('reads a leak from the trend of the daily peaks when no day was cut short', () => {
    const g = memoryGrowth(days(14, idleCpu, leaking(3)), 1000 * MIB)
    expect(g.source).toBe('peaks')
    expect(g.censoredDays).toBe(0)
    expect(g.perDay / MIB).toBeCloseTo(3 * 1.04, 1)
    expect(g.peak / MIB).toBeCloseTo((100 + 3 * 13) * 1.04, 0)
  })

  it('reads a leak pinned at its old limit from the days before it got there, not the flat clipped peaks', () => {
    const limit = 125 * MIB
    const demand = leaking(3)
    const history = days(14, idleCpu, under(limit, demand), crossings(limit, demand, 14))
    const g = memoryGrowth(history, limit)
    expect(g.censoredDays).toBe(8)
    expect(g.source).toBe('uncut peaks')
    expect(g.perDay / MIB).toBeCloseTo(3 * 1.04, 0)
    // Where the demand's peak stands on the last day (139Mi x 1.04), far above the 110Mi it was held at.
    expect(g.peak / MIB).toBeGreaterThan(140)
    expect(g.peak / MIB).toBeLessThan(150)
  })

  it('falls back to the daily medians when the peaks were cut short nearly every day', () => {
    const limit = 112 * MIB
    const demand = leaking(1)
    // Killed every day from the second on: the daily peak is the limit, the median still grows.
    const history = days(10, idleCpu, under(limit, demand), [1, 2, 3, 4, 5, 6, 7, 8, 9])
    const g = memoryGrowth(history, limit)
    expect(g.source).toBe('medians')
    expect(g.perDay / MIB).toBeCloseTo(1, 0)
    expect(g.peak).toBeGreaterThanOrEqual(limit * 0.99)
  })

  it('sees no growth in a flat container whose spikes were OOM-killed', () => {
    const flat = (i: number, d: number) => (i === 100 && [2, 5, 9].includes(d) ? 140 : 100) * MIB
    const limit = 120 * MIB
    const history = days(14, idleCpu, under(limit, flat), [2, 5, 9])
    const g = memoryGrowth(history, limit)
    expect(g.censoredDays).toBe(3)
    expect(Math.abs(g.perDay)).toBeLessThan(0.1 * MIB)
    expect(g.peak).toBeLessThanOrEqual(limit)
  })

  it('gives no trend with too few days', () => {
    expect(memoryGrowth(days(4, idleCpu, leaking(5)), undefined)).toMatchObject({perDay: 0, source: 'none'})
  })
})

describe('sizeContainer with a leak', () => {
  it('sizes the limit of a leak pinned at its old limit for the demand over the horizon, and says so', () => {
    const limit = 125 * MIB
    const demand = leaking(3)
    const history = days(14, idleCpu, under(limit, demand), crossings(limit, demand, 14))
    const outcome = sizeContainer(
      history,
      {name: 'app', requests: {cpu: 0.1, memory: limit}, limits: {memory: limit}},
      settings,
    )
    expect(outcome.kind).toBe('sized')
    if (outcome.kind !== 'sized') return
    // The demand's peak at the end of the next 7 days: (100 + 3 x 20) x 1.04 = 166Mi.
    const horizonPeak = (100 + 3 * (13 + settings.memoryGrowthDays)) * 1.04 * MIB
    expect(outcome.sizing.memoryLimit!).toBeGreaterThan(horizonPeak)
    // Not the bare OOM bump over the old limit (163Mi), which the leak crosses within days.
    expect(outcome.sizing.memoryLimit!).toBeGreaterThan(limit * settings.oomBump)
    expect(outcome.sizing.notes.join('\n')).toMatch(
      /memory grows ~3Mi\/day \(read from the days the old limit did not cut short; \d+ day\(s\) it did\): fix the leak or restart the pods more often; limit sized for 7 days/,
    )
  })

  it('keeps a flat container sized from its observed peak', () => {
    const flat = (i: number) => (200 + (i % 2)) * MIB
    const outcome = sizeContainer(
      days(14, idleCpu, flat),
      {name: 'app', requests: {cpu: 0.1, memory: 512 * MIB}, limits: {memory: 512 * MIB}},
      settings,
    )
    expect(outcome.kind).toBe('sized')
    if (outcome.kind !== 'sized') return
    expect(outcome.sizing.memoryLimit! / MIB).toBeCloseTo(201 * (1 + settings.memoryLimitMargin), -1)
    expect(outcome.sizing.notes.join('\n')).not.toMatch(/memory grows/)
  })
})
