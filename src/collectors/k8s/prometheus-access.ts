import fs from 'node:fs'

import {type ErrorText, type UserInput, usageError} from '../../errors.js'

/** The inputs these errors talk about: a flag at the command line, a finops.yaml field elsewhere. */
export const PROMETHEUS_INPUTS = {
  url: {key: 'prometheus', label: 'kubernetes.prometheus.url'},
  header: {key: 'prometheus-header', label: 'kubernetes.prometheus.headers'},
  bearerTokenFile: {key: 'bearer-token-file', label: 'kubernetes.prometheus.bearerTokenFile'},
  bearerTokenEnv: {key: 'bearer-token-env', label: 'kubernetes.prometheus.bearerTokenEnv'},
  username: {key: 'username', label: 'kubernetes.prometheus.username'},
  passwordEnv: {key: 'password-env', label: 'kubernetes.prometheus.passwordEnv'},
  caFile: {key: 'prometheus-ca-file', label: 'kubernetes.prometheus.caFile'},
  certFile: {key: 'prometheus-cert-file', label: 'kubernetes.prometheus.certFile'},
  keyFile: {key: 'prometheus-key-file', label: 'kubernetes.prometheus.keyFile'},
  sigv4: {key: 'sigv4', label: 'kubernetes.prometheus.sigv4'},
  sigv4Region: {key: 'sigv4-region', label: 'kubernetes.prometheus.sigv4.region'},
} satisfies Record<string, UserInput>
const I = PROMETHEUS_INPUTS

/**
 * Everything needed to talk to one Prometheus-compatible endpoint (Prometheus, Thanos, Mimir,
 * Cortex, VictoriaMetrics, Amazon Managed Prometheus, a proxy in front of any of them). Secrets
 * live only in memory for the run: header values, tokens and passwords are never printed.
 */
export interface PrometheusAccess {
  /** Base URL (path prefix and query parameters kept; credentials in it become basic auth). */
  url: string
  /** Sent with every request, e.g. `X-Scope-OrgID` for a multi-tenant Mimir or Cortex. */
  headers: Record<string, string>
  /** A bearer token fixed for the run. */
  bearerToken?: string
  /** A file holding the bearer token, read again before every request (projected tokens rotate). */
  bearerTokenFile?: string
  username?: string
  password?: string
  tls: PrometheusTls
  /** Amazon Managed Service for Prometheus: requests are signed with AWS SigV4. */
  sigv4?: {region: string; service: string}
  timeoutSeconds: number
}

export interface PrometheusTls {
  /** PEM bundle of the CAs to trust (instead of the system's). */
  caFile?: string
  /** Client certificate and key (PEM) for mutual TLS. */
  certFile?: string
  keyFile?: string
  /** Accept any server certificate: only for a test setup, never the default. */
  insecureSkipVerify?: boolean
  /** The name to verify the server certificate against when the URL uses an IP or another name. */
  serverName?: string
}

/** What flags and `kubernetes.prometheus` in finops.yaml say; flags win field by field. */
export interface PrometheusAccessInput {
  url: string
  /** `Name: value` pairs from --prometheus-header (repeatable). */
  headerFlags?: readonly string[]
  /** Header name -> value from finops.yaml (for non-secret headers such as a tenant id). */
  headers?: Record<string, string>
  /** Header name -> environment variable holding its value (for secret headers). */
  headersFromEnv?: Record<string, string>
  bearerTokenFile?: string
  /** A variable named by the user: it must be set. */
  bearerTokenEnv?: string
  /** A variable used when set and no other authentication is given (FINOPS_PROMETHEUS_TOKEN). */
  defaultBearerTokenEnv?: string
  username?: string
  passwordEnv?: string
  caFile?: string
  certFile?: string
  keyFile?: string
  insecureSkipVerify?: boolean
  serverName?: string
  sigv4?: boolean
  sigv4Region?: string
  sigv4Service?: string
  timeoutSeconds: number
}

// RFC 9110 token characters: what a header name may contain.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
// Headers the client sets itself; overriding them would break the request or its signature.
const RESERVED_HEADERS = new Set(['content-type', 'content-length', 'host', 'accept', 'transfer-encoding'])

/** Parses `Name: value`, the form curl's -H takes. */
export function parseHeaderFlag(raw: string): [string, string] {
  const colon = raw.indexOf(':')
  const name = colon > 0 ? raw.slice(0, colon).trim() : ''
  if (!name || !HEADER_NAME.test(name))
    throw usageError(
      (n) => `${n(I.header)} ${JSON.stringify(redactHeaderFlag(raw))}: expected "Name: value"`,
      'for example "X-Scope-OrgID: team-a"',
    )
  return [name, raw.slice(colon + 1).trim()]
}

// The flag's value may be a secret: only its name part is ever shown.
const redactHeaderFlag = (raw: string): string => {
  const colon = raw.indexOf(':')
  return colon > 0 ? `${raw.slice(0, colon)}: ****` : raw.length > 24 ? `${raw.slice(0, 8)}...` : raw
}

const checkHeader = (name: string, value: string, where: ErrorText): void => {
  const at = (n: (input: UserInput) => string) => (typeof where === 'string' ? where : where(n))
  if (!HEADER_NAME.test(name)) throw usageError((n) => `${at(n)}: "${name}" is not a valid HTTP header name`)
  if (RESERVED_HEADERS.has(name.toLowerCase()))
    throw usageError((n) => `${at(n)}: ${name} is set by finops itself and cannot be overridden`)
  if (/[\r\n\0]/.test(value)) throw usageError((n) => `${at(n)}: the value of ${name} contains a line break`)
}

const readable = (file: string | undefined, what: string, where: UserInput): void => {
  if (file === undefined) return
  try {
    fs.accessSync(file, fs.constants.R_OK)
  } catch (error) {
    throw usageError(
      `cannot read the ${what} ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      (n) => `check ${n(where)}`,
    )
  }
}

/**
 * The AWS region of an Amazon Managed Prometheus workspace URL: aps-workspaces.REGION.amazonaws.com,
 * its FIPS (aps-workspaces-fips.) and dual-stack (.api.aws) forms, and China's .amazonaws.com.cn.
 */
export const regionOfAmpUrl = (url: string): string | undefined =>
  /(?:^|\.)aps-workspaces(?:-fips)?\.([a-z0-9-]+)\.(?:amazonaws\.com(?:\.cn)?|api\.aws)$/.exec(safeHost(url))?.[1]

const safeHost = (url: string): string => {
  try {
    return new URL(url).hostname
  } catch {
    return ''
  }
}

/** Sets a header, replacing one of the same name in any case: two would both be sent (and joined). */
const setHeader = (headers: Record<string, string>, name: string, value: string): void => {
  for (const existing of Object.keys(headers))
    if (existing.toLowerCase() === name.toLowerCase()) delete headers[existing]
  headers[name] = value
}

/**
 * Resolves flags, finops.yaml and the environment into one access description, checking what can
 * be checked before any request: header syntax, readable CA/certificate/key/token files, one
 * authentication method at a time, a region for SigV4. Token files are not read here: the client
 * reads them before each request.
 */
export function resolvePrometheusAccess(
  input: PrometheusAccessInput,
  env: NodeJS.ProcessEnv = process.env,
): PrometheusAccess {
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(input.headers ?? {})) {
    checkHeader(name, value, `kubernetes.prometheus.headers`)
    setHeader(headers, name, value)
  }
  for (const [name, variable] of Object.entries(input.headersFromEnv ?? {})) {
    const value = env[variable]
    if (value === undefined || value === '')
      throw usageError(
        `kubernetes.prometheus.headersFromEnv: ${name} comes from $${variable}, which is not set`,
        `export ${variable}, or remove ${name} from headersFromEnv`,
      )
    checkHeader(name, value, `kubernetes.prometheus.headersFromEnv`)
    setHeader(headers, name, value)
  }
  for (const raw of input.headerFlags ?? []) {
    const [name, value] = parseHeaderFlag(raw)
    checkHeader(name, value, (n) => n(I.header))
    setHeader(headers, name, value)
  }

  let bearerToken: string | undefined
  if (input.bearerTokenEnv) {
    bearerToken = env[input.bearerTokenEnv] || undefined
    if (!bearerToken)
      throw usageError(
        `the Prometheus bearer token comes from $${input.bearerTokenEnv}, which is not set`,
        (n) => `export ${input.bearerTokenEnv}, or check ${n(I.bearerTokenEnv)}`,
      )
  }
  const bearerTokenFile = input.bearerTokenFile
  readable(bearerTokenFile, 'Prometheus bearer token file', I.bearerTokenFile)
  const password = input.passwordEnv ? env[input.passwordEnv] : undefined
  if (input.username && password === undefined)
    throw usageError(
      (n) => `${n(I.username)} needs a password`,
      (n) => `set ${n(I.passwordEnv)} to the variable holding it, or FINOPS_PROMETHEUS_PASSWORD`,
    )
  const customAuthorization = Object.keys(headers).some((h) => h.toLowerCase() === 'authorization')

  let sigv4: PrometheusAccess['sigv4']
  if (input.sigv4) {
    const region = input.sigv4Region ?? regionOfAmpUrl(input.url) ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION
    if (!region)
      throw usageError(
        'SigV4 needs an AWS region',
        (n) => `set ${n(I.sigv4Region)} or AWS_REGION, or use the aps-workspaces.REGION.amazonaws.com URL`,
      )
    sigv4 = {region, service: input.sigv4Service ?? 'aps'}
  }
  const methods = [
    bearerTokenFile && bearerToken ? 'a bearer token file and variable' : undefined,
    bearerTokenFile || bearerToken ? 'a bearer token' : undefined,
    input.username ? 'basic auth' : undefined,
    sigv4 ? 'SigV4' : undefined,
    customAuthorization ? 'an Authorization header' : undefined,
  ].filter((m): m is string => m !== undefined)
  if (methods.length > 1)
    throw usageError(
      `Prometheus authentication is ambiguous: ${methods.join(', ')} are all set`,
      (n) =>
        `keep one of ${n(I.bearerTokenFile)}, ${n(I.bearerTokenEnv)}, ${n(I.username)}, ${n(I.sigv4)}, or an Authorization header`,
    )
  // The default variable (FINOPS_PROMETHEUS_TOKEN) is used only when nothing else is asked for.
  if (methods.length === 0 && input.defaultBearerTokenEnv) bearerToken = env[input.defaultBearerTokenEnv] || undefined

  readable(input.caFile, 'Prometheus CA bundle', I.caFile)
  readable(input.certFile, 'Prometheus client certificate', I.certFile)
  readable(input.keyFile, 'Prometheus client key', I.keyFile)
  if (Boolean(input.certFile) !== Boolean(input.keyFile))
    throw usageError(
      'a client certificate needs its key (and a key its certificate)',
      (n) => `set both ${n(I.certFile)} and ${n(I.keyFile)}`,
    )

  return {
    url: input.url,
    headers,
    bearerToken: bearerTokenFile ? undefined : bearerToken,
    bearerTokenFile,
    username: input.username,
    password,
    tls: {
      caFile: input.caFile,
      certFile: input.certFile,
      keyFile: input.keyFile,
      insecureSkipVerify: input.insecureSkipVerify,
      serverName: input.serverName,
    },
    sigv4,
    timeoutSeconds: input.timeoutSeconds,
  }
}
