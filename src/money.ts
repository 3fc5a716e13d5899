/** Money: the one rounding rule and the one way amounts are written for people. */

/** Rounds to `digits` decimals, half up: the one rounding rule for stored and published figures. */
export const roundTo = (value: number, digits: number): number => Math.round(value * 10 ** digits) / 10 ** digits

/** Rounds to cents (or `digits` decimals); the stored and printed value is the rounded one. */
export const roundMoney = (value: number, digits = 2): number => roundTo(value, digits)

/** Hours in an average month (365 x 24 / 12), the unit monthly costs and savings are quoted in. */
export const HOURS_PER_MONTH = 730

const amountFormats = new Map<number, Intl.NumberFormat>()

/** An amount as `1,234.56` (the currency is in a column header or its own column). */
export function formatAmount(value: number, fractionDigits = 2): string {
  let format = amountFormats.get(fractionDigits)
  if (!format) {
    format = new Intl.NumberFormat('en-US', {
      minimumFractionDigits: fractionDigits,
      maximumFractionDigits: fractionDigits,
    })
    amountFormats.set(fractionDigits, format)
  }
  return format.format(withoutNegativeZero(value, fractionDigits))
}

const moneyFormats = new Map<string, Intl.NumberFormat | undefined>()

/** Money with its currency symbol where Intl knows it: `$1,234.56`, `€80.00`, else `1,234.56 XYZ`. */
export function formatMoney(value: number, currency: string): string {
  if (!moneyFormats.has(currency)) {
    let format: Intl.NumberFormat | undefined
    try {
      format = new Intl.NumberFormat('en-US', {
        style: 'currency',
        currency,
        minimumFractionDigits: 2,
        maximumFractionDigits: 2,
      })
    } catch {
      format = undefined
    }
    moneyFormats.set(currency, format)
  }
  const format = moneyFormats.get(currency)
  return format ? format.format(withoutNegativeZero(value, 2)) : `${formatAmount(value)} ${currency}`
}

// Rounding noise such as -0.001 would print as "-0.00".
const withoutNegativeZero = (value: number, fractionDigits: number): number =>
  Math.abs(value) < 0.5 * 10 ** -fractionDigits ? 0 : value
