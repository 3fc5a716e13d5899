import os from 'node:os'

import {FinopsError} from '../errors.js'
import type {Db} from '../store/open.js'
import {claimLock, type LockHolder, releaseLock} from '../store/run-lock.js'

/** The lock a scheduled run, an enforcing apply and a rollback share: one cluster-changing run at a time. */
const RUN_LOCK = 'run'

/**
 * Takes the run lock, or throws `locked` naming who holds it. A lock past its expiry, or held by a
 * dead process on this host, belongs to a run that was killed (OOM, node loss, SIGKILL) and is
 * taken over.
 */
export function acquireRunLock(
  db: Db,
  options: {runId: string; ttlMinutes: number; now?: Date},
): {takenOver?: LockHolder} {
  const now = options.now ?? new Date()
  const claim: LockHolder = {
    runId: options.runId,
    holder: `${os.hostname()} pid ${process.pid}`,
    acquiredAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + options.ttlMinutes * 60_000).toISOString(),
  }
  const result = claimLock(
    db,
    RUN_LOCK,
    claim,
    (current) => current.expiresAt > claim.acquiredAt && !holderIsGone(current.holder),
  )
  if (!result.taken) {
    const {current} = result
    throw new FinopsError(
      `another run holds the lock: ${current.runId} on ${current.holder} since ${current.acquiredAt}`,
      {
        code: 'LOCKED',
        exit: 'locked',
        suggestion: `it expires at ${current.expiresAt}; run.lockTtlMinutes sets how long a lock lives`,
      },
    )
  }
  return result.previous ? {takenOver: result.previous} : {}
}

/** Releases the run lock if this run still holds it. */
export const releaseRunLock = (db: Db, runId: string): void => releaseLock(db, RUN_LOCK, runId)

/**
 * A holder on this host whose process no longer exists (a killed `finops apply` on a laptop) is gone
 * now, not at expiry. Other hosts (another pod) cannot be checked and wait for the TTL.
 */
function holderIsGone(holder: string): boolean {
  const match = /^(.*) pid (\d+)$/.exec(holder)
  if (!match || match[1] !== os.hostname() || Number(match[2]) === process.pid) return false
  try {
    process.kill(Number(match[2]), 0)
    return false
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH'
  }
}
