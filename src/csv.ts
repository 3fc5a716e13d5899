/** The one CSV cell writer: every CSV we write (exports, reports, demo billing) goes through it. */

/**
 * A text cell a spreadsheet could run as a formula (OWASP CSV injection: one starting with = + - @,
 * a tab or a carriage return) gets a leading apostrophe, which spreadsheets show as text. Numbers
 * never pass through here, so a negative amount stays a number.
 */
export function defuseCsvText(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text
}

/** RFC 4180 CSV field, quoted only when needed; text cells defused against formula injection. */
export function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return ''
  const text = typeof value === 'number' ? plainNumber(value) : defuseCsvText(value)
  return /[",\r\n]/.test(text) || /^\s|\s$/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

/** A number as spreadsheets read it: no exponent, no thousands separator, at most 10 decimals. */
export function plainNumber(value: number): string {
  if (!Number.isFinite(value)) return ''
  const rounded = Math.round(value * 1e10) / 1e10
  if (Object.is(rounded, -0) || rounded === 0) return '0'
  const text = String(rounded)
  return text.includes('e') ? rounded.toFixed(10).replace(/\.?0+$/, '') : text
}

export const csvLine = (fields: readonly (string | number | null | undefined)[]): string =>
  `${fields.map(csvField).join(',')}\n`
