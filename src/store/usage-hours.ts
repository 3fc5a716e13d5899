import {containerKeyId, type ContainerKey, type Histogram} from '../model/k8s.js'
import type {Db} from './open.js'
import {
  type ContainerColumns,
  containerKeyOf,
  type UsageQuery,
  type UsageRow,
  usageWindowWhere,
  writeUsage,
} from './usage.js'

/** One container-day's CPU by UTC hour of day: 24 sketches (cores), hour 0 first, empty where unseen. */
export interface UsageHoursRow {
  key: ContainerKey
  day: string
  cpuByHour: readonly Histogram[]
}

/** The hour profiles of one container over a window, one per day that has one (days ascending). */
export interface ContainerUsageHours {
  key: ContainerKey
  days: {day: string; cpuByHour: Histogram[]}[]
}

/** Writes (or replaces) container-day hour profiles, in the caller's transaction when there is one. */
export function writeUsageHours(db: Db, rows: Iterable<UsageHoursRow>): number {
  const upsert = db.prepare(`INSERT OR REPLACE INTO k8s_usage_hourly
    (cluster, namespace, kind, workload, container, day, cpu_by_hour, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
  const now = new Date().toISOString()
  const run = (): number => {
    let n = 0
    for (const row of rows) {
      const k = row.key
      upsert.run(k.cluster, k.namespace, k.kind, k.workload, k.container, row.day, encodeHours(row.cpuByHour), now)
      n++
    }
    return n
  }
  return db.inTransaction ? run() : db.transaction(run).immediate()
}

/** Replaces collected days: their digests and hour profiles land together, or neither does. */
export function replaceUsageDays(db: Db, rows: readonly UsageRow[], hours: readonly UsageHoursRow[]): void {
  db.transaction(() => {
    writeUsage(db, rows, 'replace')
    writeUsageHours(db, hours)
  }).immediate()
}

/** Every container's hour profiles in the window (inclusive days), for the given namespaces or all. */
export function readUsageHours(db: Db, query: UsageQuery): Map<string, ContainerUsageHours> {
  const {where, params} = usageWindowWhere(query)
  const out = new Map<string, ContainerUsageHours>()
  const rows = db
    .prepare(
      `SELECT cluster, namespace, kind, workload, container, day, cpu_by_hour FROM k8s_usage_hourly
       WHERE ${where} ORDER BY cluster, namespace, kind, workload, container, day`,
    )
    .iterate(...params) as IterableIterator<ContainerColumns & {day: string; cpu_by_hour: string}>
  for (const r of rows) {
    const key = containerKeyOf(r)
    const id = containerKeyId(key)
    let entry = out.get(id)
    if (!entry) out.set(id, (entry = {key, days: []}))
    entry.days.push({day: r.day, cpuByHour: decodeHours(r.cpu_by_hour)})
  }
  return out
}

// A compact form: per hour [count, sum, min, max, zero, index, n, index, n, ...], [] when empty, at
// microcore precision; about a third of the plain JSON of 24 sketches.
const micro = (v: number): number => Math.round(v * 1e6) / 1e6

function encodeHours(hours: readonly Histogram[]): string {
  return JSON.stringify(
    hours.map((h) =>
      h.count === 0 ? [] : [h.count, micro(h.sum), micro(h.min), micro(h.max), h.zero, ...h.buckets.flat()],
    ),
  )
}

function decodeHours(text: string): Histogram[] {
  return (JSON.parse(text) as number[][]).map((a) => {
    if (a.length === 0) return {count: 0, sum: 0, min: 0, max: 0, zero: 0, buckets: []}
    const buckets: [number, number][] = []
    for (let i = 5; i + 1 < a.length; i += 2) buckets.push([a[i]!, a[i + 1]!])
    return {count: a[0]!, sum: a[1]!, min: a[2]!, max: a[3]!, zero: a[4]!, buckets}
  })
}
