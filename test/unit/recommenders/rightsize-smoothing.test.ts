import {describe, expect, it} from 'vitest'

import {meanCovariance, smoothingWidening} from '../../../recommenders/rightsize/smoothing.js'
import {mergeDigests, SmoothingBuilder} from '../../../src/k8s/digest.js'
import {seededRandom} from '../../../src/seeded-random.js'
import {days} from '../../helpers/workload-builders.js'

/** Per-step usage around 1 core moving as a first-order autoregression with coefficient rho. */
function usage(rho: number, n: number, seed = 7): number[] {
  const r = seededRandom(seed)
  const normal = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r())
  const out: number[] = []
  let x = 0
  for (let i = 0; i < n; i++) {
    x = rho * x + Math.sqrt(1 - rho * rho) * normal()
    out.push(1 + 0.1 * x)
  }
  return out
}

/** What rate() over k steps returns at each step: the mean of the k usages ending there. */
const smoothed = (u: number[], k: number): number[] =>
  u.slice(k - 1).map((_, i) => u.slice(i, i + k).reduce((s, v) => s + v, 0) / k)

const sd = (v: number[]) => {
  const m = v.reduce((s, x) => s + x, 0) / v.length
  return Math.sqrt(v.reduce((s, x) => s + (x - m) ** 2, 0) / v.length)
}

function sums(values: number[], k: number) {
  const b = new SmoothingBuilder(k)
  values.forEach((v, i) => b.add(v, i === 0 ? undefined : values[i - 1]))
  return b.toSmoothing()
}

describe('smoothingWidening', () => {
  for (const [rho, k] of [
    [0.7, 2],
    [0.3, 2],
    [0, 2],
    [0.7, 3],
  ] as const) {
    it(`widens a ${k}-step mean of usage with step-to-step correlation ${rho} back to the usage's spread`, () => {
      const u = usage(rho, 40_000)
      const y = smoothed(u, k)
      const w = smoothingWidening(sums(y, k))
      // The widening the data itself shows, and the one the model gives for that rho.
      expect(w).toBeCloseTo(sd(u) / sd(y), 1)
      expect(w).toBeCloseTo(1 / Math.sqrt(meanCovariance(k, rho, 0)), 1)
      expect(w).toBeGreaterThan(1)
    })
  }

  it('does not widen values read one step at a time, or without enough values', () => {
    const u = usage(0.5, 1000)
    expect(smoothingWidening(sums(u, 1))).toBe(1)
    expect(smoothingWidening(sums(smoothed(u, 2).slice(0, 5), 2))).toBe(1)
    expect(smoothingWidening(undefined)).toBe(1)
  })

  it('widens little where the spread is a slow cycle that averaging two steps does not thin', () => {
    const cycle = Array.from({length: 288 * 7}, (_, i) => 1 + 0.5 * Math.sin((2 * Math.PI * i) / 288))
    expect(smoothingWidening(sums(smoothed(cycle, 2), 2))).toBeLessThan(1.01)
  })

  it('adds up over days, and is dropped when the days were read with different windows', () => {
    const y = smoothed(usage(0.5, 288 * 2 + 1), 2)
    const history = days(
      2,
      () => 1,
      () => 2 ** 27,
    )
    history[0]!.cpuSmoothing = sums(y.slice(0, 288), 2)
    history[1]!.cpuSmoothing = sums(y.slice(288), 2)
    const merged = mergeDigests(history).cpuSmoothing!
    expect(merged.count).toBe(history[0]!.cpuSmoothing.count + history[1]!.cpuSmoothing.count)
    expect(merged.pairs).toBe(2 * 287)
    expect(merged.windowSteps).toBe(2)
    history[1]!.cpuSmoothing = sums(y.slice(288), 1)
    expect(mergeDigests(history).cpuSmoothing).toBeUndefined()
  })
})
