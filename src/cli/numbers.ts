import {usageError} from '../errors.js'

/**
 * The one format numbers take on the command line: a plain decimal with "." as the decimal point,
 * no thousands separators, no exponent, no hex (`10000`, `1234.5`). "1,5" is one and a half in
 * much of Europe and fifteen in the US, so it is refused rather than guessed; so are `1.000,50`,
 * `0x10`, `1e3`, `Infinity` and `NaN`.
 */
const PLAIN_DECIMAL = /^[+-]?\d+(\.\d+)?$/

export const NUMBER_FORMAT_HELP = 'a plain number with "." as the decimal point and no thousands separators'

/** Largest amount of money a flag accepts: a trillion in any currency is a typo, not a budget. */
export const MAX_AMOUNT = 1e12

export interface NumberRange {
  min?: number
  /** When true, `min` itself is not allowed. */
  minExclusive?: boolean
  max?: number
  example: string
}

/** Parses a number flag in the one accepted format, within its range; the error names the flag, the format and the range. */
export function parseNumberFlag(value: string, flag: string, range: NumberRange): number {
  const text = value.trim()
  if (!PLAIN_DECIMAL.test(text))
    throw usageError(`${flag} ${value}: expected ${NUMBER_FORMAT_HELP}`, `for example ${flag} ${range.example}`)
  const n = Number(text)
  const {min, max} = range
  const tooLow = min !== undefined && (range.minExclusive ? n <= min : n < min)
  if (!Number.isFinite(n) || tooLow || (max !== undefined && n > max)) {
    const lower = min === undefined ? '' : `${range.minExclusive ? 'above' : 'at least'} ${formatBound(min)}`
    const upper = max === undefined ? '' : `at most ${formatBound(max)}`
    throw usageError(
      `${flag} ${value}: out of range; expected ${[lower, upper].filter(Boolean).join(' and ')}`,
      `for example ${flag} ${range.example}`,
    )
  }
  return Object.is(n, -0) ? 0 : n
}

/** An amount of money: positive (or zero when allowed) and at most MAX_AMOUNT. */
export function parseAmountFlag(value: string, flag: string, options: {allowZero?: boolean} = {}): number {
  return parseNumberFlag(value, flag, {
    min: 0,
    minExclusive: !options.allowZero,
    max: MAX_AMOUNT,
    example: '10000 or 1234.50',
  })
}

const formatBound = (n: number): string => n.toLocaleString('en-US', {maximumFractionDigits: 6})
