import {mad, median} from './stats.js'

const WEEK = 7
const SPIKE_SIGMAS = 5
const MAX_SPIKE_RUN = 2

/**
 * Replaces isolated one- or two-day spikes (and dips) with the median of the same weekday in the
 * surrounding weeks, so models do not extrapolate them. Longer runs are kept: they are level
 * shifts, which the models must see.
 */
export function cleanSpikes(y: readonly number[]): number[] {
  const n = y.length
  if (n < 3 * WEEK) return [...y]
  const baseline = y.map((_, t) => {
    const same: number[] = []
    for (const k of [-2, -1, 1, 2]) {
      const i = t + k * WEEK
      if (i >= 0 && i < n) same.push(y[i]!)
    }
    return median(same)
  })
  const resid = y.map((v, t) => v - baseline[t]!)
  const sigma = mad(resid)
  if (sigma <= 0) return [...y]
  const flagged = resid.map((r) => Math.abs(r) > SPIKE_SIGMAS * sigma)
  const out = [...y]
  for (let t = 0; t < n; ) {
    if (!flagged[t]) {
      t++
      continue
    }
    let end = t
    while (end + 1 < n && flagged[end + 1]) end++
    if (end - t + 1 <= MAX_SPIKE_RUN) for (let i = t; i <= end; i++) out[i] = baseline[i]!
    t = end + 1
  }
  return out
}
