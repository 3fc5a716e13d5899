import {mad, median} from '../stats.js'
import {type PointModel, WEEK} from './types.js'

const PROFILE_WEEKS = 8
const SHIFT_WINDOW = 120
const TREND_DAMPING = 0.97

/**
 * Weekly profile: the median ratio of each weekday to its centred 7-day mean over the last weeks.
 * Returns 1s when the series is not positive or a weekday is usually zero (a ratio would be meaningless).
 */
export function weeklyProfile(y: readonly number[]): number[] {
  const n = y.length
  const ratios: number[][] = Array.from({length: WEEK}, () => [])
  const start = Math.max(3, n - PROFILE_WEEKS * WEEK)
  for (let t = start; t < n - 3; t++) {
    let sum = 0
    for (let i = t - 3; i <= t + 3; i++) sum += y[i]!
    const ma = sum / WEEK
    if (ma > 0 && y[t]! >= 0) ratios[t % WEEK]!.push(y[t]! / ma)
  }
  if (ratios.some((r) => r.length === 0)) return Array.from({length: WEEK}, () => 1)
  const profile = ratios.map((r) => median(r))
  const norm = profile.reduce((a, b) => a + b, 0) / WEEK
  // A weekday that is usually zero (sparse usage) has no ratio to deseasonalise by: dividing by it gives NaN.
  return norm > 0 && profile.every((p) => p > 0) ? profile.map((p) => p / norm) : Array.from({length: WEEK}, () => 1)
}

/**
 * Index where the current regime starts: the latest abrupt level shift in the deseasonalised series,
 * found by the best two-segment split (least absolute deviation) that is also a jump locally, so a
 * smooth trend is not mistaken for a shift.
 */
export function lastLevelShift(d: readonly number[]): number {
  let start = Math.max(0, d.length - SHIFT_WINDOW)
  const noise =
    mad(
      d
        .slice(start)
        .slice(1)
        .map((v, i) => v - d[start + i]!),
    ) / Math.SQRT2
  for (;;) {
    const seg = d.slice(start)
    if (seg.length < 21) return start
    const cost = (xs: readonly number[]): number => {
      const m = median(xs)
      return xs.reduce((a, v) => a + Math.abs(v - m), 0)
    }
    const whole = cost(seg)
    let bestK = -1
    let bestCost = whole
    for (let k = 7; k <= seg.length - 14; k++) {
      const c = cost(seg.slice(0, k)) + cost(seg.slice(k))
      if (c < bestCost) {
        bestCost = c
        bestK = k
      }
    }
    if (bestK < 0 || bestCost > 0.7 * whole) return start
    const globalJump = Math.abs(median(seg.slice(bestK)) - median(seg.slice(0, bestK)))
    const localJump = Math.abs(median(seg.slice(bestK, bestK + 7)) - median(seg.slice(Math.max(0, bestK - 7), bestK)))
    if (localJump < 0.6 * globalJump || localJump < 4 * noise) return start
    start += bestK
  }
}

/** Theil-Sen slope over pairs at least a week apart (robust to spikes and to the weekly residue). */
function theilSen(xs: readonly number[]): number {
  const slopes: number[] = []
  const stride = Math.max(1, Math.floor(xs.length / 60))
  for (let i = 0; i < xs.length; i += stride) {
    for (let j = i + WEEK; j < xs.length; j += stride) slopes.push((xs[j]! - xs[i]!) / (j - i))
  }
  return slopes.length > 0 ? median(slopes) : 0
}

/**
 * Weekly profile x robust trend, fitted only on the regime after the latest level shift: a one-day
 * spike moves neither the medians nor the Theil-Sen slope, and a step change resets the level.
 */
export const robustDecomposition: PointModel = {
  description: 'robust decomposition: weekly profile x Theil-Sen trend on the regime after the latest level shift',
  forecast(y, horizon) {
    const n = y.length
    const profile = weeklyProfile(y)
    const d = y.map((v, t) => v / profile[t % WEEK]!)
    const start = lastLevelShift(d)
    const seg = d.slice(start)
    const slope = seg.length >= 28 ? theilSen(seg) : 0
    const recent = seg.slice(-14)
    const offset = seg.length - recent.length
    // Level at the last day: median of the recent points moved along the slope to the end.
    const level = median(recent.map((v, i) => v + slope * (seg.length - 1 - (offset + i))))
    const out: number[] = []
    let damp = 0
    for (let h = 1; h <= horizon; h++) {
      damp += TREND_DAMPING ** h
      out.push((level + slope * damp) * profile[(n + h - 1) % WEEK]!)
    }
    return out
  },
}
