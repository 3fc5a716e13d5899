import {createHash} from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'

import {backupStore, listBackups, restoreStore, verifyBackup} from '../../../src/backup/index.js'
import {parseLocation} from '../../../src/backup/location.js'
import {GCS_CHUNK_BYTES} from '../../../src/backup/targets/gcs.js'
import {hashFile} from '../../helpers/fs-snapshot.js'
import {
  type BackedUpStore,
  expectRestoresExactly,
  expectRetentionKeepsOnlyOurs,
  largeTempStore,
  tempDir,
  tempStore,
  type TempStore,
} from '../../helpers/index.js'
import {crc32cBase64, type GcsStandIn, startGcsStandIn} from '../../servers/gcs.js'

const KEYS = ['sub-account', 'service']
const saved = process.env.STORAGE_EMULATOR_HOST

let gcs: GcsStandIn
let big: TempStore & BackedUpStore
const to = parseLocation('gs://finops-backups/prod/eu/')

beforeAll(async () => {
  gcs = await startGcsStandIn(['finops-backups'])
  // The SDK's own variable for an emulator, as users point it at fake-gcs-server.
  process.env.STORAGE_EMULATOR_HOST = gcs.url
  // Above the chunk size: it goes up as a resumable upload in several chunks.
  big = largeTempStore(KEYS)
}, 120_000)
afterAll(async () => {
  big.cleanup()
  await gcs.close()
  if (saved === undefined) delete process.env.STORAGE_EMULATOR_HOST
  else process.env.STORAGE_EMULATOR_HOST = saved
})
afterEach(() => {
  gcs.operations.length = 0
  gcs.contentRanges.length = 0
  gcs.buckets.get('finops-backups')!.clear()
})

const objects = (): string[] => [...gcs.buckets.get('finops-backups')!.keys()].sort()
const uploadOps = (): string[] => gcs.operations.filter((o) => o !== 'List' && o !== 'Download')

describe('store backups in GCS through @google-cloud/storage against a wire-level stand-in', () => {
  it('uploads a large store as a resumable upload in 256 KiB-aligned chunks, manifest last, and restores it exactly', async () => {
    const made = await backupStore(big.db, {to, now: new Date('2026-11-30T10:00:00Z')})
    const chunks = Math.ceil(made.backup.bytes / GCS_CHUNK_BYTES)
    expect(chunks).toBeGreaterThan(1)
    expect(uploadOps()).toEqual(['ResumableStart', ...Array(chunks).fill('ResumableChunk'), 'MultipartUpload'])
    expect(gcs.contentRanges[0]).toBe(`bytes 0-${GCS_CHUNK_BYTES - 1}/*`)
    expect(gcs.contentRanges.at(-1)).toBe(
      `bytes ${(chunks - 1) * GCS_CHUNK_BYTES}-${made.backup.bytes - 1}/${made.backup.bytes}`,
    )
    const object = gcs.buckets.get('finops-backups')!.get(`prod/eu/${made.backup.name}`)!
    expect(object.body.length).toBe(made.backup.bytes)
    expect(object.crc32c).toBe(crc32cBase64(object.body))
    expect(object.metadata).toEqual({sha256: made.backup.sha256})
    expect(objects()).toEqual([`prod/eu/${made.backup.name}`, `prod/eu/${made.backup.name}.manifest.json`])

    await expectRestoresExactly(to, made.backup, big)
  }, 60_000)

  it('a small store goes up in one multipart request and verifies', async () => {
    const small = tempStore()
    const made = await backupStore(small.db, {to, now: new Date('2026-11-30T10:00:00Z')})
    expect(uploadOps()).toEqual(['MultipartUpload', 'MultipartUpload'])
    expect(await verifyBackup(to)).toMatchObject({kind: 'backup', sha256: made.backup.sha256})
    small.cleanup()
  })

  it('a connection dropped mid-chunk resumes from the offset GCS committed, and the object is whole', async () => {
    // The second chunk is cut 1 MiB in: the first stays committed and is not sent again.
    gcs.failNext('ResumableChunk', 'DROP', {afterBytes: 1024 * 1024, skip: 1})
    const made = await backupStore(big.db, {to, now: new Date('2026-11-30T10:00:00Z')})
    expect(gcs.operations.filter((o) => o === 'ResumableStart')).toHaveLength(1)
    const starts = gcs.contentRanges.map((r) => /^bytes (\d+|\*)/.exec(r)?.[1])
    expect(starts).toEqual(['0', String(GCS_CHUNK_BYTES), '*', String(GCS_CHUNK_BYTES)])
    expect(hashOf(gcs.buckets.get('finops-backups')!.get(`prod/eu/${made.backup.name}`)!.body)).toBe(made.backup.sha256)
    expect(await verifyBackup(to)).toMatchObject({sha256: made.backup.sha256})
  }, 60_000)

  it('a 503 on a chunk is retried; a chunk refused for good leaves no new backup and the last good one intact', async () => {
    gcs.failNext('ResumableChunk', 503)
    const good = await backupStore(big.db, {to, now: new Date('2026-11-30T10:00:00Z')})
    expect(objects()).toEqual([`prod/eu/${good.backup.name}`, `prod/eu/${good.backup.name}.manifest.json`])

    gcs.failNext('ResumableStart', 400)
    await expect(backupStore(big.db, {to, now: new Date('2026-11-30T11:00:00Z')})).rejects.toMatchObject({
      code: 'REMOTE',
    })
    expect(objects()).toEqual([`prod/eu/${good.backup.name}`, `prod/eu/${good.backup.name}.manifest.json`])
    expect((await listBackups(to)).map((b) => b.name)).toEqual([good.backup.name])
  }, 60_000)

  it('retention pages through the listing and deletes only complete finops backups', async () => {
    const bucket = gcs.buckets.get('finops-backups')!
    await expectRetentionKeepsOnlyOurs(to, {
      setPageSize: (size) => (gcs.pageSize = size),
      putForeign: (key) =>
        bucket.set(key, {
          body: Buffer.from('not ours'),
          generation: 1,
          md5Hash: '',
          crc32c: crc32cBase64(Buffer.from('not ours')),
          contentType: 'text/plain',
          metadata: {},
          updated: new Date(),
        }),
      keys: objects,
    })
  })

  it('a download whose bytes differ from the crc32c GCS sent is refused before the store is touched', async () => {
    await backupStore(big.db, {to, now: new Date('2026-11-30T10:00:00Z')})
    gcs.corruptNextDownload((name) => name.endsWith('.db'))
    const target = tempStore()
    target.db.close()
    const before = hashFile(target.file)
    await expect(restoreStore({store: target.file, from: to, confirmed: true})).rejects.toMatchObject({
      code: 'REMOTE',
      message: expect.stringMatching(/CRC32C check failed/),
    })
    expect(hashFile(target.file)).toBe(before)
    expect(fs.readdirSync(target.dir)).toEqual(['finops.db'])
    target.cleanup()
  }, 60_000)
})

const hashOf = (body: Buffer): string => createHash('sha256').update(body).digest('hex')

describe('GCS at FINOPS_GCS_ENDPOINT (another endpoint of the real service) with credentials', () => {
  it('exchanges the workload identity for a token and sends it on every request; an unreadable key file stops with one line', async () => {
    const subjectToken = `oidc-${Date.now()}`
    const token = `ya29.local-${Date.now()}`
    const secured = await startGcsStandIn(['finops-backups'], {subjectToken, token})
    const keys = tempDir()
    // Workload Identity Federation's credential file, as gcloud iam workload-identity-pools create-cred-config writes it.
    const credentials = path.join(keys.dir, 'wif.json')
    fs.writeFileSync(path.join(keys.dir, 'oidc-token'), subjectToken)
    fs.writeFileSync(
      credentials,
      JSON.stringify({
        type: 'external_account',
        audience: '//iam.googleapis.com/projects/1234/locations/global/workloadIdentityPools/finops/providers/local',
        subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
        token_url: `${secured.url}/token`,
        credential_source: {file: path.join(keys.dir, 'oidc-token')},
      }),
    )
    const env = [
      'STORAGE_EMULATOR_HOST',
      'FINOPS_GCS_ENDPOINT',
      'GOOGLE_APPLICATION_CREDENTIALS',
      'GOOGLE_CLOUD_PROJECT',
    ] as const
    const before = Object.fromEntries(env.map((k) => [k, process.env[k]]))
    delete process.env.STORAGE_EMULATOR_HOST
    process.env.FINOPS_GCS_ENDPOINT = secured.url
    // Otherwise the client looks the project up at cloudresourcemanager.googleapis.com.
    process.env.GOOGLE_CLOUD_PROJECT = 'acme-finops'
    const small = tempStore()
    try {
      process.env.GOOGLE_APPLICATION_CREDENTIALS = path.join(keys.dir, 'missing.json')
      await expect(backupStore(small.db, {to, now: new Date('2026-11-30T09:00:00Z')})).rejects.toMatchObject({
        code: 'AUTH',
        message: expect.stringMatching(/key file GOOGLE_APPLICATION_CREDENTIALS names cannot be read/),
      })

      process.env.GOOGLE_APPLICATION_CREDENTIALS = credentials
      const made = await backupStore(small.db, {to, now: new Date('2026-11-30T10:00:00Z')})
      expect(await verifyBackup(to)).toMatchObject({sha256: made.backup.sha256})
      expect([...secured.buckets.get('finops-backups')!.keys()]).toHaveLength(2)
    } finally {
      small.cleanup()
      for (const k of env)
        if (before[k] === undefined) delete process.env[k]
        else process.env[k] = before[k]
      await secured.close()
      keys.cleanup()
    }
  }, 60_000)
})
