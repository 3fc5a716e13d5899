import type {Histogram} from '../model/k8s.js'
import {bucketIndex, CPU_SCHEME, emptyHistogram, mergeHistograms} from './digest.js'

/** Hours in a day: a profile is one CPU sketch per UTC hour of day, hour 0 (00:00-01:00 UTC) first. */
export const HOURS_PER_DAY = 24

/** The UTC hour of day of a unix time in seconds. */
export const utcHourOf = (unixSeconds: number): number =>
  Math.floor((((unixSeconds % 86_400) + 86_400) % 86_400) / 3600)

/**
 * Streams one container-day's CPU samples into 24 sketches by UTC hour of day, so a request that
 * changes with the hour (in-place pod resize) can be read from the window later. One map of bucket
 * counts for all 24 hours (keyed hour x 1024 + bucket), not 24 sketches: a collection holds a
 * builder per container-day of a batch's chunk, and this keeps each about as small as its day digest.
 */
export class HourlyCpuBuilder {
  private readonly counts = new Map<number, number>()
  /** Per hour: count, sum, min, max, zero. */
  private readonly stats = new Float64Array(HOURS_PER_DAY * 5)

  /** Adds one sample; NaN, infinities and negatives are ignored, as the day digest ignores them. */
  add(hour: number, cores: number): void {
    if (!Number.isFinite(cores) || cores < 0) return
    const s = this.stats
    const o = hour * 5
    if (s[o] === 0 || cores < s[o + 2]!) s[o + 2] = cores
    if (cores > s[o + 3]!) s[o + 3] = cores
    s[o]!++
    s[o + 1]! += cores
    const index = bucketIndex(cores, CPU_SCHEME)
    if (index === 0) s[o + 4]!++
    else {
      const key = hour * BUCKETS_PER_HOUR + index
      this.counts.set(key, (this.counts.get(key) ?? 0) + 1)
    }
  }

  /** 24 sketches (empty where the hour had no sample). */
  toHours(): Histogram[] {
    const buckets: [number, number][][] = Array.from({length: HOURS_PER_DAY}, () => [])
    for (const [key, n] of this.counts) buckets[Math.floor(key / BUCKETS_PER_HOUR)]!.push([key % BUCKETS_PER_HOUR, n])
    return buckets.map((b, h) => {
      const o = h * 5
      const s = this.stats
      if (s[o] === 0) return emptyHistogram()
      return {
        count: s[o]!,
        sum: s[o + 1]!,
        min: s[o + 2]!,
        max: s[o + 3]!,
        zero: s[o + 4]!,
        buckets: b.sort((x, y) => x[0] - y[0]),
      }
    })
  }
}

// Above the CPU scheme's largest bucket index (600), so hour and bucket share one number.
const BUCKETS_PER_HOUR = 1024

/** The window's profile: each hour's sketches of every day merged (days without a profile add nothing). */
export function mergeHourlyCpu(days: readonly (readonly Histogram[])[]): Histogram[] {
  return Array.from({length: HOURS_PER_DAY}, (_, h) =>
    mergeHistograms(
      days.map((d) => d[h] ?? emptyHistogram()),
      CPU_SCHEME,
    ),
  )
}
