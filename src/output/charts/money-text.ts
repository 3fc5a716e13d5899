const full = new Map<string, Intl.NumberFormat>()
const compact = new Map<string, Intl.NumberFormat>()

function formatFor(cache: Map<string, Intl.NumberFormat>, currency: string, options: Intl.NumberFormatOptions) {
  let format = cache.get(currency)
  if (!format) {
    try {
      format = new Intl.NumberFormat('en-US', {style: 'currency', currency, ...options})
    } catch {
      // A code Intl does not know (a custom or made-up currency) is written after the number.
      format = new Intl.NumberFormat('en-US', options)
    }
    cache.set(currency, format)
  }
  return format
}

const suffix = (format: Intl.NumberFormat, currency: string): string =>
  format.resolvedOptions().style === 'currency' ? '' : ` ${currency}`

/** `$1,234.56` (or `1,234.56 XYZ`): the amounts in tables and labels. */
export function moneyText(value: number, currency: string): string {
  const format = formatFor(full, currency, {minimumFractionDigits: 2, maximumFractionDigits: 2})
  const rounded = Math.abs(value) < 0.005 ? 0 : value
  return `${format.format(rounded)}${suffix(format, currency)}`
}

/** `$1.2K`: axis ticks and labels inside a chart, where space is short. */
export function compactMoneyText(value: number, currency: string): string {
  const format = formatFor(compact, currency, {notation: 'compact', maximumFractionDigits: 1})
  return `${format.format(value)}${suffix(format, currency)}`
}

/** `+12.3%` / `-4.0%` / `new` for a change ratio (null when the previous amount was 0). */
export const changeText = (change: number | null): string =>
  change === null ? 'new' : `${change >= 0 ? '+' : ''}${(change * 100).toFixed(1)}%`
