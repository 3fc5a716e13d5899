import {SUMMARIZED_TAG_VALUES} from '../../store/cost-summaries.js'
import type {TagSetBulkWriter} from '../../store/tag-sets.js'
import type {ColumnMapping} from './columns.js'
import {type DuckDBSession, engine} from './duckdb-session.js'
import {problemSql, raw, type TagSetJoin} from './focus-query.js'
import {parseTags} from './normalize.js'

/**
 * Resolves every distinct tag set of an import at once, before its rollup: DuckDB finds the distinct
 * Tags texts of the rows that will be written and their (key, value) pairs with its JSON functions,
 * numbers the new pairs and sets in key order, and the store looks up what it already holds and
 * appends the rest with multi-row INSERTs (tag-sets.ts in the store). The rollup then joins each
 * row to its set's id, so no group's tag text ever reaches JavaScript.
 *
 * The result is what the one-set-at-a-time resolver gives, with one difference by design: a key
 * that passes SUMMARIZED_TAG_VALUES values in this import is left out of the summary of every set
 * of the import, not only of the sets met after it passed (as a rebuild of the summaries does).
 */

/** The table withTagSets joins: a text's hash (or text) and its set id. */
const IDS = 'temp.finops_tag_ids'

/** Temp tables of the resolution, dropped when it is done. */
const WORK_TABLES = [
  'finops_tag_texts',
  'finops_tag_maps',
  'finops_tag_entries',
  'finops_tag_keys',
  'finops_tag_known_pairs',
  'finops_tag_pairs',
  'finops_tag_text_sets',
  'finops_tag_set_list',
  'finops_tag_known_sets',
  'finops_tag_sets',
] as const

export interface TagSetResolution {
  join: TagSetJoin
}

/**
 * Writes the import's new tag pairs, sets and members and returns the join that gives each row its
 * set id; undefined when the files have no Tags column. `refuse` is called with a text DuckDB
 * accepted as a JSON object and JSON.parse does not (trailing commas, NaN): it must throw.
 */
export async function resolveImportTagSets(
  session: DuckDBSession,
  source: string,
  mapping: ColumnMapping,
  store: TagSetBulkWriter,
  refuse: (text: string) => Promise<never>,
): Promise<TagSetResolution | undefined> {
  if (mapping.Tags === undefined) return undefined
  const c = session.connection
  const run = async (sql: string): Promise<void> => {
    await engine(() => c.run(sql))
  }
  const rows = async (sql: string) => (await engine(() => c.runAndReadAll(sql))).getRows()
  const tags = raw(mapping, 'Tags')

  // The texts of rows that will be written (no problem), one each; empty and NULL mean no tags. A text
  // whose reading could differ from JSON.parse's is read by JSON.parse, as before (odd): a value that
  // is not a string (JSON.parse keeps its JSON text), a key twice (the last wins), a trailing comma
  // or NaN (JSON.parse refuses them), a \u escape (lone surrogates). The test has false positives
  // (a string holding \":), never false negatives.
  await run(`CREATE OR REPLACE TEMP TABLE finops_tag_texts AS
    SELECT text, row_number() OVER () AS text_id, regexp_matches(text, '"\\s*:\\s*[^\\s"]|,\\s*[}\\]]|\\\\u') AS odd FROM (
      SELECT DISTINCT text FROM (SELECT ${tags} AS text, ${problemSql(mapping)} AS problem FROM (${source}))
      WHERE problem = 0 AND text IS NOT NULL AND trim(text) NOT IN ('', 'NULL'))`)
  await run(`CREATE OR REPLACE TEMP TABLE finops_tag_maps AS
    SELECT text_id, m, m IS NULL OR len(list_distinct(map_keys(m))) <> cardinality(m) AS odd FROM (
      SELECT text_id, TRY_CAST(TRY_CAST(text AS JSON) AS MAP(VARCHAR, VARCHAR)) AS m FROM finops_tag_texts WHERE NOT odd)`)
  await run(`UPDATE finops_tag_texts SET odd = true WHERE text_id IN (SELECT text_id FROM finops_tag_maps WHERE odd)`)
  await run(`CREATE OR REPLACE TEMP TABLE finops_tag_entries AS
    SELECT text_id, unnest(map_entries(m), recursive := true) FROM finops_tag_maps WHERE NOT odd`)
  await run('DROP TABLE temp.finops_tag_maps')
  {
    const entries: [number, string, string][] = []
    await session.stream('SELECT text_id::DOUBLE, text FROM finops_tag_texts WHERE odd', async (columns, count) => {
      const [ids, texts] = columns as [number[], string[]]
      for (let i = 0; i < count; i++) {
        const parsed = parseTags(texts[i]!.trim())
        if (parsed === undefined) await refuse(texts[i]!)
        for (const [key, value] of Object.entries(parsed ?? {})) entries.push([ids[i]!, key, value])
      }
    })
    await append(session, 'finops_tag_entries', entries.length, (a, i) => {
      a.appendBigInt(BigInt(entries[i]![0]))
      a.appendVarchar(entries[i]![1])
      a.appendVarchar(entries[i]![2])
    })
  }

  // Keys: ids from the store (new ones created in key order), with their stored value counts.
  const keyNames = (await rows('SELECT DISTINCT key FROM finops_tag_entries WHERE value IS NOT NULL ORDER BY key')).map(
    (r) => String(r[0]),
  )
  const keys = store.keys(keyNames)
  await run(
    `CREATE OR REPLACE TEMP TABLE finops_tag_keys (key VARCHAR, key_id BIGINT, stored BIGINT, summarized BOOLEAN)`,
  )
  await append(session, 'finops_tag_keys', keyNames.length, (a, i) => {
    a.appendVarchar(keyNames[i]!)
    a.appendBigInt(BigInt(keys[i]!.id))
    a.appendBigInt(BigInt(keys[i]!.storedValues))
    a.appendBoolean(keys[i]!.summarized)
  })

  // Pairs: those the store holds are looked up (only for keys it holds values of), the rest numbered
  // after its highest id in (key, value) order, the order of its unique index.
  await run(`CREATE OR REPLACE TEMP TABLE finops_tag_known_pairs (key_id BIGINT, value VARCHAR, pair_id BIGINT)`)
  {
    const known: [number, string, number][] = []
    await session.stream(
      `SELECT DISTINCT k.key_id::DOUBLE, e.value FROM finops_tag_entries e JOIN finops_tag_keys k ON k.key = e.key
       WHERE e.value IS NOT NULL AND k.stored > 0`,
      (columns, count) => {
        const [keyIds, values] = columns as [number[], string[]]
        for (let i = 0; i < count; i++) {
          const id = store.findPair(keyIds[i]!, values[i]!)
          if (id !== undefined) known.push([keyIds[i]!, values[i]!, id])
        }
      },
    )
    await append(session, 'finops_tag_known_pairs', known.length, (a, i) => {
      a.appendBigInt(BigInt(known[i]![0]))
      a.appendVarchar(known[i]![1])
      a.appendBigInt(BigInt(known[i]![2]))
    })
  }
  const firstPair = store.nextPairId()
  await run(`CREATE OR REPLACE TEMP TABLE finops_tag_pairs AS
    SELECT key_id, value, pair_id, false AS new FROM finops_tag_known_pairs
    UNION ALL
    SELECT key_id, value, ${firstPair - 1} + row_number() OVER (ORDER BY key_id, value) AS pair_id, true AS new FROM (
      SELECT DISTINCT k.key_id, e.value FROM finops_tag_entries e JOIN finops_tag_keys k ON k.key = e.key
      WHERE e.value IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM finops_tag_known_pairs p WHERE p.key_id = k.key_id AND p.value = e.value))`)
  await session.stream(
    'SELECT pair_id::DOUBLE, key_id::DOUBLE, value FROM finops_tag_pairs WHERE new ORDER BY pair_id',
    (columns, count) => {
      const [ids, keyIds, values] = columns as [number[], number[], string[]]
      for (let i = 0; i < count; i++) store.addPair(ids[i]!, keyIds[i]!, values[i]!)
    },
  )
  store.flush()

  // A key with more values than the summaries keep leaves them, for every set of this import.
  const passed = (
    await rows(`SELECT k.key_id::DOUBLE FROM finops_tag_keys k JOIN finops_tag_pairs p ON p.key_id = k.key_id
      WHERE k.summarized GROUP BY k.key_id, k.stored HAVING k.stored + count(*) FILTER (WHERE p.new) > ${SUMMARIZED_TAG_VALUES}`)
  ).map((r) => Number(r[0]))
  if (passed.length > 0) {
    store.unsummarize(passed)
    await run(`UPDATE finops_tag_keys SET summarized = false WHERE key_id IN (${passed.join(', ')})`)
  }

  // Each text's members ascending by pair id (the store's order for a set's pairs text), with their
  // key, whether the key is summarized and whether the pair is new; then one row per distinct set.
  await run(`CREATE OR REPLACE TEMP TABLE finops_tag_text_sets AS
    SELECT e.text_id, list_sort(list({p: p.pair_id, k: k.key_id, s: k.summarized, n: p.new})) AS l
    FROM finops_tag_entries e JOIN finops_tag_keys k ON k.key = e.key
      JOIN finops_tag_pairs p ON p.key_id = k.key_id AND p.value = e.value
    WHERE e.value IS NOT NULL GROUP BY e.text_id`)
  await run('DROP TABLE temp.finops_tag_entries')
  // A set's summary: its members of summarized keys (itself when that is all of them, none when none).
  await run(`CREATE OR REPLACE TEMP TABLE finops_tag_set_list AS
    SELECT array_to_string(list_transform(l, x -> x.p), ',') AS pairs, any_value(l) AS l, list(text_id) AS text_ids
    FROM finops_tag_text_sets GROUP BY pairs`)
  await run(`INSERT INTO finops_tag_set_list
    SELECT pairs, any_value(l), []::BIGINT[] FROM (
      SELECT array_to_string(list_transform(s, x -> x.p), ',') AS pairs, s AS l FROM (
        SELECT list_filter(l, x -> x.s) AS s FROM finops_tag_set_list WHERE NOT list_bool_and(list_transform(l, x -> x.s))
      ) WHERE len(s) > 0
    ) WHERE pairs NOT IN (SELECT pairs FROM finops_tag_set_list) GROUP BY pairs`)
  // A set that holds a pair new to the store cannot be stored yet: only the others are looked up.
  await run('CREATE OR REPLACE TEMP TABLE finops_tag_known_sets (pairs VARCHAR, set_id BIGINT)')
  {
    const known: [string, number][] = []
    await session.stream(
      'SELECT pairs FROM finops_tag_set_list WHERE NOT list_bool_or(list_transform(l, x -> x.n))',
      (columns, count) => {
        const [texts] = columns as [string[]]
        for (let i = 0; i < count; i++) {
          const id = store.findSet(texts[i]!)
          if (id !== undefined) known.push([texts[i]!, id])
        }
      },
    )
    await append(session, 'finops_tag_known_sets', known.length, (a, i) => {
      a.appendVarchar(known[i]![0])
      a.appendBigInt(BigInt(known[i]![1]))
    })
  }
  const firstSet = store.nextSetId()
  await run(`CREATE OR REPLACE TEMP TABLE finops_tag_sets AS
    SELECT l.pairs, l.l, l.text_ids, k.set_id, false AS new FROM finops_tag_set_list l JOIN finops_tag_known_sets k ON k.pairs = l.pairs
    UNION ALL
    SELECT pairs, l, text_ids, ${firstSet - 1} + row_number() OVER (ORDER BY pairs) AS set_id, true AS new FROM finops_tag_set_list l
    WHERE NOT EXISTS (SELECT 1 FROM finops_tag_known_sets k WHERE k.pairs = l.pairs)`)
  await run('DROP TABLE temp.finops_tag_set_list')
  await session.stream(
    `SELECT s.set_id::DOUBLE, s.pairs, array_to_string(list_transform(s.l, x -> x.k), ','),
       (CASE WHEN list_bool_and(list_transform(s.l, x -> x.s)) THEN s.set_id ELSE coalesce(m.set_id, 0) END)::DOUBLE
     FROM finops_tag_sets s LEFT JOIN finops_tag_sets m
       ON m.pairs = array_to_string(list_transform(list_filter(s.l, x -> x.s), x -> x.p), ',')
     WHERE s.new ORDER BY s.set_id`,
    (columns, count) => {
      const [ids, texts, keyTexts, summaries] = columns as [number[], string[], string[], number[]]
      for (let i = 0; i < count; i++) {
        const id = ids[i]!
        store.addSet(id, texts[i]!, summaries[i]!)
        const pairIds = texts[i]!.split(',')
        const keyIds = keyTexts[i]!.split(',')
        const members = pairIds.map((pair, j) => [Number(keyIds[j]), Number(pair)] as const)
        // The members' key is the second column of their primary key: written in its order.
        members.sort((a, b) => a[0] - b[0])
        for (const [keyId, pairId] of members) store.addMember(id, keyId, pairId)
      }
    },
  )
  store.flush()

  // What the rollup joins: each text's set id, by the text's hash unless two texts share one.
  await run(`CREATE OR REPLACE TEMP TABLE finops_tag_ids AS
    SELECT t.text AS __finops_tag_text, hash(t.text) AS __finops_tag_hash, coalesce(s.set_id, 0) AS __finops_tag_id
    FROM finops_tag_texts t LEFT JOIN (SELECT unnest(text_ids) AS text_id, set_id FROM finops_tag_sets) s
      ON s.text_id = t.text_id`)
  const [[shared]] = (await rows(
    'SELECT (count(*) - count(DISTINCT __finops_tag_hash))::DOUBLE FROM finops_tag_ids',
  )) as [[number]]
  const byHash = Number(shared) === 0
  if (byHash)
    await run(`CREATE OR REPLACE TEMP TABLE finops_tag_ids AS
      SELECT __finops_tag_hash, __finops_tag_id FROM finops_tag_ids`)
  for (const table of WORK_TABLES) await run(`DROP TABLE IF EXISTS temp.${table}`)
  return {join: {table: IDS, byHash}}
}

type Appender = Awaited<ReturnType<DuckDBSession['connection']['createAppender']>>

/** Appends `count` rows to a temp table, each written by `row`. */
async function append(
  session: DuckDBSession,
  table: string,
  count: number,
  row: (appender: Appender, index: number) => void,
): Promise<void> {
  if (count === 0) return
  const appender = await engine(() => session.connection.createAppender(table, 'main', 'temp'))
  try {
    for (let i = 0; i < count; i++) {
      row(appender, i)
      appender.endRow()
    }
  } finally {
    appender.closeSync()
  }
}
