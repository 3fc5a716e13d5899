import fs from 'node:fs'
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'

import {backupStore, listBackups, restoreStore, verifyBackup} from '../../../src/backup/index.js'
import {parseLocation} from '../../../src/backup/location.js'
import {hashFile} from '../../helpers/fs-snapshot.js'
import {
  type BackedUpStore,
  expectRestoresExactly,
  expectRetentionKeepsOnlyOurs,
  largeTempStore,
  tempStore,
  type TempStore,
} from '../../helpers/index.js'
import {type S3StandIn, startS3StandIn} from '../../servers/s3.js'

const KEYS = ['sub-account', 'service']
const ENV = ['AWS_ENDPOINT_URL_S3', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION', 'AWS_PROFILE'] as const
const saved = Object.fromEntries(ENV.map((k) => [k, process.env[k]]))

let s3: S3StandIn
let big: TempStore & BackedUpStore
const to = parseLocation('s3://finops-backups/prod/eu/')

beforeAll(async () => {
  s3 = await startS3StandIn(['finops-backups'])
  // The SDK's own environment, as users point it at MinIO or a private endpoint.
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_S3: s3.url,
    AWS_ACCESS_KEY_ID: 'AKIDLOCALS3TEST',
    AWS_SECRET_ACCESS_KEY: 'local-s3-secret-never-printed',
    AWS_REGION: 'eu-west-1',
  })
  delete process.env.AWS_PROFILE
  // Above the 8 MiB part size: it goes up as a multipart upload.
  big = largeTempStore(KEYS)
}, 120_000)
afterAll(async () => {
  big.cleanup()
  await s3.close()
  for (const k of ENV)
    if (saved[k] === undefined) delete process.env[k]
    else process.env[k] = saved[k]
})
afterEach(() => {
  s3.operations.length = 0
  s3.buckets.get('finops-backups')!.clear()
})

const objects = (): string[] => [...s3.buckets.get('finops-backups')!.keys()].sort()

describe('store backups in S3 through @aws-sdk/client-s3 against a wire-level stand-in', () => {
  it('uploads a large store as a checksummed multipart upload, manifest last, and restores it exactly', async () => {
    const made = await backupStore(big.db, {to, now: new Date('2026-11-30T10:00:00Z')})
    expect(s3.operations.filter((o) => o !== 'ListObjectsV2' && o !== 'GetObject')).toEqual([
      'CreateMultipartUpload',
      'UploadPart',
      'UploadPart',
      'CompleteMultipartUpload',
      'PutObject',
    ])
    const object = s3.buckets.get('finops-backups')!.get(`prod/eu/${made.backup.name}`)!
    expect(object.checksumSha256).toMatch(/-2$/)
    expect(object.body.length).toBe(made.backup.bytes)
    expect(objects()).toEqual([`prod/eu/${made.backup.name}`, `prod/eu/${made.backup.name}.manifest.json`])

    await expectRestoresExactly(to, made.backup, big)
  }, 60_000)

  it('a small store goes up in one PutObject with its SHA-256, which the stand-in checks', async () => {
    const small = tempStore()
    const made = await backupStore(small.db, {to, now: new Date('2026-11-30T10:00:00Z')})
    expect(s3.operations).toContain('PutObject')
    expect(s3.operations).not.toContain('CreateMultipartUpload')
    expect(s3.buckets.get('finops-backups')!.get(`prod/eu/${made.backup.name}`)!.checksumSha256).toBeDefined()
    expect(await verifyBackup(to)).toMatchObject({kind: 'backup', sha256: made.backup.sha256})
    small.cleanup()
  })

  it('a part refused mid-upload aborts the upload: nothing new is visible and the last good backup stays', async () => {
    const good = await backupStore(big.db, {to, now: new Date('2026-11-30T10:00:00Z')})
    s3.operations.length = 0
    s3.failNext('UploadPart', 'BadDigest', 400)
    await expect(backupStore(big.db, {to, now: new Date('2026-11-30T11:00:00Z')})).rejects.toMatchObject({
      code: 'REMOTE',
      message: expect.stringMatching(/checksum/),
    })
    expect(s3.operations).toContain('AbortMultipartUpload')
    expect(s3.operations).not.toContain('CompleteMultipartUpload')
    expect(s3.uploads.size).toBe(0)
    expect(objects()).toEqual([`prod/eu/${good.backup.name}`, `prod/eu/${good.backup.name}.manifest.json`])
    expect((await listBackups(to)).map((b) => b.name)).toEqual([good.backup.name])
    // Nothing about the failure names the secret key.
    const error = await backupStore(big.db, {to: parseLocation('s3://no-such-bucket/x/'), now: new Date()}).catch(
      (e: Error) => e,
    )
    expect(error).toMatchObject({code: 'BACKUP_LOCATION'})
    expect(String((error as Error).message)).not.toContain('local-s3-secret-never-printed')
  }, 60_000)

  it('a CompleteMultipartUpload whose answer is lost is retried, and S3 answers the retry as the first', async () => {
    s3.failNext('CompleteMultipartUpload', 'DROP_REPLY')
    const made = await backupStore(big.db, {to, now: new Date('2026-11-30T12:00:00Z')})
    expect(s3.operations.filter((o) => o === 'CompleteMultipartUpload')).toHaveLength(2)
    expect(s3.operations).not.toContain('AbortMultipartUpload')
    expect(objects()).toEqual([`prod/eu/${made.backup.name}`, `prod/eu/${made.backup.name}.manifest.json`])
    expect(await verifyBackup(to)).toMatchObject({kind: 'backup', sha256: made.backup.sha256})
  }, 60_000)

  it('retention pages through the listing and deletes only complete finops backups', async () => {
    const bucket = s3.buckets.get('finops-backups')!
    await expectRetentionKeepsOnlyOurs(to, {
      setPageSize: (size) => (s3.pageSize = size),
      putForeign: (key) => bucket.set(key, {body: Buffer.from('not ours'), etag: '"x"', lastModified: new Date()}),
      keys: objects,
    })
  })

  it('a download that does not match the manifest is refused before the store is touched', async () => {
    const made = await backupStore(big.db, {to, now: new Date('2026-11-30T10:00:00Z')})
    const object = s3.buckets.get('finops-backups')!.get(`prod/eu/${made.backup.name}`)!
    object.body = Buffer.from(object.body)
    object.body.writeUInt8(object.body.readUInt8(5000) ^ 1, 5000)
    const target = tempStore()
    target.db.close()
    const before = hashFile(target.file)
    await expect(restoreStore({store: target.file, from: to, confirmed: true})).rejects.toMatchObject({
      code: 'BACKUP_CORRUPT',
    })
    expect(hashFile(target.file)).toBe(before)
    expect(fs.readdirSync(target.dir)).toEqual(['finops.db'])
    target.cleanup()
  }, 60_000)
})
