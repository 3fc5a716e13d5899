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

/** A set member: key id, pair id, whether the key is summarized, whether the pair was created just now. */
type Member = readonly [number, number, boolean, boolean]

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
  // The next id is taken in the statement itself, so a set that is its own summary is one insert.
  // (Each max(id) alone in its subquery, so SQLite reads it from the end of the index, not by a scan.)
  const createSet = db.prepare(`INSERT INTO cost_tag_sets (id, pairs, summary_set_id) VALUES (
    (SELECT max(id) FROM cost_tag_sets) + 1, @pairs,
    CASE WHEN @summary < 0 THEN (SELECT max(id) FROM cost_tag_sets) + 1 ELSE @summary END)`)
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

  /** The pair's id, negated when the pair was created by this call. */
  const pairId = (key: KeyState, value: string): number => {
    const cacheKey = `${key.id}\u0000${value}`
    let id = pairs.get(cacheKey)
    if (id !== undefined) return id
    id = findPair.get(key.id, value) as number | undefined
    if (id !== undefined) {
      pairs.set(cacheKey, id)
      return id
    }
    id = Number(createPair.run(key.id, value).lastInsertRowid)
    key.values++
    if (key.summarized && key.values > SUMMARIZED_TAG_VALUES) {
      key.summarized = false
      unsummarize.run(key.id)
    }
    pairs.set(cacheKey, id)
    return -id
  }

  /**
   * members: [keyId, pairId, summarized, pair created just now] sorted by pair id. A set holding a
   * pair created just now cannot be stored yet (a set refers to existing pairs), so it is not looked
   * up: on a bill tagged per resource that is most sets.
   */
  const setId = (members: readonly Member[]): number => {
    if (members.length === 0) return 0
    const text = members.map((m) => m[1]).join(',')
    let id = sets.get(text)
    if (id !== undefined) return id
    id = members.some((m) => m[3]) ? undefined : (findSet.get(text) as number | undefined)
    if (id === undefined) {
      const kept = members.filter((m) => m[2])
      const summary = kept.length === members.length ? -1 : setId(kept)
      id = Number(createSet.run({pairs: text, summary}).lastInsertRowid)
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
      const members = states.map((state, i): Member => [state.id, Math.abs(ids[i]!), state.summarized, ids[i]! < 0])
      members.sort((a, b) => a[1] - b[1])
      return setId(members)
    },
  }
}
