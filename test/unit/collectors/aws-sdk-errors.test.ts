import {describe, expect, it} from 'vitest'

import {classifyAwsSdkError, mapAwsSdkError} from '../../../src/collectors/aws/sdk-errors.js'
import {FinopsError} from '../../../src/errors.js'

const sdkError = (name: string, status: number, message = `${name} happened`) =>
  Object.assign(new Error(message), {name, $metadata: {httpStatusCode: status}})

const wording = {service: 'Amazon Athena', grant: 'grant athena:StartQueryExecution', check: 'check the workgroup'}

describe('AWS SDK errors, read the same way for every AWS service', () => {
  it("retries each service's throttling code and 5xx, not a 4xx", () => {
    expect(classifyAwsSdkError(sdkError('TooManyRequestsException', 400)).retry).toBe(true)
    expect(classifyAwsSdkError(sdkError('LimitExceededException', 400)).retry).toBe(true)
    expect(classifyAwsSdkError(sdkError('InternalServerException', 500)).retry).toBe(true)
    expect(classifyAwsSdkError(sdkError('InvalidRequestException', 400)).retry).toBe(false)
  })

  it('names the service and what to grant when access is denied, as an auth error', () => {
    const mapped = mapAwsSdkError(sdkError('AccessDeniedException', 403, 'not allowed\nsecond line'), wording)
    expect(mapped).toBeInstanceOf(FinopsError)
    expect((mapped as FinopsError).code).toBe('AUTH')
    expect((mapped as FinopsError).message).toBe(
      'Amazon Athena refused the request (AccessDeniedException): not allowed',
    )
    expect((mapped as FinopsError).suggestion).toBe('grant athena:StartQueryExecution')
  })

  it('refused credentials name the chain and the profile to log in with', () => {
    const mapped = mapAwsSdkError(sdkError('ExpiredTokenException', 400), {...wording, profile: 'prod'}) as FinopsError
    expect(mapped.code).toBe('AUTH')
    expect(mapped.message).toMatch(/^AWS credentials from the AWS default credential chain .* were refused/)
    expect(mapped.suggestion).toContain('aws sso login --profile prod')
  })

  it("asks the service's own wording first, then falls back to one remote line with the HTTP status", () => {
    const special = new FinopsError('special', {code: 'REMOTE', exit: 'remote'})
    const own = {
      ...wording,
      special: (e: {name?: string}) => (e.name === 'DataUnavailableException' ? special : undefined),
    }
    expect(mapAwsSdkError(sdkError('DataUnavailableException', 400), own)).toBe(special)
    const other = mapAwsSdkError(sdkError('InvalidRequestException', 400, 'bad SQL'), own) as FinopsError
    expect(other.code).toBe('REMOTE')
    expect(other.message).toBe('Amazon Athena request failed (InvalidRequestException, HTTP 400): bad SQL')
    expect(other.suggestion).toBe('check the workgroup')
  })

  it('passes a FinopsError and a non-object through untouched', () => {
    const own = new FinopsError('throttled', {code: 'THROTTLED', exit: 'remote'})
    expect(mapAwsSdkError(own, wording)).toBe(own)
    expect(mapAwsSdkError('text', wording)).toBe('text')
  })
})
