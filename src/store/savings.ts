import type {Db} from './open.js'

/**
 * Reads for the realized-savings ledger: what kube-state-metrics history shows of one workload day
 * by day (its pods' hours and requests, per container), and the commitments a user recorded as
 * purchased.
 */

/** One container of a workload on one day, summed over nodes and clusters. */
export interface WorkloadContainerDay {
  day: string
  container: string
  /** Container-hours while running: pods x hours. */
  runningHours: number
  cpuRequestCoreHours: number
  memoryRequestGiBHours: number
  cpuUsageCoreHours: number
  memoryUsageGiBHours: number
}

/** The history days of one workload (every container), in day order; only days the history covers. */
export function readWorkloadDays(
  db: Db,
  target: {namespace: string; kind: string; name: string; from: string; to: string},
): WorkloadContainerDay[] {
  return db
    .prepare(
      `SELECT day, container, SUM(running_hours) AS runningHours, SUM(cpu_request_core_hours) AS cpuRequestCoreHours,
        SUM(memory_request_gib_hours) AS memoryRequestGiBHours, SUM(cpu_usage_core_hours) AS cpuUsageCoreHours,
        SUM(memory_usage_gib_hours) AS memoryUsageGiBHours
      FROM k8s_container_hours WHERE namespace = ? AND kind = ? AND workload = ? AND day BETWEEN ? AND ?
      GROUP BY day, container ORDER BY day, container`,
    )
    .all(target.namespace, target.kind, target.name, target.from, target.to) as WorkloadContainerDay[]
}

/** Days the kube-state-metrics history covers for a namespace (any cluster), in order. */
export function readCoveredDays(db: Db, q: {namespace: string; from: string; to: string}): string[] {
  return db
    .prepare(
      `SELECT DISTINCT day FROM k8s_history_coverage WHERE (namespace = '*' OR namespace = ?) AND day BETWEEN ? AND ?
      ORDER BY day`,
    )
    .pluck()
    .all(q.namespace, q.from, q.to) as string[]
}

export type CommitmentType = 'savings-plan' | 'reservation' | 'committed-use'

/** A commitment the user marked as purchased. */
export interface PurchasedCommitment {
  id: string
  provider: string
  type: CommitmentType
  hourlyCommitment: number
  termMonths: number
  startDay: string
  promisedMonthly: number | null
  currency: string
  note: string
  recordedAt: string
}

interface CommitmentRow {
  id: string
  provider: string
  type: string
  hourly_commitment: number
  term_months: number
  start_day: string
  promised_monthly: number | null
  currency: string
  note: string
  recorded_at: string
}

/** Records (or re-records: the same id replaces its row) a purchased commitment; true when it was new. */
export function upsertCommitment(db: Db, c: PurchasedCommitment): boolean {
  const existed = db.prepare('SELECT 1 FROM savings_commitments WHERE id = ?').get(c.id) !== undefined
  db.prepare(
    `INSERT INTO savings_commitments (id, provider, type, hourly_commitment, term_months, start_day, promised_monthly,
      currency, note, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (id) DO UPDATE SET provider = excluded.provider, type = excluded.type,
      hourly_commitment = excluded.hourly_commitment, term_months = excluded.term_months, start_day = excluded.start_day,
      promised_monthly = excluded.promised_monthly, currency = excluded.currency, note = excluded.note,
      recorded_at = excluded.recorded_at`,
  ).run(
    c.id,
    c.provider,
    c.type,
    c.hourlyCommitment,
    c.termMonths,
    c.startDay,
    c.promisedMonthly,
    c.currency,
    c.note,
    c.recordedAt,
  )
  return !existed
}

export function listCommitments(db: Db): PurchasedCommitment[] {
  return (db.prepare('SELECT * FROM savings_commitments ORDER BY start_day, id').all() as CommitmentRow[]).map((r) => ({
    id: r.id,
    provider: r.provider,
    type: r.type as CommitmentType,
    hourlyCommitment: r.hourly_commitment,
    termMonths: r.term_months,
    startDay: r.start_day,
    promisedMonthly: r.promised_monthly,
    currency: r.currency,
    note: r.note,
    recordedAt: r.recorded_at,
  }))
}
