import {afterEach, describe, expect, test} from 'vitest'

import {SUMMARIZED_TAG_VALUES} from '../../../src/store/cost-summaries.js'
import {openTagSetResolver} from '../../../src/store/tag-sets.js'
import {tempStore, type TempStore} from '../../helpers/store.js'

/** A set as stored: its pairs as key=value (sorted) and its summary set the same way. */
function storedSet(store: TempStore, id: number): {pairs: string[]; summary: string[]} {
  const pairsOf = (setId: number): string[] =>
    (
      store.db
        .prepare(
          `SELECT k.key || '=' || p.value FROM tag_set_pairs s JOIN tag_keys k ON k.id = s.key_id
           JOIN tag_pairs p ON p.id = s.pair_id WHERE s.tag_set_id = ?`,
        )
        .pluck()
        .all(setId) as string[]
    ).sort()
  const summary = store.db.prepare('SELECT summary_set_id FROM cost_tag_sets WHERE id = ?').pluck().get(id) as number
  return {pairs: pairsOf(id), summary: pairsOf(summary)}
}

describe('tag sets are stored once', () => {
  let store: TempStore | undefined
  afterEach(() => store?.cleanup())

  test('the same set resolves to the same id, from a new resolver too; pairs text and members agree', () => {
    store = tempStore()
    const first = openTagSetResolver(store.db)
    const a = first.resolve({team: 'web', env: 'prod'})
    const b = first.resolve({env: 'prod', team: 'web'})
    const c = first.resolve({team: 'web'})
    expect(b).toBe(a)
    expect(c).not.toBe(a)
    expect(first.resolve({})).toBe(0)
    // A resolver opened later (another import) finds the stored sets instead of creating them again.
    const again = openTagSetResolver(store.db)
    expect(again.resolve({team: 'web', env: 'prod'})).toBe(a)
    expect(again.resolve({team: 'web'})).toBe(c)
    const sets = store.db.prepare('SELECT count(*) FROM cost_tag_sets WHERE id > 0').pluck().get()
    expect(sets).toBe(2)
    expect(storedSet(store, a)).toEqual({pairs: ['env=prod', 'team=web'], summary: ['env=prod', 'team=web']})
    const text = store.db.prepare('SELECT pairs FROM cost_tag_sets WHERE id = ?').pluck().get(a) as string
    const memberIds = store.db
      .prepare('SELECT pair_id FROM tag_set_pairs WHERE tag_set_id = ? ORDER BY pair_id')
      .pluck()
      .all(a) as number[]
    expect(text).toBe(memberIds.join(','))
  })

  test('a set with a new value of a known set is new; a key with too many values leaves the summaries', () => {
    store = tempStore()
    const resolver = openTagSetResolver(store.db)
    const ids = new Set<number>()
    for (let i = 0; i <= SUMMARIZED_TAG_VALUES + 1; i++) ids.add(resolver.resolve({Name: `r-${i}`, team: 'web'}))
    expect(ids.size).toBe(SUMMARIZED_TAG_VALUES + 2)
    const summarized = store.db.prepare('SELECT summarized FROM tag_keys WHERE key = ?').pluck()
    expect(summarized.get('Name')).toBe(0)
    expect(summarized.get('team')).toBe(1)
    // Sets made before the key stopped being summarized keep their whole summary; later ones drop Name.
    const firstId = Math.min(...ids)
    const lastId = Math.max(...ids)
    expect(storedSet(store, firstId)).toEqual({pairs: ['Name=r-0', 'team=web'], summary: ['Name=r-0', 'team=web']})
    expect(storedSet(store, lastId)).toEqual({
      pairs: [`Name=r-${SUMMARIZED_TAG_VALUES + 1}`, 'team=web'],
      summary: ['team=web'],
    })
    // Re-resolving a stored set (also after the caches are gone) gives its id back.
    expect(openTagSetResolver(store.db).resolve({team: 'web', Name: 'r-3'})).toBe(
      resolver.resolve({Name: 'r-3', team: 'web'}),
    )
  })
})
