import type {Db} from './open.js'

/** Who holds a named lock, and until when (ISO times). */
export interface LockHolder {
  runId: string
  holder: string
  acquiredAt: string
  expiresAt: string
}

/** The outcome of a claim: taken (over a previous holder that was no longer live), or refused. */
export type LockClaim = {taken: true; previous?: LockHolder} | {taken: false; current: LockHolder}

/**
 * Takes the named lock for `claim` unless it is held by a holder `isLive` accepts. The check and the
 * take are one IMMEDIATE transaction, so two runs starting together cannot both win. Whether a holder
 * is still live (expiry, a dead process) is the caller's policy.
 */
export function claimLock(
  db: Db,
  name: string,
  claim: LockHolder,
  isLive: (current: LockHolder) => boolean,
): LockClaim {
  return db
    .transaction((): LockClaim => {
      const current = db
        .prepare(
          'SELECT run_id AS runId, holder, acquired_at AS acquiredAt, expires_at AS expiresAt FROM run_locks WHERE name = ?',
        )
        .get(name) as LockHolder | undefined
      if (current && isLive(current)) return {taken: false, current}
      db.prepare(
        'INSERT OR REPLACE INTO run_locks (name, run_id, holder, acquired_at, expires_at) VALUES (?, ?, ?, ?, ?)',
      ).run(name, claim.runId, claim.holder, claim.acquiredAt, claim.expiresAt)
      return current ? {taken: true, previous: current} : {taken: true}
    })
    .immediate()
}

/** Frees the named lock only if `runId` still holds it (a run that outlived its TTL must not free a successor's lock). */
export function releaseLock(db: Db, name: string, runId: string): void {
  db.prepare('DELETE FROM run_locks WHERE name = ? AND run_id = ?').run(name, runId)
}
