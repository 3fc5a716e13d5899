import {createHash, randomUUID} from 'node:crypto'
import http from 'node:http'

import {listenLocal} from './http-server.js'

/**
 * A local S3 speaking the REST API path-style (/BUCKET/KEY), as the real SDK calls it with
 * forcePathStyle: PutObject, CreateMultipartUpload / UploadPart / CompleteMultipartUpload /
 * AbortMultipartUpload, GetObject, HeadObject, ListObjectsV2 (paged with continuation tokens),
 * DeleteObject. It checks x-amz-checksum-sha256 and Content-MD5 like S3 (BadDigest /
 * InvalidDigest), enforces the 5 MiB minimum for all but the last part, part numbers 1 to 10,000
 * and the 5 GiB largest part, and keeps objects
 * invisible until a multipart upload completes. Faults: fail or hold the next request of an operation.
 */
export interface S3Object {
  body: Buffer
  etag: string
  checksumSha256?: string
  lastModified: Date
}

export type S3Operation =
  | 'PutObject'
  | 'CreateMultipartUpload'
  | 'UploadPart'
  | 'CompleteMultipartUpload'
  | 'AbortMultipartUpload'
  | 'GetObject'
  | 'HeadObject'
  | 'ListObjectsV2'
  | 'DeleteObject'

export interface S3StandIn {
  url: string
  buckets: Map<string, Map<string, S3Object>>
  /** Multipart uploads not yet completed or aborted, by upload id. */
  uploads: Map<
    string,
    {
      bucket: string
      key: string
      /** x-amz-checksum-algorithm of CreateMultipartUpload: every part must then carry that checksum. */
      algorithm?: string
      parts: Map<number, {body: Buffer; etag: string; sha256?: string}>
    }
  >
  operations: S3Operation[]
  /**
   * The next request of `op` gets this HTTP status and S3 error code ('DROP' resets the connection
   * before S3 acts; 'DROP_REPLY' lets S3 act, then resets the connection instead of answering).
   */
  failNext: (op: S3Operation, code: string, status?: number) => void
  /** The next request of `op` (on a key `match` accepts) is never answered; resolves when it arrives (a hung network mid-transfer). */
  holdNext: (op: S3Operation, match?: (key: string) => boolean) => Promise<void>
  /** Page size of ListObjectsV2 (S3's is 1000). */
  pageSize: number
  close: () => Promise<void>
}

const MIN_PART = 5 * 1024 * 1024
const MAX_PART = 5 * 1024 * 1024 * 1024
const MAX_PARTS = 10_000
const b64sha256 = (body: Buffer): string => createHash('sha256').update(body).digest('base64')
const md5hex = (body: Buffer): string => createHash('md5').update(body).digest('hex')
const xmlEscape = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

function errorXml(code: string, message: string): string {
  return (
    `<?xml version="1.0" ` +
    `encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${xmlEscape(message)}</Message><RequestId>${randomUUID()}</RequestId></Error>`
  )
}

function operationOf(method: string, key: string, q: URLSearchParams): S3Operation {
  if (method === 'GET' && key === '') return 'ListObjectsV2'
  if (method === 'POST' && q.has('uploads')) return 'CreateMultipartUpload'
  if (method === 'POST' && q.has('uploadId')) return 'CompleteMultipartUpload'
  if (method === 'PUT' && q.has('uploadId')) return 'UploadPart'
  if (method === 'DELETE' && q.has('uploadId')) return 'AbortMultipartUpload'
  if (method === 'PUT') return 'PutObject'
  if (method === 'GET') return 'GetObject'
  if (method === 'HEAD') return 'HeadObject'
  return 'DeleteObject'
}

export async function startS3StandIn(bucketNames: readonly string[]): Promise<S3StandIn> {
  const buckets = new Map(bucketNames.map((b) => [b, new Map<string, S3Object>()]))
  const uploads: S3StandIn['uploads'] = new Map()
  const completed = new Map<string, {request: string; answer: string}>()
  const operations: S3Operation[] = []
  const failures = new Map<S3Operation, {code: string; status: number}>()
  const holds = new Map<S3Operation, {match: (key: string) => boolean; arrived: () => void}>()
  const held: http.ServerResponse[] = []

  const state: S3StandIn = {
    url: '',
    buckets,
    uploads,
    operations,
    pageSize: 1000,
    failNext: (op, code, status = 500) => failures.set(op, {code, status}),
    holdNext: (op, match = () => true) => new Promise((resolve) => holds.set(op, {match, arrived: resolve})),
    close: async () => undefined,
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1')
      const [, bucketName = '', ...rest] = url.pathname.split('/')
      const key = decodeURIComponent(rest.join('/'))
      const q = url.searchParams
      const method = req.method ?? 'GET'
      const op = operationOf(method, key, q)
      operations.push(op)
      const send = (status: number, body = '', headers: Record<string, string | number> = {}): void => {
        if (dropReply) return void req.socket.destroy()
        res.writeHead(status, {'x-amz-request-id': randomUUID(), ...headers})
        res.end(method === 'HEAD' ? undefined : body)
      }
      let dropReply = false
      const fail = (status: number, code: string, message: string): void =>
        send(status, errorXml(code, message), {'content-type': 'application/xml'})

      const hold = holds.get(op)
      if (hold?.match(key)) {
        holds.delete(op)
        held.push(res)
        hold.arrived()
        return
      }
      const failure = failures.get(op)
      if (failure) {
        failures.delete(op)
        if (failure.code === 'DROP') return req.socket.destroy()
        if (failure.code === 'DROP_REPLY') dropReply = true
        else return fail(failure.status, failure.code, 'injected failure')
      }
      if (!/^AWS4-HMAC-SHA256 Credential=/.test(req.headers.authorization ?? ''))
        return fail(403, 'AccessDenied', 'request is not signed')
      const bucket = buckets.get(bucketName)
      if (!bucket) return fail(404, 'NoSuchBucket', 'The specified bucket does not exist')
      const body = Buffer.concat(chunks)

      // Checksums as S3 checks them: a body that does not match its declared digest is refused.
      const declaredSha = req.headers['x-amz-checksum-sha256'] as string | undefined
      const declaredMd5 = req.headers['content-md5'] as string | undefined
      if (method === 'PUT') {
        if (req.headers['content-encoding']?.includes('aws-chunked'))
          return fail(501, 'NotImplemented', 'aws-chunked bodies are not supported by this stand-in')
        if (declaredSha !== undefined && declaredSha !== b64sha256(body))
          return fail(400, 'BadDigest', 'The SHA256 checksum you specified did not match the calculated checksum')
        if (declaredMd5 !== undefined && declaredMd5 !== createHash('md5').update(body).digest('base64'))
          return fail(400, 'BadDigest', 'The Content-MD5 you specified did not match what we received')
      }

      switch (op) {
        case 'PutObject': {
          const object: S3Object = {
            body,
            etag: `"${md5hex(body)}"`,
            checksumSha256: declaredSha,
            lastModified: new Date(),
          }
          bucket.set(key, object)
          return send(200, '', {ETag: object.etag, ...(declaredSha ? {'x-amz-checksum-sha256': declaredSha} : {})})
        }
        case 'CreateMultipartUpload': {
          const uploadId = randomUUID()
          const algorithm = String(req.headers['x-amz-checksum-algorithm'] ?? '').toUpperCase() || undefined
          uploads.set(uploadId, {bucket: bucketName, key, algorithm, parts: new Map()})
          return send(
            200,
            `<?xml version="1.0" ` +
              `encoding="UTF-8"?>\n<InitiateMultipartUploadResult><Bucket>` +
              `${bucketName}</Bucket><Key>${xmlEscape(key)}</Key><UploadId>${uploadId}</UploadId></InitiateMultipartUploadResult>`,
            {
              'content-type': 'application/xml',
              ...(algorithm ? {'x-amz-checksum-algorithm': algorithm, 'x-amz-checksum-type': 'COMPOSITE'} : {}),
            },
          )
        }
        case 'UploadPart': {
          const upload = uploads.get(q.get('uploadId') ?? '')
          if (!upload) return fail(404, 'NoSuchUpload', 'The specified upload does not exist')
          const partNumber = Number(q.get('partNumber'))
          if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > MAX_PARTS)
            return fail(400, 'InvalidArgument', 'Part number must be an integer between 1 and 10000, inclusive')
          if (body.length > MAX_PART)
            return fail(400, 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size')
          // An upload created with a checksum algorithm takes only parts that carry that checksum.
          if (upload.algorithm === 'SHA256' && declaredSha === undefined)
            return fail(
              400,
              'InvalidRequest',
              'Checksum Type mismatch occurred, expected checksum Type: sha256, actual checksum Type: null',
            )
          const part = {body, etag: `"${md5hex(body)}"`, sha256: declaredSha}
          upload.parts.set(Number(q.get('partNumber')), part)
          return send(200, '', {ETag: part.etag, ...(declaredSha ? {'x-amz-checksum-sha256': declaredSha} : {})})
        }
        case 'CompleteMultipartUpload': {
          const uploadId = q.get('uploadId') ?? ''
          const upload = uploads.get(uploadId)
          // S3 answers a repeated CompleteMultipartUpload (a client retrying a lost answer) as the first.
          const done = completed.get(uploadId)
          if (!upload && done?.request === body.toString('utf8'))
            return send(200, done.answer, {'content-type': 'application/xml'})
          if (!upload) return fail(404, 'NoSuchUpload', 'The specified upload does not exist')
          const listed = [...body.toString('utf8').matchAll(/<Part>([\s\S]*?)<\/Part>/g)].map((m) => ({
            number: Number(/<PartNumber>(\d+)<\/PartNumber>/.exec(m[1]!)?.[1]),
            etag: /<ETag>(.*?)<\/ETag>/.exec(m[1]!)?.[1]?.replace(/&quot;/g, '"'),
            sha256: /<ChecksumSHA256>(.*?)<\/ChecksumSHA256>/.exec(m[1]!)?.[1],
          }))
          if (listed.length === 0) return fail(400, 'MalformedXML', 'no parts')
          const parts = []
          for (const [i, p] of listed.entries()) {
            const stored = upload.parts.get(p.number)
            if (!stored || stored.etag !== p.etag) return fail(400, 'InvalidPart', `part ${p.number} was not uploaded`)
            if (i > 0 && listed[i - 1]!.number >= p.number) return fail(400, 'InvalidPartOrder', 'parts out of order')
            if (p.sha256 !== stored.sha256) return fail(400, 'InvalidPart', `part ${p.number} checksum differs`)
            if (i < listed.length - 1 && stored.body.length < MIN_PART)
              return fail(400, 'EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed object size')
            parts.push(stored)
          }
          const whole = Buffer.concat(parts.map((p) => p.body))
          // S3's composite checksum: the SHA-256 of the parts' digests, with the part count.
          const composite = parts.every((p) => p.sha256)
            ? `${createHash('sha256')
                .update(Buffer.concat(parts.map((p) => Buffer.from(p.sha256!, 'base64'))))
                .digest('base64')}-${parts.length}`
            : undefined
          const etag = `"${createHash('md5')
            .update(Buffer.concat(parts.map((p) => Buffer.from(p.etag.replace(/"/g, ''), 'hex'))))
            .digest('hex')}-${parts.length}"`
          bucket.set(upload.key, {body: whole, etag, checksumSha256: composite, lastModified: new Date()})
          uploads.delete(uploadId)
          const answer =
            `<?xml version="1.0" ` +
            `encoding="UTF-8"?>\n<CompleteMultipartUploadResult><Location>` +
            `${state.url}/${bucketName}/${xmlEscape(upload.key)}</Location><Bucket>` +
            `${bucketName}</Bucket><Key>` +
            `${xmlEscape(upload.key)}</Key><ETag>` +
            `${xmlEscape(etag)}</ETag>${composite ? `<ChecksumSHA256>${composite}</ChecksumSHA256>` : ''}</CompleteMultipartUploadResult>`
          completed.set(uploadId, {request: body.toString('utf8'), answer})
          return send(200, answer, {'content-type': 'application/xml'})
        }
        case 'AbortMultipartUpload':
          uploads.delete(q.get('uploadId') ?? '')
          return send(204)
        case 'GetObject':
        case 'HeadObject': {
          const object = bucket.get(key)
          if (!object) return fail(404, 'NoSuchKey', 'The specified key does not exist.')
          return send(200, object.body as unknown as string, {
            'content-type': 'application/octet-stream',
            'content-length': object.body.length,
            ETag: object.etag,
            'last-modified': object.lastModified.toUTCString(),
          })
        }
        case 'ListObjectsV2': {
          const prefix = q.get('prefix') ?? ''
          const delimiter = q.get('delimiter') ?? ''
          const keys = [...bucket.keys()].filter((k) => k.startsWith(prefix)).sort()
          const contents: string[] = []
          const common = new Set<string>()
          for (const k of keys) {
            const cut = delimiter ? k.indexOf(delimiter, prefix.length) : -1
            if (cut >= 0) common.add(k.slice(0, cut + 1))
            else contents.push(k)
          }
          const start = Number(q.get('continuation-token') ?? '0')
          const page = contents.slice(start, start + state.pageSize)
          const next = start + state.pageSize < contents.length ? String(start + state.pageSize) : undefined
          const items = page
            .map((k) => {
              const o = bucket.get(k)!
              return (
                `<Contents><Key>` +
                `${xmlEscape(k)}</Key><LastModified>` +
                `${o.lastModified.toISOString()}</LastModified><ETag>` +
                `${xmlEscape(o.etag)}</ETag><Size>${o.body.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`
              )
            })
            .join('')
          const prefixes =
            start === 0
              ? [...common].map((p) => `<CommonPrefixes><Prefix>${xmlEscape(p)}</Prefix></CommonPrefixes>`).join('')
              : ''
          return send(
            200,
            `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${bucketName}</Name><Prefix>${xmlEscape(prefix)}</Prefix><KeyCount>${page.length}</KeyCount><MaxKeys>${state.pageSize}</MaxKeys><Delimiter>${xmlEscape(delimiter)}</Delimiter><IsTruncated>${next ? 'true' : 'false'}</IsTruncated>${next ? `<NextContinuationToken>${next}</NextContinuationToken>` : ''}${items}${prefixes}</ListBucketResult>`,
            {'content-type': 'application/xml'},
          )
        }
        case 'DeleteObject':
          bucket.delete(key)
          return send(204)
      }
    })
  })
  Object.assign(state, await listenLocal(server, held))
  return state
}
