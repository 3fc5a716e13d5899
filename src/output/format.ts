import {formatMoney} from '../money.js'

/** Number and text helpers shared by the table formatters (money is in src/money.ts, CSV cells in src/csv.ts). */

/** A ratio as a percentage (`0.125` is `12.5%` with one digit), or `-` when there is none. */
export const formatRatio = (ratio: number | null, digits = 1): string =>
  ratio === null ? '-' : `${(ratio * 100).toFixed(digits)}%`

/** An amount with its currency, or `-` when there is none. */
export const formatMoneyOrDash = (value: number | null, currency: string): string =>
  value === null ? '-' : formatMoney(value, currency)

const SPARK = '▁▂▃▄▅▆▇█'

/**
 * A small trend line: values are bucketed to at most `width` points (by sum) and scaled between
 * the series' own min and max; a flat series draws a flat line.
 */
export function sparkline(values: readonly number[], width = 14): string {
  if (values.length === 0) return ''
  const buckets = Math.min(width, values.length)
  const points: number[] = []
  for (let b = 0; b < buckets; b++) {
    const start = Math.floor((b * values.length) / buckets)
    const end = Math.floor(((b + 1) * values.length) / buckets)
    let total = 0
    for (let i = start; i < end; i++) total += values[i]!
    points.push(total / Math.max(1, end - start))
  }
  const min = Math.min(...points)
  const max = Math.max(...points)
  if (max - min < 1e-9 * Math.max(1, Math.abs(max))) return SPARK[max === 0 ? 0 : 3]!.repeat(points.length)
  return points
    .map((v) => SPARK[Math.min(SPARK.length - 1, Math.floor(((v - min) / (max - min)) * SPARK.length))])
    .join('')
}

/** `+12.3%`, `-4.0%`, or `new` when there was nothing to compare against. */
export function formatChange(change: number | null, hadPrevious: boolean): string {
  if (change === null) return hadPrevious ? '' : 'new'
  if (!Number.isFinite(change)) return ''
  const pct = change * 100
  return `${pct >= 0 ? '+' : ''}${pct.toFixed(1)}%`
}
