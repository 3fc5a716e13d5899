import {throttledError} from './cloud-errors.js'

/** Bounded exponential backoff with full jitter; a server's retry-after wins when it is longer. */
export interface RetryPolicy {
  /** Total attempts including the first. */
  maxAttempts: number
  baseDelayMs: number
  /** No single wait is longer; a server asking for more ends the run instead of hanging it. */
  maxDelayMs: number
}

export const DEFAULT_RETRY: RetryPolicy = {maxAttempts: 5, baseDelayMs: 1000, maxDelayMs: 30_000}

/** What a failed attempt means: retry (after the server's delay, if it gave one) or give up. */
export interface RetryVerdict {
  retry: boolean
  afterMs?: number
}

const TRANSIENT_CODES = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'EAI_AGAIN', 'UND_ERR_SOCKET'])

/**
 * A connection reset or timed out mid-request (a proxy or NAT dropping an idle socket, a DNS blip):
 * worth the same bounded retry as throttling. Refused connections and unknown hosts are not: those are
 * a wrong endpoint, better reported at once.
 */
export function isTransientNetworkError(error: unknown): boolean {
  const e = error as {code?: unknown; name?: unknown; cause?: unknown} | null
  if (!e || typeof e !== 'object') return false
  if (e.name === 'TimeoutError' || (typeof e.code === 'string' && TRANSIENT_CODES.has(e.code))) return true
  return e.cause !== undefined && e.cause !== error && isTransientNetworkError(e.cause)
}

/** Counts the requests a run sends (every attempt counts: Cost Explorer bills each one). */
export class RequestCounter {
  requests = 0
  retries = 0
  /** `onRequest` hears of every request (pages and retries) as it is sent, for a progress display. */
  constructor(readonly onRequest?: RequestListener) {}
}

/** Told the requests (and how many of them were retries) sent so far to one provider. */
export type RequestListener = (sent: {requests: number; retries: number}) => void

export interface RetryHooks {
  random?: () => number
  sleep?: (ms: number) => Promise<void>
}

const sleepMs = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** The wait before retry number `retry` (1-based): full jitter over an exponential cap, at least `afterMs`. */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number, afterMs?: number): number {
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1))
  const jittered = Math.round(random() * cap)
  return afterMs === undefined ? jittered : Math.max(afterMs, jittered)
}

/**
 * Runs `call`, retrying what `classify` calls retryable (throttling, 5xx) with bounded backoff.
 * Gives up with a `remote` error naming `label` after maxAttempts or when asked to wait too long.
 */
export async function withRetry<T>(
  label: string,
  call: () => Promise<T>,
  classify: (error: unknown) => RetryVerdict,
  policy: RetryPolicy,
  counter: RequestCounter,
  hooks: RetryHooks = {},
): Promise<T> {
  const random = hooks.random ?? Math.random
  const sleep = hooks.sleep ?? sleepMs
  for (let attempt = 1; ; attempt++) {
    counter.requests++
    counter.onRequest?.({requests: counter.requests, retries: counter.retries})
    try {
      return await call()
    } catch (error) {
      const verdict = classify(error)
      if (!verdict.retry) throw error
      if (attempt >= policy.maxAttempts)
        throw throttledError(`${label}: still throttled or unavailable after ${attempt} attempts`, error)
      if (verdict.afterMs !== undefined && verdict.afterMs > policy.maxDelayMs) {
        throw throttledError(
          `${label}: the API asks to wait ${Math.ceil(verdict.afterMs / 1000)} s before retrying, longer than ` +
            `the ${Math.round(policy.maxDelayMs / 1000)} s limit`,
          error,
        )
      }
      counter.retries++
      await sleep(backoffDelay(attempt, policy, random, verdict.afterMs))
    }
  }
}
