import type {ErrorText, InputNamer, UserInput} from '../../errors.js'
import {authError, firstLine, remoteError} from '../cloud-errors.js'
import {isTransientNetworkError, type RetryVerdict} from '../cloud-retry.js'

/** What every AWS SDK v3 client throws: a service exception named by its error code, with the HTTP status. */
export interface AwsSdkError {
  name?: string
  message?: string
  $metadata?: {httpStatusCode?: number}
}

/** The named profile and region an AWS source may set (`--profile`, `--region`). */
export const PROFILE_INPUT: UserInput = {key: 'profile', label: 'named profile'}
export const REGION_INPUT: UserInput = {key: 'region', label: 'region'}

// Throttling codes differ per service (Cost Explorer: LimitExceededException, Athena: TooManyRequestsException);
// one set serves every client because no service uses another's throttling code for a different meaning.
const THROTTLES = new Set([
  'ThrottlingException',
  'LimitExceededException',
  'TooManyRequestsException',
  'TooManyRequests',
  'RequestLimitExceeded',
])

/** Throttling, dropped connections and 5xx are worth retrying; everything else is the caller's to explain. */
export function classifyAwsSdkError(error: unknown): RetryVerdict {
  const e = error as AwsSdkError
  if ((e.name && THROTTLES.has(e.name)) || isTransientNetworkError(error)) return {retry: true}
  const status = e.$metadata?.httpStatusCode
  return {retry: status !== undefined && status >= 500}
}

const AUTH_NAMES = new Set([
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'ExpiredTokenException',
  'ExpiredToken',
  'SignatureDoesNotMatch',
  'InvalidSignatureException',
  'IncompleteSignature',
  'MissingAuthenticationToken',
])

const chain = (n: InputNamer): string =>
  `the AWS default credential chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE or ` +
  `a ${n(PROFILE_INPUT)} in ~/.aws/config, SSO, web identity, container/instance role)`

/** How one AWS service's errors are told to the user. */
export interface AwsErrorWording {
  /** The service as AWS names it, e.g. "AWS Cost Explorer". */
  service: string
  /** The profile the source was given, if any (else AWS_PROFILE is named). */
  profile?: string
  /** What to grant when the service answers AccessDeniedException. */
  grant: string
  /** What to check when the request failed for another reason. */
  check: ErrorText
  /** The service's own error codes that deserve their own line; undefined: not one of them. */
  special?: (e: AwsSdkError, error: unknown) => unknown
}

/** An AWS SDK error as one clear line; a FinopsError (e.g. throttling that outlived the retries) passes through. */
export function mapAwsSdkError(error: unknown, wording: AwsErrorWording): unknown {
  const e = error as AwsSdkError
  if (!e || typeof e !== 'object' || !('name' in e) || e.name === 'FinopsError') return error
  const name = e.name ?? ''
  const profile = wording.profile ?? process.env.AWS_PROFILE
  const fix = profile
    ? `run "aws sso login --profile ${profile}" or refresh that profile's keys`
    : (n: InputNamer) => `run "aws configure" or "aws sso login", set AWS_PROFILE, or give a ${n(PROFILE_INPUT)}`
  if (name === 'CredentialsProviderError' || (/credential/i.test(name) && !AUTH_NAMES.has(name))) {
    return authError((n) => `AWS credentials: none found in ${chain(n)}: ${firstLine(e.message)}`, fix, error)
  }
  if (name === 'AccessDeniedException') {
    return authError(
      `${wording.service} refused the request (AccessDeniedException): ${firstLine(e.message)}`,
      wording.grant,
      error,
    )
  }
  if (AUTH_NAMES.has(name) || e.$metadata?.httpStatusCode === 401) {
    return authError(
      (n) => `AWS credentials from ${chain(n)} were refused (${name}): ${firstLine(e.message)}`,
      fix,
      error,
    )
  }
  const special = wording.special?.(e, error)
  if (special !== undefined) return special
  const status = e.$metadata?.httpStatusCode ? `, HTTP ${e.$metadata.httpStatusCode}` : ''
  return remoteError(
    `${wording.service} request failed (${name}${status}): ${firstLine(e.message)}`,
    wording.check,
    error,
  )
}
