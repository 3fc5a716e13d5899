import fs from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {storeBackupSchema, storeRestoreSchema, storeVerifySchema} from '../../src/backup/schemas.js'
import {ExitCode} from '../../src/exit-codes.js'
import {openStore} from '../../src/store/open.js'
import {hashFile} from '../helpers/fs-snapshot.js'
import {
  expectSameTotals,
  fileAppears,
  fillCostStore,
  killWhen,
  parseJson,
  runCli,
  spawnCli,
  storeTotals,
  tempDir,
  totalsOfFile,
  type Totals,
  writeLargeStore,
} from '../helpers/index.js'

const KEYS = ['sub-account', 'service', 'region']
let dir: string
let cleanup: () => void
let store: string
let range: {from: string; to: string}
let totals: Totals

const totalsOf = (file: string): Totals => totalsOfFile(file, {keys: KEYS, range})

beforeAll(() => {
  ;({dir, cleanup} = tempDir())
  store = path.join(dir, 'data', 'finops.db')
  // Big enough for a kill to land mid-copy.
  ;({range, totals} = writeLargeStore(store, KEYS))
}, 120_000)
afterAll(() => cleanup())

describe('finops store backup / verify / restore, as users run them', () => {
  it('round-trips through a directory with --json results that match their contracts', async () => {
    const backups = path.join(dir, 'roundtrip')
    const backup = await runCli(['store', 'backup', '--db', store, '--to', backups, '--json'])
    expect(backup.code, backup.stderr).toBe(0)
    const made = storeBackupSchema.parse(parseJson(backup))
    expect(hashFile(path.join(backups, made.backup.name))).toBe(made.backup.sha256)

    const verify = await runCli(['store', 'verify', '--from', backups, '--json'])
    expect(verify.code, verify.stderr).toBe(0)
    expect(storeVerifySchema.parse(parseJson(verify))).toMatchObject({kind: 'backup', sha256: made.backup.sha256})

    const lost = path.join(dir, 'lost', 'finops.db')
    const restore = await runCli(['store', 'restore', '--db', lost, '--from', backups, '--json'])
    expect(restore.code, restore.stderr).toBe(0)
    expect(storeRestoreSchema.parse(parseJson(restore))).toMatchObject({replaced: false, store: lost})
    expectSameTotals(totalsOf(lost), totals)

    const again = await runCli(['store', 'restore', '--db', lost, '--from', backups])
    expect(again.code).toBe(ExitCode.usage)
    expect(again.stderr).toMatch(/^Error: a store exists at .*--yes/)
  }, 120_000)

  it('refuses a location with credentials, never printing them, and a missing location', async () => {
    const secret = 'wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY'
    const result = await runCli([
      'store',
      'backup',
      '--db',
      store,
      '--to',
      `s3://AKIAIOSFODNN7EXAMPLE:${secret}@bucket/x`,
    ])
    expect(result.code).toBe(ExitCode.usage)
    expect(result.stdout + result.stderr).not.toContain(secret)
    expect(result.stdout + result.stderr).not.toContain('AKIAIOSFODNN7EXAMPLE')
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
    const none = await runCli(['store', 'backup', '--db', store], {env: {HOME: dir, FINOPS_CONFIG: undefined}})
    expect(none.code).toBe(ExitCode.usage)
    expect(none.stderr).toMatch(/no backup location/)
  })

  it('killed at any point of a backup: the store is unchanged and every listed backup is whole', async () => {
    const backups = path.join(dir, 'killed-backups')
    const first = await runCli(['store', 'backup', '--db', store, '--to', backups, '--json'])
    expect(first.code, first.stderr).toBe(0)
    const good = storeBackupSchema.parse(parseJson(first)).backup
    const storeHash = hashFile(store)
    const outcomes: ('killed' | number)[] = []
    // Kill once the snapshot file appears beside the store, once the copy appears in the backup
    // directory, and at fixed delays from start.
    const triggers = [
      fileAppears(path.dirname(store), /\.backup-.*\.tmp$/),
      fileAppears(backups, /\.partial-/),
      () => false,
      () => false,
    ]
    const delays = [30_000, 30_000, 700, 1500]
    for (const [i, trigger] of triggers.entries()) {
      const child = spawnCli(['store', 'backup', '--db', store, '--to', backups])
      outcomes.push(await killWhen(child, trigger, delays[i]!))
      expect(hashFile(store)).toBe(storeHash)
      expect(hashFile(path.join(backups, good.name))).toBe(good.sha256)
      const verify = await runCli(['store', 'verify', '--from', path.join(backups, good.name)])
      expect(verify.code, verify.stderr).toBe(0)
    }
    expect(outcomes.filter((o) => o === 'killed').length).toBeGreaterThan(0)
    // Whatever finished is a whole backup: each manifest's backup verifies.
    for (const name of fs.readdirSync(backups).filter((n) => n.endsWith('.manifest.json'))) {
      const verify = await runCli(['store', 'verify', '--from', path.join(backups, name.replace('.manifest.json', ''))])
      expect(verify.code, verify.stderr).toBe(0)
    }
  }, 180_000)

  it('killed at any point of a restore: the store is the old one or the complete new one, never a mix', async () => {
    const backups = path.join(dir, 'restore-source')
    const made = await runCli(['store', 'backup', '--db', store, '--to', backups, '--json'])
    expect(made.code, made.stderr).toBe(0)
    // The live store has moved on since the backup (a restatement): after a kill it must hold one or the other.
    const target = path.join(dir, 'restore-target', 'finops.db')
    fs.mkdirSync(path.dirname(target))
    const db = openStore(target)
    fillCostStore(db, {resources: 4, seed: 5})
    db.pragma('wal_checkpoint(TRUNCATE)')
    const newer = storeTotals(db, KEYS, range.from, range.to)
    db.close()
    const triggers = [
      fileAppears(path.dirname(target), /\.restore-.*\.tmp$/),
      fileAppears(path.dirname(target), /\.bak$/),
      () => false,
    ]
    const delays = [30_000, 30_000, 900]
    let restored = false
    for (const [i, trigger] of triggers.entries()) {
      const child = spawnCli(['store', 'restore', '--db', target, '--from', backups, '--yes'])
      const outcome = await killWhen(child, trigger, delays[i]!)
      expect(['killed', 0]).toContain(outcome)
      const now = totalsOf(target)
      const isBackup = JSON.stringify([...now]) === JSON.stringify([...totals])
      if (!isBackup) expectSameTotals(now, restored ? totals : newer)
      restored ||= isBackup
    }
    const finish = await runCli(['store', 'restore', '--db', target, '--from', backups, '--yes'])
    expect(finish.code, finish.stderr).toBe(0)
    expectSameTotals(totalsOf(target), totals)
  }, 180_000)

  it('finops run backs the store up in its backup step, keeping backup.keep backups', async () => {
    const backups = path.join(dir, 'run-backups')
    const config = path.join(dir, 'run-finops.yaml')
    fs.writeFileSync(config, `run:\n  steps: [backup]\nbackup:\n  to: ${backups}\n  keep: 2\n`)
    const small = path.join(dir, 'run-store', 'finops.db')
    const budget = await runCli(['budget', 'set', 'prod', '--amount', '100', '--db', small])
    expect(budget.code, budget.stderr).toBe(0)
    for (let i = 0; i < 3; i++) {
      const run = await runCli(['run', '--db', small], {env: {FINOPS_CONFIG: config, HOME: dir, KUBECONFIG: undefined}})
      expect(run.code, run.stderr + run.stdout).toBe(0)
      const step = run.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as {step: string; status?: string; details?: {backup?: string}})
        .find((l) => l.step === 'backup')
      expect(step).toMatchObject({status: 'ok'})
      expect(fs.existsSync(step!.details!.backup!)).toBe(true)
    }
    expect(fs.readdirSync(backups).filter((n) => n.endsWith('.db'))).toHaveLength(2)
    // A run's own lock is not in its backup: a store restored from it runs at once.
    const restored = path.join(dir, 'run-restored', 'finops.db')
    expect((await runCli(['store', 'restore', '--db', restored, '--from', backups])).code).toBe(0)
    const run = await runCli(['run', '--db', restored], {
      env: {FINOPS_CONFIG: config, HOME: dir, KUBECONFIG: undefined},
    })
    expect(run.code, run.stderr + run.stdout).toBe(0)
  }, 180_000)
})
