import fs from 'node:fs'
import path from 'node:path'
import {afterAll, describe, expect, test} from 'vitest'

import {importFocusFiles} from '../../../src/collectors/focus/index.js'
import type {Db} from '../../../src/store/open.js'
import {tempDir} from '../../helpers/cli.js'
import {tempStore} from '../../helpers/store.js'

/**
 * A FOCUS import's tag sets: a set is the one JSON.parse reads from its text, stored once across
 * imports, and a refused import leaves the tag tables as they were.
 */

const HEADER = [
  'BilledCost',
  'EffectiveCost',
  'ListCost',
  'BillingAccountId',
  'BillingCurrency',
  'BillingPeriodStart',
  'ChargeCategory',
  'ChargeFrequency',
  'ChargePeriodStart',
  'ProviderName',
  'RegionId',
  'ServiceCategory',
  'ServiceName',
  'Tags',
]

const quote = (v: string): string => `"${v.replaceAll('"', '""')}"`

/** A FOCUS CSV with one row per Tags text (as written, raw), each on its own day of `month`. */
function writeBill(file: string, month: string, tags: readonly string[], cost: (i: number) => string = () => '1.25') {
  const lines = [HEADER.join(',')]
  tags.forEach((text, i) => {
    const day = `${month}-${String((i % 28) + 1).padStart(2, '0')}`
    lines.push(
      [
        cost(i),
        '1.25',
        '1.5',
        'acct-1',
        'USD',
        `${month}-01 00:00:00`,
        'Usage',
        'Usage-Based',
        `${day} 00:00:00`,
        'AWS',
        'us-east-1',
        'Compute',
        'Amazon EC2',
        quote(text),
      ].join(','),
    )
  })
  fs.writeFileSync(file, `${lines.join('\n')}\n`)
}

/** Each rollup row's tags as JSON.parse-like key=value text (sorted), by day. */
function rollupTags(db: Db): Map<number, string[]> {
  const rows = db
    .prepare(
      `SELECT r.day, coalesce((SELECT json_group_array(kv) FROM (SELECT k.key || '=' || p.value AS kv FROM tag_set_pairs s
         JOIN tag_keys k ON k.id = s.key_id JOIN tag_pairs p ON p.id = s.pair_id WHERE s.tag_set_id = r.tag_set_id ORDER BY 1)), '[]')
       FROM cost_rollup r`,
    )
    .raw()
    .all() as [number, string][]
  const byDay = new Map<number, string[]>()
  for (const [day, text] of rows) byDay.set(day, (JSON.parse(text) as string[]).sort())
  return byDay
}

/** Everything the tag tables hold. */
type TagTables = Record<'tag_keys' | 'tag_pairs' | 'cost_tag_sets' | 'tag_set_pairs', unknown[]>

const tagTables = (db: Db): TagTables => {
  const rows = (table: string): unknown[] => db.prepare(`SELECT * FROM ${table} ORDER BY 1, 2`).raw().all()
  return {
    tag_keys: rows('tag_keys'),
    tag_pairs: rows('tag_pairs'),
    cost_tag_sets: rows('cost_tag_sets'),
    tag_set_pairs: rows('tag_set_pairs'),
  }
}

const dayOf = (month: string, i: number): number =>
  Date.parse(`${month}-${String((i % 28) + 1).padStart(2, '0')}T00:00:00Z`) / 86_400_000

describe('tag sets of a FOCUS import', () => {
  const {dir, cleanup} = tempDir('focus-tag-sets-')
  afterAll(cleanup)

  test('read as JSON.parse reads them: odd values, keys twice, case, empty values, unicode, escapes', async () => {
    const texts = [
      '{"team":"web","Team":"ops","env":""}',
      '{"n":1.50,"ok":true,"gone":null,"obj":{"a":[1, 2]},"team":"web"}',
      '{"team":"first","team":"last"}',
      '{"\\u00e9t\\u00e9":"\\u0441\\u0438\\u043d\\u0438\\u0439","emoji":"🙂","url":"https://x.example/a:b"}',
      '  {"team" : "web" ,  "Team":"ops","env":""}  ',
      '{}',
      '{"only":null}',
      'NULL',
      '',
      '{"q":"say \\"hi\\": now","b":"back\\\\slash"}',
    ]
    const file = path.join(dir, 'odd.csv')
    writeBill(file, '2024-03', texts)
    const store = tempStore()
    try {
      await importFocusFiles(store.db, [file])
      const byDay = rollupTags(store.db)
      const expected = (text: string): string[] => {
        const trimmed = text.trim()
        if (trimmed === '' || trimmed === 'NULL') return []
        const parsed = JSON.parse(trimmed) as Record<string, unknown>
        return Object.entries(parsed)
          .filter(([, v]) => v !== null)
          .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
          .sort()
      }
      texts.forEach((text, i) => expect(byDay.get(dayOf('2024-03', i)), text).toEqual(expected(text)))
      // The same set written two ways is one set; a key with only null values is no key.
      const sets = store.db.prepare('SELECT count(*) FROM cost_tag_sets WHERE id > 0').pluck().get()
      expect(sets).toBe(new Set(texts.map((t) => expected(t).join('\n')).filter((t) => t !== '')).size)
      expect(store.db.prepare("SELECT count(*) FROM tag_keys WHERE key = 'only'").pluck().get()).toBe(0)
    } finally {
      store.cleanup()
    }
  })

  test('a second import reuses the first import’s sets and pairs and adds only the new ones', async () => {
    const first = path.join(dir, 'first.csv')
    const second = path.join(dir, 'second.csv')
    writeBill(first, '2024-01', ['{"team":"web","env":"prod"}', '{"team":"db"}', '{"env":"dev"}'])
    writeBill(second, '2024-02', ['{"env":"prod","team":"web"}', '{"team":"db"}', '{"team":"db","env":"dev"}'])
    const store = tempStore()
    try {
      await importFocusFiles(store.db, [first])
      const setIds = (month: string) =>
        store.db
          .prepare('SELECT day, tag_set_id FROM cost_rollup WHERE billing_period = ? ORDER BY day')
          .raw()
          .all(Date.parse(`${month}-01T00:00:00Z`) / 86_400_000)
          .map((r) => (r as [number, number])[1])
      const before = tagTables(store.db)
      const [webProd, db] = setIds('2024-01')
      await importFocusFiles(store.db, [second])
      const after = tagTables(store.db)
      const [webProd2, db2, dbDev] = setIds('2024-02')
      expect(webProd2).toBe(webProd)
      expect(db2).toBe(db)
      expect(dbDev).toBeGreaterThan(Math.max(...(before.cost_tag_sets as [number][]).map((r) => r[0])))
      // Only the new set and its members were added: no pair, key or set written twice.
      expect(after.tag_keys).toEqual(before.tag_keys)
      expect(after.tag_pairs).toEqual(before.tag_pairs)
      expect(after.cost_tag_sets.length).toBe(before.cost_tag_sets.length + 1)
      expect(after.tag_set_pairs.length).toBe(before.tag_set_pairs.length + 2)
      // Importing the second file again changes nothing in the tag tables.
      await importFocusFiles(store.db, [second])
      expect(tagTables(store.db)).toEqual(after)
    } finally {
      store.cleanup()
    }
  })

  test('a refused import leaves the tag tables unchanged (a bad cost, and a text JSON.parse refuses)', async () => {
    const good = path.join(dir, 'good.csv')
    writeBill(good, '2024-01', ['{"team":"web"}'])
    const store = tempStore()
    try {
      await importFocusFiles(store.db, [good])
      const before = tagTables(store.db)
      const badCost = path.join(dir, 'bad-cost.csv')
      writeBill(badCost, '2024-02', ['{"team":"new"}', '{"other":"x"}'], (i) => (i === 1 ? 'abc' : '2'))
      await expect(importFocusFiles(store.db, [badCost])).rejects.toThrow(/BilledCost "abc" is not a number/)
      expect(tagTables(store.db)).toEqual(before)
      const badTags = path.join(dir, 'bad-tags.csv')
      writeBill(badTags, '2024-02', ['{"team":"new"}', '{"team":"x",}'])
      await expect(importFocusFiles(store.db, [badTags])).rejects.toThrow(/Tags is not a JSON object: \{"team":"x",\}/)
      expect(tagTables(store.db)).toEqual(before)
    } finally {
      store.cleanup()
    }
  })
})
