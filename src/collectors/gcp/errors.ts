import {type FinopsError, isFinopsError, type UserInput} from '../../errors.js'
import {authError, ENDPOINT_INPUT, firstLine, remoteError} from '../cloud-errors.js'
import {isTransientNetworkError, type RetryVerdict} from '../cloud-retry.js'
import {TABLE_INPUT} from './export-query.js'

const CHAIN =
  'Google Application Default Credentials (GOOGLE_OAUTH_ACCESS_TOKEN, GOOGLE_APPLICATION_CREDENTIALS, gcloud application-default login, the metadata server)'
const FIX =
  'run "gcloud auth application-default login", or point GOOGLE_APPLICATION_CREDENTIALS at a service-account key with BigQuery Data Viewer + Job User'

/** The project the GCP collector works in (`--project`). */
const PROJECT_INPUT: UserInput = {key: 'project', label: 'project (gcp.project in finops.yaml)'}

interface GoogleError {
  name?: string
  message?: string
  code?: number | string
  status?: number
  errors?: {reason?: string}[]
  response?: {status?: number}
}

const statusOf = (e: GoogleError): number | undefined =>
  typeof e.code === 'number' ? e.code : (e.status ?? e.response?.status)

/** Rate limits (429, 403 rateLimitExceeded, gRPC RESOURCE_EXHAUSTED=8) and 5xx are retried. */
export function classifyGcpError(error: unknown): RetryVerdict {
  const e = (error ?? {}) as GoogleError
  const status = statusOf(e)
  const reasons = (e.errors ?? []).map((r) => r.reason)
  if (status === 429 || status === 8 || reasons.includes('rateLimitExceeded') || reasons.includes('backendError'))
    return {retry: true}
  if (status === 14 || (status !== undefined && status >= 500 && status < 600)) return {retry: true}
  return {retry: isTransientNetworkError(error)}
}

/** Any error of a Google client as one FinopsError line: credentials, permissions, not found, or the remote failing. */
export function mapGcpError(error: unknown, what: string): FinopsError {
  if (isFinopsError(error)) return error
  const e = (error ?? {}) as GoogleError
  const message = firstLine(e.message ?? String(error))
  const status = statusOf(e)
  // Application Default Credentials look up the project of a federated credential through the
  // Resource Manager API when none is given; a closed network makes that the first thing to fail.
  if (/cloudresourcemanager\./i.test(message))
    return authError(
      `Google credentials: the credential's project could not be looked up (${message})`,
      (n) => `set GOOGLE_CLOUD_PROJECT, or give the ${n(PROJECT_INPUT)}, so no lookup is needed`,
      error,
    )
  if (/default credentials|could not refresh access token|invalid_grant|unable to detect a project id/i.test(message)) {
    return authError(`Google credentials: none usable from ${CHAIN}: ${message}`, FIX, error)
  }
  if (status === 401 || status === 16) return authError(`${what}: the token was refused (${message})`, FIX, error)
  if (status === 403 || status === 7)
    return authError(
      `${what}: permission denied (${message})`,
      'grant the identity BigQuery Data Viewer on the export dataset and BigQuery Job User on the project (Billing Catalog needs no role)',
      error,
    )
  if (status === 404 || status === 5)
    return remoteError(
      `${what}: not found (${message})`,
      (n) => `check the ${n(TABLE_INPUT)} project.dataset.gcp_billing_export_v1_XXXXXX_XXXXXX_XXXXXX`,
      error,
    )
  return remoteError(
    `${what} failed: ${message}`,
    (n) => `check the ${n(TABLE_INPUT)} and the ${n(ENDPOINT_INPUT)}, or try again later; the store is unchanged`,
    error,
  )
}
