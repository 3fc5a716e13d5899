import {mad, median} from './stats.js'

const WEEK = 7
const SPIKE_SIGMAS = 5
const MAX_SPIKE_RUN = 2

/**
 * Replaces isolated one- or two-day spikes (and dips) with the median of the same weekday in the
 * surrounding weeks, so models do not extrapolate them. A day is a spike only when it stands out
 * from the weeks before it AND from the weeks after it (when there are any): after a level shift
 * the new days agree with the weeks that follow, so shifts are kept, as are runs over two days.
 * Residuals are relative, so a quiet weekend is judged on the same scale as a busy weekday.
 */
export function cleanSpikes(y: readonly number[]): number[] {
  const n = y.length
  if (n < 3 * WEEK) return [...y]
  const sameWeekday = (t: number, ks: readonly number[], skip?: readonly boolean[]): number[] => {
    const out: number[] = []
    for (const k of ks) {
      const i = t + k * WEEK
      if (i >= 0 && i < n && !skip?.[i]) out.push(y[i]!)
    }
    return out
  }
  const rel = (v: number, base: number): number => (v - base) / Math.max(Math.abs(base), 1e-9)
  const before = y.map((v, t) => {
    const b = sameWeekday(t, [-3, -2, -1])
    return b.length > 0 ? rel(v, median(b)) : Number.NaN
  })
  const after = y.map((v, t) => {
    const a = sameWeekday(t, [1, 2, 3])
    return a.length > 0 ? rel(v, median(a)) : Number.NaN
  })
  const sigma = mad([...before, ...after].filter(Number.isFinite))
  if (!(sigma > 0)) return [...y]
  const out = (r: number): boolean => Number.isNaN(r) || Math.abs(r) > SPIKE_SIGMAS * sigma
  const flagged = y.map(
    (_, t) =>
      (Number.isFinite(before[t]!) || Number.isFinite(after[t]!)) &&
      out(before[t]!) &&
      out(after[t]!) &&
      Math.sign(Number.isFinite(before[t]!) ? before[t]! : after[t]!) ===
        Math.sign(Number.isFinite(after[t]!) ? after[t]! : before[t]!),
  )
  const cleaned = [...y]
  for (let t = 0; t < n;) {
    if (!flagged[t]) {
      t++
      continue
    }
    let end = t
    while (end + 1 < n && flagged[end + 1]) end++
    // Replaced from the unflagged neighbours only, so one spike never leaks into another day.
    if (end - t + 1 <= MAX_SPIKE_RUN) {
      for (let i = t; i <= end; i++) {
        const same = sameWeekday(i, [-3, -2, -1, 1, 2, 3], flagged)
        if (same.length > 0) cleaned[i] = median(same)
      }
    }
    t = end + 1
  }
  return cleaned
}
