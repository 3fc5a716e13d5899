import type {ForecastPoint} from './types.js'

/** A daily forecast with its running total (ForecastResult and CurrencyForecast both are). */
export interface CumulativeForecast {
  daily: readonly ForecastPoint[]
  cumulative: readonly ForecastPoint[]
}

/**
 * The forecast sum of the days in [from, to] with an interval. A span that starts on the first
 * forecast day uses the running-total interval directly; a later span of L days uses the interval of
 * the first L days, scaled to the span's mean (errors of later days are at least that large, so this
 * errs narrow; the first month of a horizon, the usual question, is exact).
 */
export function sumForecast(
  forecast: CumulativeForecast,
  from: string,
  to: string,
): {mean: number; lower: number; upper: number; days: number} {
  const idx = forecast.daily.flatMap((p, i) => (p.date >= from && p.date <= to ? [i] : []))
  if (idx.length === 0) return {mean: 0, lower: 0, upper: 0, days: 0}
  const first = idx[0]!
  const last = idx.at(-1)!
  if (first === 0) {
    const c = forecast.cumulative[last]!
    return {mean: c.mean, lower: c.lower, upper: c.upper, days: idx.length}
  }
  const mean = idx.reduce((a, i) => a + forecast.daily[i]!.mean, 0)
  const ref = forecast.cumulative[idx.length - 1]!
  const ratio = ref.mean > 0 ? mean / ref.mean : 1
  return {
    mean,
    lower: Math.min(mean, mean + (ref.lower - ref.mean) * ratio),
    upper: Math.max(mean, mean + (ref.upper - ref.mean) * ratio),
    days: idx.length,
  }
}
