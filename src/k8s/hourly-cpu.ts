import type {Histogram} from '../model/k8s.js'
import {CPU_SCHEME, emptyHistogram, HistogramBuilder, mergeHistograms} from './digest.js'

/** Hours in a day: a profile is one CPU sketch per UTC hour of day, hour 0 (00:00-01:00 UTC) first. */
export const HOURS_PER_DAY = 24

/** The UTC hour of day of a unix time in seconds. */
export const utcHourOf = (unixSeconds: number): number =>
  Math.floor((((unixSeconds % 86_400) + 86_400) % 86_400) / 3600)

/**
 * Streams one container-day's CPU samples into 24 sketches by UTC hour of day, so a request that
 * changes with the hour (in-place pod resize) can be read from the window later. An hour's sketch is
 * made on its first sample: a day with few busy hours holds few.
 */
export class HourlyCpuBuilder {
  private readonly hours: (HistogramBuilder | undefined)[] = new Array(HOURS_PER_DAY)

  add(hour: number, cores: number): void {
    const builder = (this.hours[hour] ??= new HistogramBuilder(CPU_SCHEME))
    builder.add(cores)
  }

  /** 24 sketches (empty where the hour had no sample). */
  toHours(): Histogram[] {
    return Array.from({length: HOURS_PER_DAY}, (_, h) => this.hours[h]?.toHistogram() ?? emptyHistogram())
  }
}

/** The window's profile: each hour's sketches of every day merged (days without a profile add nothing). */
export function mergeHourlyCpu(days: readonly (readonly Histogram[])[]): Histogram[] {
  return Array.from({length: HOURS_PER_DAY}, (_, h) =>
    mergeHistograms(
      days.map((d) => d[h] ?? emptyHistogram()),
      CPU_SCHEME,
    ),
  )
}
