import {createHash} from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {FinopsError, notFoundError, type UserInput} from '../errors.js'
import {syncToDisk} from '../output-file.js'
import {inspectStoreFile} from '../store/identity.js'
import {openStore, type Db} from '../store/open.js'
import {checkStoreIntegrity, inspectSnapshot, settleStoreFile, snapshotStore} from '../store/snapshot.js'
import {type BackupLocation, describeLocation} from './location.js'
import {
  BACKUP_FORMAT,
  type BackupManifest,
  backupNameAt,
  isBackupName,
  manifestName,
  parseManifest,
} from './manifest.js'
import {planRetention, type RetentionPolicy} from './retention.js'
import {type BackupTarget, openTarget} from './targets/index.js'

export type {RetentionPolicy} from './retention.js'

/** A backup as its manifest describes it, with where it is. */
export interface BackupEntry extends BackupManifest {
  location: string
}

export interface BackupResult {
  backup: BackupEntry
  retention: {kept: string[]; removed: string[]}
}

export interface RestoreResult {
  store: string
  backup: BackupEntry
  /** Whether an existing store was replaced (false: the store was missing, e.g. a lost volume). */
  replaced: boolean
}

export interface VerifyResult {
  /** What was verified: the live store, or a backup. */
  kind: 'store' | 'backup'
  location: string
  integrity: 'ok'
  schema: {migrations: number; latest: string}
  sha256?: string
  bytes?: number
}

const CONFIRM: UserInput = {key: 'yes', label: 'the confirmation to replace the store'}

/**
 * Backs the open store up to a location: a consistent online snapshot (taken while other runs
 * write), checked with integrity_check, hashed, uploaded whole, then its manifest, which is what
 * makes it a backup. Retention runs only after that, over complete backups alone.
 */
export async function backupStore(
  db: Db,
  options: {to: BackupLocation; retention?: RetentionPolicy; now: Date},
): Promise<BackupResult> {
  const target = await openTarget(options.to)
  const existing = new Set(await target.list())
  let at = options.now
  while (existing.has(backupNameAt(at)) || existing.has(manifestName(backupNameAt(at)))) at = new Date(at.getTime() + 1)
  const name = backupNameAt(at)
  const tmp = tempBeside(db.name, 'backup')
  try {
    await snapshotStore(db, tmp)
    const facts = inspectSnapshot(tmp)
    if (facts.integrity.join() !== 'ok') throw storeCorrupt(db.name, facts.integrity)
    const {sha256, bytes} = await hashFile(tmp)
    const manifest: BackupManifest = {
      format: BACKUP_FORMAT,
      name,
      sha256,
      bytes,
      createdAt: at.toISOString(),
      schema: {migrations: facts.migrations, latest: facts.migrations.at(-1) ?? ''},
      integrity: 'ok',
    }
    await target.putFile(name, tmp, sha256)
    await target.putText(manifestName(name), `${JSON.stringify(manifest, null, 2)}\n`)
    const retention = await applyRetention(target, options.to, options.retention ?? {}, at)
    return {backup: {...manifest, location: describeLocation({...options.to, name})}, retention}
  } finally {
    fs.rmSync(tmp, {force: true})
  }
}

/** The complete backups at a location (those with a manifest of ours), newest first. */
export async function listBackups(location: BackupLocation): Promise<BackupEntry[]> {
  return listIn(await openTarget(location), location)
}

async function listIn(target: BackupTarget, location: BackupLocation): Promise<BackupEntry[]> {
  const names = new Set(await target.list())
  const entries: BackupEntry[] = []
  for (const name of names) {
    if (!isBackupName(name) || !names.has(manifestName(name))) continue
    const manifest = parseManifest((await target.getText(manifestName(name))) ?? '', name)
    if (manifest) entries.push({...manifest, location: describeLocation({...location, name})})
  }
  return entries.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.name.localeCompare(a.name))
}

async function applyRetention(
  target: BackupTarget,
  location: BackupLocation,
  policy: RetentionPolicy,
  now: Date,
): Promise<{kept: string[]; removed: string[]}> {
  const backups = await listIn(target, location)
  const plan = planRetention(backups, policy, now)
  for (const name of plan.remove) {
    // The manifest goes first: a deletion cut short leaves a file nobody counts as a backup, never a
    // manifest that promises a backup that is gone.
    await target.remove(manifestName(name))
    await target.remove(name)
  }
  return {kept: plan.keep, removed: plan.remove}
}

/**
 * Restores the store from a backup (the named one, or the newest at the location). The backup is
 * downloaded beside the store and verified (SHA-256, quick_check, the finops mark, a schema
 * this finops knows) before anything is replaced; the old store stays reachable as `<store>.bak`
 * until the new one has opened, and the swap is one rename, so a kill at any point leaves either
 * the old store or the complete new one in place.
 */
export async function restoreStore(options: {
  store: string
  from: BackupLocation
  confirmed: boolean
}): Promise<RestoreResult> {
  const {store} = options
  const state = inspectStoreFile(store)
  if (state.kind !== 'missing' && state.kind !== 'empty' && state.kind !== 'ours')
    throw new FinopsError(`${store} is not a finops store; finops never replaces a file that is not its store`, {
      code: 'NOT_A_STORE',
      exit: 'store',
      suggestion: 'restore to another path with --db PATH, or move that file away',
    })
  const replacing = state.kind === 'ours'
  if (replacing && !options.confirmed)
    throw new FinopsError(
      `a store exists at ${store}; restoring replaces it, and what it holds after the backup is lost`,
      {
        code: 'CONFIRM',
        exit: 'usage',
        suggestion: (n) => `give ${n(CONFIRM)} to replace it, or restore to another path with --db PATH`,
      },
    )
  const target = await openTarget(options.from)
  const chosen = await chooseBackup(target, options.from)
  makeDirectory(path.dirname(store))
  const tmp = tempBeside(store, 'restore')
  const bak = `${store}.bak`
  try {
    await downloadVerified(target, chosen, tmp, 'quick')
    if (replacing) {
      if (!settleStoreFile(store))
        throw new FinopsError(`the store at ${store} is in use by another process`, {
          code: 'STORE_BUSY',
          exit: 'locked',
          suggestion: 'suspend the CronJob (kubectl patch cronjob finops -p \'{"spec":{"suspend":true}}\') and retry',
        })
      keepOldStore(store, bak)
    }
    fs.renameSync(tmp, store)
    syncToDisk(path.dirname(store))
    try {
      // Opening applies this finops' pending migrations to an older backup and re-enables WAL.
      openStore(store, {intent: 'write'}).close()
    } catch (error) {
      if (replacing) fs.renameSync(bak, store)
      throw error
    }
    fs.rmSync(bak, {force: true})
    return {store, backup: chosen, replaced: replacing}
  } finally {
    fs.rmSync(tmp, {force: true})
  }
}

/** Verifies a backup (the named one, or the newest) exactly as a restore would, without restoring it. */
export async function verifyBackup(from: BackupLocation): Promise<VerifyResult> {
  const target = await openTarget(from)
  const chosen = await chooseBackup(target, from)
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'finops-verify-'))
  try {
    await downloadVerified(target, chosen, path.join(dir, chosen.name))
  } finally {
    fs.rmSync(dir, {recursive: true, force: true})
  }
  return {
    kind: 'backup',
    location: chosen.location,
    integrity: 'ok',
    schema: {migrations: chosen.schema.migrations.length, latest: chosen.schema.latest},
    sha256: chosen.sha256,
    bytes: chosen.bytes,
  }
}

/** Runs SQLite's integrity_check on the live store (opened read-only). */
export function verifyStore(db: Db): VerifyResult {
  const facts = checkStoreIntegrity(db)
  if (facts.integrity.join() !== 'ok') throw storeCorrupt(db.name, facts.integrity)
  return {
    kind: 'store',
    location: db.name,
    integrity: 'ok',
    schema: {migrations: facts.migrations.length, latest: facts.migrations.at(-1) ?? ''},
  }
}

async function chooseBackup(target: BackupTarget, from: BackupLocation): Promise<BackupEntry> {
  if (from.name) {
    const manifest = parseManifest((await target.getText(manifestName(from.name))) ?? '', from.name)
    if (!manifest)
      throw notFoundError(
        `${describeLocation(from)} is not a complete finops backup (no manifest ${manifestName(from.name)} beside it)`,
        `list the backups with finops store verify --from ${describeLocation({...from, name: undefined})}`,
      )
    return {...manifest, location: describeLocation(from)}
  }
  const [newest] = await listIn(target, from)
  if (!newest)
    throw notFoundError(
      `no finops backup at ${describeLocation(from)}`,
      'check the location; backups are written by finops store backup and the run step backup',
    )
  return newest
}

/**
 * Downloads a backup to `dest` and checks it is whole, sound, ours and not newer than this finops.
 * A restore (`check` 'quick') runs quick_check rather than the full integrity_check: the SHA-256
 * has just proved these are the very bytes the full check passed when the backup was taken, and
 * the full check is most of a 1 GB restore's time. `finops store verify --from` runs the full one.
 */
async function downloadVerified(
  target: BackupTarget,
  backup: BackupEntry,
  dest: string,
  check: 'integrity' | 'quick' = 'integrity',
): Promise<void> {
  const got = await target.getFile(backup.name, dest)
  if (!got) throw notFoundError(`${backup.location} has a manifest but no backup file`, olderBackupHint)
  const {sha256, bytes} = await hashFile(dest)
  if (sha256 !== backup.sha256 || bytes !== backup.bytes)
    throw corrupt(`${backup.location} does not match its manifest (SHA-256 or size differs): it is damaged`)
  let facts: ReturnType<typeof inspectSnapshot>
  try {
    facts = inspectSnapshot(dest, check)
  } catch (error) {
    throw corrupt(`${backup.location} cannot be read as a SQLite database: ${(error as Error).message}`, error)
  }
  if (facts.integrity.join() !== 'ok')
    throw corrupt(`${backup.location} fails SQLite's ${check}_check: ${facts.integrity.slice(0, 3).join('; ')}`)
  if (!facts.marked) throw corrupt(`${backup.location} is not a finops store (no finops mark)`)
  if (facts.unknownMigrations.length > 0)
    throw new FinopsError(
      `${backup.location} was written by a newer finops (schema ${facts.unknownMigrations.at(-1)} is unknown to this version)`,
      {code: 'STORE_TOO_NEW', exit: 'store', suggestion: 'restore it with the finops version that wrote it, or newer'},
    )
}

// A corrupt store is never backed up: the last good backup stays the newest one.
const storeCorrupt = (file: string, problems: string[]): FinopsError =>
  new FinopsError(`${file} fails SQLite's integrity check: ${problems.slice(0, 3).join('; ')}`, {
    code: 'STORE_CORRUPT',
    exit: 'store',
    suggestion:
      'restore the last good backup (finops store restore --from LOCATION --yes); see docs/disaster-recovery.md',
  })

const olderBackupHint = 'restore an older backup by naming it: --from LOCATION/finops-YYYYMMDDTHHMMSSmmmZ.db'

const corrupt = (message: string, cause?: unknown): FinopsError =>
  new FinopsError(message, {code: 'BACKUP_CORRUPT', exit: 'invalidInput', suggestion: olderBackupHint, cause})

/**
 * Keeps the old store reachable as `<store>.bak` while the new one is put in place: a hard link, so
 * the store path itself never goes missing. A `.bak` that is not a finops store is never replaced.
 */
function keepOldStore(store: string, bak: string): void {
  const existing = inspectStoreFile(bak)
  if (existing.kind !== 'missing' && existing.kind !== 'ours' && existing.kind !== 'empty')
    throw new FinopsError(`${bak} exists and is not a finops store; it is left as it is`, {
      code: 'NOT_A_STORE',
      exit: 'store',
      suggestion: 'move that file away and retry',
    })
  fs.rmSync(bak, {force: true})
  try {
    fs.linkSync(store, bak)
  } catch {
    fs.copyFileSync(store, bak)
  }
}

function makeDirectory(dir: string): void {
  try {
    fs.mkdirSync(dir, {recursive: true})
  } catch (error) {
    throw new FinopsError(`cannot create the store directory ${dir}: ${(error as NodeJS.ErrnoException).code}`, {
      code: 'STORE',
      exit: 'store',
      suggestion: 'choose a writable location with --db PATH or FINOPS_DB',
      cause: error,
    })
  }
}

// A temporary file in the store's own directory: same volume, so the final rename is atomic.
const tempBeside = (file: string, what: string): string =>
  path.join(path.dirname(file), `.${path.basename(file)}.${what}-${process.pid}-${Date.now()}.tmp`)

async function hashFile(file: string): Promise<{sha256: string; bytes: number}> {
  const hash = createHash('sha256')
  let bytes = 0
  for await (const chunk of fs.createReadStream(file, {highWaterMark: 1 << 20})) {
    hash.update(chunk as Buffer)
    bytes += (chunk as Buffer).length
  }
  return {sha256: hash.digest('hex'), bytes}
}
