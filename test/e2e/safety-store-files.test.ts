import Database from 'better-sqlite3'
import {execFileSync} from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {FINOPS_APPLICATION_ID} from '../../src/store/identity.js'
import {openStore} from '../../src/store/open.js'
import {type CliResult, fixturesDir, parseJson, runCli, tempDir} from '../helpers/cli.js'
import {snapshotTree} from '../helpers/fs-snapshot.js'

/**
 * A file that is not ours is never replaced, migrated or deleted: the store marks itself and any
 * other file given as --db is refused (exit 4) by every kind of command; only commands that write
 * create a store; migrations are all-or-nothing; demo replaces only its own store; --out writes
 * through a temporary file renamed only over a regular file. Every case hashes the directory
 * before and after.
 */

const env = {FINOPS_NOW: '2026-11-01'}
const FOCUS = path.join(fixturesDir, 'focus', 'focus_sample_1000.csv')

const oneLine = (r: CliResult): string => {
  const lines = r.stderr.trimEnd().split('\n')
  expect(lines, r.stderr).toHaveLength(1)
  return lines[0]!
}

/** One read, one write and one create command (and the demo), each given `db`. */
const commandsOn = (db: string): string[][] => [
  ['cost', 'report', '--db', db],
  ['budget', 'remove', 'prod', '--db', db],
  ['budget', 'set', 'prod', '--amount', '100', '--db', db],
  ['collect', 'focus', FOCUS, '--db', db],
]

function sqlite(file: string, setup: (db: Database.Database) => void): void {
  const db = new Database(file)
  setup(db)
  db.close()
}

describe('--db: only a finops store is opened, and only write commands create one (built CLI)', () => {
  let tmp: ReturnType<typeof tempDir>
  let dir: string
  let holder: Database.Database | undefined

  beforeAll(() => {
    tmp = tempDir()
    dir = tmp.dir
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'a user text file\n')
    fs.writeFileSync(path.join(dir, 'photo.png'), Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'))
    sqlite(path.join(dir, 'app.db'), (db) =>
      db.exec("CREATE TABLE users (id, name); INSERT INTO users VALUES (1, 'a')"),
    )
    sqlite(path.join(dir, 'app-marked.db'), (db) => {
      db.pragma('application_id = 1234')
      db.exec('CREATE TABLE t (x)')
    })
    sqlite(path.join(dir, 'app-wal.db'), (db) => {
      db.pragma('journal_mode = WAL')
      db.exec("CREATE TABLE settings (k, v); INSERT INTO settings VALUES ('theme', 'dark')")
    })
    // A WAL database in use by its application: its tables are still only in the -wal file.
    holder = new Database(path.join(dir, 'app-live.db'))
    holder.pragma('journal_mode = WAL')
    holder.pragma('wal_autocheckpoint = 0')
    holder.exec("CREATE TABLE sessions (id); INSERT INTO sessions VALUES ('s1')")
    fs.symlinkSync('app.db', path.join(dir, 'link-to-app.db'))
    fs.mkdirSync(path.join(dir, 'a-directory'))
    execFileSync('mkfifo', [path.join(dir, 'a-fifo')])
  })
  afterAll(() => {
    holder?.close()
    tmp.cleanup()
  })

  it.each([
    ['a text file', 'notes.txt', /is not a SQLite database/],
    ['a PNG', 'photo.png', /is not a SQLite database/],
    ["another application's SQLite database", 'app.db', /another application/],
    [
      'a SQLite database with its own application_id',
      'app-marked.db',
      /another application's SQLite database \(application_id 0x4d2\)/,
    ],
    ["another application's WAL-mode database", 'app-wal.db', /another application/],
    ['a WAL database in use, its tables only in the -wal file', 'app-live.db', /another application/],
    ['a symbolic link to a foreign database', 'link-to-app.db', /another application/],
    ['a directory', 'a-directory', /is a directory, not a store file/],
    ['a FIFO', 'a-fifo', /is a named pipe \(FIFO\)/],
  ])(
    '%s: refused by read, write and create commands (exit 4), nothing changed',
    async (_, name, message) => {
      const before = snapshotTree(dir)
      for (const argv of commandsOn(path.join(dir, name))) {
        const r = await runCli(argv, {env})
        expect(r.code, `${argv.join(' ')}: ${r.stderr}`).toBe(4)
        expect(oneLine(r)).toMatch(message)
        expect(r.stderr).toMatch(/finops never changes a file that is not its store/)
      }
      expect(snapshotTree(dir)).toEqual(before)
    },
    300_000,
  )

  it('a character device (/dev/null) is refused, and so is --db under a file', async () => {
    const r = await runCli(['budget', 'set', 'x', '--amount', '1', '--db', '/dev/null'], {env})
    expect(r.code).toBe(4)
    expect(oneLine(r)).toMatch(/\/dev\/null is a character device/)
    const before = snapshotTree(dir)
    const under = await runCli(['budget', 'set', 'x', '--amount', '1', '--db', path.join(dir, 'notes.txt', 'x.db')], {
      env,
    })
    expect(under.code).toBe(4)
    oneLine(under)
    expect(snapshotTree(dir)).toEqual(before)
  })

  it('read and write commands on a missing path fail with one line and create nothing, not even directories', async () => {
    const before = snapshotTree(dir)
    const missing = path.join(dir, 'typo', 'deeper', 'finops.db')
    const commands = [
      ['cost', 'report'],
      ['cost', 'export'],
      ['cost', 'allocation'],
      ['forecast'],
      ['budget', 'list'],
      ['budget', 'status'],
      ['budget', 'remove', 'x'],
      ['actions', 'list'],
      ['recommend'],
      ['alert', 'check', '--dry-run'],
      ['rollback', 'act-1'],
    ]
    for (const argv of commands) {
      const r = await runCli([...argv, '--db', missing], {env})
      expect(r.code, `${argv.join(' ')}: ${r.stderr}`).toBe(4)
      expect(oneLine(r)).toContain(`no finops store at ${missing}`)
    }
    // The same through FINOPS_DB.
    const viaEnv = await runCli(['budget', 'list'], {env: {...env, FINOPS_DB: missing}})
    expect(viaEnv.code).toBe(4)
    expect(snapshotTree(dir)).toEqual(before)
  }, 400_000)

  it('a write command creates a new store (and its directories), marked as finops', async () => {
    const file = path.join(dir, 'new', 'ünïcødé ストア', '..', 'store.db')
    const r = await runCli(['budget', 'set', 'prod', '--amount', '100', '--db', file], {env})
    expect(r.code, r.stderr).toBe(0)
    const created = path.join(dir, 'new', 'store.db')
    expect(fs.readFileSync(created).readUInt32BE(68)).toBe(FINOPS_APPLICATION_ID)
    const list = await runCli(['budget', 'list', '--db', created, '--json'], {env})
    expect(parseJson<{budgets: {name: string}[]}>(list).budgets.map((b) => b.name)).toEqual(['prod'])
  })

  it('an empty file and an empty SQLite database may become a store; read commands still refuse them', async () => {
    const empty = path.join(dir, 'empty.db')
    fs.writeFileSync(empty, '')
    const blank = path.join(dir, 'blank.db')
    sqlite(blank, (db) => db.exec('CREATE TABLE x (a); DROP TABLE x'))
    const before = snapshotTree(dir)
    for (const file of [empty, blank]) {
      const read = await runCli(['budget', 'list', '--db', file], {env})
      expect(read.code).toBe(4)
      expect(oneLine(read)).toMatch(/not a finops store yet/)
    }
    expect(snapshotTree(dir)).toEqual(before)
    for (const file of [empty, blank]) {
      const r = await runCli(['budget', 'set', 'b', '--amount', '5', '--db', file], {env})
      expect(r.code, r.stderr).toBe(0)
      expect(fs.readFileSync(file).readUInt32BE(68)).toBe(FINOPS_APPLICATION_ID)
    }
  })

  it('a very long path is one line (exit 4), nothing created', async () => {
    const before = snapshotTree(dir)
    const r = await runCli(['budget', 'set', 'b', '--amount', '5', '--db', path.join(dir, `${'x'.repeat(300)}.db`)], {
      env,
    })
    expect(r.code).toBe(4)
    oneLine(r)
    expect(snapshotTree(dir)).toEqual(before)
  })
})

describe('store schema: older stores are adopted, newer ones refused, migrations all-or-nothing (built CLI)', () => {
  let tmp: ReturnType<typeof tempDir>
  beforeAll(() => {
    tmp = tempDir()
  })
  afterAll(() => tmp.cleanup())

  /** A store as an older finops left it: no mark, and without the newest migration. */
  const olderStore = (file: string): void => {
    openStore(file).close()
    sqlite(file, (db) => {
      db.pragma('application_id = 0')
      db.exec("DELETE FROM schema_migrations WHERE id = 'store-meta'; DROP TABLE store_meta")
      db.pragma('journal_mode = DELETE')
    })
  }

  it('an older store (no mark) is recognised, migrated and marked by the next command', async () => {
    const file = path.join(tmp.dir, 'older.db')
    olderStore(file)
    expect(fs.readFileSync(file).readUInt32BE(68)).toBe(0)
    const r = await runCli(['budget', 'list', '--db', file, '--json'], {env})
    expect(r.code, r.stderr).toBe(0)
    expect(fs.readFileSync(file).readUInt32BE(68)).toBe(FINOPS_APPLICATION_ID)
  })

  it('a migration that clashes with what the file holds leaves it byte-for-byte unchanged (exit 4)', async () => {
    const file = path.join(tmp.dir, 'clash.db')
    olderStore(file)
    // Something already named like the table the pending migration creates.
    sqlite(file, (db) => db.exec('CREATE VIEW store_meta AS SELECT 1 AS key'))
    const before = snapshotTree(tmp.dir)
    const r = await runCli(['budget', 'set', 'b', '--amount', '5', '--db', file], {env})
    expect(r.code).toBe(4)
    expect(oneLine(r)).toMatch(/cannot prepare the store/)
    expect(snapshotTree(tmp.dir)).toEqual(before)
  })

  it('a store written by a newer finops is refused by every kind of command, unchanged', async () => {
    const file = path.join(tmp.dir, 'newer.db')
    openStore(file).close()
    sqlite(file, (db) => db.exec("INSERT INTO schema_migrations VALUES ('1700-from-the-future', '2027-01-01')"))
    const before = snapshotTree(tmp.dir)
    for (const argv of commandsOn(file)) {
      const r = await runCli(argv, {env})
      expect(r.code, `${argv.join(' ')}: ${r.stderr}`).toBe(4)
      expect(oneLine(r)).toMatch(/written by a newer finops \(schema 1700-from-the-future/)
    }
    expect(snapshotTree(tmp.dir)).toEqual(before)
  }, 300_000)

  it('a read-only command leaves the store and the files around it byte-for-byte unchanged', async () => {
    const file = path.join(tmp.dir, 'read.db')
    const setup = await runCli(['collect', 'focus', FOCUS, '--db', file], {env})
    expect(setup.code, setup.stderr).toBe(0)
    const before = snapshotTree(tmp.dir)
    for (const argv of [
      ['cost', 'report', '--from', '2024-01-01', '--to', '2024-12-31'],
      ['cost', 'export'],
      ['budget', 'list'],
      ['actions', 'list'],
    ]) {
      const r = await runCli([...argv, '--db', file], {env})
      expect(r.code, `${argv.join(' ')}: ${r.stderr}`).toBe(0)
    }
    expect(snapshotTree(tmp.dir)).toEqual(before)
  }, 300_000)
})

describe('a read-only directory (as an unprivileged user)', () => {
  const root = process.getuid?.() === 0
  let tmp: ReturnType<typeof tempDir>
  beforeAll(() => {
    tmp = tempDir()
    fs.chmodSync(tmp.dir, 0o755)
  })
  afterAll(() => tmp.cleanup())

  it('creating a store there fails with one line (exit 4) and leaves nothing', async () => {
    const locked = path.join(tmp.dir, 'locked')
    fs.mkdirSync(locked, {mode: 0o755})
    // As root every directory is writable: run the CLI as "nobody", as an ordinary user would.
    const as = root ? {uid: 65534, gid: 65534} : {}
    const before = snapshotTree(tmp.dir)
    const r = await runCli(['budget', 'set', 'b', '--amount', '5', '--db', path.join(locked, 'sub', 'finops.db')], {
      env: {...env, HOME: '/nonexistent'},
      cwd: tmp.dir,
      ...as,
    })
    expect(r.code, r.stderr).toBe(4)
    expect(oneLine(r)).toMatch(/cannot create the store directory .*EACCES/)
    const flat = await runCli(['budget', 'set', 'b', '--amount', '5', '--db', path.join(locked, 'finops.db')], {
      env: {...env, HOME: '/nonexistent'},
      cwd: tmp.dir,
      ...as,
    })
    expect(flat.code, flat.stderr).toBe(4)
    oneLine(flat)
    expect(snapshotTree(tmp.dir)).toEqual(before)
  })
})

describe('finops demo replaces only its own store (built CLI)', () => {
  let tmp: ReturnType<typeof tempDir>
  beforeAll(() => {
    tmp = tempDir()
  })
  afterAll(() => tmp.cleanup())

  it('refuses an existing --db that is not the demo store, even next to an earlier demo directory', async () => {
    const demoDir = path.join(tmp.dir, 'demo')
    const first = await runCli(['demo', '--dir', demoDir, '--json'], {env})
    expect(first.code, first.stderr).toBe(0)
    const real = path.join(tmp.dir, 'real.db')
    const added = await runCli(['budget', 'set', 'prod', '--amount', '100', '--db', real], {env})
    expect(added.code).toBe(0)
    fs.writeFileSync(path.join(tmp.dir, 'notes.txt'), 'text\n')
    fs.writeFileSync(path.join(tmp.dir, 'photo.png'), Buffer.from('89504e470d0a1a0a', 'hex'))
    sqlite(path.join(tmp.dir, 'app.db'), (db) => db.exec('CREATE TABLE t (x)'))
    const before = snapshotTree(tmp.dir)
    for (const name of ['real.db', 'notes.txt', 'photo.png', 'app.db']) {
      for (const dirArgs of [
        ['--dir', demoDir],
        ['--dir', path.join(tmp.dir, 'fresh')],
      ]) {
        const r = await runCli(['demo', ...dirArgs, '--db', path.join(tmp.dir, name)], {env})
        expect(r.code, `${name}: ${r.stderr}`).toBe(2)
        expect(oneLine(r)).toMatch(/the demo only replaces its own store/)
      }
    }
    expect(snapshotTree(tmp.dir)).toEqual(before)
    // Its own store, named with --db, is recreated.
    const again = await runCli(['demo', '--dir', demoDir, '--db', path.join(demoDir, 'finops-demo.db'), '--json'], {
      env,
    })
    expect(again.code, again.stderr).toBe(0)
  }, 400_000)
})

describe('--out: a temporary file renamed only over a regular file (built CLI)', () => {
  let tmp: ReturnType<typeof tempDir>
  let db: string
  beforeAll(async () => {
    tmp = tempDir()
    db = path.join(tmp.dir, 'store', 'finops.db')
    const r = await runCli(['collect', 'focus', FOCUS, '--db', db], {env})
    expect(r.code, r.stderr).toBe(0)
    fs.mkdirSync(path.join(tmp.dir, 'out'))
  })
  afterAll(() => tmp.cleanup())

  it.each([
    ['a directory', (d: string) => fs.mkdirSync(path.join(d, 'x')), /is a directory/],
    ['a FIFO', (d: string) => execFileSync('mkfifo', [path.join(d, 'x')]), /is a named pipe/],
    [
      'a symbolic link to a file',
      (d: string) => {
        fs.writeFileSync(path.join(d, 'target.txt'), 'keep me\n')
        fs.symlinkSync('target.txt', path.join(d, 'x'))
      },
      /is a symbolic link to target.txt/,
    ],
    [
      'a symbolic link to a device',
      (d: string) => fs.symlinkSync('/dev/null', path.join(d, 'x')),
      /is a symbolic link/,
    ],
    ['a dangling symbolic link', (d: string) => fs.symlinkSync('nowhere.csv', path.join(d, 'x')), /is a symbolic link/],
  ])('refuses %s (exit 2, one line), nothing changed', async (_, make, message) => {
    const d = fs.mkdtempSync(path.join(tmp.dir, 'out', 'case-'))
    make(d)
    const before = snapshotTree(tmp.dir)
    const r = await runCli(['cost', 'export', '--db', db, '--out', path.join(d, 'x')], {env})
    expect(r.code).toBe(2)
    expect(oneLine(r)).toMatch(message)
    expect(snapshotTree(tmp.dir)).toEqual(before)
  })

  it('refuses a character device and a missing directory', async () => {
    const before = snapshotTree(tmp.dir)
    const dev = await runCli(['cost', 'export', '--db', db, '--out', '/dev/null'], {env})
    expect(dev.code).toBe(2)
    expect(oneLine(dev)).toMatch(/is a character device/)
    const nodir = await runCli(['cost', 'export', '--db', db, '--out', path.join(tmp.dir, 'no', 'such', 'x.csv')], {
      env,
    })
    expect(nodir.code).toBe(2)
    expect(oneLine(nodir)).toMatch(/does not exist/)
    expect(snapshotTree(tmp.dir)).toEqual(before)
  })

  it('replaces a regular file whole, keeping its permissions, and leaves no temporary file', async () => {
    const file = path.join(tmp.dir, 'out', 'costs.csv')
    fs.writeFileSync(file, 'old content\n', {mode: 0o640})
    fs.chmodSync(file, 0o640)
    const r = await runCli(['cost', 'export', '--db', db, '--out', file, '--granularity', 'month'], {env})
    expect(r.code, r.stderr).toBe(0)
    expect(fs.readFileSync(file, 'utf8')).toMatch(/^ChargePeriodStart,ChargePeriodEnd,/)
    expect(fs.statSync(file).mode & 0o777).toBe(0o640)
    expect(fs.readdirSync(path.dirname(file)).filter((f) => f.endsWith('.tmp'))).toEqual([])
  })
})
