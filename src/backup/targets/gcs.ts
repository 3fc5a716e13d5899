import {Storage} from '@google-cloud/storage'
import fs from 'node:fs'

import {authError, firstLine, remoteError} from '../../collectors/cloud-errors.js'
import {FinopsError} from '../../errors.js'
import type {BackupTarget} from './target.js'

/** Files above this go up as a resumable upload (in chunks, finalized by the last one); smaller ones in one multipart request. */
export const GCS_RESUMABLE_ABOVE = 8 * 1024 * 1024
/**
 * A resumable upload sends one request per chunk (a multiple of GCS's 256 KiB quantum) and keeps
 * only that chunk in memory: a dropped connection resends from the offset GCS says it committed,
 * not the whole store.
 */
export const GCS_CHUNK_BYTES = 8 * 1024 * 1024

/**
 * Backups are never overwritten (each has a new name), so every upload is conditional on the object
 * not existing yet (ifGenerationMatch 0). That also makes the upload idempotent, which is what lets
 * the client retry a 503 or a dropped connection instead of failing the backup on the first one.
 */
const CREATE_ONLY = {ifGenerationMatch: 0}

/**
 * Backups in a GCS bucket under a prefix, with Application Default Credentials (Workload Identity
 * in the cluster, GOOGLE_APPLICATION_CREDENTIALS or gcloud elsewhere). STORAGE_EMULATOR_HOST (the
 * client's own variable) points it at an emulator, without credentials; FINOPS_GCS_ENDPOINT at
 * another endpoint of the real service (a Private Service Connect endpoint), with them. Uploads
 * carry their CRC32C (X-Goog-Hash) so GCS refuses damaged bytes and the client checks the crc32c
 * GCS reports back; downloads are checked against the crc32c GCS sends. A resumable upload only
 * becomes an object when its last chunk is accepted, so a killed upload leaves nothing under the name.
 */
export function gcsTarget(bucketName: string, prefix: string, storage = createStorage()): BackupTarget {
  const bucket = storage.bucket(bucketName)
  const key = (name: string): string => `${prefix}${name}`
  const where = (name: string): string => `gs://${bucketName}/${key(name)}`

  return {
    async putFile(name, file, sha256) {
      try {
        const size = (await fs.promises.stat(file)).size
        await bucket.upload(file, {
          destination: key(name),
          resumable: size > GCS_RESUMABLE_ABOVE,
          chunkSize: GCS_CHUNK_BYTES,
          validation: 'crc32c',
          preconditionOpts: CREATE_ONLY,
          metadata: {contentType: 'application/vnd.sqlite3', metadata: {sha256}},
        })
      } catch (error) {
        throw mapGcsError(`cannot upload ${where(name)}`, error)
      }
    },
    async putText(name, text) {
      try {
        await bucket.file(key(name)).save(text, {
          resumable: false,
          validation: 'crc32c',
          contentType: 'application/json',
          preconditionOpts: CREATE_ONLY,
        })
      } catch (error) {
        throw mapGcsError(`cannot upload ${where(name)}`, error)
      }
    },
    async getFile(name, dest) {
      try {
        await bucket.file(key(name)).download({destination: dest, validation: 'crc32c'})
        return true
      } catch (error) {
        fs.rmSync(dest, {force: true})
        if (isMissing(error)) return undefined
        throw mapGcsError(`cannot download ${where(name)}`, error)
      }
    },
    async getText(name) {
      try {
        const [body] = await bucket.file(key(name)).download({validation: 'crc32c'})
        return body.toString('utf8')
      } catch (error) {
        if (isMissing(error)) return undefined
        throw mapGcsError(`cannot download ${where(name)}`, error)
      }
    },
    async list() {
      try {
        const [files] = await bucket.getFiles({prefix, delimiter: '/', autoPaginate: true})
        return files.map((f) => f.name.slice(prefix.length))
      } catch (error) {
        throw mapGcsError(`cannot list gs://${bucketName}/${prefix}`, error)
      }
    },
    async remove(name) {
      try {
        await bucket.file(key(name)).delete({ignoreNotFound: true})
      } catch (error) {
        throw mapGcsError(`cannot delete ${where(name)}`, error)
      }
    },
  }
}

export function createStorage(env: NodeJS.ProcessEnv = process.env): Storage {
  return new Storage({
    // The client sends no credentials to a custom endpoint unless told to; a private endpoint of
    // the real service needs them (an emulator, named by STORAGE_EMULATOR_HOST, does not).
    ...(env.FINOPS_GCS_ENDPOINT ? {apiEndpoint: env.FINOPS_GCS_ENDPOINT, useAuthWithCustomEndpoint: true} : {}),
    retryOptions: {maxRetries: 3},
  })
}

const isMissing = (error: unknown): boolean => (error as {code?: number})?.code === 404

function mapGcsError(what: string, error: unknown): unknown {
  if (error instanceof FinopsError) return error
  const e = error as {code?: number | string; message?: string}
  const message = firstLine(e?.message ?? String(error))
  if (/^The file at .* does not exist/.test(message))
    return authError(
      `${what}: the key file GOOGLE_APPLICATION_CREDENTIALS names cannot be read: ${message.replace(/ ENOENT:.*$/, '')}`,
      'point GOOGLE_APPLICATION_CREDENTIALS at a service-account key file, or unset it to use Workload Identity or gcloud',
      error,
    )
  if (/Could not load the default credentials|invalid_grant|unauthorized_client/i.test(message) || e?.code === 401)
    return authError(
      `${what}: no usable Google credentials: ${message}`,
      'in the cluster bind the ServiceAccount with Workload Identity (run.cronjob.serviceAccountAnnotations); elsewhere run "gcloud auth ' +
        'application-default login" or set GOOGLE_APPLICATION_CREDENTIALS',
      error,
    )
  if (e?.code === 403)
    return authError(
      `${what}: refused (HTTP 403): ${message}`,
      'grant roles/storage.objectAdmin on the bucket (or objectCreator, objectViewer and delete) to this identity',
      error,
    )
  if (e?.code === 404)
    return new FinopsError(`${what}: the bucket does not exist`, {
      code: 'BACKUP_LOCATION',
      exit: 'notFound',
      suggestion: 'check the bucket name, or create the bucket',
      cause: error,
    })
  if (/mismatch|did not match/i.test(message) || /MISMATCH|FILE_NO_UPLOAD/.test(String(e?.code)))
    return remoteError(
      `${what}: the CRC32C check failed: the bytes received differ from what GCS holds`,
      'try again; nothing damaged was kept',
      error,
    )
  return remoteError(
    `${what}: ${e?.code ? `HTTP ${e.code}: ` : ''}${message}`,
    'check the endpoint and network, then try again',
    error,
  )
}
