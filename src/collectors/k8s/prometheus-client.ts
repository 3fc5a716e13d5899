import fs from 'node:fs'

import {FinopsError, redact, usageError} from '../../errors.js'

/** How to authenticate to Prometheus; secrets live only in memory for the run. */
export interface PrometheusAuth {
  bearerToken?: string
  username?: string
  password?: string
}

export interface PrometheusSeries {
  metric: Record<string, string>
  /** [unix seconds, value as string] */
  values?: [number, string][]
  value?: [number, string]
}

/** The two calls we make; small so tests and other collectors can use it. */
export interface PrometheusApi {
  queryRange(query: string, start: number, end: number, stepSeconds: number): Promise<PrometheusSeries[]>
  query(query: string, time: number): Promise<PrometheusSeries[]>
}

/** Resolves auth from flags / env / files; the token itself is never stored or printed. */
export function resolvePrometheusAuth(
  options: {
    bearerToken?: string
    bearerTokenFile?: string
    bearerTokenEnv?: string
    username?: string
    password?: string
    passwordEnv?: string
  },
  env: NodeJS.ProcessEnv = process.env,
): PrometheusAuth {
  let bearerToken = options.bearerToken
  if (!bearerToken && options.bearerTokenFile) {
    try {
      bearerToken = fs.readFileSync(options.bearerTokenFile, 'utf8').trim()
    } catch (error) {
      throw usageError(
        `cannot read the Prometheus bearer token file ${options.bearerTokenFile}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
        'check --bearer-token-file',
      )
    }
  }
  if (!bearerToken && options.bearerTokenEnv) bearerToken = env[options.bearerTokenEnv] || undefined
  const password = options.password ?? (options.passwordEnv ? env[options.passwordEnv] : undefined)
  if (options.username && password === undefined)
    throw usageError(
      '--username needs a password',
      'set --password-env NAME (the variable holding it) or FINOPS_PROMETHEUS_PASSWORD',
    )
  return {bearerToken, username: options.username, password}
}

/**
 * A minimal Prometheus HTTP API client over fetch: range and instant queries sent as form POSTs
 * (long selectors do not fit a URL), bounded by a timeout, with errors that name the server but
 * never the credentials.
 */
export function createPrometheusClient(baseUrl: string, auth: PrometheusAuth, timeoutSeconds: number): PrometheusApi {
  let url: URL
  try {
    url = new URL(baseUrl)
  } catch {
    throw usageError(
      `--prometheus ${redact(baseUrl)}: not a URL`,
      'for example --prometheus http://prometheus.monitoring:9090',
    )
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw usageError(`--prometheus ${redact(baseUrl)}: expected an http(s) URL`)
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
  const headers: Record<string, string> = {
    'Content-Type': 'application/x-www-form-urlencoded',
    Accept: 'application/json',
  }
  const user = auth.username ?? urlUser
  const password = auth.password ?? urlPassword
  if (auth.bearerToken) headers.Authorization = `Bearer ${auth.bearerToken}`
  else if (user !== undefined)
    headers.Authorization = `Basic ${Buffer.from(`${user}:${password ?? ''}`).toString('base64')}`

  const call = async (path: string, params: Record<string, string>): Promise<PrometheusSeries[]> => {
    let response: Response
    try {
      response = await fetch(`${base}${path}${search}`, {
        method: 'POST',
        headers,
        body: new URLSearchParams(params),
        signal: AbortSignal.timeout(timeoutSeconds * 1000),
      })
    } catch (error) {
      const e = error as {name?: string; cause?: {code?: string; message?: string}; message?: string}
      const why =
        e.name === 'TimeoutError'
          ? `no answer within ${timeoutSeconds}s`
          : (e.cause?.code ?? e.cause?.message ?? e.message ?? String(error))
      throw new FinopsError(`cannot reach Prometheus at ${base}: ${why}`, {
        code: 'PROMETHEUS_UNREACHABLE',
        exit: 'remote',
        suggestion: 'check --prometheus (e.g. kubectl port-forward svc/prometheus 9090) and retry',
        cause: error,
      })
    }
    const text = await response.text()
    if (response.status === 401 || response.status === 403) {
      throw new FinopsError(`Prometheus at ${base} refused the request (${response.status})`, {
        code: 'PROMETHEUS_AUTH',
        exit: 'auth',
        suggestion: 'check --bearer-token-file / --bearer-token-env or --username / --password-env',
      })
    }
    let body: {status?: string; error?: string; errorType?: string; data?: {result?: PrometheusSeries[]}}
    try {
      body = JSON.parse(text)
    } catch {
      throw new FinopsError(
        `Prometheus at ${base} answered ${response.status} with something that is not its JSON API (${redact(text.slice(0, 80))})`,
        {
          code: 'PROMETHEUS_REMOTE',
          exit: 'remote',
          suggestion: 'point --prometheus at the Prometheus base URL (without /api/v1)',
        },
      )
    }
    if (!response.ok || body.status !== 'success') {
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

  return {
    queryRange: (query, start, end, step) =>
      call('/api/v1/query_range', {query, start: String(start), end: String(end), step: String(step)}),
    query: (query, time) => call('/api/v1/query', {query, time: String(time)}),
  }
}
