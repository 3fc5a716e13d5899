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
  // Same weekday up to three weeks either side: a median of up to six values shrugs off one spike.
  const baselineOf = (t: number, skip?: readonly boolean[]): number => {
    const same: number[] = []
    for (const k of [-3, -2, -1, 1, 2, 3]) {
      const i = t + k * WEEK
      if (i >= 0 && i < n && !skip?.[i]) same.push(y[i]!)
    }
    return same.length > 0 ? median(same) : y[t]!
  }
  const resid = y.map((v, t) => v - baselineOf(t))
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
    // Replaced from the unflagged neighbours only, so one spike never leaks into another day.
    if (end - t + 1 <= MAX_SPIKE_RUN) for (let i = t; i <= end; i++) out[i] = baselineOf(i, flagged)
    t = end + 1
  }
  return out
}
