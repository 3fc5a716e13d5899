import {MEMORY_SCHEME, quantile} from '../../src/k8s/digest.js'
import type {DailyUsage} from '../../src/model/k8s.js'

/**
 * How a container's memory moves over the window, read from its day digests, and the peak its limit
 * is sized from. A day whose peak the old limit cut short (an OOM kill, or a working set pinned at the
 * limit: the kernel reclaims and kills there) says nothing about the demand's height, so it is left out
 * of the trend: a leak that has reached its limit shows flat, clipped peaks, and reading the slope
 * from them would size the new limit for a container that no longer grows.
 */
export interface MemoryGrowth {
  /** Growth of the daily peaks in bytes per day (least squares; 0 without enough days to read it). */
  perDay: number
  /**
   * The peak the limit is sized from, in bytes: the window's observed peak, or, when the old limit cut
   * the peaks short, the higher of that and where the trend of the uncut days stands on the last day.
   */
  peak: number
  /** Days whose peak the old limit cut short. */
  censoredDays: number
  /** Where the trend was read: every day's peak, the uncut days' peaks, the daily medians, or none. */
  source: 'peaks' | 'uncut peaks' | 'medians' | 'none'
}

/** A working set this close to the limit is held there by it (reclaim, then the OOM killer). */
export const PINNED_SHARE = 0.98

/**
 * The memory trend of a container, given the limit it ran under (undefined: none). Needs 5 days for a
 * trend when no day was cut short, and 3 uncut days (or 3 days with a median below the limit) when some
 * were; fewer give no growth (perDay 0), and the OOM rule of the caller applies alone.
 */
export function memoryGrowth(days: readonly DailyUsage[], limit: number | undefined): MemoryGrowth {
  const withMemory = days.filter((d) => d.memory.count > 0)
  const observed = withMemory.reduce((m, d) => Math.max(m, d.memory.max), 0)
  const cut = (d: DailyUsage) =>
    d.oomKills > 0 || (limit !== undefined && limit > 0 && d.memory.max >= PINNED_SHARE * limit)
  const censored = withMemory.filter(cut)
  if (censored.length === 0) {
    const perDay = withMemory.length >= 5 ? slope(withMemory.map((d) => [dayNumber(d), d.memory.max])) : 0
    return {perDay, peak: observed, censoredDays: 0, source: withMemory.length >= 5 ? 'peaks' : 'none'}
  }
  const last = dayNumber(withMemory.at(-1)!)
  const uncut = withMemory.filter((d) => !cut(d))
  if (uncut.length >= 3) {
    const points = uncut.map((d) => [dayNumber(d), d.memory.max] as const)
    const fit = leastSquares(points)
    return {
      perDay: fit.slope,
      peak: Math.max(observed, fit.at(last)),
      censoredDays: censored.length,
      source: 'uncut peaks',
    }
  }
  // Every day or nearly was cut short: the body of the day (its median) may still be below the limit
  // and grow with the demand. Its growth is carried from the last such day to the window's end.
  const pinned = limit !== undefined && limit > 0 ? PINNED_SHARE * limit : Number.POSITIVE_INFINITY
  const medians = withMemory
    .map((d) => [dayNumber(d), quantile(d.memory, 0.5, MEMORY_SCHEME)] as const)
    .filter(([, m]) => m < pinned)
  if (medians.length >= 3) {
    const perDay = slope(medians)
    return {
      perDay,
      peak: observed + Math.max(0, perDay) * (last - medians.at(-1)![0]),
      censoredDays: censored.length,
      source: 'medians',
    }
  }
  return {perDay: 0, peak: observed, censoredDays: censored.length, source: 'none'}
}

const dayNumber = (d: DailyUsage): number => Date.parse(`${d.day}T00:00:00Z`) / 86_400_000

function slope(points: readonly (readonly [number, number])[]): number {
  return leastSquares(points).slope
}

/** Least-squares line through the points (slope 0 when they share one x). */
export function leastSquares(points: readonly (readonly [number, number])[]): {
  slope: number
  at: (x: number) => number
} {
  const n = points.length
  const mx = points.reduce((s, [x]) => s + x, 0) / n
  const my = points.reduce((s, [, y]) => s + y, 0) / n
  let sxy = 0
  let sxx = 0
  for (const [x, y] of points) {
    sxy += (x - mx) * (y - my)
    sxx += (x - mx) ** 2
  }
  const b = sxx === 0 ? 0 : sxy / sxx
  return {slope: b, at: (x) => my + b * (x - mx)}
}
