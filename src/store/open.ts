import Database from 'better-sqlite3'
import fs from 'node:fs'
import path from 'node:path'

import {storeError} from '../errors.js'
import {migrations} from './migrations/index.js'

export type Db = Database.Database

/**
 * Opens (creating if needed) the SQLite store, in WAL mode, and applies pending migrations, each in
 * its own transaction. Errors name the path and what to do; they never leave a half-migrated file.
 */
export function openStore(file: string, options: {readonly?: boolean} = {}): Db {
  if (!options.readonly) {
    try {
      makeDirectories(path.dirname(file))
    } catch (error) {
      throw storeError(
        `cannot create the store directory ${path.dirname(file)}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
        'choose a writable location with --db PATH or FINOPS_DB',
        error,
      )
    }
  }

  let db: Db
  try {
    db = new Database(file, {fileMustExist: Boolean(options.readonly), readonly: Boolean(options.readonly)})
    db.pragma('busy_timeout = 10000')
    if (!options.readonly) db.pragma('journal_mode = WAL')
    db.pragma('synchronous = NORMAL')
    db.pragma('foreign_keys = ON')
  } catch (error) {
    throw storeError(
      `cannot open the store at ${file}: ${describeSqliteError(error)}`,
      'check the path and its permissions, or choose another with --db PATH or FINOPS_DB',
      error,
    )
  }

  try {
    migrate(db)
  } catch (error) {
    db.close()
    throw storeError(
      `cannot prepare the store at ${file}: ${describeSqliteError(error)}`,
      'check the path is writable and is a finops store (not another SQLite file)',
      error,
    )
  }
  return db
}

/**
 * mkdir -p, one level at a time: Node's recursive mkdirSync can spin forever on some virtual file
 * systems (e.g. under /proc), and a store path there must fail with a clear message instead.
 */
function makeDirectories(dir: string): void {
  const missing: string[] = []
  let current = path.resolve(dir)
  while (!fs.existsSync(current)) {
    missing.unshift(current)
    const parent = path.dirname(current)
    if (parent === current) break
    current = parent
  }
  if (!fs.statSync(current).isDirectory())
    throw Object.assign(new Error(`${current} is not a directory`), {code: 'ENOTDIR'})
  for (const part of missing) fs.mkdirSync(part)
}

function migrate(db: Db): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_at TEXT NOT NULL)')
  const applied = new Set(db.prepare('SELECT id FROM schema_migrations').pluck().all() as string[])
  const record = db.prepare('INSERT INTO schema_migrations (id, applied_at) VALUES (?, ?)')
  for (const migration of migrations) {
    if (applied.has(migration.id)) continue
    db.transaction(() => {
      db.exec(migration.up)
      record.run(migration.id, new Date().toISOString())
    }).immediate()
  }
}

function describeSqliteError(error: unknown): string {
  const e = error as {code?: string; message?: string}
  if (e.code === 'SQLITE_CANTOPEN') return 'unable to open the database file (missing directory or no permission)'
  if (e.code === 'SQLITE_READONLY') return 'the file or its directory is read-only'
  if (e.code === 'SQLITE_NOTADB') return 'the file is not a SQLite database'
  if (e.code === 'SQLITE_BUSY') return 'the store is locked by another process'
  return e.message ?? String(error)
}
