import {Storage} from '@google-cloud/storage'
import fs from 'node:fs'

import {authError, firstLine, remoteError} from '../../collectors/cloud-errors.js'
import {FinopsError} from '../../errors.js'
import type {BackupTarget} from './target.js'

/** Files above this go up as a resumable upload (in chunks, finalized by the last one); smaller ones in one multipart request. */
export const GCS_RESUMABLE_ABOVE = 8 * 1024 * 1024

/**
 * Backups in a GCS bucket under a prefix, with Application Default Credentials (Workload Identity
 * in the cluster, GOOGLE_APPLICATION_CREDENTIALS or gcloud elsewhere). FINOPS_GCS_ENDPOINT points
 * the client at another endpoint (a stand-in, a private endpoint). Uploads are validated with
 * MD5 against the md5Hash GCS computes, and a resumable upload only becomes an object when its
 * last chunk is accepted, so a killed upload leaves nothing under the name.
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
          validation: 'md5',
          metadata: {contentType: 'application/vnd.sqlite3', metadata: {sha256}},
        })
      } catch (error) {
        throw mapGcsError(`cannot upload ${where(name)}`, error)
      }
    },
    async putText(name, text) {
      try {
        await bucket.file(key(name)).save(text, {resumable: false, validation: 'md5', contentType: 'application/json'})
      } catch (error) {
        throw mapGcsError(`cannot upload ${where(name)}`, error)
      }
    },
    async getFile(name, dest) {
      try {
        await bucket.file(key(name)).download({destination: dest, validation: 'md5'})
        return true
      } catch (error) {
        fs.rmSync(dest, {force: true})
        if (isMissing(error)) return undefined
        throw mapGcsError(`cannot download ${where(name)}`, error)
      }
    },
    async getText(name) {
      try {
        const [body] = await bucket.file(key(name)).download({validation: 'md5'})
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
    ...(env.FINOPS_GCS_ENDPOINT ? {apiEndpoint: env.FINOPS_GCS_ENDPOINT} : {}),
    retryOptions: {maxRetries: 2},
  })
}

const isMissing = (error: unknown): boolean => (error as {code?: number})?.code === 404

function mapGcsError(what: string, error: unknown): unknown {
  if (error instanceof FinopsError) return error
  const e = error as {code?: number | string; message?: string}
  const message = firstLine(e?.message ?? String(error))
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
  if (/mismatch/i.test(message))
    return remoteError(
      `${what}: the MD5 check failed (${message})`,
      'try again; the damaged object is not a backup',
      error,
    )
  return remoteError(
    `${what}: ${e?.code ? `HTTP ${e.code}: ` : ''}${message}`,
    'check the endpoint and network, then try again',
    error,
  )
}
