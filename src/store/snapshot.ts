import Database from 'better-sqlite3'
import fs from 'node:fs'

import {FINOPS_APPLICATION_ID} from './identity.js'
import {migrations} from './migrations/index.js'
import type {Db} from './open.js'

/** What a snapshot file is, read from the file itself: the verdicts a backup and a restore rely on. */
export interface SnapshotFacts {
  /** SQLite's PRAGMA integrity_check: ['ok'] for a sound file, else its first problems. */
  integrity: string[]
  /** True when the file carries the finops store mark (application_id). */
  marked: boolean
  /** The schema migrations the file has applied, in the order this build knows them (unknown ones last). */
  migrations: string[]
  /** Migrations the file holds that this build does not know: it was written by a newer finops. */
  unknownMigrations: string[]
}

const ALL_PAGES = 2 ** 30

/**
 * Copies the open store into `dest` with SQLite's online backup API, which gives a consistent copy
 * while other connections (the CronJob's steps) keep writing: pages changed mid-copy restart it.
 * The copy is then made self-contained (rollback journal, no -wal beside it) and carries no run
 * lock: a restored store must not refuse the first run after it for the lock's TTL.
 */
export async function snapshotStore(db: Db, dest: string): Promise<void> {
  // All pages in one step, under one read transaction: stepping page by page would restart on
  // every commit of a concurrent writer and might never finish while the CronJob writes.
  await db.backup(dest, {progress: () => ALL_PAGES})
  const copy = new Database(dest, {fileMustExist: true})
  try {
    copy.pragma('journal_mode = DELETE')
    const hasLocks = copy.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'run_locks'").get()
    if (hasLocks) copy.prepare('DELETE FROM run_locks').run()
  } finally {
    copy.close()
  }
}

/**
 * Reads a snapshot's verdicts without changing it. The file must be in rollback-journal mode (as
 * snapshotStore leaves it), so a read-only open creates nothing beside it. `check` 'quick' runs
 * quick_check (every page and record well-formed, without cross-checking indexes against their
 * tables: linear instead of N log N, about a quarter of the time on a 1 GB store).
 */
export function inspectSnapshot(file: string, check: 'integrity' | 'quick' = 'integrity'): SnapshotFacts {
  const db = new Database(file, {readonly: true, fileMustExist: true})
  try {
    const integrity = (db.pragma(`${check}_check(20)`) as Record<string, string>[]).map((r) => Object.values(r)[0]!)
    const marked = db.pragma('application_id', {simple: true}) === FINOPS_APPLICATION_ID
    const hasTable = db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'").get()
    const applied = new Set(hasTable ? (db.prepare('SELECT id FROM schema_migrations').pluck().all() as string[]) : [])
    const known = migrations.map((m) => m.id)
    const unknownMigrations = [...applied].filter((id) => !known.includes(id)).sort()
    return {
      integrity,
      marked,
      migrations: [...known.filter((id) => applied.has(id)), ...unknownMigrations],
      unknownMigrations,
    }
  } finally {
    db.close()
  }
}

/** Whether a file is in WAL mode (header bytes 18/19 are 2), read from its header alone. */
function isWalFile(file: string): boolean {
  const header = Buffer.alloc(20)
  const fd = fs.openSync(file, 'r')
  try {
    fs.readSync(fd, header, 0, 20, 0)
  } finally {
    fs.closeSync(fd)
  }
  return header[18] === 2 || header[19] === 2
}

/**
 * Folds a store's write-ahead log into its main file and closes it, so the file alone is the whole
 * store (a restore then replaces one file, and no -wal of the old store can be applied to the new
 * one). Returns false when another process still has the store open (its -wal or -shm remains).
 */
export function settleStoreFile(file: string): boolean {
  if (isWalFile(file)) {
    const db = new Database(file, {fileMustExist: true})
    try {
      db.pragma('busy_timeout = 10000')
      db.pragma('wal_checkpoint(TRUNCATE)')
    } finally {
      db.close()
    }
  }
  return !fs.existsSync(`${file}-wal`) && !fs.existsSync(`${file}-shm`) && !fs.existsSync(`${file}-journal`)
}

/** integrity_check and the applied migrations of an open store (the live one, read-only). */
export function checkStoreIntegrity(db: Db): Pick<SnapshotFacts, 'integrity' | 'migrations'> {
  const integrity = (db.pragma('integrity_check(20)') as {integrity_check: string}[]).map((r) => r.integrity_check)
  const applied = new Set(db.prepare('SELECT id FROM schema_migrations').pluck().all() as string[])
  return {integrity, migrations: migrations.map((m) => m.id).filter((id) => applied.has(id))}
}
