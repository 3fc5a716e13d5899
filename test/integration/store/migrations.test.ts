import Database from 'better-sqlite3'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'

import {getBudget} from '../../../src/store/budgets.js'
import {migrations} from '../../../src/store/migrations/index.js'
import {openStore} from '../../../src/store/open.js'
import {readUsage} from '../../../src/store/usage.js'
import {readUsageHours, writeUsageHours} from '../../../src/store/usage-hours.js'
import {fixturesDir} from '../../helpers/cli.js'
import {tempStore, type TempStore} from '../../helpers/store.js'

/** The ids stores already record: they must keep meaning the same migrations, in the same order. */
const RECORDED_IDS = [
  '0001-costs',
  '0100-cloud-collectors',
  '0200-budgets-alerts',
  '0201-alert-claims',
  '0300-k8s',
  '0350-recommendations',
  '0400-apply-actions',
  '0401-run-lock',
]

const tables = (db: Database.Database): string[] =>
  db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all() as string[]
const applied = (db: Database.Database): {id: string; applied_at: string}[] =>
  db.prepare('SELECT id, applied_at FROM schema_migrations ORDER BY rowid').all() as {id: string; applied_at: string}[]

let store: TempStore | undefined
afterEach(() => store?.cleanup())

describe('store migrations', () => {
  it('keep every id an existing store may have recorded, in the order they first applied, and each id once', () => {
    const ids = migrations.map((m) => m.id)
    expect(ids.slice(0, RECORDED_IDS.length)).toEqual(RECORDED_IDS)
    expect(new Set(ids).size).toBe(ids.length)
  })

  it('open a store the previous layout created and migrated: nothing re-applied, its data intact', () => {
    const fixture = path.join(fixturesDir, 'stores', 'previous-layout.db')
    const before = fs.readFileSync(fixture)
    const previous = new Database(fixture, {readonly: true})
    const recordedBefore = applied(previous)
    previous.close()
    expect(recordedBefore.map((r) => r.id)).toEqual(RECORDED_IDS)

    store = tempStore({from: fixture})
    const recorded = applied(store.db)
    expect(recorded.map((r) => r.id)).toEqual(migrations.map((m) => m.id))
    // None of the eight the previous layout applied ran again (their records are untouched).
    expect(recorded.slice(0, RECORDED_IDS.length)).toEqual(recordedBefore)
    expect(getBudget(store.db, 'prod')).toMatchObject({amount: 1000, filters: ['provider=AWS']})
    expect(tables(store.db)).toEqual(expect.arrayContaining(['cost_rollup', 'budgets', 'apply_actions', 'run_locks']))
    expect(fs.readFileSync(fixture).equals(before)).toBe(true)
  })

  it('bring a store an older finops left half-migrated up to date, applying only what it lacks, in order', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'finops-migrate-'))
    const file = path.join(dir, 'old.db')
    try {
      // An older finops knew only the first four migrations, and recorded them by their ids.
      const old = new Database(file)
      old.exec('CREATE TABLE schema_migrations (id TEXT PRIMARY KEY, applied_at TEXT NOT NULL)')
      for (const m of migrations.slice(0, 4)) {
        old.exec(m.up)
        old.prepare('INSERT INTO schema_migrations VALUES (?, ?)').run(m.id, '2024-01-01T00:00:00.000Z')
      }
      old.close()

      const db = openStore(file)
      const recorded = applied(db)
      expect(recorded.map((r) => r.id)).toEqual(migrations.map((m) => m.id))
      expect(recorded.slice(0, 4).every((r) => r.applied_at === '2024-01-01T00:00:00.000Z')).toBe(true)
      expect(recorded.slice(4).every((r) => r.applied_at > '2024-01-01T00:00:00.000Z')).toBe(true)
      expect(tables(db)).toEqual(
        expect.arrayContaining(['k8s_workloads', 'recommendations', 'apply_actions', 'run_locks']),
      )
      db.close()
      // Opening again applies nothing.
      const again = openStore(file)
      expect(applied(again)).toEqual(recorded)
      again.close()
    } finally {
      fs.rmSync(dir, {recursive: true, force: true})
    }
  })

  it('add the hour-of-day usage table to a store that already holds day digests, keeping them, and it then takes profiles', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'finops-migrate-'))
    const file = path.join(dir, 'usage.db')
    try {
      // A store every migration before the hour profiles applied, with a day digest collected.
      const before = migrations.findIndex((m) => m.id === 'k8s-usage-hourly')
      expect(before).toBeGreaterThan(0)
      const old = new Database(file)
      old.exec('CREATE TABLE schema_migrations (id TEXT PRIMARY KEY, applied_at TEXT NOT NULL)')
      for (const m of migrations.slice(0, before)) {
        old.exec(m.up)
        old.prepare('INSERT INTO schema_migrations VALUES (?, ?)').run(m.id, '2026-11-01T00:00:00.000Z')
      }
      const h = JSON.stringify({
        count: 2,
        sum: 0.5,
        min: 0.2,
        max: 0.3,
        zero: 0,
        buckets: [
          [200, 1],
          [210, 1],
        ],
      })
      old
        .prepare(
          `INSERT INTO k8s_usage_daily (cluster, namespace, kind, workload, container, day, source, samples, cpu, memory,
           cpu_max, memory_max, oom_kills, updated_at) VALUES ('c', 'shop', 'Deployment', 'web', 'web', '2026-11-20',
           'prometheus', 2, ?, ?, 0.3, 0.3, 0, '2026-11-21T00:00:00Z')`,
        )
        .run(h, h)
      expect(tables(old)).not.toContain('k8s_usage_hourly')
      old.close()

      const db = openStore(file)
      expect(tables(db)).toContain('k8s_usage_hourly')
      expect(readUsage(db, {from: '2026-11-01', to: '2026-11-30'}).map((c) => c.days.map((d) => d.cpu.max))).toEqual([
        [0.3],
      ])
      // Old days have no profile until re-collected.
      expect(readUsageHours(db, {from: '2026-11-01', to: '2026-11-30'}).size).toBe(0)
      const key = {cluster: 'c', namespace: 'shop', kind: 'Deployment' as const, workload: 'web', container: 'web'}
      const hour = {
        count: 3,
        sum: 0.6,
        min: 0.1,
        max: 0.3,
        zero: 0,
        buckets: [
          [180, 1],
          [200, 2],
        ] as [number, number][],
      }
      const empty = {count: 0, sum: 0, min: 0, max: 0, zero: 0, buckets: []}
      const profile = Array.from({length: 24}, (_, i) => (i === 9 ? hour : empty))
      writeUsageHours(db, [{key, day: '2026-11-20', cpuByHour: profile}])
      const read = readUsageHours(db, {from: '2026-11-20', to: '2026-11-20', namespaces: ['shop']})
      expect([...read.values()].map((c) => c.days)).toEqual([[{day: '2026-11-20', cpuByHour: profile}]])
      expect(readUsageHours(db, {from: '2026-11-20', to: '2026-11-20', namespaces: ['other']}).size).toBe(0)
      db.close()
    } finally {
      fs.rmSync(dir, {recursive: true, force: true})
    }
  })

  it('moves hour profiles kept WITHOUT ROWID into a rowid table, rows and key behaviour unchanged', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'finops-migrate-'))
    const file = path.join(dir, 'hours.db')
    try {
      const before = migrations.findIndex((m) => m.id === 'k8s-usage-hourly-rowid')
      expect(migrations[before - 1]?.id).toBe('k8s-usage-hourly')
      const old = new Database(file)
      old.exec('CREATE TABLE schema_migrations (id TEXT PRIMARY KEY, applied_at TEXT NOT NULL)')
      for (const m of migrations.slice(0, before)) {
        old.exec(m.up)
        old.prepare('INSERT INTO schema_migrations VALUES (?, ?)').run(m.id, '2026-11-01T00:00:00.000Z')
      }
      const insert = old.prepare(
        `INSERT INTO k8s_usage_hourly (cluster, namespace, kind, workload, container, day, cpu_by_hour, updated_at)
         VALUES ('c', 'shop', 'Deployment', ?, 'app', ?, ?, '2026-11-21T00:00:00Z')`,
      )
      const hours = (peak: number): string =>
        JSON.stringify(Array.from({length: 24}, (_, h) => (h === 2 ? [1, peak, peak, peak, 0, 100, 1] : [])))
      insert.run('web', '2026-11-20', hours(0.5))
      insert.run('web', '2026-11-21', hours(0.6))
      insert.run('api', '2026-11-20', hours(1.5))
      const schemaOf = (db: Pick<Database.Database, 'prepare'>): string =>
        (db.prepare("SELECT sql FROM sqlite_schema WHERE name = 'k8s_usage_hourly'").get() as {sql: string}).sql
      expect(schemaOf(old)).toMatch(/WITHOUT ROWID/)
      old.close()

      const db = openStore(file)
      expect(schemaOf(db)).not.toMatch(/WITHOUT ROWID/)
      const read = readUsageHours(db, {from: '2026-11-01', to: '2026-11-30'})
      expect([...read.values()].map((c) => [c.key.workload, c.days.map((d) => [d.day, d.cpuByHour[2]!.max])])).toEqual([
        ['api', [['2026-11-20', 1.5]]],
        [
          'web',
          [
            ['2026-11-20', 0.5],
            ['2026-11-21', 0.6],
          ],
        ],
      ])
      // The key is still unique: writing a day again replaces it.
      const key = {cluster: 'c', namespace: 'shop', kind: 'Deployment' as const, workload: 'web', container: 'app'}
      const empty = {count: 0, sum: 0, min: 0, max: 0, zero: 0, buckets: []}
      writeUsageHours(db, [{key, day: '2026-11-21', cpuByHour: Array.from({length: 24}, () => empty)}])
      expect(db.prepare('SELECT count(*) FROM k8s_usage_hourly').pluck().get()).toBe(3)
      expect(
        db
          .prepare(
            "SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'k8s_usage_hourly' ORDER BY name",
          )
          .pluck()
          .all(),
      ).toEqual(['k8s_usage_hourly_day', 'sqlite_autoindex_k8s_usage_hourly_1'])
      db.close()
    } finally {
      fs.rmSync(dir, {recursive: true, force: true})
    }
  })
})
