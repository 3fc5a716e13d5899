import {type ErrorText, FinopsError, type UserInput} from '../errors.js'

/** The endpoint override every cloud source takes (`--endpoint`): private endpoints, sovereign clouds, tests. */
export const ENDPOINT_INPUT: UserInput = {key: 'endpoint', label: 'API endpoint'}

/** Missing, expired or refused credentials: the message names the chain tried, the suggestion the fix. */
export const authError = (message: ErrorText, suggestion: ErrorText, cause?: unknown): FinopsError =>
  new FinopsError(message, {code: 'AUTH', exit: 'auth', suggestion, cause})

/** A cloud API refused the request or kept failing; the store is left as it was. */
export const remoteError = (message: ErrorText, suggestion?: ErrorText, cause?: unknown): FinopsError =>
  new FinopsError(message, {code: 'REMOTE', exit: 'remote', suggestion, cause})

/** Throttled beyond the retry budget. */
export const throttledError = (message: string, cause?: unknown): FinopsError =>
  new FinopsError(message, {
    code: 'THROTTLED',
    exit: 'remote',
    suggestion: 'try again later; the store and watermark are unchanged',
    cause,
  })

/** First line of an API error message, trimmed, so a one-line error stays one line. */
export function firstLine(text: unknown, max = 300): string {
  const line =
    String(text ?? '')
      .split('\n')
      .find((l) => l.trim() !== '')
      ?.trim() ?? ''
  return line.length > max ? `${line.slice(0, max)}...` : line
}
