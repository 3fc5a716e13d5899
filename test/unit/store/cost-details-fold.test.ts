import {afterEach, describe, expect, test} from 'vitest'

import {seededRandom} from '../../../src/seeded-random.js'
import {splitAmount} from '../../../src/store/amounts.js'
import {type CostDetailKind, DETAIL_VALUES_KEPT, openCostDetailWriter} from '../../../src/store/cost-details.js'
import {tempStore, type TempStore} from '../../helpers/store.js'

/** One detail as written: a key's day, kind and value with its effective and billed cost. */
interface Detail {
  keyId: number
  day: number
  kind: CostDetailKind
  value: string
  billed: number
  effective: number
}

/** A stored row as compared: `key/day/kind/value` and its exact billed and effective integers. */
type Row = [id: string, billedUnits: number, billedNanos: number, effectiveUnits: number, effectiveNanos: number]

/**
 * What the fold must leave, computed apart from SQL: per key, day and kind the DETAIL_VALUES_KEPT
 * values largest by absolute effective cost (ties by value), the rest summed into ''.
 */
function expectedRows(details: readonly Detail[]): Row[] {
  const groups = new Map<string, Detail[]>()
  for (const d of details) {
    const id = `${d.keyId}/${d.day}/${d.kind}`
    groups.set(id, [...(groups.get(id) ?? []), d])
  }
  const rows: Row[] = []
  for (const [id, group] of groups) {
    // Ranked by the stored amount as SQL reads it (units + nanos / 1e9), ties by value.
    const cost = (d: Detail): number => {
      const [units, nanos] = splitAmount(d.effective)
      return Math.abs(units + nanos / 1e9)
    }
    const ranked = [...group].sort((a, b) => cost(b) - cost(a) || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0))
    const rest = [0, 0, 0, 0]
    ranked.forEach((d, rank) => {
      const [bu, bn] = splitAmount(d.billed)
      const [eu, en] = splitAmount(d.effective)
      if (rank < DETAIL_VALUES_KEPT) rows.push([`${id}/${d.value}`, bu, bn, eu, en])
      else [bu, bn, eu, en].forEach((v, i) => (rest[i]! += v))
    })
    if (ranked.length > DETAIL_VALUES_KEPT) rows.push([`${id}/`, ...(rest as [number, number, number, number])])
  }
  return rows.sort(([a], [b]) => (a < b ? -1 : 1))
}

function storedRows(store: TempStore): Row[] {
  return (
    store.db
      .prepare(
        `SELECT key_id || '/' || day || '/' || CASE kind WHEN 0 THEN 'usage-type' ELSE 'resource' END || '/' || value,
           billed_units, billed_nanos, effective_units, effective_nanos FROM cost_details ORDER BY 1`,
      )
      .raw()
      .all() as Row[]
  ).sort(([a], [b]) => (a < b ? -1 : 1))
}

describe('cost details keep the largest values of a key day', () => {
  let store: TempStore | undefined
  afterEach(() => store?.cleanup())

  test('days with more values than kept fold the rest into one row; days with fewer stay as written', () => {
    store = tempStore()
    const rand = seededRandom(11)
    const details: Detail[] = []
    // Value counts around the limit, per key, day and kind; ties in cost, credits and zero costs.
    const counts = [1, DETAIL_VALUES_KEPT - 1, DETAIL_VALUES_KEPT, DETAIL_VALUES_KEPT + 1, 45, 120]
    for (const keyId of [1, 2, 3])
      for (const day of [20_000, 20_001, 20_030])
        for (const kind of ['usage-type', 'resource'] as const) {
          const n = counts[Math.floor(rand() * counts.length)]!
          for (let i = 0; i < n; i++) {
            const tied = rand() < 0.2
            const effective = tied ? 7.5 : Math.round((rand() * 300 - (rand() < 0.15 ? 320 : 0)) * 1e6) / 1e6
            details.push({
              keyId,
              day,
              kind,
              value: `${kind === 'resource' ? 'i-' : 'Usage:'}${String(Math.floor(rand() * 1e6)).padStart(6, '0')}-${i}`,
              billed: Math.round(effective * 1.25 * 1e6) / 1e6,
              effective: rand() < 0.05 ? 0 : effective,
            })
          }
        }
    const writer = openCostDetailWriter(store.db)
    const amounts = (d: Detail): number[] => [...splitAmount(d.billed), ...splitAmount(d.effective), 0, 0, 0, 0]
    store.db.transaction(() => {
      // Each value twice (the second adds nothing): the fold ranks what the upserts summed.
      for (const d of details) {
        writer.add(d.keyId, 20_000, d.day, d.kind, d.value, 'label', amounts(d))
        writer.add(d.keyId, 20_000, d.day, d.kind, d.value, 'label', new Array<number>(8).fill(0))
      }
      writer.finish()
    })()
    expect(storedRows(store)).toEqual(expectedRows(details))
    // This seed writes key days on both sides of the limit.
    const perDay = new Map<string, number>()
    for (const d of details) {
      const id = `${d.keyId}/${d.day}/${d.kind}`
      perDay.set(id, (perDay.get(id) ?? 0) + 1)
    }
    expect([...perDay.values()].filter((n) => n > DETAIL_VALUES_KEPT).length).toBeGreaterThan(2)
    expect([...perDay.values()].filter((n) => n <= DETAIL_VALUES_KEPT).length).toBeGreaterThan(2)
  })
})
