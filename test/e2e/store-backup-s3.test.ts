import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {storeBackupSchema} from '../../src/backup/schemas.js'
import {hashFile} from '../helpers/fs-snapshot.js'
import {killWhenHeld, parseJson, runCli, tempDir, writeLargeStore} from '../helpers/index.js'
import {type S3StandIn, startS3StandIn} from '../servers/s3.js'

let s3: S3StandIn
let dir: string
let cleanup: () => void
let store: string
let env: Record<string, string | undefined>
const LOCATION = 's3://finops-backups/prod/'

beforeAll(async () => {
  s3 = await startS3StandIn(['finops-backups'])
  ;({dir, cleanup} = tempDir())
  store = path.join(dir, 'data', 'finops.db')
  writeLargeStore(store, ['service'])
  env = {
    AWS_ENDPOINT_URL_S3: s3.url,
    AWS_ACCESS_KEY_ID: 'AKIDLOCALS3TEST',
    AWS_SECRET_ACCESS_KEY: 'e2e-s3-secret-never-printed',
    AWS_REGION: 'eu-west-1',
    AWS_PROFILE: undefined,
    HOME: dir,
  }
}, 120_000)
afterAll(async () => {
  await s3.close()
  cleanup()
})

const keys = (): string[] => [...s3.buckets.get('finops-backups')!.keys()].sort()

describe('store backup and restore against S3, killed mid-transfer', () => {
  it('SIGKILL while a part is in flight: no new backup is visible, the store and the last good backup are intact', async () => {
    const first = await runCli(['store', 'backup', '--db', store, '--to', LOCATION, '--json'], {env})
    expect(first.code, first.stderr).toBe(0)
    const good = storeBackupSchema.parse(parseJson(first)).backup
    const before = keys()
    const storeHash = hashFile(store)

    const held = s3.holdNext('UploadPart')
    expect(await killWhenHeld(held, ['store', 'backup', '--db', store, '--to', LOCATION], env)).toBe('killed')
    expect(keys()).toEqual(before)
    expect(s3.uploads.size).toBe(1) // left for the bucket's AbortIncompleteMultipartUpload rule, invisible meanwhile
    expect(hashFile(store)).toBe(storeHash)

    const verify = await runCli(['store', 'verify', '--from', LOCATION, '--json'], {env})
    expect(verify.code, verify.stderr).toBe(0)
    expect(parseJson<{sha256: string}>(verify).sha256).toBe(good.sha256)
    expect(verify.stdout + verify.stderr).not.toContain('e2e-s3-secret-never-printed')
  }, 120_000)

  it('SIGKILL while the backup downloads: the store is left exactly as it was', async () => {
    const storeHash = hashFile(store)
    // The manifests are read first (GetObject too): hold the download of the backup itself.
    const held = s3.holdNext('GetObject', (key) => key.endsWith('.db'))
    expect(await killWhenHeld(held, ['store', 'restore', '--db', store, '--from', LOCATION, '--yes'], env)).toBe(
      'killed',
    )
    expect(hashFile(store)).toBe(storeHash)
    const restore = await runCli(['store', 'restore', '--db', store, '--from', LOCATION, '--yes'], {env})
    expect(restore.code, restore.stderr).toBe(0)
  }, 120_000)
})
