import Database from 'better-sqlite3'
import fs from 'node:fs'
import path from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {backupStore, listBackups, restoreStore, verifyBackup} from '../../../src/backup/index.js'
import {parseLocation} from '../../../src/backup/location.js'
import {upsertBudget} from '../../../src/store/budgets.js'
import {openStore} from '../../../src/store/open.js'
import {buildBudgetInput} from '../../../src/alerts/budget-input.js'
import {expectSameTotals, fillCostStore, storeTotals, tempDir, tempStore, type TempStore} from '../../helpers/index.js'
import {hashFile, snapshotTree} from '../../helpers/fs-snapshot.js'

const KEYS = ['sub-account', 'service']
const at = (iso: string): Date => new Date(iso)

async function expectRejects(promise: Promise<unknown>, code: string): Promise<void> {
  await expect(promise).rejects.toMatchObject({name: 'FinopsError', code})
}

describe('store backup and restore to a local directory', () => {
  let store: TempStore
  let out: {dir: string; cleanup: () => void}
  let range: {from: string; to: string}

  beforeEach(() => {
    store = tempStore()
    range = fillCostStore(store.db, {resources: 1, days: 120})
    out = tempDir()
  })
  afterEach(() => {
    store.cleanup()
    out.cleanup()
  })

  it('round-trips: the restored store has exactly the backed-up costs, and newer writes are gone', async () => {
    const before = storeTotals(store.db, KEYS, range.from, range.to)
    const to = parseLocation(out.dir)
    const result = await backupStore(store.db, {to, now: at('2026-11-30T10:00:00Z')})
    expect(result.backup.name).toBe('finops-20261130T100000000Z.db')
    const file = path.join(out.dir, result.backup.name)
    expect(hashFile(file)).toBe(result.backup.sha256)
    expect(fs.statSync(file).size).toBe(result.backup.bytes)
    expect(result.backup.schema.latest).toBe(result.backup.schema.migrations.at(-1))

    // A restatement after the backup: the restore must bring back the backed-up values.
    fillCostStore(store.db, {resources: 1, days: 120, seed: 99})
    expect(storeTotals(store.db, KEYS, range.from, range.to)).not.toEqual(before)
    store.db.close()

    const restored = await restoreStore({store: store.file, from: to, confirmed: true})
    expect(restored).toMatchObject({store: store.file, replaced: true, backup: {name: result.backup.name}})
    expect(fs.existsSync(`${store.file}.bak`)).toBe(false)
    const db = openStore(store.file, {intent: 'read'})
    expectSameTotals(storeTotals(db, KEYS, range.from, range.to), before)
    db.close()
  })

  it('a backup taken while another connection writes is consistent (writes land whole or not at all)', async () => {
    const writer = new Database(store.file)
    writer.pragma('busy_timeout = 10000')
    writer.exec('CREATE TABLE IF NOT EXISTS test_pairs (n INTEGER)')
    const pair = writer.transaction(() => {
      writer.prepare('INSERT INTO test_pairs VALUES (1)').run()
      writer.prepare('INSERT INTO test_pairs VALUES (2)').run()
    })
    let writing = true
    let writes = 0
    const loop = (): void => {
      if (!writing) return
      pair()
      writes++
      setImmediate(loop)
    }
    loop()
    const result = await backupStore(store.db, {to: parseLocation(out.dir), now: at('2026-11-30T10:00:00Z')})
    writing = false
    writer.close()
    expect(writes).toBeGreaterThan(0)
    const copy = new Database(path.join(out.dir, result.backup.name), {readonly: true})
    const count = copy.prepare('SELECT count(*) FROM test_pairs').pluck().get() as number
    expect(count % 2).toBe(0)
    expect(copy.pragma('journal_mode', {simple: true})).toBe('delete')
    copy.close()
  })

  it('the backup carries no run lock, so the first run after a restore is not refused', async () => {
    store.db
      .prepare('INSERT INTO run_locks (name, run_id, holder, acquired_at, expires_at) VALUES (?, ?, ?, ?, ?)')
      .run('run', 'run-1', 'host:1', '2026-11-30T10:00:00Z', '2099-01-01T00:00:00Z')
    const result = await backupStore(store.db, {to: parseLocation(out.dir), now: at('2026-11-30T10:00:00Z')})
    const copy = new Database(path.join(out.dir, result.backup.name), {readonly: true})
    expect(copy.prepare('SELECT count(*) FROM run_locks').pluck().get()).toBe(0)
    copy.close()
    expect(store.db.prepare('SELECT count(*) FROM run_locks').pluck().get()).toBe(1)
  })

  it('retention deletes only our older complete backups, never the newest nor files that are not ours', async () => {
    const foreign = {
      'notes.txt': 'keep me',
      'finops-20200101T000000000Z.db': 'a copy without a manifest: not a backup',
      'finops-20200102T000000000Z.db': 'a manifest that is not ours',
      'finops-20200102T000000000Z.db.manifest.json': '{"format": "something-else"}',
    }
    for (const [name, text] of Object.entries(foreign)) fs.writeFileSync(path.join(out.dir, name), text)
    const to = parseLocation(out.dir)
    for (const hour of ['01', '02', '03', '04', '05'])
      await backupStore(store.db, {to, now: at(`2026-11-30T${hour}:00:00Z`), retention: {keep: 2}})
    const listed = await listBackups(to)
    expect(listed.map((b) => b.name)).toEqual(['finops-20261130T050000000Z.db', 'finops-20261130T040000000Z.db'])
    for (const [name, text] of Object.entries(foreign))
      expect(fs.readFileSync(path.join(out.dir, name), 'utf8')).toBe(text)
    // keepDays older than every backup still leaves the newest.
    const last = await backupStore(store.db, {to, now: at('2026-12-30T00:00:00Z'), retention: {keepDays: 1}})
    expect(last.retention).toEqual({
      kept: ['finops-20261230T000000000Z.db'],
      removed: ['finops-20261130T050000000Z.db', 'finops-20261130T040000000Z.db'],
    })
    expect(fs.readdirSync(out.dir).sort()).toEqual(
      [...Object.keys(foreign), 'finops-20261230T000000000Z.db', 'finops-20261230T000000000Z.db.manifest.json'].sort(),
    )
  })

  it('two backups in the same millisecond get distinct names', async () => {
    const to = parseLocation(out.dir)
    const a = await backupStore(store.db, {to, now: at('2026-11-30T10:00:00Z')})
    const b = await backupStore(store.db, {to, now: at('2026-11-30T10:00:00Z')})
    expect(a.backup.name).not.toBe(b.backup.name)
    expect(await listBackups(to)).toHaveLength(2)
  })

  describe('restore verifies before it replaces anything', () => {
    let backupName: string
    let to: ReturnType<typeof parseLocation>
    beforeEach(async () => {
      to = parseLocation(out.dir)
      backupName = (await backupStore(store.db, {to, now: at('2026-11-30T10:00:00Z')})).backup.name
      upsertBudget(store.db, buildBudgetInput({name: 'after-backup', amount: 10}))
      store.db.close()
    })
    const storeUntouched = (): (() => void) => {
      const tree = snapshotTree(store.dir)
      return () => expect(snapshotTree(store.dir)).toEqual(tree)
    }

    it('refuses a backup whose bytes differ from its manifest', async () => {
      const file = path.join(out.dir, backupName)
      const bytes = fs.readFileSync(file)
      bytes.writeUInt8(bytes.readUInt8(bytes.length - 100) ^ 0xff, bytes.length - 100)
      fs.writeFileSync(file, bytes)
      const unchanged = storeUntouched()
      await expectRejects(restoreStore({store: store.file, from: to, confirmed: true}), 'BACKUP_CORRUPT')
      await expectRejects(verifyBackup(to), 'BACKUP_CORRUPT')
      unchanged()
    })

    it('refuses a backup that fails integrity_check even with a matching checksum', async () => {
      const file = path.join(out.dir, backupName)
      const bytes = fs.readFileSync(file)
      const pageSize = bytes.readUInt16BE(16)
      // Garbage over the b-tree pages after the schema page: the checksum is recomputed, SQLite must still notice.
      for (let page = 2; page * pageSize < bytes.length; page += 3)
        bytes.fill(0x5a, (page - 1) * pageSize, (page - 1) * pageSize + 64)
      fs.writeFileSync(file, bytes)
      const manifestFile = path.join(out.dir, `${backupName}.manifest.json`)
      const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'))
      fs.writeFileSync(manifestFile, JSON.stringify({...manifest, sha256: hashFile(file)}))
      const unchanged = storeUntouched()
      await expectRejects(restoreStore({store: store.file, from: to, confirmed: true}), 'BACKUP_CORRUPT')
      unchanged()
    })

    it('refuses a backup written by a newer finops', async () => {
      const newer = tempStore()
      newer.db.prepare('INSERT INTO schema_migrations (id, applied_at) VALUES (?, ?)').run('9999-from-the-future', 'x')
      const dir = tempDir()
      await backupStore(newer.db, {to: parseLocation(dir.dir), now: at('2026-11-30T11:00:00Z')})
      newer.cleanup()
      const unchanged = storeUntouched()
      await expectRejects(
        restoreStore({store: store.file, from: parseLocation(dir.dir), confirmed: true}),
        'STORE_TOO_NEW',
      )
      unchanged()
      dir.cleanup()
    })

    it('needs confirmation to replace an existing store, and never replaces a file that is not a store', async () => {
      const unchanged = storeUntouched()
      await expectRejects(restoreStore({store: store.file, from: to, confirmed: false}), 'CONFIRM')
      unchanged()
      const other = path.join(store.dir, 'notes.db')
      fs.writeFileSync(other, 'my notes')
      await expectRejects(restoreStore({store: other, from: to, confirmed: true}), 'NOT_A_STORE')
      expect(fs.readFileSync(other, 'utf8')).toBe('my notes')
    })

    it('refuses while another process has the store open, leaving it as it was', async () => {
      const holder = new Database(store.file)
      holder.pragma('journal_mode = WAL')
      holder.prepare('SELECT count(*) FROM budgets').get()
      try {
        await expectRejects(restoreStore({store: store.file, from: to, confirmed: true}), 'STORE_BUSY')
        expect(holder.prepare("SELECT count(*) FROM budgets WHERE name = 'after-backup'").pluck().get()).toBe(1)
      } finally {
        holder.close()
      }
    })

    it('recreates a lost store (directory and all) without confirmation', async () => {
      fs.rmSync(store.dir, {recursive: true, force: true})
      const result = await restoreStore({store: store.file, from: to, confirmed: false})
      expect(result.replaced).toBe(false)
      const db = openStore(store.file, {intent: 'read'})
      expect(db.prepare("SELECT count(*) FROM budgets WHERE name = 'after-backup'").pluck().get()).toBe(0)
      expect(storeTotals(db, KEYS, range.from, range.to).size).toBeGreaterThan(0)
      db.close()
    })

    it('says clearly when the location holds no backup, or a named one has no manifest', async () => {
      const empty = tempDir()
      await expectRejects(
        restoreStore({store: store.file, from: parseLocation(empty.dir), confirmed: true}),
        'NOT_FOUND',
      )
      fs.writeFileSync(path.join(empty.dir, 'finops-20200101T000000000Z.db'), 'partial')
      await expectRejects(
        restoreStore({
          store: store.file,
          from: parseLocation(path.join(empty.dir, 'finops-20200101T000000000Z.db')),
          confirmed: true,
        }),
        'NOT_FOUND',
      )
      empty.cleanup()
    })
  })
})
