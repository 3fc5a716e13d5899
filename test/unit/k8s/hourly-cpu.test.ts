import {describe, expect, it} from 'vitest'

import {CPU_SCHEME, HistogramBuilder, quantile} from '../../../src/k8s/digest.js'
import {HourlyCpuBuilder, mergeHourlyCpu, utcHourOf} from '../../../src/k8s/hourly-cpu.js'

describe('CPU by UTC hour of day', () => {
  it('reads the UTC hour of a unix time, midnight and the last second of a day included', () => {
    const midnight = Date.UTC(2026, 10, 20) / 1000
    expect([0, 3599, 3600, 9 * 3600 + 1, 86_399].map((s) => utcHourOf(midnight + s))).toEqual([0, 0, 1, 9, 23])
  })

  it('gives each hour the sketch a day digest of the same samples would have', () => {
    const hours = new HourlyCpuBuilder()
    const plain = new HistogramBuilder(CPU_SCHEME)
    const values = [0, 0.00005, 0.2, 0.21, 1.7, 3, 0.2, Number.NaN, -1, 12]
    for (const v of values) {
      hours.add(5, v)
      plain.add(v)
    }
    expect(hours.toHours()[5]).toEqual(plain.toHistogram())
  })

  it('files each sample under its hour, leaves unseen hours empty, and merges days hour by hour', () => {
    const day1 = new HourlyCpuBuilder()
    const day2 = new HourlyCpuBuilder()
    for (let i = 0; i < 12; i++) {
      day1.add(2, 0.1)
      day1.add(14, 1 + i / 10)
      day2.add(14, 2)
    }
    const [a, b] = [day1.toHours(), day2.toHours()]
    expect(a).toHaveLength(24)
    expect(a.map((h) => h.count)).toEqual(Array.from({length: 24}, (_, h) => (h === 2 || h === 14 ? 12 : 0)))
    expect(a[14]!.max).toBeCloseTo(2.1, 9)
    const merged = mergeHourlyCpu([a, b])
    expect(merged[14]!.count).toBe(24)
    expect(merged[2]!.count).toBe(12)
    expect(merged[3]!.count).toBe(0)
    expect(quantile(merged[14]!, 0.75, CPU_SCHEME)).toBeCloseTo(2, 1)
  })
})
