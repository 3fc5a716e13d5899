import {describe, expect, it} from 'vitest'

import {sizeContainer} from '../../../recommenders/rightsize/recommend.js'
import {cpuRequestSchedule} from '../../../recommenders/rightsize/schedule.js'
import {defaultRecommendSettings} from '../../../recommenders/settings.js'
import {CPU_SCHEME, HistogramBuilder} from '../../../src/k8s/digest.js'
import type {Histogram} from '../../../src/model/k8s.js'
import {days, GIB, MIB} from '../../helpers/workload-builders.js'

const settings = defaultRecommendSettings().rightsize
const frac = (x: number) => x - Math.floor(x)
// A spread of values in [0, 1) that fills a sketch evenly (golden-ratio steps).
const jitter = (i: number, d: number) => frac((i + 288 * d) * 0.618034)

/** The window's CPU by UTC hour of day, as 24 sketches, from a 5-minute CPU function over 14 days. */
function hoursOf(cpu: (i: number, d: number) => number, n = 14): Histogram[] {
  const hours = Array.from({length: 24}, () => new HistogramBuilder(CPU_SCHEME))
  for (let d = 0; d < n; d++) for (let i = 0; i < 288; i++) hours[Math.floor(i / 12)]!.add(cpu(i, d))
  return hours.map((h) => h.toHistogram())
}

// 0.2 cores (+0..10%) all day, 1 core (+0..10%) from 03:00 to 04:00 UTC: a nightly batch inside a pod.
const batchCpu = (i: number, d: number) => (Math.floor(i / 12) === 3 ? 1 : 0.2) * (1 + 0.1 * jitter(i, d))
const memory = () => 300 * MIB
const current = {name: 'app', requests: {cpu: 2, memory: GIB}, limits: {memory: GIB}}

describe('cpuRequestSchedule', () => {
  const basis = {overrunCost: 2, floorQuantile: 0.8}

  it('pays for a batch hour during that hour only', () => {
    const schedule = cpuRequestSchedule(hoursOf(batchCpu), basis, settings)!
    expect(schedule).toBeDefined()
    // Each hour's tail is 10% wide and cheap to cover whole at 2 cores per 100% of samples.
    expect(schedule.hourly[3]).toBeGreaterThan(1.05)
    expect(schedule.hourly[3]).toBeLessThanOrEqual(1.1 + 0.001)
    for (const h of [0, 2, 4, 12, 23]) {
      expect(schedule.hourly[h]).toBeGreaterThan(0.2)
      expect(schedule.hourly[h]).toBeLessThanOrEqual(0.22 + 0.001)
    }
    expect(schedule.changesPerDay).toBe(2)
    expect(schedule.high).toBe(schedule.hourly[3])
    expect(schedule.low).toBeLessThan(0.23)
    expect(schedule.mean).toBeCloseTo(schedule.hourly.reduce((s, v) => s + v, 0) / 24, 9)
    // A fixed request covering the batch hour would hold 1.1 cores all day.
    expect(schedule.mean).toBeLessThan(0.3)
  })

  it('keeps the level through hours a little below it instead of resizing for noise, never going under an hour', () => {
    // 1 core from 08:00 to 16:00, 0.95 (5% lower: within the 10% noise threshold) from 16:00 to 18:00, 0.2 otherwise.
    const level = (h: number) => (h >= 8 && h < 16 ? 1 : h >= 16 && h < 18 ? 0.95 : 0.2)
    const cpu = (i: number, d: number) => level(Math.floor(i / 12)) * (1 + 0.01 * jitter(i, d))
    const schedule = cpuRequestSchedule(hoursOf(cpu), basis, settings)!
    expect(schedule.hourly[16]).toBe(schedule.hourly[15])
    expect(schedule.hourly[17]).toBe(schedule.hourly[15])
    expect(schedule.hourly[18]).toBeLessThan(0.21)
    expect(schedule.changesPerDay).toBe(2)
    const own = hoursOf(cpu).map((h) => h.max)
    schedule.hourly.forEach((v, h) => expect(v).toBeGreaterThanOrEqual(Math.min(own[h]!, v)))
    // A rise is never held back: the hour at 08:00 gets its own level.
    expect(schedule.hourly[8]).toBeGreaterThan(1)
  })

  it('gives no schedule when an hour has no usage or the profile is flat', () => {
    const hours = hoursOf(batchCpu)
    hours[5] = new HistogramBuilder(CPU_SCHEME).toHistogram()
    expect(cpuRequestSchedule(hours, basis, settings)).toBeUndefined()
    expect(cpuRequestSchedule(hoursOf(batchCpu).slice(0, 23), basis, settings)).toBeUndefined()
    const flat = (i: number, d: number) => 0.5 * (1 + 0.02 * jitter(i, d))
    expect(cpuRequestSchedule(hoursOf(flat), basis, settings)).toBeUndefined()
  })

  it('covers less of the busy hour when its overrun costs less', () => {
    // The batch hour spreads over 1..1.2 cores: 5% of its samples per 10m, worth covering whole at
    // 2 cores per 100% of samples (10m buys 10m of overrun), not at 0.04 (0.2m).
    const batchTail = (i: number, d: number) =>
      Math.floor(i / 12) === 3 ? 1 + 0.2 * jitter(i, d) : 0.2 * (1 + 0.1 * jitter(i, d))
    const full = cpuRequestSchedule(hoursOf(batchTail), basis, settings)!
    const cheap = cpuRequestSchedule(hoursOf(batchTail), basis, {...settings, cpuScheduleOverrunFactor: 0.02})!
    expect(full.hourly[3]).toBeGreaterThan(1.19)
    expect(cheap.hourly[3]).toBeLessThan(full.hourly[3]! - 0.02)
    // The hour's floor quantile (p80, 1.16 cores) still holds.
    expect(cheap.hourly[3]).toBeGreaterThanOrEqual(1.15)
  })
})

describe('sizeContainer with hour-of-day usage', () => {
  it('adds a schedule to a batch load and says so in the notes', () => {
    const outcome = sizeContainer(days(14, batchCpu, memory), current, settings, new Set(), hoursOf(batchCpu))
    expect(outcome.kind).toBe('sized')
    if (outcome.kind !== 'sized') return
    expect(outcome.sizing.cpuShape).toBe('batch')
    const schedule = outcome.sizing.cpuSchedule!
    expect(schedule.hourly[3]).toBeGreaterThan(1)
    // The fixed request leaves the batch hour above it; the schedule covers it for a 24th of the day.
    expect(outcome.sizing.cpuRequest!).toBeLessThan(0.25)
    expect(schedule.mean).toBeLessThan(0.3)
    expect(outcome.sizing.notes.some((n) => n.startsWith('CPU request by hour of day (UTC): 2 resize(s) a day'))).toBe(
      true,
    )
  })

  it('gives no schedule without hour-of-day usage, to a steady load, or when an HPA keeps the CPU request', () => {
    const sized = (outcome: ReturnType<typeof sizeContainer>) => {
      expect(outcome.kind).toBe('sized')
      if (outcome.kind !== 'sized') throw new Error('not sized')
      return outcome.sizing
    }
    expect(sized(sizeContainer(days(14, batchCpu, memory), current, settings)).cpuSchedule).toBeUndefined()
    const steady = (i: number, d: number) => 0.5 * (1 + 0.1 * jitter(i, d))
    const flat = sized(sizeContainer(days(14, steady, memory), current, settings, new Set(), hoursOf(steady)))
    expect(flat.cpuShape).toBe('steady')
    expect(flat.cpuSchedule).toBeUndefined()
    const kept = sized(
      sizeContainer(days(14, batchCpu, memory), current, settings, new Set(['cpu']), hoursOf(batchCpu)),
    )
    expect(kept.cpuShape).toBe('batch')
    expect(kept.cpuSchedule).toBeUndefined()
  })
})
