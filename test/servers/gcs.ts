import {createHash, randomUUID} from 'node:crypto'
import http from 'node:http'

import {listenLocal} from './http-server.js'

/**
 * A local Cloud Storage speaking the JSON API as @google-cloud/storage calls it (pointed at with
 * STORAGE_EMULATOR_HOST or apiEndpoint): multipart uploads (uploadType=multipart, a
 * multipart/related body of JSON metadata and media), resumable uploads (uploadType=resumable
 * opens a session whose URI is in Location; PUTs to it carry Content-Range, are answered 308 Resume
 * Incomplete with the committed Range until the last byte, and `bytes * /N` asks where the session
 * is), downloads with alt=media, object metadata, listing with prefix, delimiter and pageToken, and
 * deletes. Every object carries md5Hash and crc32c (base64, as GCS), sent back in x-goog-hash on
 * download; an upload whose X-Goog-Hash or metadata hashes differ from the bytes is refused (400),
 * and a non-final chunk must be a multiple of 256 KiB, as GCS requires. ifGenerationMatch is honoured.
 * Faults: fail (an HTTP status, or 'DROP' to cut the connection mid-body), hold, or corrupt the next
 * request of an operation.
 */
export interface GcsObject {
  body: Buffer
  generation: number
  md5Hash: string
  crc32c: string
  contentType: string
  metadata: Record<string, string>
  updated: Date
}

export type GcsOperation =
  | 'MultipartUpload'
  | 'ResumableStart'
  | 'ResumableChunk'
  | 'ResumableStatus'
  | 'Download'
  | 'GetMetadata'
  | 'List'
  | 'Delete'

export interface GcsSession {
  bucket: string
  name: string
  received: Buffer[]
  bytes: number
  metadata: Record<string, unknown>
  ifGenerationMatch?: number
  done: boolean
}

export interface GcsStandIn {
  url: string
  buckets: Map<string, Map<string, GcsObject>>
  /** Resumable upload sessions by upload id (finished ones stay, marked done). */
  sessions: Map<string, GcsSession>
  /** Every request's operation, in order. */
  operations: GcsOperation[]
  /** Content-Range of every resumable PUT, in order. */
  contentRanges: string[]
  /**
   * The next request of `op` gets this HTTP status, or with 'DROP' its connection is cut after
   * `afterBytes` of its body arrived (nothing of that request is committed). `skip` requests of
   * `op` pass first.
   */
  failNext: (op: GcsOperation, status: number | 'DROP', options?: {afterBytes?: number; skip?: number}) => void
  /** The next request of `op` (on an object `match` accepts) is never answered; resolves when it arrives. */
  holdNext: (op: GcsOperation, match?: (name: string) => boolean) => Promise<void>
  /** The next download of an object `match` accepts has one byte flipped (its x-goog-hash stays that of the object). */
  corruptNextDownload: (match?: (name: string) => boolean) => void
  /** Page size of objects.list when the client gives no maxResults (GCS's is 1000). */
  pageSize: number
  close: () => Promise<void>
}

const QUANTUM = 256 * 1024

const CRC32C_TABLE = (() => {
  const table = new Uint32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1
    table[n] = c >>> 0
  }
  return table
})()

/** CRC32C (Castagnoli) as GCS reports it: the big-endian 4 bytes, base64. */
export function crc32cBase64(body: Buffer): string {
  let crc = 0xffffffff
  for (const byte of body) crc = CRC32C_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8)
  const out = Buffer.alloc(4)
  out.writeUInt32BE((crc ^ 0xffffffff) >>> 0)
  return out.toString('base64')
}

const md5Base64 = (body: Buffer): string => createHash('md5').update(body).digest('base64')

function parseGoogHash(header: string | string[] | undefined): {crc32c?: string; md5?: string} {
  const out: {crc32c?: string; md5?: string} = {}
  for (const part of [header ?? ''].flat().join(',').split(',')) {
    const at = part.indexOf('=')
    if (at < 0) continue
    const kind = part.slice(0, at).trim()
    if (kind === 'crc32c' || kind === 'md5') out[kind] = part.slice(at + 1).trim()
  }
  return out
}

/** Splits a multipart/related body into its parts' bodies (headers dropped). */
function multipartParts(body: Buffer, contentType: string): Buffer[] {
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1]
  if (!boundary) return []
  const delimiter = Buffer.from(`--${boundary}`)
  const parts: Buffer[] = []
  let at = body.indexOf(delimiter)
  while (at >= 0) {
    const start = at + delimiter.length
    if (body.subarray(start, start + 2).toString() === '--') break
    const next = body.indexOf(delimiter, start)
    if (next < 0) break
    const part = body.subarray(start, next)
    const headerEnd = part.indexOf('\r\n\r\n')
    // The part's body ends with the CRLF that precedes the next delimiter.
    if (headerEnd >= 0) parts.push(part.subarray(headerEnd + 4, part.length - 2))
    at = next
  }
  return parts
}

export interface GcsAuth {
  /** The subject token (an OIDC token from the workload's identity provider) the token endpoint accepts. */
  subjectToken: string
  /** The access token it hands out for it; every API request must then carry it as a bearer. */
  token: string
}

/**
 * Without `auth` no credentials are asked for, as an emulator behaves. With it, the server is also
 * the Security Token Service of Workload Identity Federation (POST /token, the token_url of an
 * external_account credential file): it exchanges the subject token for an access token, and
 * refuses API requests without that token (401).
 */
export async function startGcsStandIn(bucketNames: readonly string[], auth?: GcsAuth): Promise<GcsStandIn> {
  const buckets = new Map(bucketNames.map((b) => [b, new Map<string, GcsObject>()]))
  const sessions = new Map<string, GcsSession>()
  const operations: GcsOperation[] = []
  const contentRanges: string[] = []
  const failures = new Map<GcsOperation, {status: number | 'DROP'; afterBytes: number; skip: number}>()
  const holds = new Map<GcsOperation, {match: (name: string) => boolean; arrived: () => void}>()
  const corruptions: Array<(name: string) => boolean> = []
  const held: http.ServerResponse[] = []
  let generation = 1_700_000_000_000_000

  const state: GcsStandIn = {
    url: '',
    buckets,
    sessions,
    operations,
    contentRanges,
    pageSize: 1000,
    failNext: (op, status, {afterBytes = 0, skip = 0} = {}) => failures.set(op, {status, afterBytes, skip}),
    holdNext: (op, match = () => true) => new Promise((resolve) => holds.set(op, {match, arrived: resolve})),
    corruptNextDownload: (match = () => true) => corruptions.push(match),
    close: async () => undefined,
  }

  const resource = (bucket: string, name: string, o: GcsObject): Record<string, unknown> => ({
    kind: 'storage#object',
    id: `${bucket}/${name}/${o.generation}`,
    selfLink: `${state.url}/storage/v1/b/${bucket}/o/${encodeURIComponent(name)}`,
    mediaLink: `${state.url}/download/storage/v1/b/${bucket}/o/${encodeURIComponent(name)}?generation=${o.generation}&alt=media`,
    name,
    bucket,
    generation: String(o.generation),
    metageneration: '1',
    contentType: o.contentType,
    storageClass: 'STANDARD',
    size: String(o.body.length),
    md5Hash: o.md5Hash,
    crc32c: o.crc32c,
    etag: `C${o.generation}`,
    timeCreated: o.updated.toISOString(),
    updated: o.updated.toISOString(),
    ...(Object.keys(o.metadata).length > 0 ? {metadata: o.metadata} : {}),
  })

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const q = url.searchParams
    const method = req.method ?? 'GET'
    if (auth && url.pathname === '/token') return tokenEndpoint(req, res, auth)
    if (auth && req.headers.authorization !== `Bearer ${auth.token}`) {
      req.resume()
      res.writeHead(401, {'content-type': 'application/json; charset=UTF-8', 'www-authenticate': 'Bearer'})
      return res.end(JSON.stringify({error: {code: 401, message: 'Anonymous caller does not have storage access.'}}))
    }
    // The JSON API lives under /storage/v1 (apiEndpoint) or at the root (STORAGE_EMULATOR_HOST);
    // uploads under /upload/storage/v1, downloads also under /download/storage/v1.
    const upload = url.pathname.startsWith('/upload/storage/v1/')
    const pathname = url.pathname.replace(/^\/(upload|download)?\/?storage\/v1/, '')
    const match = /^\/b\/([^/]+)\/o(?:\/(.+))?$/.exec(pathname)
    const bucketName = match?.[1] ?? ''
    const objectName = match?.[2] === undefined ? undefined : decodeURIComponent(match[2])
    const op: GcsOperation = upload
      ? q.has('upload_id')
        ? /^bytes \*\//.test(String(req.headers['content-range'] ?? ''))
          ? 'ResumableStatus'
          : 'ResumableChunk'
        : q.get('uploadType') === 'resumable'
          ? 'ResumableStart'
          : 'MultipartUpload'
      : method === 'DELETE'
        ? 'Delete'
        : objectName === undefined
          ? 'List'
          : q.get('alt') === 'media'
            ? 'Download'
            : 'GetMetadata'
    operations.push(op)
    if (op === 'ResumableChunk' || op === 'ResumableStatus')
      contentRanges.push(String(req.headers['content-range'] ?? ''))
    const nameForFaults = objectName ?? q.get('name') ?? sessions.get(q.get('upload_id') ?? '')?.name ?? ''

    let failure = failures.get(op)
    if (failure && failure.skip > 0) {
      failure.skip--
      failure = undefined
    } else if (failure) failures.delete(op)
    const chunks: Buffer[] = []
    let length = 0
    req.on('data', (c: Buffer) => {
      chunks.push(c)
      length += c.length
      if (failure?.status === 'DROP' && length >= failure.afterBytes) req.socket.destroy()
    })
    req.on('end', () => {
      const json = (status: number, body: unknown, headers: Record<string, string | number> = {}): void => {
        res.writeHead(status, {'content-type': 'application/json; charset=UTF-8', ...headers})
        res.end(JSON.stringify(body))
      }
      const fail = (status: number, message: string): void =>
        json(status, {error: {code: status, message, errors: [{message, reason: reasonOf(status)}]}})

      const hold = holds.get(op)
      if (hold?.match(nameForFaults)) {
        holds.delete(op)
        held.push(res)
        hold.arrived()
        return
      }
      if (failure) {
        if (failure.status === 'DROP') return req.socket.destroy()
        return fail(failure.status, 'injected failure')
      }
      if (!match) return fail(404, `no route for ${method} ${url.pathname}`)
      const bucket = buckets.get(bucketName)
      if (!bucket) return fail(404, 'The specified bucket does not exist.')
      const body = Buffer.concat(chunks)

      /** Stores an object once its bytes match every hash the client declared. */
      const put = (
        name: string,
        data: Buffer,
        meta: Record<string, unknown>,
        declared: {crc32c?: string; md5?: string},
        ifGenerationMatch: number | undefined,
      ): void => {
        const md5Hash = md5Base64(data)
        const crc32c = crc32cBase64(data)
        const wantMd5 = declared.md5 ?? (meta.md5Hash as string | undefined)
        const wantCrc = declared.crc32c ?? (meta.crc32c as string | undefined)
        if (wantMd5 !== undefined && wantMd5 !== md5Hash)
          return fail(400, `Provided MD5 hash "${wantMd5}" doesn't match calculated MD5 hash "${md5Hash}".`)
        if (wantCrc !== undefined && wantCrc !== crc32c)
          return fail(400, `Provided CRC32C "${wantCrc}" doesn't match calculated CRC32C "${crc32c}".`)
        const existing = bucket.get(name)
        if (ifGenerationMatch !== undefined && (existing?.generation ?? 0) !== ifGenerationMatch)
          return fail(412, 'At least one of the pre-conditions you specified did not hold.')
        const object: GcsObject = {
          body: data,
          generation: ++generation,
          md5Hash,
          crc32c,
          contentType: (meta.contentType as string | undefined) ?? 'application/octet-stream',
          metadata: (meta.metadata as Record<string, string> | undefined) ?? {},
          updated: new Date(),
        }
        bucket.set(name, object)
        json(200, resource(bucketName, name, object))
      }
      const generationMatch = (): number | undefined =>
        q.has('ifGenerationMatch') ? Number(q.get('ifGenerationMatch')) : undefined

      switch (op) {
        case 'MultipartUpload': {
          if (q.get('uploadType') !== 'multipart') return fail(400, `unsupported uploadType ${q.get('uploadType')}`)
          const [metaPart, media] = multipartParts(body, String(req.headers['content-type'] ?? ''))
          if (!metaPart || !media) return fail(400, 'a multipart upload needs a metadata part and a media part')
          const meta = JSON.parse(metaPart.toString('utf8')) as Record<string, unknown>
          const name = (meta.name as string | undefined) ?? q.get('name')
          if (!name) return fail(400, 'Required: name')
          return put(name, media, meta, parseGoogHash(req.headers['x-goog-hash']), generationMatch())
        }
        case 'ResumableStart': {
          const meta = body.length > 0 ? (JSON.parse(body.toString('utf8')) as Record<string, unknown>) : {}
          const name = q.get('name') ?? (meta.name as string | undefined)
          if (!name) return fail(400, 'Required: name')
          const id = randomUUID()
          sessions.set(id, {
            bucket: bucketName,
            name,
            received: [],
            bytes: 0,
            metadata: {...meta, contentType: req.headers['x-upload-content-type'] ?? meta.contentType},
            ifGenerationMatch: generationMatch(),
            done: false,
          })
          const location = `${state.url}/upload/storage/v1/b/${bucketName}/o?uploadType=resumable&name=${encodeURIComponent(name)}&upload_id=${id}`
          res.writeHead(200, {location, 'x-guploader-uploadid': id, 'content-length': 0})
          return res.end()
        }
        case 'ResumableStatus':
        case 'ResumableChunk': {
          const session = sessions.get(q.get('upload_id') ?? '')
          if (!session) return fail(404, 'No such upload session.')
          const incomplete = (): void => {
            res.writeHead(308, {
              ...(session.bytes > 0 ? {range: `bytes=0-${session.bytes - 1}`} : {}),
              'content-length': 0,
              'x-guploader-uploadid': q.get('upload_id')!,
            })
            res.end()
          }
          const committed = (): GcsObject | undefined => (session.done ? bucket.get(session.name) : undefined)
          const range = String(req.headers['content-range'] ?? '')
          if (op === 'ResumableStatus') {
            const object = committed()
            return object ? json(200, resource(bucketName, session.name, object)) : incomplete()
          }
          if (session.done) return fail(400, 'This upload session is already finalized.')
          const parsed = /^bytes (\d+)-(\d+|\*)\/(\d+|\*)$/.exec(range)
          if (!parsed) return fail(400, `Failed to parse Content-Range header: ${range}`)
          const start = Number(parsed[1])
          const total = parsed[3] === '*' ? undefined : Number(parsed[3])
          // Open end (bytes N-*/T): the rest of the object in this request.
          const end = parsed[2] === '*' ? start + body.length - 1 : Number(parsed[2])
          if (end - start + 1 !== body.length)
            return fail(400, `Content-Range ${range} does not match the ${body.length} bytes sent`)
          if (start > session.bytes)
            return fail(
              400,
              `Invalid request. Content-Range starts at ${start} but only ${session.bytes} bytes were received.`,
            )
          // Bytes already committed are skipped, as GCS does when a client resends them.
          const fresh = body.subarray(session.bytes - start)
          const last = total !== undefined && end + 1 === total
          if (!last && parsed[2] !== '*' && (end + 1) % QUANTUM !== 0)
            return fail(400, 'Invalid request. A chunk that is not the last must be a multiple of 256 KiB.')
          session.received.push(fresh)
          session.bytes += fresh.length
          if (!last && parsed[2] !== '*') return incomplete()
          const data = Buffer.concat(session.received)
          if (total !== undefined && data.length !== total)
            return fail(400, `expected ${total} bytes, got ${data.length}`)
          session.done = true
          return put(
            session.name,
            data,
            session.metadata,
            parseGoogHash(req.headers['x-goog-hash']),
            session.ifGenerationMatch,
          )
        }
        case 'Download':
        case 'GetMetadata': {
          const object = bucket.get(objectName!)
          if (!object) return fail(404, `No such object: ${bucketName}/${objectName}`)
          if (op === 'GetMetadata') return json(200, resource(bucketName, objectName!, object))
          let data = object.body
          const corrupt = corruptions.findIndex((m) => m(objectName!))
          if (corrupt >= 0 && data.length > 0) {
            corruptions.splice(corrupt, 1)
            data = Buffer.from(data)
            data[Math.floor(data.length / 2)]! ^= 0xff
          }
          res.writeHead(200, {
            'content-type': object.contentType,
            'content-length': data.length,
            'x-goog-hash': `crc32c=${object.crc32c},md5=${object.md5Hash}`,
            'x-goog-generation': String(object.generation),
            'x-goog-stored-content-length': object.body.length,
            'x-goog-stored-content-encoding': 'identity',
            etag: `C${object.generation}`,
          })
          return res.end(data)
        }
        case 'List': {
          const prefix = q.get('prefix') ?? ''
          const delimiter = q.get('delimiter') ?? ''
          const size = Number(q.get('maxResults') ?? state.pageSize)
          const items: string[] = []
          const prefixes = new Set<string>()
          for (const name of [...bucket.keys()].filter((k) => k.startsWith(prefix)).sort()) {
            const cut = delimiter ? name.indexOf(delimiter, prefix.length) : -1
            if (cut >= 0) prefixes.add(name.slice(0, cut + 1))
            else items.push(name)
          }
          const start = Number(q.get('pageToken') ?? '0')
          const page = items.slice(start, start + size)
          const next = start + size < items.length ? String(start + size) : undefined
          return json(200, {
            kind: 'storage#objects',
            ...(page.length > 0 ? {items: page.map((n) => resource(bucketName, n, bucket.get(n)!))} : {}),
            ...(start === 0 && prefixes.size > 0 ? {prefixes: [...prefixes]} : {}),
            ...(next ? {nextPageToken: next} : {}),
          })
        }
        case 'Delete': {
          if (!bucket.delete(objectName!)) return fail(404, `No such object: ${bucketName}/${objectName}`)
          res.writeHead(204)
          return res.end()
        }
      }
    })
  })
  Object.assign(state, await listenLocal(server, held))
  return state
}

/** The STS token exchange (RFC 8693), as Google's sts.googleapis.com answers it. */
function tokenEndpoint(req: http.IncomingMessage, res: http.ServerResponse, auth: GcsAuth): void {
  let body = ''
  req.on('data', (c: Buffer) => (body += c.toString()))
  req.on('end', () => {
    const form = new URLSearchParams(body)
    const granted =
      form.get('grant_type') === 'urn:ietf:params:oauth:grant-type:token-exchange' &&
      form.get('subject_token') === auth.subjectToken
    res.writeHead(granted ? 200 : 400, {'content-type': 'application/json'})
    res.end(
      JSON.stringify(
        granted
          ? {
              access_token: auth.token,
              issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
              token_type: 'Bearer',
              expires_in: 3599,
            }
          : {error: 'invalid_grant', error_description: 'The subject token is not valid.'},
      ),
    )
  })
}

function reasonOf(status: number): string {
  if (status === 404) return 'notFound'
  if (status === 412) return 'conditionNotMet'
  if (status === 503) return 'backendError'
  if (status === 429) return 'rateLimitExceeded'
  return 'invalid'
}
