import Database from 'better-sqlite3'

import type {Db} from './open.js'

/** What a store was made for: 'demo' for the store `finops demo` creates and may recreate. */
export type StorePurpose = 'demo'

export function markStorePurpose(db: Db, purpose: StorePurpose): void {
  db.prepare(
    "INSERT INTO store_meta (key, value) VALUES ('purpose', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
  ).run(purpose)
}

/**
 * The purpose recorded in a finops store (one whose mark was already checked), read query-only and
 * without applying migrations, so asking never changes the store. Undefined for a store made
 * before purposes were recorded, or for an ordinary store.
 */
export function readStorePurpose(file: string): string | undefined {
  const db = new Database(file, {fileMustExist: true})
  try {
    db.pragma('busy_timeout = 10000')
    db.pragma('query_only = ON')
    const hasTable = db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'store_meta'").get()
    if (!hasTable) return undefined
    return (
      (db.prepare("SELECT value FROM store_meta WHERE key = 'purpose'").pluck().get() as string | undefined) ??
      undefined
    )
  } finally {
    db.close()
  }
}
