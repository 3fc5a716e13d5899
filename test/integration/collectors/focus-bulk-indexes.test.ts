import fs from 'node:fs'
import path from 'node:path'
import {parse} from 'csv-parse/sync'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'

import {importFocusFiles} from '../../../src/collectors/focus/index.js'
import type {Db} from '../../../src/store/open.js'
import {tempDir} from '../../helpers/cli.js'
import {writeResourceBill} from '../../helpers/resource-bill.js'
import {tempStore} from '../../helpers/store.js'

/**
 * A first import builds the secondary indexes of the tables it fills once, at the end (they are
 * dropped while the empty tables are filled): the store must come out with every index, each one
 * consistent with its table, and a failed import must leave the store exactly as it was.
 */
const BULK_TABLES = [
  'cost_details',
  'cost_resource_daily',
  'cost_summary',
  'cost_day_keys',
  'cost_service_days',
  'commitment_usage',
]

const schemaOf = (db: Db): string[] =>
  (db.prepare('SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY name').raw().all() as string[][]).map(
    (row) => row.join('|'),
  )
const indexesOf = (db: Db): string[] =>
  (
    db
      .prepare(
        `SELECT name FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL
         AND tbl_name IN (${BULK_TABLES.map(() => '?').join(', ')}) ORDER BY name`,
      )
      .pluck()
      .all(...BULK_TABLES) as string[]
  ).sort()
const countsOf = (db: Db): Record<string, number> =>
  Object.fromEntries(
    [...BULK_TABLES, 'cost_rollup', 'cost_tag_sets', 'tag_pairs', 'cost_keys'].map((t) => [
      t,
      Number(db.prepare(`SELECT count(*) FROM ${t}`).pluck().get()),
    ]),
  )

describe('secondary indexes around a first import', () => {
  const {dir, cleanup} = tempDir('focus-bulk-indexes-')
  const bill = path.join(dir, 'bill.csv')
  const bad = path.join(dir, 'bad.csv')
  beforeAll(() => {
    writeResourceBill(bill, {copies: 2, sharedFirstCopy: true})
    // The same bill with one cost that is not a number, on its last row: the import refuses the file.
    const records = parse(fs.readFileSync(bill)) as string[][]
    const billed = records[0]!.indexOf('BilledCost')
    const last = [...records.at(-1)!]
    last[billed] = 'twelve'
    const quote = (v: string): string => (v === 'NULL' ? v : `"${v.replaceAll('"', '""')}"`)
    fs.writeFileSync(bad, `${fs.readFileSync(bill, 'utf8')}${last.map(quote).join(',')}\n`)
  })
  afterAll(cleanup)

  test('a first import leaves every index in place and consistent with its table', {timeout: 120_000}, async () => {
    const store = tempStore()
    try {
      const before = schemaOf(store.db)
      expect(indexesOf(store.db).length).toBeGreaterThanOrEqual(BULK_TABLES.length)
      await importFocusFiles(store.db, [bill])
      expect(schemaOf(store.db)).toEqual(before)
      for (const [table, rows] of Object.entries(countsOf(store.db))) expect(rows, table).toBeGreaterThan(0)
      expect(store.db.prepare('PRAGMA integrity_check').pluck().all()).toEqual(['ok'])
      // A second import (tables no longer empty) keeps the indexes while it writes.
      await importFocusFiles(store.db, [bill])
      expect(schemaOf(store.db)).toEqual(before)
      expect(store.db.prepare('PRAGMA integrity_check').pluck().all()).toEqual(['ok'])
    } finally {
      store.cleanup()
    }
  })

  test('a failed first import leaves the store unchanged, indexes included', {timeout: 120_000}, async () => {
    const store = tempStore()
    try {
      const before = schemaOf(store.db)
      const counts = countsOf(store.db)
      await expect(importFocusFiles(store.db, [bad])).rejects.toThrow(/BilledCost/)
      expect(schemaOf(store.db)).toEqual(before)
      expect(countsOf(store.db)).toEqual(counts)
      expect(store.db.prepare('PRAGMA integrity_check').pluck().all()).toEqual(['ok'])
      // The store still takes the good bill afterwards.
      await importFocusFiles(store.db, [bill])
      expect(schemaOf(store.db)).toEqual(before)
    } finally {
      store.cleanup()
    }
  })
})
