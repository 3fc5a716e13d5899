import {expect} from 'vitest'

import {parseGroupKeys} from '../../src/cost/dimension-keys.js'
import type {Metric} from '../../src/model/cost.js'
import {queryDailyCosts} from '../../src/store/costs.js'
import type {Db} from '../../src/store/open.js'

/** Billed and effective cost per key: what a collector stored, or what its fixture ledger says. */
export type Totals = Map<string, {billed: number; effective: number}>

/**
 * The store's billed and effective totals over [from, to], read through the cost repository the
 * reports use. `keys` are group keys as users write them (`sub-account`, `charge-category`, or
 * `day`); a total's key is their values joined with '|'.
 */
export function storeTotals(db: Db, keys: readonly string[], from: string, to: string): Totals {
  const groupBy = parseGroupKeys(keys.filter((k) => k !== 'day'))
  const out: Totals = new Map()
  for (const metric of ['billed', 'effective'] as const satisfies readonly Metric[]) {
    for (const point of queryDailyCosts(db, {from, to, groupBy, filters: [], metric})) {
      let next = 0
      const key = keys.map((k) => (k === 'day' ? point.day : point.keys[next++])).join('|')
      const total = out.get(key) ?? {billed: 0, effective: 0}
      total[metric] += point.cost
      out.set(key, total)
    }
  }
  return out
}

/** Same keys, and the same billed and effective amounts (to 6 decimals) per key. */
export function expectSameTotals(actual: Totals, expected: Totals): void {
  expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort())
  for (const [k, v] of expected) {
    expect(actual.get(k)!.billed).toBeCloseTo(v.billed, 6)
    expect(actual.get(k)!.effective).toBeCloseTo(v.effective, 6)
  }
}
