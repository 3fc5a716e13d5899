import {SUMMARIZED_TAG_VALUES} from './cost-summaries.js'
import type {Db} from './open.js'
import {BoundedCache} from '../bounded-cache.js'

/**
 * Tag sets are stored once: each distinct (key, value) pair has an id, a set is the ascending list of
 * its pair ids, and the rollup refers to the set by id. Resolving uses small bounded caches in front
 * of indexed lookups, so memory does not grow with the number of distinct sets (one per resource
 * when teams tag per resource).
 */
export interface TagSetResolver {
  /** The id of this set of tags (0 for none), creating it when new. */
  resolve(tags: Readonly<Record<string, string>>): number
}

interface KeyState {
  id: number
  summarized: boolean
  values: number
}

export function openTagSetResolver(db: Db): TagSetResolver {
  const findKey = db.prepare('SELECT id, summarized FROM tag_keys WHERE key = ?').raw()
  const countValues = db.prepare('SELECT count(*) FROM tag_pairs WHERE key_id = ?').pluck()
  const createKey = db.prepare('INSERT INTO tag_keys (key, summarized) VALUES (?, 1)')
  const unsummarize = db.prepare('UPDATE tag_keys SET summarized = 0 WHERE id = ?')
  const findPair = db.prepare('SELECT id FROM tag_pairs WHERE key_id = ? AND value = ?').pluck()
  const createPair = db.prepare('INSERT INTO tag_pairs (key_id, value) VALUES (?, ?)')
  const findSet = db.prepare('SELECT id FROM cost_tag_sets WHERE pairs = ?').pluck()
  const createSet = db.prepare('INSERT INTO cost_tag_sets (pairs, summary_set_id) VALUES (?, ?)')
  const selfSummary = db.prepare('UPDATE cost_tag_sets SET summary_set_id = id WHERE id = ?')
  const addMember = db.prepare('INSERT INTO tag_set_pairs (tag_set_id, key_id, pair_id) VALUES (?, ?, ?)')

  const keys = new BoundedCache<KeyState>(20_000)
  const pairs = new BoundedCache<number>(20_000)
  const sets = new BoundedCache<number>(20_000)

  const keyState = (key: string): KeyState => {
    let state = keys.get(key)
    if (state) return state
    const row = findKey.get(key) as [number, number] | undefined
    if (row) {
      const values = Number(countValues.get(row[0]))
      state = {id: row[0], summarized: row[1] === 1, values}
    } else {
      state = {id: Number(createKey.run(key).lastInsertRowid), summarized: true, values: 0}
    }
    keys.set(key, state)
    return state
  }

  const pairId = (key: KeyState, value: string): number => {
    const cacheKey = `${key.id}\u0000${value}`
    let id = pairs.get(cacheKey)
    if (id !== undefined) return id
    id = findPair.get(key.id, value) as number | undefined
    if (id === undefined) {
      id = Number(createPair.run(key.id, value).lastInsertRowid)
      key.values++
      if (key.summarized && key.values > SUMMARIZED_TAG_VALUES) {
        key.summarized = false
        unsummarize.run(key.id)
      }
    }
    pairs.set(cacheKey, id)
    return id
  }

  /** members: [keyId, pairId, summarized] sorted by pair id. */
  const setId = (members: readonly (readonly [number, number, boolean])[]): number => {
    if (members.length === 0) return 0
    const text = members.map((m) => m[1]).join(',')
    let id = sets.get(text)
    if (id !== undefined) return id
    id = findSet.get(text) as number | undefined
    if (id === undefined) {
      const kept = members.filter((m) => m[2])
      const whole = kept.length === members.length
      const summary = whole ? -1 : setId(kept)
      id = Number(createSet.run(text, summary).lastInsertRowid)
      if (whole) selfSummary.run(id)
      for (const [keyId, pair] of members) addMember.run(id, keyId, pair)
    }
    sets.set(text, id)
    return id
  }

  return {
    resolve(tags) {
      const entries = Object.entries(tags)
      if (entries.length === 0) return 0
      const states = entries.map(([key]) => keyState(key))
      const ids = entries.map(([, value], i) => pairId(states[i]!, value))
      // Flags are read after every pair exists: a key that just stopped being summarized is left
      // out of this set's summary too.
      const members = states.map((state, i) => [state.id, ids[i]!, state.summarized] as const)
      members.sort((a, b) => a[1] - b[1])
      return setId(members)
    },
  }
}
