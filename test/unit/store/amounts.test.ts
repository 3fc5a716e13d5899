import Database from 'better-sqlite3'
import {describe, expect, it} from 'vitest'

import {amountSql, exactAmount, splitAmount} from '../../../src/store/amounts.js'
import {seededRandom} from '../../../src/seeded-random.js'

describe('fixed-point amounts', () => {
  it('splits an amount into units and nanos of one sign, rounded to the nano', () => {
    expect(splitAmount(12.5)).toEqual([12, 500_000_000])
    expect(splitAmount(-0.0000008)).toEqual([0, -800])
    expect(splitAmount(-3.25)).toEqual([-3, -250_000_000])
    expect(splitAmount(0.9999999999)).toEqual([1, 0])
    expect(splitAmount(1e12)).toEqual([1e12, 0])
    expect(Object.is(splitAmount(-0)[0], 0)).toBe(true)
  })

  it('turns any split of the same amount into the very same number', () => {
    const db = new Database(':memory:')
    // Bound as integers, as the store's INTEGER columns hold them.
    const value = (units: number, nanos: number) =>
      db
        .prepare(`SELECT ${amountSql('@u', '@n')}`)
        .pluck()
        .get({u: BigInt(units), n: BigInt(nanos)}) as number
    // 5.183817 written four ways (sums carry nanos past a billion or of the other sign).
    const splits: [number, number][] = [
      [5, 183_817_000],
      [4, 1_183_817_000],
      [6, -816_183_000],
      [0, 5_183_817_000],
    ]
    expect(new Set(splits.map(([u, n]) => value(u, n))).size).toBe(1)
    expect(value(5, 183_817_000)).toBe(5.183817)
    expect(value(-2, -500_000_000)).toBe(-2.5)
    expect(value(-3, 500_000_000)).toBe(-2.5)
    db.close()
  })

  it('gives in JS the very number amountSql gives in SQLite, for sums of any sign and size', () => {
    const db = new Database(':memory:')
    const inSql = db.prepare(`SELECT ${amountSql('@u', '@n')}`).pluck()
    const rand = seededRandom(7)
    const pick = (scale: number) => Math.round((rand() * 2 - 1) * scale)
    const cases: [number, number][] = [
      [0, 0],
      [0, -1],
      [0, 1_000_000_000],
      [0, -1_000_000_000],
      [-1, 999_999_999],
      [1, -999_999_999],
      [5, 183_817_000],
      [4, 1_183_817_000],
      [6, -816_183_000],
    ]
    for (let i = 0; i < 20_000; i++)
      cases.push([pick(10 ** Math.floor(rand() * 12)), pick(10 ** Math.floor(rand() * 14))])
    for (const [u, n] of cases) expect(exactAmount(u, n), `${u} ${n}`).toBe(inSql.get({u: BigInt(u), n: BigInt(n)}))
    db.close()
  })
})
