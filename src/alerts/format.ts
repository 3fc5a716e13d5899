/** Money and label formatting shared by the Slack messages and the budget commands' tables. */

const formatters = new Map<string, Intl.NumberFormat>()

/** $1,234.56 style; an unknown currency code falls back to "1,234.56 XYZ". */
export function formatMoney(amount: number, currency: string): string {
  let format = formatters.get(currency)
  if (!format) {
    try {
      format = new Intl.NumberFormat('en-US', {
        style: 'currency',
        currency,
        maximumFractionDigits: 2,
        minimumFractionDigits: 2,
      })
    } catch {
      format = new Intl.NumberFormat('en-US', {maximumFractionDigits: 2, minimumFractionDigits: 2})
    }
    formatters.set(currency, format)
  }
  const text = format.format(amount)
  return format.resolvedOptions().style === 'currency' ? text : `${text} ${currency}`
}

export const formatPercent = (percent: number): string => `${percent.toFixed(1)}%`

/** "key=value, key=value" for a budget scope, or "all costs". */
export const formatScope = (filters: readonly string[]): string =>
  filters.length > 0 ? filters.join(', ') : 'all costs'
