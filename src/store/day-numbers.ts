/**
 * Days are stored as integers (days since 1970-01-01, UTC): 2-3 bytes in a row and in every index
 * instead of 11 for the text, and compared as numbers. Callers of the store keep YYYY-MM-DD strings.
 */

const DAY_MS = 86_400_000

/** 'YYYY-MM-DD' -> days since the epoch. */
export const dayNumber = (day: string): number => Math.round(Date.parse(`${day.slice(0, 10)}T00:00:00Z`) / DAY_MS)

const texts = new Map<number, string>()

/**
 * Days since the epoch -> 'YYYY-MM-DD'. Remembered: a report turns ~100,000 rows of a few hundred
 * distinct days into text, and Date formatting is what that would cost (a few thousand days a year
 * of data, so the map stays small).
 */
export function dayText(n: number): string {
  let text = texts.get(n)
  if (text === undefined) {
    text = new Date(n * DAY_MS).toISOString().slice(0, 10)
    if (texts.size < 100_000) texts.set(n, text)
  }
  return text
}
