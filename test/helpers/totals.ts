import {expect} from 'vitest'

import type {Db} from '../../src/store/open.js'

/** Billed and effective cost per key: what a collector stored, or what its fixture ledger says. */
export type Totals = Map<string, {billed: number; effective: number}>

/** The store's totals for one source over [from, to], keyed by a SQL expression over cost_daily. */
export function storeTotals(db: Db, source: string, keySql: string, from: string, to: string): Totals {
  const rows = db
    .prepare(
      `SELECT ${keySql} AS k, SUM(billed_cost) AS b, SUM(effective_cost) AS e
    FROM cost_daily WHERE source = ? AND day BETWEEN ? AND ? GROUP BY k`,
    )
    .all(source, from, to) as {k: string; b: number; e: number}[]
  return new Map(rows.map((r) => [r.k, {billed: r.b, effective: r.e}]))
}

/** Same keys, and the same billed and effective amounts (to 6 decimals) per key. */
export function expectSameTotals(actual: Totals, expected: Totals): void {
  expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort())
  for (const [k, v] of expected) {
    expect(actual.get(k)!.billed).toBeCloseTo(v.billed, 6)
    expect(actual.get(k)!.effective).toBeCloseTo(v.effective, 6)
  }
}
