import Database from 'better-sqlite3'
import fs from 'node:fs'
import path from 'node:path'

import {FinopsError, storeError} from '../errors.js'
import {classifyUnmarked, FINOPS_APPLICATION_ID, inspectStoreFile} from './identity.js'
import {migrations} from './migrations/index.js'

export type Db = Database.Database

/**
 * What a command means to do with the store. Only `create` may make a new store (and its
 * directories); `write` needs an existing store; `read` needs one too and opens it query-only.
 */
export type StoreIntent = 'read' | 'write' | 'create'

const CREATED_BY = 'finops collect, budget set or run'

/**
 * Opens the SQLite store after making sure the file is ours: a file that is not a finops store (not
 * SQLite, another application's database, a directory, a device) is refused before anything is
 * written, and a store written by a newer finops is refused too. Pending migrations are applied in
 * one transaction, so a failure leaves the file exactly as it was. WAL mode, busy timeout.
 */
export function openStore(file: string, options: {intent?: StoreIntent; readonly?: boolean} = {}): Db {
  const intent = options.intent ?? (options.readonly ? 'read' : 'create')
  const state = inspect(file)
  let isNew = false
  switch (state.kind) {
    case 'missing':
      if (intent !== 'create')
        throw new FinopsError(`no finops store at ${file}`, {
          code: 'STORE_MISSING',
          exit: 'store',
          suggestion: `check --db / FINOPS_DB / store: in finops.yaml; a store is created by ${CREATED_BY}`,
        })
      makeStoreDirectory(file)
      isNew = true
      break
    case 'not-a-file':
      throw notOurs(file, `is ${state.what}, not a store file`, 'give --db the path of a file, e.g. DIR/finops.db')
    case 'not-sqlite':
      throw notOurs(file, 'is not a SQLite database')
    case 'foreign':
      throw notOurs(
        file,
        `is another application's SQLite database (application_id 0x${state.applicationId.toString(16)})`,
      )
    case 'empty':
      if (intent !== 'create') throw notOurs(file, 'is an empty file, not a finops store yet')
      isNew = true
      break
    case 'unmarked': {
      const content = classify(file, state.wal)
      if (content.kind === 'foreign')
        throw notOurs(file, `is a SQLite database of another application (${content.tables} tables, no finops mark)`)
      if (content.kind === 'blank') {
        if (intent !== 'create') throw notOurs(file, 'is an empty SQLite database, not a finops store yet')
        isNew = true
      }
      // An older finops store: marked by the migration below.
      break
    }
    case 'ours':
      break
  }

  let db: Db
  try {
    db = new Database(file, {fileMustExist: !isNew || state.kind === 'empty'})
    db.pragma('busy_timeout = 10000')
  } catch (error) {
    if (state.kind === 'missing') removeCreated(file)
    throw storeError(
      `cannot open the store at ${file}: ${describeSqliteError(error)}`,
      'check the path and its permissions, or choose another with --db PATH or FINOPS_DB',
      error,
    )
  }

  try {
    migrate(db, file)
    if (db.pragma('journal_mode', {simple: true}) !== 'wal') db.pragma('journal_mode = WAL')
    db.pragma('synchronous = NORMAL')
    db.pragma('foreign_keys = ON')
    // Read-only commands cannot change the store, whatever code path they take.
    if (intent === 'read') db.pragma('query_only = ON')
  } catch (error) {
    db.close()
    if (state.kind === 'missing') removeCreated(file)
    if (error instanceof FinopsError) throw error
    throw storeError(
      `cannot prepare the store at ${file}: ${describeSqliteError(error)}`,
      'check the path is writable and is a finops store',
      error,
    )
  }
  return db
}

function inspect(file: string): ReturnType<typeof inspectStoreFile> {
  try {
    return inspectStoreFile(file)
  } catch (error) {
    throw storeError(
      `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      'check the path and its permissions, or choose another with --db PATH or FINOPS_DB',
      error,
    )
  }
}

function classify(file: string, wal: boolean): ReturnType<typeof classifyUnmarked> {
  try {
    return classifyUnmarked(file, wal)
  } catch (error) {
    throw notOurs(file, `cannot be read as a finops store (${describeSqliteError(error)})`)
  }
}

const notOurs = (file: string, what: string, suggestion?: string): FinopsError =>
  new FinopsError(`${file} ${what}; finops never changes a file that is not its store`, {
    code: 'NOT_A_STORE',
    exit: 'store',
    suggestion: suggestion ?? 'choose another path with --db PATH or FINOPS_DB',
  })

/** A store this call created and could not prepare is removed again (never anything that existed before). */
function removeCreated(file: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) fs.rmSync(`${file}${suffix}`, {force: true})
}

function makeStoreDirectory(file: string): void {
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

/**
 * Applies every pending migration and the finops mark in one IMMEDIATE transaction (re-reading what
 * is applied inside it, so two processes opening a new store at once do not both migrate). A store
 * holding a migration this build does not know was written by a newer finops: refused, untouched.
 */
function migrate(db: Db, file: string): void {
  const known = new Set(migrations.map((m) => m.id))
  const applied = (): Set<string> => {
    const exists = db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'").get()
    return new Set(exists ? (db.prepare('SELECT id FROM schema_migrations').pluck().all() as string[]) : [])
  }
  const refuseNewer = (ids: Set<string>): void => {
    const unknown = [...ids].filter((id) => !known.has(id)).sort()
    if (unknown.length > 0)
      throw new FinopsError(
        `${file} was written by a newer finops (schema ${unknown.at(-1)} is unknown to this version)`,
        {code: 'STORE_TOO_NEW', exit: 'store', suggestion: 'upgrade finops to use this store'},
      )
  }
  const before = applied()
  refuseNewer(before)
  const marked = db.pragma('application_id', {simple: true}) === FINOPS_APPLICATION_ID
  if (marked && migrations.every((m) => before.has(m.id))) return
  db.transaction(() => {
    db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_at TEXT NOT NULL)')
    const done = applied()
    refuseNewer(done)
    const record = db.prepare('INSERT INTO schema_migrations (id, applied_at) VALUES (?, ?)')
    for (const migration of migrations) {
      if (done.has(migration.id)) continue
      db.exec(migration.up)
      record.run(migration.id, new Date().toISOString())
    }
    db.pragma(`application_id = ${FINOPS_APPLICATION_ID}`)
  }).immediate()
  // The mark reaches the main file now, so the next open recognises the store from its header alone.
  if (db.pragma('journal_mode', {simple: true}) === 'wal') db.pragma('wal_checkpoint(TRUNCATE)')
}

function describeSqliteError(error: unknown): string {
  const e = error as {code?: string; message?: string}
  if (e.code === 'SQLITE_CANTOPEN') return 'unable to open the database file (missing directory or no permission)'
  if (e.code === 'SQLITE_READONLY') return 'the file or its directory is read-only'
  if (e.code === 'SQLITE_NOTADB') return 'the file is not a SQLite database'
  if (e.code === 'SQLITE_BUSY') return 'the store is locked by another process'
  return e.message ?? String(error)
}
