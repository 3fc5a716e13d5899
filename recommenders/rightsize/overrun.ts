import {CPU_SCHEME, quantile} from '../../src/k8s/digest.js'
import type {Histogram} from '../../src/model/k8s.js'

/**
 * The cost-minimising CPU request over the sketch's bucket bounds (values scaled by `factor`): the
 * level r at or above the `floorQuantile` quantile that minimises r + overrunCost x (share of
 * samples above r). Shared by the fixed request and the hour-of-day schedule, so both price a
 * sample above the request the same.
 */
export function overrunOptimum(h: Histogram, factor: number, overrunCost: number, floorQuantile: number): number {
  const start = quantile(h, floorQuantile, CPU_SCHEME)
  let best = start * factor
  let bestCost = Number.POSITIVE_INFINITY
  let above = h.count
  const consider = (value: number, countAbove: number) => {
    if (value < start) return
    const cost = value * factor + (overrunCost * countAbove) / h.count
    if (cost < bestCost) {
      bestCost = cost
      best = value * factor
    }
  }
  above -= h.zero
  consider(Math.min(h.max, CPU_SCHEME.min), above)
  for (const [index, n] of h.buckets) {
    above -= n
    consider(Math.min(h.max, CPU_SCHEME.min * CPU_SCHEME.gamma ** index), above)
  }
  consider(h.max, 0)
  return best
}
