import {ExitCode, type ExitCodeName} from './exit-codes.js'

/**
 * A user-facing error: one line saying what is wrong, an optional suggestion saying what to do,
 * a stable `code` for scripts, and the exit code from the one table. Commands print these without
 * a stack trace; anything that is not a FinopsError is a bug and exits with `internal`.
 */
export class FinopsError extends Error {
  readonly code: string
  readonly exit: number
  readonly suggestion?: string

  constructor(message: string, options: {code: string; exit: ExitCodeName; suggestion?: string; cause?: unknown}) {
    super(message, options.cause === undefined ? undefined : {cause: options.cause})
    this.name = 'FinopsError'
    this.code = options.code
    this.exit = ExitCode[options.exit]
    this.suggestion = options.suggestion
  }
}

export const usageError = (message: string, suggestion?: string): FinopsError =>
  new FinopsError(message, {code: 'USAGE', exit: 'usage', suggestion})

export const inputError = (message: string, suggestion?: string, cause?: unknown): FinopsError =>
  new FinopsError(message, {code: 'INVALID_INPUT', exit: 'invalidInput', suggestion, cause})

export const storeError = (message: string, suggestion?: string, cause?: unknown): FinopsError =>
  new FinopsError(message, {code: 'STORE', exit: 'store', suggestion, cause})

export const notFoundError = (message: string, suggestion?: string): FinopsError =>
  new FinopsError(message, {code: 'NOT_FOUND', exit: 'notFound', suggestion})

export const isFinopsError = (error: unknown): error is FinopsError => error instanceof FinopsError

export {redact} from './secrets.js'
