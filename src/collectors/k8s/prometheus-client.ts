import {type ErrorText, FinopsError, redact, usageError} from '../../errors.js'
import {type PrometheusAccess, PROMETHEUS_INPUTS as I} from './prometheus-access.js'
import {scanMatrix, type SeriesSink} from './prometheus-matrix.js'
import {createFormPoster} from './prometheus-transport.js'

export interface PrometheusSeries {
  metric: Record<string, string>
  /** [unix seconds, value as string] */
  values?: [number, string][]
  value?: [number, string]
}

/** The two calls we make; small so tests and other collectors can use it. */
export interface PrometheusApi {
  queryRange(query: string, start: number, end: number, stepSeconds: number): Promise<PrometheusSeries[]>
  /** A range query whose points go to `sink` as the answer is read, never held as objects; resolves to the series count. */
  eachRange(query: string, start: number, end: number, stepSeconds: number, sink: SeriesSink): Promise<number>
  query(query: string, time: number): Promise<PrometheusSeries[]>
  /** Releases kept-alive connections (the process may otherwise linger until they time out). */
  close?(): void
}

/**
 * A minimal Prometheus HTTP API client: range and instant queries sent as form POSTs (long
 * selectors do not fit a URL), bounded by a timeout, with errors that name the server but never
 * the credentials.
 */
export function createPrometheusClient(access: PrometheusAccess): PrometheusApi {
  const baseUrl = access.url
  const timeoutSeconds = access.timeoutSeconds
  let url: URL
  try {
    url = new URL(baseUrl)
  } catch {
    throw usageError(
      (n) => `${n(I.url)} ${redact(baseUrl)}: not a URL`,
      'for example http://prometheus.monitoring:9090',
    )
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw usageError((n) => `${n(I.url)} ${redact(baseUrl)}: expected an http(s) URL`)
  // Credentials in the URL become basic auth and are removed from anything we print.
  const urlUser = url.username ? decodeURIComponent(url.username) : undefined
  const urlPassword = url.password ? decodeURIComponent(url.password) : undefined
  url.username = ''
  url.password = ''
  // Query parameters (a tenant, a proxy's key) go after the API path, and are kept out of messages.
  const search = url.search
  url.search = ''
  url.hash = ''
  const base = url.toString().replace(/\/$/, '')
  const user = access.username ?? urlUser
  const password = access.password ?? urlPassword
  const transport = createFormPoster(
    access,
    user !== undefined && !access.sigv4 ? {username: user, password: password ?? ''} : undefined,
  )

  // A successful answer of the API starts so; anything else (errors, proxies' pages) goes through JSON.parse.
  const SUCCESS = /^\s*\{\s*"status"\s*:\s*"success"/
  const call = async (
    path: string,
    params: Record<string, string>,
    sink?: SeriesSink,
  ): Promise<PrometheusSeries[] | number> => {
    let response: {status: number; text: string}
    try {
      response = await transport.post(new URL(`${base}${path}${search}`), new URLSearchParams(params))
    } catch (error) {
      if (error instanceof FinopsError) throw error
      throw unreachable(base, error, timeoutSeconds, access)
    }
    const text = response.text
    if (sink && response.status >= 200 && response.status < 300 && SUCCESS.test(text)) {
      try {
        return scanMatrix(text, sink)
      } catch {
        throw notTheApi(base, response.status, text)
      }
    }
    if (response.status === 401 || response.status === 403) {
      throw new FinopsError(`Prometheus at ${base} refused the request (${response.status})`, {
        code: 'PROMETHEUS_AUTH',
        exit: 'auth',
        suggestion: authSuggestion(access),
      })
    }
    let body: {status?: string; error?: string; errorType?: string; data?: {result?: PrometheusSeries[]}}
    try {
      body = JSON.parse(text)
    } catch {
      throw notTheApi(base, response.status, text)
    }
    if (!(response.status >= 200 && response.status < 300) || body.status !== 'success') {
      throw new FinopsError(
        `Prometheus at ${base} answered ${response.status}: ${body.errorType ?? 'error'}: ${redact(body.error ?? 'no message')}`,
        {
          code: 'PROMETHEUS_REMOTE',
          exit: 'remote',
          suggestion: 'lower kubernetes.prometheus.maxSeriesPerQuery if the query hit a limit, then retry',
        },
      )
    }
    return body.data?.result ?? []
  }

  const range = (query: string, start: number, end: number, step: number) => ({
    query,
    start: String(start),
    end: String(end),
    step: String(step),
  })
  return {
    queryRange: async (query, start, end, step) =>
      (await call('/api/v1/query_range', range(query, start, end, step))) as PrometheusSeries[],
    eachRange: async (query, start, end, step, sink) => {
      const answer = await call('/api/v1/query_range', range(query, start, end, step), sink)
      if (typeof answer === 'number') return answer
      // An answer that failed to stream was parsed whole (and raised its error) above; this is its data.
      for (const series of answer) {
        const point = sink(series.metric)
        if (point) for (const [t, v] of series.values ?? []) point(t, Number(v))
      }
      return answer.length
    },
    query: async (query, time) => (await call('/api/v1/query', {query, time: String(time)})) as PrometheusSeries[],
    close: transport.close,
  }
}

const notTheApi = (base: string, status: number, text: string): FinopsError =>
  new FinopsError(
    `Prometheus at ${base} answered ${status} with something that is not its JSON API (${redact(text.slice(0, 80))})`,
    {
      code: 'PROMETHEUS_REMOTE',
      exit: 'remote',
      suggestion: (n) => `point ${n(I.url)} at the Prometheus base URL (without /api/v1)`,
    },
  )

const authSuggestion = (access: PrometheusAccess): ErrorText =>
  access.sigv4
    ? 'check the AWS identity (AWS_PROFILE, IRSA) has aps:QueryMetrics on the workspace and the region is right'
    : Object.keys(access.headers).length > 0
      ? (n) =>
          `check ${n(I.bearerTokenFile)} / ${n(I.bearerTokenEnv)}, ${n(I.username)} / ${n(I.passwordEnv)} and the ${n(I.header)} values (tenant id)`
      : (n) => `check ${n(I.bearerTokenFile)} / ${n(I.bearerTokenEnv)} or ${n(I.username)} / ${n(I.passwordEnv)}`

// TLS failures get a hint about which TLS setting to look at.
const TLS_HINTS: [RegExp, ErrorText][] = [
  [
    /SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|CERT_UNTRUSTED|unable to verify/i,
    (n) => `the server certificate is not trusted: pass its CA with ${n(I.caFile)}`,
  ],
  [
    /ALTNAME|Hostname\/IP does not match/i,
    "the server certificate does not name this host: set kubernetes.prometheus.serverName to the certificate's name",
  ],
  [/CERT_HAS_EXPIRED|expired/i, 'the server certificate has expired'],
  [
    /certificate required|alert handshake|bad certificate|unknown ca|EPROTO|ECONNRESET/i,
    (n) => `the server may require a client certificate: pass ${n(I.certFile)} and ${n(I.keyFile)}`,
  ],
]

function unreachable(base: string, error: unknown, timeoutSeconds: number, access: PrometheusAccess): FinopsError {
  const e = error as {name?: string; code?: string; message?: string; cause?: {code?: string; message?: string}}
  const why =
    e.name === 'TimeoutError'
      ? `no answer within ${timeoutSeconds}s`
      : (e.code ?? e.cause?.code ?? e.message ?? String(error))
  const text = `${e.code ?? ''} ${e.message ?? ''}`
  const hint = base.startsWith('https:') ? TLS_HINTS.find(([pattern]) => pattern.test(text)) : undefined
  // A client-certificate hint is no help when one was given.
  const clientCertHint = hint && !(hint === TLS_HINTS[3] && access.tls.certFile) ? hint[1] : undefined
  return new FinopsError(`cannot reach Prometheus at ${base}: ${redact(why)}`, {
    code: 'PROMETHEUS_UNREACHABLE',
    exit: 'remote',
    suggestion:
      clientCertHint ?? ((n) => `check ${n(I.url)} (e.g. kubectl port-forward svc/prometheus 9090) and retry`),
    cause: error,
  })
}
