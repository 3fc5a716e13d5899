import {redact} from '../errors.js'

/** Retry policy of one post; `alerts.slack` in finops.yaml. */
export interface SendPolicy {
  /** Retries after the first attempt, on 429, 5xx, timeouts and connection errors. */
  retries: number
  /** Longest Retry-After honoured; a longer one gives up at once (the alert stays pending). */
  maxRetryAfterSeconds: number
  timeoutSeconds: number
  /** Backoff before retry n (0-based) when the server gives no Retry-After. */
  backoffMs?: (retry: number) => number
  sleep?: (ms: number) => Promise<void>
}

export type SendOutcome =
  {ok: true; attempts: number} | {ok: false; attempts: number; error: string; status?: number; retryable: boolean}

const defaultBackoff = (retry: number): number => Math.min(8000, 500 * 2 ** retry)
const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Posts one message to a Slack incoming webhook with plain fetch. @slack/webhook 8 is not used here:
 * it fails a 429 at once and its HTTP error does not carry the response headers, so Retry-After cannot
 * be honoured. Errors never contain the URL (it is the credential).
 */
export async function postToSlack(url: string, message: unknown, policy: SendPolicy): Promise<SendOutcome> {
  const backoff = policy.backoffMs ?? defaultBackoff
  const sleep = policy.sleep ?? defaultSleep
  const body = JSON.stringify(message)
  let attempts = 0
  for (;;) {
    attempts++
    const result = await attempt(url, body, policy.timeoutSeconds)
    if (result.ok) return {ok: true, attempts}
    const failure = {
      ok: false as const,
      attempts,
      status: result.status,
      error: scrub(result.error, url),
      retryable: result.retryable,
    }
    if (!result.retryable || attempts > policy.retries) return failure
    let waitMs = backoff(attempts - 1)
    if (result.retryAfterSeconds !== undefined) {
      if (result.retryAfterSeconds > policy.maxRetryAfterSeconds) {
        return {
          ...failure,
          error:
            `${failure.error}; Retry-After ${result.retryAfterSeconds}s is longer than alerts.slack.maxRetryAfterSeconds ` +
            `(${policy.maxRetryAfterSeconds}s)`,
        }
      }
      waitMs = result.retryAfterSeconds * 1000
    }
    await sleep(waitMs)
  }
}

type AttemptResult =
  {ok: true} | {ok: false; error: string; status?: number; retryable: boolean; retryAfterSeconds?: number}

async function attempt(url: string, body: string, timeoutSeconds: number): Promise<AttemptResult> {
  let response: Response
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: {'Content-Type': 'application/json'},
      body,
      redirect: 'error',
      signal: AbortSignal.timeout(timeoutSeconds * 1000),
    })
  } catch (error) {
    const e = error as Error & {cause?: {code?: string; message?: string}}
    const reason =
      e.name === 'TimeoutError'
        ? `no answer within ${timeoutSeconds}s`
        : (e.cause?.code ?? e.cause?.message ?? e.message)
    return {ok: false, error: `cannot reach Slack: ${reason}`, retryable: true}
  }
  const text = (await response.text().catch(() => '')).trim().slice(0, 200)
  if (response.ok) return {ok: true}
  const status = response.status
  const retryable = status === 429 || status >= 500
  return {
    ok: false,
    status,
    retryable,
    retryAfterSeconds: retryable ? parseRetryAfter(response.headers.get('retry-after')) : undefined,
    error: `Slack answered ${status}${text ? ` ${text}` : ''}`,
  }
}

/**
 * Retry-After is either delta-seconds or an HTTP date (RFC 9110); anything else is ignored. Fractional
 * seconds (not in the RFC, but sent) round up. An HTTP date starts with a day name: Date.parse alone
 * reads "1.5" or "-1" as a day in 2001, which would mean "retry now".
 */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  const text = value?.trim() ?? ''
  if (/^\d+(\.\d+)?$/.test(text)) return Math.ceil(Number(text))
  if (!/^[A-Za-z]{3}/.test(text)) return undefined
  // asctime dates carry no zone and are GMT (Date.parse would read them as local time).
  const at = Date.parse(/\b(GMT|UTC)\b/.test(text) ? text : `${text} GMT`)
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000))
}

function scrub(message: string, url: string): string {
  let out = message.split(url).join('<webhook>')
  try {
    const parsed = new URL(url)
    if (parsed.pathname.length > 1) out = out.split(parsed.pathname).join('/<redacted>')
  } catch {
    // not a URL: nothing more to scrub
  }
  return redact(out)
}
