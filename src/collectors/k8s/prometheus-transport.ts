import {isAscii} from 'node:buffer'
import {createHash, createHmac} from 'node:crypto'
import fs from 'node:fs'
import http from 'node:http'
import https from 'node:https'

import {defaultProvider} from '@aws-sdk/credential-provider-node'
import {SignatureV4} from '@smithy/signature-v4'

import {FinopsError} from '../../errors.js'
import {type PrometheusAccess, PROMETHEUS_INPUTS, type PrometheusTls} from './prometheus-access.js'

/** One HTTP answer, whole (Prometheus API answers are JSON documents). */
export interface HttpAnswer {
  status: number
  text: string
}

/** Posts a form and returns the answer: TLS, auth and headers applied, bounded by the timeout. */
export type FormPoster = (url: URL, form: URLSearchParams) => Promise<HttpAnswer>

/**
 * A TLS agent built from files, rebuilt when one of them changes on disk (cert-manager and
 * projected volumes rotate certificates while a long run is under way).
 */
class TlsFiles {
  private agent?: https.Agent
  private stamp = ''

  constructor(private readonly tls: PrometheusTls) {}

  agentFor(): https.Agent {
    const files = [this.tls.caFile, this.tls.certFile, this.tls.keyFile]
    const stamp = files.map((f) => (f ? `${f}@${fs.statSync(f).mtimeMs}` : '')).join('|')
    if (!this.agent || stamp !== this.stamp) {
      this.agent?.destroy()
      this.agent = new https.Agent({
        keepAlive: true,
        ca: this.tls.caFile ? fs.readFileSync(this.tls.caFile) : undefined,
        cert: this.tls.certFile ? fs.readFileSync(this.tls.certFile) : undefined,
        key: this.tls.keyFile ? fs.readFileSync(this.tls.keyFile) : undefined,
        rejectUnauthorized: !this.tls.insecureSkipVerify,
        servername: this.tls.serverName,
      })
      this.stamp = stamp
    }
    return this.agent
  }

  close(): void {
    this.agent?.destroy()
  }
}

/** SHA-256 (or HMAC-SHA-256 with a secret) in the shape the SigV4 signer asks for. */
type SourceData = string | ArrayBuffer | ArrayBufferView

const toBuffer = (data: SourceData): Buffer =>
  typeof data === 'string'
    ? Buffer.from(data, 'utf8')
    : ArrayBuffer.isView(data)
      ? Buffer.from(data.buffer, data.byteOffset, data.byteLength)
      : Buffer.from(data)

class Sha256 {
  private hash: ReturnType<typeof createHash> | ReturnType<typeof createHmac>
  private readonly secret?: Buffer
  constructor(secret?: SourceData) {
    this.secret = secret === undefined ? undefined : toBuffer(secret)
    this.hash = this.fresh()
  }
  private fresh() {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', this.secret)
  }
  update(data: SourceData): void {
    this.hash.update(toBuffer(data))
  }
  reset(): void {
    this.hash = this.fresh()
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest())
  }
}

/** Reads the bearer token for this request: a file is read again every time (tokens rotate). */
function bearerFor(access: PrometheusAccess): string | undefined {
  if (!access.bearerTokenFile) return access.bearerToken
  let token: string
  try {
    token = fs.readFileSync(access.bearerTokenFile, 'utf8').trim()
  } catch (error) {
    throw new FinopsError(
      `cannot read the Prometheus bearer token file ${access.bearerTokenFile}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      {
        code: 'PROMETHEUS_AUTH',
        exit: 'auth',
        suggestion: (n) => `check ${n(PROMETHEUS_INPUTS.bearerTokenFile)} (it is read before every request)`,
      },
    )
  }
  if (!token)
    throw new FinopsError(`the Prometheus bearer token file ${access.bearerTokenFile} is empty`, {
      code: 'PROMETHEUS_AUTH',
      exit: 'auth',
      suggestion: (n) => `check ${n(PROMETHEUS_INPUTS.bearerTokenFile)} (it is read before every request)`,
    })
  return token
}

/**
 * An answer's text. Range answers run to megabytes of ASCII (labels are rarely anything else), and
 * copying bytes as latin1 is several times faster than UTF-8 decoding, which gives the same string.
 */
const decode = (body: Buffer): string => body.toString(isAscii(body) ? 'latin1' : 'utf8')

/**
 * The HTTP layer of the Prometheus client, on node:http(s) so a CA bundle, a client certificate
 * and SigV4 signing can be applied per request. Credentials in the URL become basic auth.
 */
export function createFormPoster(
  access: PrometheusAccess,
  basic?: {username: string; password: string},
): {
  post: FormPoster
  close: () => void
} {
  const tls = new TlsFiles(access.tls)
  const httpAgent = new http.Agent({keepAlive: true})
  const signer = access.sigv4
    ? new SignatureV4({
        credentials: defaultProvider(),
        region: access.sigv4.region,
        service: access.sigv4.service,
        sha256: Sha256,
      })
    : undefined

  const post: FormPoster = async (url, form) => {
    const body = form.toString()
    let headers: Record<string, string> = {
      ...access.headers,
      'Content-Type': 'application/x-www-form-urlencoded',
      Accept: 'application/json',
      'Content-Length': String(Buffer.byteLength(body)),
    }
    const bearer = bearerFor(access)
    if (bearer) headers.Authorization = `Bearer ${bearer}`
    else if (basic)
      headers.Authorization = `Basic ${Buffer.from(`${basic.username}:${basic.password}`).toString('base64')}`
    if (signer) {
      const query: Record<string, string> = {}
      for (const [k, v] of url.searchParams) query[k] = v
      let signed
      try {
        signed = await signer.sign({
          method: 'POST',
          protocol: url.protocol,
          hostname: url.hostname,
          port: url.port ? Number(url.port) : undefined,
          path: url.pathname,
          query,
          headers: {...headers, host: url.host},
          body,
        })
      } catch (error) {
        throw new FinopsError(
          `no AWS credentials to sign Prometheus requests: ${(error as Error).message.split('\n')[0]}`,
          {
            code: 'PROMETHEUS_AUTH',
            exit: 'auth',
            suggestion:
              'set AWS_PROFILE or AWS credentials (IRSA / EKS Pod Identity in the cluster) with aps:QueryMetrics on the workspace',
            cause: error,
          },
        )
      }
      headers = signed.headers as Record<string, string>
    }
    return new Promise<HttpAnswer>((resolve, reject) => {
      const secure = url.protocol === 'https:'
      const request = (secure ? https : http).request(
        url,
        {
          method: 'POST',
          headers,
          agent: secure ? tls.agentFor() : httpAgent,
          timeout: access.timeoutSeconds * 1000,
        },
        (response) => {
          const chunks: Buffer[] = []
          response.on('data', (c: Buffer) => chunks.push(c))
          response.on('end', () => resolve({status: response.statusCode ?? 0, text: decode(Buffer.concat(chunks))}))
          response.on('error', reject)
        },
      )
      request.on('timeout', () => request.destroy(Object.assign(new Error('timeout'), {name: 'TimeoutError'})))
      request.on('error', reject)
      request.end(body)
    })
  }
  return {
    post,
    close: () => {
      tls.close()
      httpAgent.destroy()
    },
  }
}
