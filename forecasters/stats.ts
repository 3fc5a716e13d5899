/** Small numeric helpers shared by the models and the backtest; pure. */

export function median(values: readonly number[]): number {
  if (values.length === 0) return 0
  const s = [...values].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

export function mean(values: readonly number[]): number {
  if (values.length === 0) return 0
  let sum = 0
  for (const v of values) sum += v
  return sum / values.length
}

/** Type-7 (linear interpolation) quantile, as R's default, of unsorted values. */
export function quantile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0
  const s = [...values].sort((a, b) => a - b)
  const pos = (s.length - 1) * Math.min(1, Math.max(0, p))
  const lo = Math.floor(pos)
  const hi = Math.ceil(pos)
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo)
}

/** Median absolute deviation scaled to a normal sigma. */
export function mad(values: readonly number[]): number {
  const m = median(values)
  return 1.4826 * median(values.map((v) => Math.abs(v - m)))
}

/** In-sample MAE of the weekly seasonal naive forecast: the MASE denominator. */
export function seasonalNaiveScale(y: readonly number[], period = 7): number {
  let sum = 0
  let count = 0
  for (let i = period; i < y.length; i++) {
    sum += Math.abs(y[i]! - y[i - period]!)
    count++
  }
  const scale = count > 0 ? sum / count : 0
  if (scale > 0) return scale
  // A perfectly regular series: fall back to a tiny share of its level so errors stay finite.
  return Math.max(1e-9, Math.abs(mean(y)) * 1e-3)
}
