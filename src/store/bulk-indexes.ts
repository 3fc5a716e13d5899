import type {Db} from './open.js'

/** The tables a bulk import fills row by row, whose secondary indexes it may build once at the end. */
const BULK_TABLES = [
  'cost_details',
  'cost_resource_daily',
  'cost_summary',
  'cost_day_keys',
  'cost_service_days',
  'commitment_usage',
] as const

/** SQLite page cache while the indexes are built, KiB. */
const REBUILD_CACHE_KIB = 8192

/**
 * Inside a write transaction: drops the secondary indexes of each bulk table that is empty now, and
 * returns what builds them again (call it before COMMIT). Filling an empty table and then sorting
 * its index once costs less than keeping the index in step with every insert in random order; a
 * table that already holds rows keeps its indexes (rebuilding them over the old rows could cost
 * more than it saves). A rollback brings the dropped indexes back with everything else. Only query
 * plans see the difference while the indexes are away, never results.
 */
export function deferBulkIndexes(db: Db): () => void {
  const deferred: string[] = []
  const indexesOf = db.prepare(
    "SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY name",
  )
  for (const table of BULK_TABLES) {
    if (db.prepare(`SELECT 1 FROM ${table} LIMIT 1`).get() !== undefined) continue
    for (const {name, sql} of indexesOf.all(table) as {name: string; sql: string}[]) {
      db.exec(`DROP INDEX "${name}"`)
      deferred.push(sql)
    }
  }
  return () => {
    if (deferred.length === 0) return
    // Each index is sorted within the page cache's size: a smaller cache while they are built keeps
    // the sort from adding a second cache's worth of memory at the import's end (it spills instead).
    const cache = db.pragma('cache_size', {simple: true}) as number
    db.pragma(`cache_size = ${-REBUILD_CACHE_KIB}`)
    try {
      for (const sql of deferred.splice(0)) db.exec(sql)
    } finally {
      db.pragma(`cache_size = ${cache}`)
    }
  }
}
