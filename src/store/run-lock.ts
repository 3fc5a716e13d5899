import os from 'node:os'

import {FinopsError} from '../errors.js'
import type {Db} from './open.js'

export interface LockHolder {
  runId: string
  holder: string
  acquiredAt: string
  expiresAt: string
}

/**
 * Takes the named lock in the store, or throws `locked` naming who holds it. A lock past its
 * expiry, or held by a dead process on this host, belongs to a run that was killed (OOM, node
 * loss, SIGKILL) and is taken over. The check-and-take
 * is one IMMEDIATE transaction, so two runs starting together cannot both win.
 */
export function acquireLock(
  db: Db,
  options: {name?: string; runId: string; ttlMinutes: number; now?: Date},
): {takenOver?: LockHolder} {
  const name = options.name ?? 'run'
  const now = options.now ?? new Date()
  const holder = `${os.hostname()} pid ${process.pid}`
  return db
    .transaction(() => {
      const existing = db
        .prepare(
          'SELECT run_id AS runId, holder, acquired_at AS acquiredAt, expires_at AS expiresAt FROM run_locks WHERE name = ?',
        )
        .get(name) as LockHolder | undefined
      if (existing && existing.expiresAt > now.toISOString() && !holderIsGone(existing.holder)) {
        throw new FinopsError(
          `another run holds the lock: ${existing.runId} on ${existing.holder} since ${existing.acquiredAt}`,
          {
            code: 'LOCKED',
            exit: 'locked',
            suggestion: `it expires at ${existing.expiresAt}; run.lockTtlMinutes sets how long a lock lives`,
          },
        )
      }
      const expires = new Date(now.getTime() + options.ttlMinutes * 60_000).toISOString()
      db.prepare(
        'INSERT OR REPLACE INTO run_locks (name, run_id, holder, acquired_at, expires_at) VALUES (?, ?, ?, ?, ?)',
      ).run(name, options.runId, holder, now.toISOString(), expires)
      return existing ? {takenOver: existing} : {}
    })
    .immediate()
}

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

/** Releases the lock if this run still holds it (a run that outlived its TTL must not free a successor's lock). */
export function releaseLock(db: Db, runId: string, name = 'run'): void {
  db.prepare('DELETE FROM run_locks WHERE name = ? AND run_id = ?').run(name, runId)
}
