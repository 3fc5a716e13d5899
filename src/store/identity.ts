import Database from 'better-sqlite3'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {describeNonFile} from '../file-kinds.js'

/**
 * How finops knows a file is its store before it writes a byte to it. The store carries
 * `PRAGMA application_id` = FINOPS_APPLICATION_ID (in the SQLite header, readable without opening
 * the database), so any other file — a PNG, a text file, another application's SQLite database,
 * WAL mode or not — is recognised from its first 100 bytes and never opened for writing. Stores
 * created before the mark existed (application_id 0 with finops' migration table) are recognised
 * from a side-effect-free look at their schema and marked on their next open.
 */

/** 'FiOp' in ASCII: the application_id of every finops store. */
export const FINOPS_APPLICATION_ID = 0x46694f70

const SQLITE_MAGIC = 'SQLite format 3\u0000'

export type StoreFileState =
  | {kind: 'missing'}
  /** A zero-byte file: nothing to lose, it may become a store. */
  | {kind: 'empty'}
  | {kind: 'ours'}
  /** A SQLite database without an application_id: a blank database, an older finops store, or someone else's. */
  | {kind: 'unmarked'; wal: boolean}
  | {kind: 'foreign'; applicationId: number}
  | {kind: 'not-sqlite'}
  | {kind: 'not-a-file'; what: string}

/** Reads only the file's type and its first 100 bytes: never creates, opens for writing or locks anything. */
export function inspectStoreFile(file: string): StoreFileState {
  let stat: fs.Stats
  try {
    stat = fs.statSync(file)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return {kind: 'missing'}
    if (code === 'ENOTDIR') return {kind: 'not-a-file', what: 'a path through something that is not a directory'}
    throw error
  }
  if (!stat.isFile()) return {kind: 'not-a-file', what: describeNonFile(stat)}
  if (stat.size === 0) return {kind: 'empty'}
  const header = Buffer.alloc(100)
  const fd = fs.openSync(file, 'r')
  let read: number
  try {
    read = fs.readSync(fd, header, 0, 100, 0)
  } finally {
    fs.closeSync(fd)
  }
  if (read < 100 || header.toString('latin1', 0, 16) !== SQLITE_MAGIC) return {kind: 'not-sqlite'}
  const applicationId = header.readUInt32BE(68)
  if (applicationId === FINOPS_APPLICATION_ID) return {kind: 'ours'}
  if (applicationId !== 0) return {kind: 'foreign', applicationId}
  // Bytes 18/19 are the read/write format versions: 2 means WAL.
  return {kind: 'unmarked', wal: header[18] === 2 || header[19] === 2}
}

/** What an unmarked SQLite database holds: nothing, an older finops store, or another application's tables. */
export type UnmarkedContent = {kind: 'blank'} | {kind: 'finops'} | {kind: 'foreign'; tables: number}

/**
 * Looks at an unmarked database's schema without changing it or the files around it. A rollback-
 * journal database is opened read-only (SQLite then writes nothing). A WAL database would get
 * -shm/-wal files created even read-only, so a private copy of it (and of its -wal) is read instead.
 */
export function classifyUnmarked(file: string, wal: boolean): UnmarkedContent {
  if (!wal) return classifySchema(file)
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'finops-inspect-'))
  try {
    const copy = path.join(dir, 'inspect.db')
    fs.copyFileSync(file, copy, fs.constants.COPYFILE_FICLONE)
    if (fs.existsSync(`${file}-wal`)) fs.copyFileSync(`${file}-wal`, `${copy}-wal`, fs.constants.COPYFILE_FICLONE)
    return classifySchema(copy)
  } finally {
    fs.rmSync(dir, {recursive: true, force: true})
  }
}

// The first migration every finops store has applied, since the first release.
const FIRST_MIGRATION = '0001-costs'

function classifySchema(file: string): UnmarkedContent {
  const db = new Database(file, {readonly: true, fileMustExist: true})
  try {
    const tables = db
      .prepare("SELECT name FROM sqlite_schema WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%'")
      .pluck()
      .all() as string[]
    if (tables.length === 0) return {kind: 'blank'}
    if (tables.includes('schema_migrations')) {
      const ids = db.prepare('SELECT id FROM schema_migrations').pluck().all() as string[]
      if (ids.includes(FIRST_MIGRATION)) return {kind: 'finops'}
    }
    return {kind: 'foreign', tables: tables.length}
  } finally {
    db.close()
  }
}
