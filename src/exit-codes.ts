/**
 * The one table of process exit codes. Shown in `finops --help` (README) and used by every command,
 * so scripts and Kubernetes can tell "fix your input" from "try again later".
 */
export const ExitCode = {
  ok: 0,
  /** An unexpected internal error (a bug): reported with a stack trace only under FINOPS_DEBUG. */
  internal: 1,
  /** Wrong flags or arguments (oclif uses 2 for its own parse errors too). */
  usage: 2,
  /** Input data that cannot be used: malformed billing file, bad config, too little history. */
  invalidInput: 3,
  /** The store cannot be opened or written (path, permissions, corruption, lock). */
  store: 4,
  /** Missing, expired or refused credentials. */
  auth: 5,
  /** A remote API failed or kept throttling after bounded retries. */
  remote: 6,
  /** Some actions or alerts succeeded and some failed: see the listing. */
  partial: 7,
  /** Something named on the command line does not exist (an action id, a budget). */
  notFound: 8,
  /** Another run holds the lock. */
  locked: 9,
  /** The command ran out of its memory budget or of disk space: raise the budget or free space, the input is fine. */
  resources: 10,
} as const

export type ExitCodeName = keyof typeof ExitCode

export const exitCodeDescriptions: Record<ExitCodeName, string> = {
  ok: 'success',
  internal: 'unexpected internal error (please report it; FINOPS_DEBUG=1 shows the stack)',
  usage: 'wrong flags or arguments',
  invalidInput: 'unusable input data or configuration',
  store: 'the store cannot be opened or written',
  auth: 'missing, expired or refused credentials',
  remote: 'a remote API failed or throttled beyond the retry budget',
  partial: 'partial success: some actions failed',
  notFound: 'a named object does not exist',
  locked: 'another run holds the lock',
  resources: 'ran out of its memory budget or of disk space (the message says which and how to raise it)',
}

/** How work made of independent parts (actions applied, alerts posted, sources collected, steps run) ended. */
export type PartsOutcome = 'ok' | 'partial' | 'failed'

/**
 * The one rule for work made of independent parts: ok when none failed, partial when some succeeded
 * and some failed, failed when all that were tried failed. Parts that could not be evaluated at all
 * (`incomplete`) make an otherwise clean run partial.
 */
export function partsOutcome(parts: {succeeded: number; failed: number; incomplete?: number}): PartsOutcome {
  if (parts.failed === 0) return (parts.incomplete ?? 0) > 0 ? 'partial' : 'ok'
  return parts.succeeded > 0 ? 'partial' : 'failed'
}

/** The exit code of an outcome: a failure of every part is a remote failure (try again later). */
export const outcomeExitCode = (outcome: PartsOutcome): number =>
  outcome === 'ok' ? ExitCode.ok : outcome === 'partial' ? ExitCode.partial : ExitCode.remote

/** The exit code of work made of independent parts (see `partsOutcome`). */
export const partsExitCode = (parts: {succeeded: number; failed: number; incomplete?: number}): number =>
  outcomeExitCode(partsOutcome(parts))
