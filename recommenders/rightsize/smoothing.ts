import type {CpuSmoothing} from '../../src/model/k8s.js'

/**
 * How far to widen the upper tail of CPU values read as rate() over `windowSteps` query steps, back to
 * the tail of the per-step usage the request is scored against: the ratio of the usage's standard
 * deviation to the values'. A value averaging k steps has the usage's mean and a variance shrunk by
 * how little consecutive steps move together; the values' own lag-1 autocorrelation (from the sums the
 * collector recorded) tells how much. The usage is taken to move from step to step as a first-order
 * autoregression (each step's deviation is rho times the last one's plus fresh noise): rho is the one
 * whose k-step mean has the measured autocorrelation. Slow components (a day/night cycle) raise the
 * measured autocorrelation and so, rightly, lower the widening: averaging two steps does not thin them.
 * 1 with no smoothing (one step), too few values, or no variation.
 */
export function smoothingWidening(s: CpuSmoothing | undefined): number {
  if (!s || s.windowSteps <= 1 || s.count < 10 || s.pairs < 10) return 1
  const mean = s.sum / s.count
  const variance = s.sumSquares / s.count - mean * mean
  if (!(variance > 0)) return 1
  const r1 = 1 - s.diffSquares / s.pairs / (2 * variance)
  const k = s.windowSteps
  // r1 of a k-step mean rises with rho: bisect for the rho that gives the measured one.
  let lo = 0
  let hi = 0.999
  if (r1 <= meanAutocorrelation(k, lo)) hi = lo
  else if (r1 >= meanAutocorrelation(k, hi)) lo = hi
  else
    for (let i = 0; i < 40; i++) {
      const mid = (lo + hi) / 2
      if (meanAutocorrelation(k, mid) < r1) lo = mid
      else hi = mid
    }
  return 1 / Math.sqrt(meanCovariance(k, (lo + hi) / 2, 0))
}

/**
 * Autocovariance at lag h of the mean of k consecutive steps of a unit-variance first-order
 * autoregression with coefficient rho: (1/k^2) x the sum over i, j < k of rho^|h + i - j|.
 */
export function meanCovariance(k: number, rho: number, h: number): number {
  let total = 0
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) total += rho ** Math.abs(h + i - j)
  return total / (k * k)
}

const meanAutocorrelation = (k: number, rho: number): number => meanCovariance(k, rho, 1) / meanCovariance(k, rho, 0)
