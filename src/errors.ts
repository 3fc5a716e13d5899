import {ExitCode, type ExitCodeName} from './exit-codes.js'

/**
 * A value the user gave that a domain error talks about. `key` is the option's name, which a command
 * that takes it as a flag spells `--key`; `label` says what it is in the domain's words, for every
 * other caller (finops.yaml, a stored budget, a library call).
 */
export interface UserInput {
  key: string
  label: string
}

/** Names a user input in a message: its label in the domain, its flag at the command edge. */
export type InputNamer = (input: UserInput) => string

/** Error text: plain, or written against an InputNamer so each caller can name the inputs its own way. */
export type ErrorText = string | ((name: InputNamer) => string)

const byLabel: InputNamer = (input) => input.label
const render = (text: ErrorText, name: InputNamer): string => (typeof text === 'string' ? text : text(name))

/**
 * A user-facing error: one line saying what is wrong, an optional suggestion saying what to do,
 * a stable `code` for scripts, and the exit code from the one table. Commands print these without
 * a stack trace; anything that is not a FinopsError is a bug and exits with `internal`. Domain
 * code never names a flag: texts that refer to a user's input are functions of an InputNamer, and
 * the command edge re-renders them with its flags (`naming`).
 */
export class FinopsError extends Error {
  readonly code: string
  readonly exit: number
  readonly suggestion?: string
  readonly #text: {message: ErrorText; suggestion?: ErrorText}

  constructor(
    message: ErrorText,
    options: {code: string; exit: ExitCodeName; suggestion?: ErrorText; cause?: unknown},
  ) {
    super(render(message, byLabel), options.cause === undefined ? undefined : {cause: options.cause})
    this.name = 'FinopsError'
    this.code = options.code
    this.exit = ExitCode[options.exit]
    this.suggestion = options.suggestion === undefined ? undefined : render(options.suggestion, byLabel)
    this.#text = {message, suggestion: options.suggestion}
  }

  /** The message and suggestion with each user input named by `name` (e.g. as the command's flag). */
  naming(name: InputNamer): {message: string; suggestion?: string} {
    const {message, suggestion} = this.#text
    return {message: render(message, name), suggestion: suggestion === undefined ? undefined : render(suggestion, name)}
  }
}

export const usageError = (message: ErrorText, suggestion?: ErrorText): FinopsError =>
  new FinopsError(message, {code: 'USAGE', exit: 'usage', suggestion})

export const inputError = (message: ErrorText, suggestion?: ErrorText, cause?: unknown): FinopsError =>
  new FinopsError(message, {code: 'INVALID_INPUT', exit: 'invalidInput', suggestion, cause})

export const storeError = (message: ErrorText, suggestion?: ErrorText, cause?: unknown): FinopsError =>
  new FinopsError(message, {code: 'STORE', exit: 'store', suggestion, cause})

export const notFoundError = (message: ErrorText, suggestion?: ErrorText): FinopsError =>
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
