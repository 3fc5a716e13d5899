import type {Db} from './open.js'

/** A detected anomaly as the store remembers it, under its stable id. */
export interface RecordedAnomaly {
  id: string
  groupBy: string[]
  keys: string[]
  currency: string
  providers: string[]
  day: string
  direction: 'spike' | 'drop'
  actual: number
  expected: number
  impact: number
  firstSeen: string
  lastSeen: string
  ackedAt?: string
  ackNote?: string
}

/** A muted series: its anomalies raise no alert through `until` (for good when absent), or only those smaller than `below`. */
export interface SeriesMute {
  groupBy: string[]
  keys: string[]
  below?: number
  until?: string
  note?: string
  createdAt: string
}

interface AnomalyRow {
  id: string
  group_by: string
  keys: string
  currency: string
  providers: string
  day: string
  direction: 'spike' | 'drop'
  actual: number
  expected: number
  impact: number
  first_seen: string
  last_seen: string
  acked_at: string | null
  ack_note: string | null
}

interface MuteRow {
  group_by: string
  keys: string
  below: number | null
  until: string | null
  note: string | null
  created_at: string
}

const fromAnomalyRow = (row: AnomalyRow): RecordedAnomaly => ({
  id: row.id,
  groupBy: JSON.parse(row.group_by) as string[],
  keys: JSON.parse(row.keys) as string[],
  currency: row.currency,
  providers: JSON.parse(row.providers) as string[],
  day: row.day,
  direction: row.direction,
  actual: row.actual,
  expected: row.expected,
  impact: row.impact,
  firstSeen: row.first_seen,
  lastSeen: row.last_seen,
  ...(row.acked_at ? {ackedAt: row.acked_at} : {}),
  ...(row.ack_note ? {ackNote: row.ack_note} : {}),
})

const fromMuteRow = (row: MuteRow): SeriesMute => ({
  groupBy: JSON.parse(row.group_by) as string[],
  keys: JSON.parse(row.keys) as string[],
  ...(row.below === null ? {} : {below: row.below}),
  ...(row.until === null ? {} : {until: row.until}),
  ...(row.note === null ? {} : {note: row.note}),
  createdAt: row.created_at,
})

/** The identity of a series across runs: its grouping and its keys (the currency aside: a mute covers all). */
export const seriesIdentity = (groupBy: readonly string[], keys: readonly string[]): string =>
  JSON.stringify([groupBy, keys])

export type AnomalyToRecord = Omit<RecordedAnomaly, 'firstSeen' | 'lastSeen' | 'ackedAt' | 'ackNote'>

/**
 * Records detected anomalies in one transaction: a new id is added, a known one gets its latest figures
 * (its acknowledgement stays).
 */
export function recordAnomalies(db: Db, anomalies: readonly AnomalyToRecord[], now = new Date().toISOString()): void {
  const upsert = db.prepare(`INSERT INTO anomalies
    (id, series, group_by, keys, currency, providers, day, direction, actual, expected, impact, first_seen, last_seen)
    VALUES (@id, @series, @groupBy, @keys, @currency, @providers, @day, @direction, @actual, @expected, @impact, @now, @now)
    ON CONFLICT (id) DO UPDATE SET providers = excluded.providers, direction = excluded.direction,
      actual = excluded.actual, expected = excluded.expected, impact = excluded.impact, last_seen = excluded.last_seen`)
  db.transaction(() => {
    for (const a of anomalies)
      upsert.run({
        id: a.id,
        series: seriesIdentity(a.groupBy, a.keys),
        groupBy: JSON.stringify(a.groupBy),
        keys: JSON.stringify(a.keys),
        currency: a.currency,
        providers: JSON.stringify(a.providers),
        day: a.day,
        direction: a.direction,
        actual: a.actual,
        expected: a.expected,
        impact: a.impact,
        now,
      })
  }).immediate()
}

export function findAnomaly(db: Db, id: string): RecordedAnomaly | undefined {
  const row = db.prepare('SELECT * FROM anomalies WHERE id = ?').get(id) as AnomalyRow | undefined
  return row && fromAnomalyRow(row)
}

/** Recorded anomalies on days from..to (either bound optional), newest day first. */
export function listRecordedAnomalies(db: Db, range: {from?: string; to?: string} = {}): RecordedAnomaly[] {
  const rows = db
    .prepare(
      `SELECT * FROM anomalies WHERE (@from IS NULL OR day >= @from) AND (@to IS NULL OR day <= @to)
       ORDER BY day DESC, abs(impact) DESC, id`,
    )
    .all({from: range.from ?? null, to: range.to ?? null}) as AnomalyRow[]
  return rows.map(fromAnomalyRow)
}

/** The ids among `ids` that were acknowledged. */
export function acknowledgedIds(db: Db, ids: readonly string[]): Set<string> {
  const stmt = db.prepare('SELECT 1 FROM anomalies WHERE id = ? AND acked_at IS NOT NULL').pluck()
  return new Set(ids.filter((id) => stmt.get(id) !== undefined))
}

/**
 * Acknowledges a recorded anomaly and drops its alert if it is still waiting to be delivered (the
 * anomaly is handled: posting it later would be noise). False when no anomaly has this id.
 */
export function acknowledgeAnomaly(
  db: Db,
  id: string,
  alertKey: string,
  note: string | undefined,
  now = new Date().toISOString(),
): boolean {
  return db
    .transaction(() => {
      const changed = db
        .prepare('UPDATE anomalies SET acked_at = coalesce(acked_at, ?), ack_note = coalesce(?, ack_note) WHERE id = ?')
        .run(now, note ?? null, id).changes
      if (changed === 0) return false
      db.prepare("DELETE FROM alerts WHERE key = ? AND status = 'pending'").run(alertKey)
      return true
    })
    .immediate()
}

/**
 * Takes an acknowledgement back: the anomaly alerts again if its alert was never delivered. False when
 * no anomaly with this id is acknowledged.
 */
export function unacknowledgeAnomaly(db: Db, id: string): boolean {
  return (
    db.prepare('UPDATE anomalies SET acked_at = NULL, ack_note = NULL WHERE id = ? AND acked_at IS NOT NULL').run(id)
      .changes === 1
  )
}

/** Mutes a series (replacing an earlier mute of it). */
export function muteSeries(db: Db, mute: Omit<SeriesMute, 'createdAt'>, now = new Date().toISOString()): SeriesMute {
  db.prepare(
    `INSERT INTO anomaly_mutes (series, group_by, keys, below, until, note, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (series) DO UPDATE SET below = excluded.below, until = excluded.until, note = excluded.note,
       created_at = excluded.created_at`,
  ).run(
    seriesIdentity(mute.groupBy, mute.keys),
    JSON.stringify(mute.groupBy),
    JSON.stringify(mute.keys),
    mute.below ?? null,
    mute.until ?? null,
    mute.note ?? null,
    now,
  )
  return {...mute, createdAt: now}
}

/** Removes a series' mute; false when it was not muted. */
export function unmuteSeries(db: Db, groupBy: readonly string[], keys: readonly string[]): boolean {
  return db.prepare('DELETE FROM anomaly_mutes WHERE series = ?').run(seriesIdentity(groupBy, keys)).changes === 1
}

export function listMutes(db: Db): SeriesMute[] {
  return (db.prepare('SELECT * FROM anomaly_mutes ORDER BY created_at, series').all() as MuteRow[]).map(fromMuteRow)
}
