/**
 * Money in the store is fixed-point: whole currency units and nanos (billionths) in two INTEGER
 * columns, the representation of google.type.Money. Integer sums are exact and do not depend on the
 * order rows are added in, so a report read from a summary table gives the very same number as one
 * read from the rollup's rows, and a restatement subtracted from a total leaves no drift.
 */

export const NANOS_PER_UNIT = 1_000_000_000

/** The four FOCUS cost columns kept per rollup row, in storage order. */
export const AMOUNT_COLUMNS = ['billed', 'effective', 'list', 'contracted'] as const
export type AmountColumn = (typeof AMOUNT_COLUMNS)[number]

/**
 * Splits an amount into [units, nanos] with the same sign (units truncated toward zero), rounding to
 * the nearest nano. The caller guarantees a finite amount.
 */
export function splitAmount(amount: number): [number, number] {
  const units = Math.trunc(amount)
  let nanos = Math.round((amount - units) * NANOS_PER_UNIT)
  let whole = units
  if (nanos >= NANOS_PER_UNIT) {
    whole += 1
    nanos -= NANOS_PER_UNIT
  } else if (nanos <= -NANOS_PER_UNIT) {
    whole -= 1
    nanos += NANOS_PER_UNIT
  }
  // -0 would be stored as a REAL by SQLite; keep integers integral.
  return [whole === 0 ? 0 : whole, nanos === 0 ? 0 : nanos]
}

/** The SQL column names of one amount. */
export const unitsColumn = (amount: AmountColumn): string => `${amount}_units`
export const nanosColumn = (amount: AmountColumn): string => `${amount}_nanos`

/** Every amount column, units then nanos per amount: `billed_units, billed_nanos, ...`. */
export const AMOUNT_SQL_COLUMNS: readonly string[] = AMOUNT_COLUMNS.flatMap((a) => [unitsColumn(a), nanosColumn(a)])

/**
 * SQL turning exact integer units and nanos (any split: sums carry nanos beyond a billion, or of the
 * other sign) into a REAL, always through the same canonical split (units and nanos of one sign), so
 * the same amount gives the very same number whichever rows or summaries it was summed from.
 */
export function amountSql(units: string, nanos: string): string {
  const q = `(${units} + ${nanos} / 1000000000)`
  const r = `(${nanos} % 1000000000)`
  return `(CASE WHEN ${q} > 0 AND ${r} < 0 THEN (${q} - 1) + (${r} + 1000000000) / 1e9
    WHEN ${q} < 0 AND ${r} > 0 THEN (${q} + 1) + (${r} - 1000000000) / 1e9
    ELSE ${q} + ${r} / 1e9 END)`
}

/**
 * The number amountSql gives for the same integers, computed in JS (integer division truncating
 * toward zero and a remainder of the dividend's sign, as SQLite's), so a summary read row by row and
 * summed here equals one summed in SQL to the last bit.
 */
export function exactAmount(units: number, nanos: number): number {
  const r = nanos % NANOS_PER_UNIT
  const q = units + (nanos - r) / NANOS_PER_UNIT
  if (q > 0 && r < 0) return q - 1 + (r + NANOS_PER_UNIT) / 1e9
  if (q < 0 && r > 0) return q + 1 + (r - NANOS_PER_UNIT) / 1e9
  return q + r / 1e9
}

/** SQL for the exact sum of one amount over `alias`'s rows, as a REAL (see amountSql). */
export const sumAmountSql = (amount: AmountColumn, alias: string): string =>
  amountSql(`SUM(${alias}.${unitsColumn(amount)})`, `SUM(${alias}.${nanosColumn(amount)})`)

/** SQL summing every amount column of `alias` (units and nanos kept apart), in AMOUNT_SQL_COLUMNS order. */
export const sumAllAmountsSql = (alias: string): string =>
  AMOUNT_SQL_COLUMNS.map((c) => `SUM(${alias}.${c}) AS ${c}`).join(', ')
