/**
 * A bearer token used as given: GOOGLE_OAUTH_ACCESS_TOKEN (the variable Terraform's google provider
 * reads, e.g. from `gcloud auth print-access-token`), or a fake token in tests. It has the two
 * members the Google clients call: getRequestHeaders (BigQuery) and fetch (google-gax REST).
 */
export class StaticTokenAuth {
  readonly universeDomain = 'googleapis.com'
  readonly #token: string

  constructor(token: string) {
    this.#token = token
  }

  async getRequestHeaders(): Promise<Headers> {
    return new Headers({authorization: `Bearer ${this.#token}`})
  }

  async getAccessToken(): Promise<{token: string}> {
    return {token: this.#token}
  }

  async fetch(url: string | URL, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers)
    headers.set('authorization', `Bearer ${this.#token}`)
    return fetch(url, {method: init.method, headers, body: init.body, signal: init.signal})
  }

  toJSON(): Record<string, string> {
    return {type: 'static-token'}
  }
}

/** The auth the GCP clients get: an explicit client, GOOGLE_OAUTH_ACCESS_TOKEN, or undefined for ADC. */
export function gcpAuth(
  explicit: StaticTokenAuth | undefined,
  env: NodeJS.ProcessEnv = process.env,
): StaticTokenAuth | undefined {
  if (explicit) return explicit
  const token = env.GOOGLE_OAUTH_ACCESS_TOKEN?.trim()
  return token ? new StaticTokenAuth(token) : undefined
}

/** Parses --endpoint (http://127.0.0.1:9050) into the fields google-gax and BigQuery take. */
export function parseGcpEndpoint(endpoint: string): {
  apiEndpoint: string
  host: string
  port: number
  protocol: 'http' | 'https'
} {
  const url = new URL(endpoint)
  const protocol = url.protocol === 'http:' ? 'http' : 'https'
  const port = url.port ? Number(url.port) : protocol === 'http' ? 80 : 443
  return {apiEndpoint: `${url.protocol}//${url.host}`, host: url.hostname, port, protocol}
}

/**
 * Runs `fn` with gcp-metadata's MetadataLookupWarning muted: off Google Cloud, Application Default
 * Credentials probe the metadata server and print that warning when nothing answers, on top of the
 * one-line auth error we give. Other warnings still print.
 */
export async function withoutMetadataWarnings<T>(fn: () => Promise<T>): Promise<T> {
  const original = process.listeners('warning')
  const filter = (warning: Error): void => {
    if (warning.name !== 'MetadataLookupWarning') for (const listener of original) listener(warning)
  }
  process.removeAllListeners('warning')
  process.on('warning', filter)
  try {
    return await fn()
  } finally {
    // Warnings are emitted on the next tick; let any pending one reach the filter first.
    await new Promise((resolve) => setImmediate(resolve))
    process.removeListener('warning', filter)
    for (const listener of original) process.on('warning', listener)
  }
}
