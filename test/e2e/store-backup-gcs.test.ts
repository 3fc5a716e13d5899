import fs from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {storeBackupSchema} from '../../src/backup/schemas.js'
import {hashFile} from '../helpers/fs-snapshot.js'
import {
  type BackedUpStore,
  expectSameTotals,
  killWhenHeld,
  parseJson,
  runCli,
  tempDir,
  totalsOfFile,
  writeLargeStore,
} from '../helpers/index.js'
import {type GcsStandIn, startGcsStandIn} from '../servers/gcs.js'

let gcs: GcsStandIn
let dir: string
let cleanup: () => void
let store: string
let env: Record<string, string | undefined>
let filled: BackedUpStore
const LOCATION = 'gs://finops-backups/prod/'
const KEYS = ['sub-account', 'service']

beforeAll(async () => {
  gcs = await startGcsStandIn(['finops-backups'])
  ;({dir, cleanup} = tempDir())
  store = path.join(dir, 'data', 'finops.db')
  // A resumable upload of two chunks.
  filled = writeLargeStore(store, KEYS)
  env = {
    STORAGE_EMULATOR_HOST: gcs.url,
    FINOPS_GCS_ENDPOINT: undefined,
    GOOGLE_APPLICATION_CREDENTIALS: undefined,
    HOME: dir,
  }
  // The last good backup every failure below must leave intact.
  const good = await backup('2026-11-30T00:00:00Z')
  expect(good.code, good.stderr).toBe(0)
}, 120_000)
afterAll(async () => {
  await gcs.close()
  cleanup()
})

const objects = (): string[] => [...gcs.buckets.get('finops-backups')!.keys()].sort()
const backup = async (at: string, extra: string[] = []) =>
  runCli(['store', 'backup', '--db', store, '--to', LOCATION, '--json', ...extra], {
    env: {...env, FINOPS_NOW: at},
  })

describe('store backup, verify, restore and retention against GCS, through the CLI and @google-cloud/storage', () => {
  it('backs up, verifies, keeps the newest N and restores onto a lost volume with the same totals', async () => {
    for (const at of ['2026-11-30T01:00:00Z', '2026-11-30T02:00:00Z', '2026-11-30T03:00:00Z']) {
      const made = await backup(at, ['--keep', '2'])
      expect(made.code, made.stderr).toBe(0)
    }
    expect(objects()).toEqual([
      'prod/finops-20261130T020000000Z.db',
      'prod/finops-20261130T020000000Z.db.manifest.json',
      'prod/finops-20261130T030000000Z.db',
      'prod/finops-20261130T030000000Z.db.manifest.json',
    ])
    expect(gcs.operations).toContain('ResumableChunk')

    const verify = await runCli(['store', 'verify', '--from', LOCATION, '--json'], {env})
    expect(verify.code, verify.stderr).toBe(0)
    expect(parseJson<{location: string}>(verify).location).toBe(`${LOCATION}finops-20261130T030000000Z.db`)

    const lost = path.join(dir, 'lost', 'finops.db')
    const restore = await runCli(['store', 'restore', '--db', lost, '--from', LOCATION, '--json'], {env})
    expect(restore.code, restore.stderr).toBe(0)
    expectSameTotals(totalsOfFile(lost, filled), filled.totals)
  }, 120_000)

  it('a chunk refused mid-upload fails the backup with one line; the store and the last good backup are intact', async () => {
    const before = objects()
    const storeHash = hashFile(store)
    gcs.failNext('ResumableChunk', 400, {skip: 1})
    const failed = await runCli(['store', 'backup', '--db', store, '--to', LOCATION], {
      env: {...env, FINOPS_NOW: '2026-11-30T04:00:00Z'},
    })
    expect(failed.code).toBe(6)
    expect(failed.stderr.trim().split('\n')[0]).toMatch(
      /^Error: cannot upload gs:\/\/finops-backups\/prod\/finops-20261130T040000000Z\.db: /,
    )
    expect(failed.stderr).not.toMatch(/\n\s+at /)
    expect(objects()).toEqual(before)
    expect(hashFile(store)).toBe(storeHash)
    const verify = await runCli(['store', 'verify', '--from', LOCATION], {env})
    expect(verify.code, verify.stderr).toBe(0)
  }, 120_000)

  it('a 503 and a dropped connection mid-chunk are retried, and the backup completes', async () => {
    gcs.failNext('ResumableChunk', 503)
    const first = await backup('2026-11-30T05:00:00Z')
    expect(first.code, first.stderr).toBe(0)
    gcs.failNext('ResumableChunk', 'DROP', {afterBytes: 256 * 1024, skip: 1})
    const second = await backup('2026-11-30T06:00:00Z')
    expect(second.code, second.stderr).toBe(0)
    const made = storeBackupSchema.parse(parseJson(second)).backup
    const verify = await runCli(['store', 'verify', '--from', `${LOCATION}${made.name}`, '--json'], {env})
    expect(verify.code, verify.stderr).toBe(0)
    expect(parseJson<{sha256: string}>(verify).sha256).toBe(made.sha256)
  }, 120_000)

  it('SIGKILL while a chunk is in flight: no new backup is visible, the store and the last good backup are intact', async () => {
    const before = objects()
    const open = (): number => [...gcs.sessions.values()].filter((s) => !s.done).length
    const openBefore = open()
    const storeHash = hashFile(store)
    const held = gcs.holdNext('ResumableChunk')
    expect(await killWhenHeld(held, ['store', 'backup', '--db', store, '--to', LOCATION], env)).toBe('killed')
    expect(objects()).toEqual(before)
    expect(open()).toBe(openBefore + 1) // invisible, and GCS drops an unfinished session after a week
    expect(hashFile(store)).toBe(storeHash)
    const verify = await runCli(['store', 'verify', '--from', LOCATION], {env})
    expect(verify.code, verify.stderr).toBe(0)
  }, 120_000)

  it('SIGKILL while the backup downloads: the store is left exactly as it was, and a restore after it works', async () => {
    const storeHash = hashFile(store)
    const held = gcs.holdNext('Download', (name) => name.endsWith('.db'))
    expect(await killWhenHeld(held, ['store', 'restore', '--db', store, '--from', LOCATION, '--yes'], env)).toBe(
      'killed',
    )
    expect(hashFile(store)).toBe(storeHash)
    const restore = await runCli(['store', 'restore', '--db', store, '--from', LOCATION, '--yes'], {env})
    expect(restore.code, restore.stderr).toBe(0)
    expect(fs.existsSync(`${store}.bak`)).toBe(false)
  }, 120_000)
})
