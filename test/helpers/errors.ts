import {expect} from 'vitest'

import {type FinopsError, isFinopsError} from '../../src/errors.js'
import {ExitCode, type ExitCodeName} from '../../src/exit-codes.js'

/** What a test expects of a FinopsError; every field given must match. */
export interface ExpectedError {
  message?: RegExp | string
  suggestion?: RegExp | string
  code?: string
  exit?: ExitCodeName
}

const matches = (actual: string | undefined, expected: RegExp | string): void => {
  if (typeof expected === 'string') expect(actual).toBe(expected)
  else expect(actual).toMatch(expected)
}

function check(thrown: unknown, expected: ExpectedError): FinopsError {
  if (!isFinopsError(thrown))
    throw new Error(`expected a FinopsError, got ${thrown === undefined ? 'no error' : String(thrown)}`, {
      cause: thrown,
    })
  if (expected.message !== undefined) matches(thrown.message, expected.message)
  if (expected.suggestion !== undefined) matches(thrown.suggestion, expected.suggestion)
  if (expected.code !== undefined) expect(thrown.code).toBe(expected.code)
  if (expected.exit !== undefined) expect(thrown.exit).toBe(ExitCode[expected.exit])
  return thrown
}

/** Runs `fn`, which must throw a FinopsError matching `expected`; returns the error for further checks. */
export function expectFinopsError(fn: () => unknown, expected: ExpectedError = {}): FinopsError {
  let thrown: unknown
  try {
    fn()
  } catch (error) {
    thrown = error
  }
  return check(thrown, expected)
}

/** The message and suggestion as a command that takes every input as a flag (`--key`) prints them. */
export const namedAsFlags = (error: FinopsError): {message: string; suggestion?: string} =>
  error.naming((input) => `--${input.key}`)
