import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  type CompletedPart,
} from '@aws-sdk/client-s3'
import {createHash} from 'node:crypto'
import fs from 'node:fs'
import type {Readable} from 'node:stream'
import {pipeline} from 'node:stream/promises'

import {authError, firstLine, remoteError} from '../../collectors/cloud-errors.js'
import {FinopsError} from '../../errors.js'
import type {BackupTarget} from './target.js'

/** S3's smallest part is 5 MiB; 8 MiB parts keep memory small and a 1 GB store at 128 parts. */
export const S3_PART_BYTES = 8 * 1024 * 1024
/** S3 numbers parts 1 to 10,000: past 8 MiB x 10,000 (78 GiB) the parts must grow. */
export const S3_MAX_PARTS = 10_000
const MIB = 1024 * 1024

/** The part size for a file: 8 MiB, or the whole MiB that keeps it within S3's 10,000 parts. */
export const s3PartBytes = (size: number): number => Math.max(S3_PART_BYTES, Math.ceil(size / S3_MAX_PARTS / MIB) * MIB)

/**
 * Backups in an S3 bucket under a prefix, through the SDK's default chain for credentials (IRSA in
 * the cluster, AWS_PROFILE, SSO, ...), region and endpoint (AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL
 * for MinIO and other S3-compatible stores, which are then addressed path-style). Every upload
 * carries its SHA-256 (x-amz-checksum-sha256, per part for multipart uploads) so S3 rejects a
 * corrupted body, and a multipart upload is completed only after every part was accepted: until
 * then nothing is visible under the key, and a failure aborts it.
 */
export function s3Target(bucket: string, prefix: string, client = createS3Client()): BackupTarget {
  const key = (name: string): string => `${prefix}${name}`
  const where = (name: string): string => `s3://${bucket}/${key(name)}`

  async function putMultipart(name: string, file: string, size: number): Promise<void> {
    const created = await client.send(
      new CreateMultipartUploadCommand({Bucket: bucket, Key: key(name), ChecksumAlgorithm: 'SHA256'}),
    )
    const uploadId = created.UploadId!
    const partBytes = s3PartBytes(size)
    try {
      const parts: CompletedPart[] = []
      const handle = await fs.promises.open(file, 'r')
      try {
        for (let offset = 0, partNumber = 1; offset < size; offset += partBytes, partNumber++) {
          const body = Buffer.alloc(Math.min(partBytes, size - offset))
          await handle.read(body, 0, body.length, offset)
          const checksum = sha256Base64(body)
          const uploaded = await client.send(
            new UploadPartCommand({
              Bucket: bucket,
              Key: key(name),
              UploadId: uploadId,
              PartNumber: partNumber,
              Body: body,
              ContentLength: body.length,
              ChecksumSHA256: checksum,
            }),
          )
          parts.push({PartNumber: partNumber, ETag: uploaded.ETag, ChecksumSHA256: checksum})
        }
      } finally {
        await handle.close()
      }
      await client.send(
        new CompleteMultipartUploadCommand({
          Bucket: bucket,
          Key: key(name),
          UploadId: uploadId,
          MultipartUpload: {Parts: parts},
        }),
      )
    } catch (error) {
      // A failed upload leaves no parts behind to be billed for; if this abort fails too, a bucket
      // lifecycle rule (AbortIncompleteMultipartUpload) is the safety net the runbook names.
      await client
        .send(new AbortMultipartUploadCommand({Bucket: bucket, Key: key(name), UploadId: uploadId}))
        .catch(() => undefined)
      throw error
    }
  }

  return {
    async putFile(name, file) {
      try {
        const size = (await fs.promises.stat(file)).size
        if (size > S3_PART_BYTES) return await putMultipart(name, file, size)
        const body = await fs.promises.readFile(file)
        await client.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: key(name),
            Body: body,
            ContentLength: body.length,
            ChecksumSHA256: sha256Base64(body),
          }),
        )
      } catch (error) {
        throw mapS3Error(`cannot upload ${where(name)}`, error)
      }
    },
    async putText(name, text) {
      const body = Buffer.from(text, 'utf8')
      try {
        await client.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: key(name),
            Body: body,
            ContentType: 'application/json',
            ChecksumSHA256: sha256Base64(body),
          }),
        )
      } catch (error) {
        throw mapS3Error(`cannot upload ${where(name)}`, error)
      }
    },
    async getFile(name, dest) {
      try {
        const got = await client.send(new GetObjectCommand({Bucket: bucket, Key: key(name)}))
        await pipeline(got.Body as Readable, fs.createWriteStream(dest, {flags: 'wx'}))
        return true
      } catch (error) {
        if (isMissing(error)) return undefined
        throw mapS3Error(`cannot download ${where(name)}`, error)
      }
    },
    async getText(name) {
      try {
        const got = await client.send(new GetObjectCommand({Bucket: bucket, Key: key(name)}))
        return await got.Body!.transformToString('utf8')
      } catch (error) {
        if (isMissing(error)) return undefined
        throw mapS3Error(`cannot download ${where(name)}`, error)
      }
    },
    async list() {
      const names: string[] = []
      let token: string | undefined
      try {
        do {
          const page = await client.send(
            new ListObjectsV2Command({Bucket: bucket, Prefix: prefix, Delimiter: '/', ContinuationToken: token}),
          )
          for (const object of page.Contents ?? []) if (object.Key) names.push(object.Key.slice(prefix.length))
          token = page.IsTruncated ? page.NextContinuationToken : undefined
        } while (token)
      } catch (error) {
        throw mapS3Error(`cannot list s3://${bucket}/${prefix}`, error)
      }
      return names
    },
    async remove(name) {
      try {
        await client.send(new DeleteObjectCommand({Bucket: bucket, Key: key(name)}))
      } catch (error) {
        throw mapS3Error(`cannot delete ${where(name)}`, error)
      }
    },
  }
}

/** An S3 client on the SDK's default config chain; custom endpoints (MinIO, stand-ins) use path-style addressing. */
export function createS3Client(env: NodeJS.ProcessEnv = process.env): S3Client {
  // The SDK warns about Node 20 on every call; users should not see that on each command.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'
  return new S3Client({
    region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
    forcePathStyle: Boolean(env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL),
    // finops sends its own SHA-256 with every upload; no second checksum is needed.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 3,
  })
}

const sha256Base64 = (body: Buffer): string => createHash('sha256').update(body).digest('base64')

function isMissing(error: unknown): boolean {
  const e = error as {name?: string; $metadata?: {httpStatusCode?: number}}
  return e?.name === 'NoSuchKey' || e?.name === 'NotFound' || e?.$metadata?.httpStatusCode === 404
}

const AUTH_NAMES = new Set([
  'AccessDenied',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'InvalidToken',
  'TokenRefreshRequired',
])

function mapS3Error(what: string, error: unknown): unknown {
  if (error instanceof FinopsError) return error
  const e = error as {name?: string; message?: string; $metadata?: {httpStatusCode?: number}}
  if (e?.name === 'CredentialsProviderError' || /credential/i.test(e?.name ?? ''))
    return authError(
      `${what}: no AWS credentials found: ${firstLine(e.message)}`,
      'in the cluster give the ServiceAccount an IRSA role (run.cronjob.serviceAccountAnnotations); elsewhere set AWS_PROFILE or run "aws sso login"',
      error,
    )
  if (AUTH_NAMES.has(e?.name ?? '') || e?.$metadata?.httpStatusCode === 403)
    return authError(
      `${what}: refused (${e.name}): ${firstLine(e.message)}`,
      'grant s3:PutObject, s3:GetObject, s3:ListBucket and s3:DeleteObject on the bucket and prefix to this identity',
      error,
    )
  if (e?.name === 'NoSuchBucket')
    return new FinopsError(`${what}: the bucket does not exist`, {
      code: 'BACKUP_LOCATION',
      exit: 'notFound',
      suggestion: 'check the bucket name, or create the bucket',
      cause: error,
    })
  if (e?.name === 'BadDigest' || e?.name === 'InvalidDigest')
    return remoteError(`${what}: S3 rejected the upload's checksum (${e.name})`, 'try again; nothing was stored', error)
  return remoteError(
    `${what}: ${e?.name ?? 'error'}${e?.$metadata?.httpStatusCode ? ` (HTTP ${e.$metadata.httpStatusCode})` : ''}: ${firstLine(e?.message ?? String(error))}`,
    'check the endpoint and network, then try again',
    error,
  )
}
