#!/usr/bin/env node
// What the order of a bulk write costs SQLite: one table of an imported store rewritten into a fresh
// file (32 MB page cache, one transaction, as the import's budget gives it), rows in random order
// (how an import's hash-ordered groups arrive) or in primary-key order, with the table's secondary
// indexes kept in step with every insert or built once at the end. Prints CPU seconds per variant
// and the ratio to random order with indexes kept in step.
// Usage: node bench/ingest/write-order.mjs STORE.db TABLE [TABLE...]
import Database from 'better-sqlite3'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

const [store, ...tables] = process.argv.slice(2)
if (!store || tables.length === 0) {
  console.error('usage: node bench/ingest/write-order.mjs STORE.db TABLE [TABLE...]')
  process.exit(2)
}
const src = new Database(store, {readonly: true})
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'write-order-'))
const variants = [
  ['random order, indexes kept in step', 'random()', 'before'],
  ['random order, indexes built at the end', 'random()', 'after'],
  ['key order, indexes built at the end', 'key', 'after'],
]
for (const table of tables) {
  const schema = src.prepare('SELECT sql FROM sqlite_schema WHERE type = ? AND name = ?').pluck().get('table', table)
  const indexes = src
    .prepare("SELECT sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL")
    .pluck()
    .all(table)
  const key = schema
    .match(/PRIMARY KEY \(([^)]*)\)/)[1]
    .split(',')
    .map((s) => s.trim())
  const columns = src.prepare(`SELECT name FROM pragma_table_info('${table}')`).pluck().all()
  const sums = columns.filter((c) => !key.includes(c)).map((c) => `${c} = ${c} + excluded.${c}`)
  let base
  for (const [name, order, indexAt] of variants) {
    const rows = src
      .prepare(`SELECT ${columns.join(', ')} FROM ${table} ORDER BY ${order === 'key' ? key.join(', ') : order}`)
      .raw()
      .all()
    const file = path.join(dir, `${table}.db`)
    for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, {force: true})
    const db = new Database(file)
    db.pragma('journal_mode = WAL')
    db.pragma('cache_size = -32768')
    db.exec(schema)
    if (indexAt === 'before') for (const sql of indexes) db.exec(sql)
    const insert = db.prepare(
      `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})
       ON CONFLICT DO UPDATE SET ${sums.join(', ') || `${columns[0]} = ${columns[0]}`}`,
    )
    const start = process.cpuUsage()
    db.exec('BEGIN')
    for (const row of rows) insert.run(...row)
    if (indexAt === 'after') for (const sql of indexes) db.exec(sql)
    db.exec('COMMIT')
    const used = process.cpuUsage(start)
    db.close()
    const cpu = (used.user + used.system) / 1e6
    base ??= cpu
    console.log(`${table}\t${rows.length} rows\t${name}\t${cpu.toFixed(2)} s CPU\t${(cpu / base).toFixed(2)}`)
  }
}
fs.rmSync(dir, {recursive: true, force: true})
