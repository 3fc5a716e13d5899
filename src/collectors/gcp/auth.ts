import {GoogleAuth, OAuth2Client} from 'google-auth-library'

/** The scope BigQuery and the Cloud Billing Catalog accept. */
const CLOUD_PLATFORM = 'https://www.googleapis.com/auth/cloud-platform'

export interface GcpAuthOptions {
  /**
   * A bearer token used as given: tests, or GOOGLE_OAUTH_ACCESS_TOKEN (the variable Terraform's
   * google provider reads, e.g. from `gcloud auth print-access-token`).
   */
  accessToken?: string
  /**
   * The project the clients work in. Given to the auth so it never has to discover one: with a
   * Workload Identity Federation credential, discovery asks the Resource Manager API, which a
   * locked-down network (or a private endpoint) cannot reach.
   */
  projectId?: string
}

/**
 * The auth the GCP clients get, through google-auth-library's public API: a fixed token as an
 * OAuth2Client holding only that access token, else Application Default Credentials (key file,
 * Workload Identity Federation, gcloud, the metadata server).
 */
export function gcpAuth(options: GcpAuthOptions, env: NodeJS.ProcessEnv = process.env): GoogleAuth {
  const token = options.accessToken ?? env.GOOGLE_OAUTH_ACCESS_TOKEN?.trim()
  const projectId = options.projectId ?? env.GOOGLE_CLOUD_PROJECT ?? env.GCLOUD_PROJECT
  if (token) {
    const client = new OAuth2Client()
    client.setCredentials({access_token: token})
    return new GoogleAuth({authClient: client, ...(projectId ? {projectId} : {})})
  }
  return new GoogleAuth({scopes: [CLOUD_PLATFORM], ...(projectId ? {projectId} : {})})
}

/**
 * The auth with its credentials already resolved. A client left to resolve them itself does so in
 * a promise the SDK does not always await, so a failure there (no credentials, a project lookup
 * that cannot reach Google) would escape as a crash instead of reaching our one-line errors.
 */
export async function resolvedGcpAuth(
  options: GcpAuthOptions,
  env: NodeJS.ProcessEnv = process.env,
): Promise<GoogleAuth> {
  const auth = gcpAuth(options, env)
  await auth.getClient()
  return auth
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
