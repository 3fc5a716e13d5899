import {describe, expect, it} from 'vitest'

import {seededRandom} from '../../../src/seeded-random.js'
import {
  bucketIndex,
  bucketValue,
  CPU_SCHEME,
  DigestBuilder,
  HistogramBuilder,
  MEMORY_SCHEME,
  mergeDigests,
  mergeHistograms,
  quantile,
} from '../../../src/k8s/digest.js'
import type {DailyUsage} from '../../../src/model/k8s.js'

const exact = (values: number[], q: number) => [...values].sort((a, b) => a - b)[Math.floor(q * (values.length - 1))]!
const relativeBound = (CPU_SCHEME.gamma - 1) / (CPU_SCHEME.gamma + 1)

function samples(seed: string, n: number, scale: number): number[] {
  const random = seededRandom(seed)
  // Log-normal-ish: most values small, a long tail, like container CPU.
  return Array.from({length: n}, () => scale * Math.exp(2 * (random() + random() + random() - 1.5)))
}

describe('usage digest sketch', () => {
  it('puts every value in the bucket whose bounds hold it, and the bucket value within the relative bound', () => {
    for (const v of [1e-4, 1.5e-4, 0.001, 0.0123, 0.25, 1, 3.7, 64, 500]) {
      const i = bucketIndex(v, CPU_SCHEME)
      const hi = CPU_SCHEME.min * CPU_SCHEME.gamma ** i
      expect(v).toBeLessThanOrEqual(hi * (1 + 1e-9))
      expect(v).toBeGreaterThan((hi / CPU_SCHEME.gamma) * (1 - 1e-9))
      expect(Math.abs(bucketValue(i, CPU_SCHEME) - v) / v).toBeLessThanOrEqual(relativeBound + 1e-9)
    }
    expect(bucketIndex(0, CPU_SCHEME)).toBe(0)
    expect(bucketIndex(5e-5, CPU_SCHEME)).toBe(0)
  })

  it.each([
    ['cpu', CPU_SCHEME, 0.3],
    ['memory', MEMORY_SCHEME, 5e8],
  ] as const)('reads %s quantiles within ~2%% of the exact ones, min and max exactly', (_name, scheme, scale) => {
    const values = samples(`q-${scale}`, 20_000, scale)
    const b = new HistogramBuilder(scheme)
    for (const v of values) b.add(v)
    const h = b.toHistogram()
    expect(h.count).toBe(values.length)
    expect(h.max).toBe(Math.max(...values))
    expect(h.min).toBe(Math.min(...values))
    expect(quantile(h, 1, scheme)).toBe(h.max)
    expect(quantile(h, 0, scheme)).toBe(h.min)
    for (const q of [0.01, 0.25, 0.5, 0.9, 0.95, 0.99]) {
      const want = exact(values, q)
      expect(Math.abs(quantile(h, q, scheme) - want) / want).toBeLessThanOrEqual(relativeBound + 1e-9)
    }
  })

  it('stays bounded in size however many samples go in', () => {
    const b = new HistogramBuilder(CPU_SCHEME)
    const random = seededRandom('size')
    for (let i = 0; i < 500_000; i++) b.add(random() * 8)
    const h = b.toHistogram()
    expect(h.count).toBe(500_000)
    expect(h.buckets.length).toBeLessThanOrEqual(CPU_SCHEME.maxIndex)
    expect(JSON.stringify(h).length).toBeLessThan(12_000)
  })

  it('merging digests equals digesting all samples at once, in any order', () => {
    const a = samples('a', 3000, 0.2)
    const b = samples('b', 5000, 0.8)
    const c = samples('c', 700, 2)
    const digest = (values: number[]) => {
      const d = new DigestBuilder()
      for (const v of values) {
        d.cpu.add(v)
        d.memory.add(v * 1e9)
      }
      d.oomKills = values.length % 3
      return d.toDigest()
    }
    const whole = digest([...a, ...b, ...c])
    const merged = mergeDigests([digest(c), digest(a), digest(b)])
    expect(merged.cpu.buckets).toEqual(whole.cpu.buckets)
    expect(merged.memory.buckets).toEqual(whole.memory.buckets)
    expect(merged.cpu.count).toBe(whole.cpu.count)
    expect(merged.cpu.max).toBe(whole.cpu.max)
    expect(merged.cpu.min).toBe(whole.cpu.min)
    expect(merged.cpu.sum).toBeCloseTo(whole.cpu.sum, 6)
    expect(merged.samples).toBe(a.length + b.length + c.length)
    expect(merged.oomKills).toBe((a.length % 3) + (b.length % 3) + (c.length % 3))
    expect(mergeHistograms([], CPU_SCHEME).count).toBe(0)
  })

  it('ignores NaN, infinities and negative values (counter resets) and reads NaN from an empty sketch', () => {
    const b = new HistogramBuilder(CPU_SCHEME)
    for (const v of [Number.NaN, -1, Number.POSITIVE_INFINITY, 0.5]) b.add(v)
    expect(b.toHistogram().count).toBe(1)
    expect(quantile(new HistogramBuilder(CPU_SCHEME).toHistogram(), 0.5, CPU_SCHEME)).toBeNaN()
  })

  it('a re-opened stored digest keeps its sample count when more samples are streamed in', () => {
    const first = new DigestBuilder()
    first.cpu.add(0.1)
    first.memory.add(1e8)
    const reopened = new DigestBuilder(first.toDigest())
    reopened.cpu.add(0.2)
    reopened.memory.add(2e8)
    const d = reopened.toDigest()
    expect(d.samples).toBe(2)
    expect(d.cpu.max).toBe(0.2)
  })

  it('merges a window of days exactly: percentiles over all days, samples and OOM kills summed', () => {
    const days: DailyUsage[] = ['2024-06-03', '2024-06-01', '2024-06-02'].map((day, i) => {
      const d = new DigestBuilder()
      for (const v of samples(day, 288, 0.1 * (i + 1))) {
        d.cpu.add(v)
        d.memory.add(v * 4e9)
      }
      d.oomKills = i
      return {...d.toDigest(), day, source: 'prometheus'}
    })
    const all = ['2024-06-03', '2024-06-01', '2024-06-02'].flatMap((day, i) => samples(day, 288, 0.1 * (i + 1)))
    const merged = mergeDigests(days)
    expect(merged).toMatchObject({samples: 864, oomKills: 3})
    expect(merged.cpu.max).toBe(Math.max(...all))
    const p95 = quantile(merged.cpu, 0.95, CPU_SCHEME)
    expect(Math.abs(p95 - exact(all, 0.95)) / exact(all, 0.95)).toBeLessThanOrEqual(relativeBound + 1e-9)
    expect(quantile(mergeDigests([]).cpu, 0.95, CPU_SCHEME)).toBeNaN()
  })
})
