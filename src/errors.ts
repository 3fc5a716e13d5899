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

// Secrets that may appear in URLs or messages: query tokens, bearer tokens, keys, webhook paths.
const SECRET_PATTERNS: RegExp[] = [
  /(authorization:\s*)(bearer\s+)?[^\s,;]+/gi,
  /(bearer\s+)[\w.~+/=-]+/gi,
  /((?:access[_-]?key|secret|token|password|passwd|sig|signature|api[_-]?key|client[_-]?secret)["']?\s*[=:]\s*["']?)[^\s"'&,;]+/gi,
  /(hooks\.slack\.com\/services\/)[\w/]+/gi,
  /(AKIA|ASIA)[A-Z0-9]{12,}/g,
  /(:\/\/[^/:@\s]+:)[^@/\s]+(@)/g,
]

/** Redacts anything that looks like a credential, for every message we print or log. */
export function redact(text: string): string {
  let out = text
  for (const pattern of SECRET_PATTERNS) {
    out = out.replace(pattern, (match, prefix?: string, second?: string) => {
      if (pattern.source.startsWith('(AKIA')) return `${match.slice(0, 4)}****`
      if (pattern.source.startsWith('(:\\/\\/')) return `${prefix}****${second}`
      return `${typeof prefix === 'string' ? prefix : ''}${typeof second === 'string' && /bearer/i.test(second) ? second : ''}****`
    })
  }
  return out
}
