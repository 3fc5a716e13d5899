import type {Db} from './open.js'

/** An alert as raised by one evaluation: its dedup key, a one-line summary and its Slack message. */
export interface RaisedAlert {
  key: string
  kind: 'budget' | 'anomaly' | 'freshness'
  subject: string
  summary: string
  payload: unknown
}

export interface StoredAlert extends RaisedAlert {
  status: 'pending' | 'sent'
  attempts: number
  lastError?: string
  createdAt: string
  updatedAt: string
  sentAt?: string
}

interface AlertRow {
  key: string
  kind: 'budget' | 'anomaly' | 'freshness'
  subject: string
  status: 'pending' | 'sent'
  payload: string
  summary: string
  attempts: number
  last_error: string | null
  created_at: string
  updated_at: string
  sent_at: string | null
}

const fromRow = (row: AlertRow): StoredAlert => ({
  key: row.key,
  kind: row.kind,
  subject: row.subject,
  status: row.status,
  payload: JSON.parse(row.payload) as unknown,
  summary: row.summary,
  attempts: row.attempts,
  lastError: row.last_error ?? undefined,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  sentAt: row.sent_at ?? undefined,
})

/**
 * Records newly raised alerts as pending, in one transaction. An alert already sent is left alone
 * (that is the dedup); one still pending gets the fresher message. Returns the keys that were new.
 */
export function queueAlerts(db: Db, alerts: readonly RaisedAlert[], now = new Date().toISOString()): string[] {
  const status = db.prepare('SELECT status FROM alerts WHERE key = ?').pluck()
  const insert = db.prepare(`INSERT INTO alerts (key, kind, subject, status, payload, summary, created_at, updated_at)
    VALUES (?, ?, ?, 'pending', ?, ?, ?, ?)`)
  const refresh = db.prepare(
    "UPDATE alerts SET payload = ?, summary = ?, updated_at = ? WHERE key = ? AND status = 'pending'",
  )
  return db
    .transaction(() => {
      const added: string[] = []
      for (const alert of alerts) {
        const current = status.get(alert.key) as string | undefined
        if (current === undefined) {
          insert.run(alert.key, alert.kind, alert.subject, JSON.stringify(alert.payload), alert.summary, now, now)
          added.push(alert.key)
        } else if (current === 'pending') {
          refresh.run(JSON.stringify(alert.payload), alert.summary, now, alert.key)
        }
      }
      return added
    })
    .immediate()
}

/** The keys among `keys` that were already delivered. */
export function sentKeys(db: Db, keys: readonly string[]): Set<string> {
  const stmt = db.prepare("SELECT 1 FROM alerts WHERE key = ? AND status = 'sent'").pluck()
  return new Set(keys.filter((key) => stmt.get(key) !== undefined))
}

/** The delivery status of the alerts among `keys` that were raised. */
export function alertStatuses(db: Db, keys: readonly string[]): Map<string, 'pending' | 'sent'> {
  const stmt = db.prepare('SELECT status FROM alerts WHERE key = ?').pluck()
  const result = new Map<string, 'pending' | 'sent'>()
  for (const key of keys) {
    const status = stmt.get(key) as 'pending' | 'sent' | undefined
    if (status) result.set(key, status)
  }
  return result
}

/** Alerts waiting to be delivered, oldest first. */
export function pendingAlerts(db: Db): StoredAlert[] {
  return (db.prepare("SELECT * FROM alerts WHERE status = 'pending' ORDER BY created_at, key").all() as AlertRow[]).map(
    fromRow,
  )
}

export function listAlerts(db: Db): StoredAlert[] {
  return (db.prepare('SELECT * FROM alerts ORDER BY created_at, key').all() as AlertRow[]).map(fromRow)
}

/**
 * Claims a pending alert for posting until `until` (ISO time). False when it was delivered meanwhile
 * or another run holds an unexpired claim: that run posts it.
 */
export function claimAlert(db: Db, key: string, until: string, now = new Date().toISOString()): boolean {
  return (
    db
      .prepare(
        `UPDATE alerts SET claimed_until = ? WHERE key = ? AND status = 'pending' AND (claimed_until IS NULL OR claimed_until < ?)`,
      )
      .run(until, key, now).changes === 1
  )
}

export function markAlertSent(db: Db, key: string, attempts: number, now = new Date().toISOString()): void {
  db.prepare(
    "UPDATE alerts SET status = 'sent', attempts = attempts + ?, last_error = NULL, sent_at = ?, updated_at = ?, claimed_until = NULL WHERE key = ?",
  ).run(attempts, now, now, key)
}

/** Keeps the alert pending for the next run; `error` must already be redacted. */
export function markAlertFailed(
  db: Db,
  key: string,
  attempts: number,
  error: string,
  now = new Date().toISOString(),
): void {
  db.prepare(
    'UPDATE alerts SET attempts = attempts + ?, last_error = ?, updated_at = ?, claimed_until = NULL WHERE key = ?',
  ).run(attempts, error, now, key)
}
