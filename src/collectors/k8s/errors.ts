import {FinopsError} from '../../errors.js'
import {CONTEXT_INPUT} from '../../k8s/kubeconfig.js'

/** The status of a failed Kubernetes API call (client-node's ApiException), if it is one. */
export function apiStatus(error: unknown): {code: number; message: string} | undefined {
  const e = error as {code?: unknown; body?: unknown; message?: string}
  if (typeof e?.code !== 'number' || e.code < 100) return undefined
  let message: string
  try {
    const body = typeof e.body === 'string' ? JSON.parse(e.body) : e.body
    message = typeof body?.message === 'string' ? body.message : ''
  } catch {
    message = ''
  }
  return {code: e.code, message: message || `HTTP ${e.code}`}
}

/** Turns a client-node or network failure into one clear FinopsError line naming the API server. */
export function kubeError(error: unknown, what: string, server: string): FinopsError {
  const status = apiStatus(error)
  if (status?.code === 401) {
    return new FinopsError(`the Kubernetes API at ${server} refused the credentials (401) while trying to ${what}`, {
      code: 'K8S_AUTH',
      exit: 'auth',
      suggestion: 'refresh the kubeconfig credentials or the service-account token',
      cause: error,
    })
  }
  if (status?.code === 403) {
    return new FinopsError(`forbidden to ${what}: ${status.message}`, {
      code: 'K8S_FORBIDDEN',
      exit: 'auth',
      suggestion: 'grant get/list on it to the identity finops uses (see deploy/ RBAC)',
      cause: error,
    })
  }
  if (status) {
    return new FinopsError(
      `the Kubernetes API at ${server} answered ${status.code} while trying to ${what}: ${status.message}`,
      {code: 'K8S_REMOTE', exit: 'remote', suggestion: 'check the API server health and retry', cause: error},
    )
  }
  const e = error as {code?: string; cause?: {code?: string}; message?: string}
  const code = e?.code ?? e?.cause?.code
  return new FinopsError(
    `cannot reach the Kubernetes API at ${server} to ${what}: ${code ?? e?.message ?? String(error)}`,
    {
      code: 'K8S_UNREACHABLE',
      exit: 'remote',
      suggestion: (n) => `check the cluster address, VPN and the ${n(CONTEXT_INPUT)}`,
      cause: error,
    },
  )
}
