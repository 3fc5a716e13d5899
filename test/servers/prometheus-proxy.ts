/**
 * A reverse proxy in front of the real Prometheus that enforces what hosted and multi-tenant
 * Prometheus front doors enforce: TLS with a private CA, client certificates (mutual TLS), a
 * tenant header, a bearer token that can rotate, basic auth, and AWS SigV4 (Amazon Managed
 * Prometheus: `/workspaces/ID/api/v1/...`). The SigV4 check is written here from the AWS
 * specification (canonical request, string to sign, derived key), independently of the signer
 * finops uses. Every request is recorded with the verdict.
 */
import {createHash, createHmac, timingSafeEqual} from 'node:crypto'
import fs from 'node:fs'
import http from 'node:http'
import https from 'node:https'
import type {AddressInfo} from 'node:net'

export interface ProxyRules {
  /** Headers every request must carry with exactly this value, or one of these values (tenants: X-Scope-OrgID). */
  requireHeaders?: Record<string, string | readonly string[]>
  /** The bearer token accepted for this request (called per request, so it can rotate). */
  bearer?: (requestIndex: number) => string
  basic?: {username: string; password: string}
  sigv4?: {accessKeyId: string; secretAccessKey: string; region: string; service: string}
  /** Serve HTTPS with this certificate; with clientCa, a client certificate signed by it is required. */
  tls?: {keyFile: string; certFile: string; clientCaFile?: string}
  /** A path prefix stripped before forwarding (AMP: /workspaces/ws-1). */
  prefix?: string
}

export interface ProxiedRequest {
  index: number
  method: string
  path: string
  headers: http.IncomingHttpHeaders
  status: number
  reason: string
}

export interface PrometheusProxy {
  url: string
  requests: ProxiedRequest[]
  close: () => Promise<void>
}

const sha256hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex')
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest()
// RFC 3986 unreserved characters stay; everything else is %XX (upper case), as SigV4 requires.
const uriEncode = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)

/** Verifies an AWS SigV4 Authorization header; returns why not, or undefined when it is valid. */
export function verifySigV4(
  request: {method: string; url: URL; headers: http.IncomingHttpHeaders; body: Buffer},
  rules: NonNullable<ProxyRules['sigv4']>,
  now = Date.now(),
): string | undefined {
  const authorization = String(request.headers.authorization ?? '')
  const m =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(
      authorization,
    )
  if (!m) return 'no SigV4 Authorization header'
  const [, keyId, date, region, service, signedHeaderList, signature] = m as unknown as string[]
  if (keyId !== rules.accessKeyId) return 'unknown access key'
  if (region !== rules.region || service !== rules.service) return `wrong scope ${region}/${service}`
  const amzDate = String(request.headers['x-amz-date'] ?? '')
  if (!/^\d{8}T\d{6}Z$/.test(amzDate) || amzDate.slice(0, 8) !== date) return 'bad x-amz-date'
  const signedAt = Date.UTC(
    +amzDate.slice(0, 4),
    +amzDate.slice(4, 6) - 1,
    +amzDate.slice(6, 8),
    +amzDate.slice(9, 11),
    +amzDate.slice(11, 13),
    +amzDate.slice(13, 15),
  )
  if (Math.abs(now - signedAt) > 15 * 60_000) return 'signature expired'
  const signedHeaders = signedHeaderList!.split(';')
  if (!signedHeaders.includes('host') || !signedHeaders.includes('x-amz-date'))
    return 'host and x-amz-date must be signed'
  const canonicalHeaders = signedHeaders.map((h) => {
    const v = request.headers[h]
    if (v === undefined) return undefined
    return `${h}:${(Array.isArray(v) ? v.join(',') : v).trim().replace(/\s+/g, ' ')}\n`
  })
  if (canonicalHeaders.includes(undefined)) return 'a signed header is missing'
  const path = request.url.pathname
    .split('/')
    .map((seg) => uriEncode(uriEncode(decodeURIComponent(seg))))
    .join('/')
  const query = [...request.url.searchParams]
    .map(([k, v]) => [uriEncode(k), uriEncode(v)] as const)
    .sort((a, b) => (a[0] === b[0] ? (a[1] < b[1] ? -1 : 1) : a[0] < b[0] ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&')
  const payloadHash = sha256hex(request.body)
  const claimed = request.headers['x-amz-content-sha256']
  if (claimed !== undefined && claimed !== payloadHash) return 'payload hash mismatch'
  const canonicalRequest = [request.method, path, query, canonicalHeaders.join(''), signedHeaderList, payloadHash].join(
    '\n',
  )
  const scope = `${date}/${region}/${service}/aws4_request`
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256hex(canonicalRequest)].join('\n')
  const key = hmac(hmac(hmac(hmac(`AWS4${rules.secretAccessKey}`, date!), region!), service!), 'aws4_request')
  const expected = hmac(key, stringToSign)
  const given = Buffer.from(signature!, 'hex')
  return given.length === expected.length && timingSafeEqual(given, expected) ? undefined : 'signature does not match'
}

/** Starts the proxy on 127.0.0.1 in front of `target` (the real Prometheus' base URL). */
export async function startPrometheusProxy(target: string, rules: ProxyRules): Promise<PrometheusProxy> {
  const requests: ProxiedRequest[] = []
  const upstream = new URL(target)
  const listener = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks)
      const url = new URL(req.url ?? '/', 'http://proxy')
      const index = requests.length
      const refuse = (status: number, reason: string) => {
        requests.push({index, method: req.method ?? '', path: url.pathname, headers: req.headers, status, reason})
        res.writeHead(status, {'Content-Type': 'text/plain'})
        res.end(`${status === 401 ? 'Unauthorized' : 'Forbidden'}: ${reason}\n`)
      }
      for (const [name, value] of Object.entries(rules.requireHeaders ?? {})) {
        const got = req.headers[name.toLowerCase()]
        if (got === undefined) return refuse(401, `no ${name} header`)
        if (!(typeof value === 'string' ? [value] : value).includes(String(got))) return refuse(403, `wrong ${name}`)
      }
      if (rules.bearer) {
        const expected = rules.bearer(index)
        if (req.headers.authorization !== `Bearer ${expected}`) return refuse(401, 'bad or missing bearer token')
      }
      if (rules.basic) {
        const expected = `Basic ${Buffer.from(`${rules.basic.username}:${rules.basic.password}`).toString('base64')}`
        if (req.headers.authorization !== expected) return refuse(401, 'bad or missing basic auth')
      }
      if (rules.sigv4) {
        const why = verifySigV4({method: req.method ?? '', url, headers: req.headers, body}, rules.sigv4)
        if (why) return refuse(403, why)
      }
      let path = url.pathname
      if (rules.prefix) {
        if (!path.startsWith(`${rules.prefix}/`)) return refuse(403, 'outside the workspace prefix')
        path = path.slice(rules.prefix.length)
      }
      requests.push({
        index,
        method: req.method ?? '',
        path: url.pathname,
        headers: req.headers,
        status: 200,
        reason: 'forwarded',
      })
      const forward = http.request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: `${upstream.pathname.replace(/\/$/, '')}${path}`,
          headers: {'content-type': String(req.headers['content-type'] ?? ''), 'content-length': String(body.length)},
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, {
            'Content-Type': String(answer.headers['content-type'] ?? 'application/json'),
          })
          answer.pipe(res)
        },
      )
      forward.on('error', (error) => {
        res.writeHead(502)
        res.end(String(error))
      })
      forward.end(body)
    })
  }
  const server = rules.tls
    ? https.createServer(
        {
          key: fs.readFileSync(rules.tls.keyFile),
          cert: fs.readFileSync(rules.tls.certFile),
          ca: rules.tls.clientCaFile ? fs.readFileSync(rules.tls.clientCaFile) : undefined,
          requestCert: Boolean(rules.tls.clientCaFile),
          rejectUnauthorized: Boolean(rules.tls.clientCaFile),
        },
        listener,
      )
    : http.createServer(listener)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    url: `${rules.tls ? 'https' : 'http'}://127.0.0.1:${port}${rules.prefix ?? ''}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.()
        server.close(() => resolve())
      }),
  }
}
