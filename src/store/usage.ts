import {
  containerKeyId,
  type ContainerKey,
  type ContainerUsage,
  type CpuSmoothing,
  type DailyUsage,
  type Histogram,
  type UsageDigest,
  type WorkloadKind,
} from '../model/k8s.js'
import type {Db} from './open.js'

/** One container-day digest to write. */
export interface UsageRow {
  key: ContainerKey
  day: string
  source: string
  digest: UsageDigest
}

/**
 * How a write meets a container-day the store already holds: `replace` it (Prometheus: the range
 * query saw the whole day), or `merge` the stored digest with the new one (metrics-server: one
 * sample per run). The k8s domain owns digest maths, so it hands the merge in.
 */
export type UsageWriteMode = 'replace' | {merge: (stored: UsageDigest, incoming: UsageDigest) => UsageDigest}

/** Writes day digests. Runs in the caller's transaction when there is one, else in its own. */
export function writeUsage(db: Db, rows: Iterable<UsageRow>, mode: UsageWriteMode): number {
  const select = db.prepare(`SELECT samples, cpu, memory, oom_kills FROM k8s_usage_daily
    WHERE cluster = ? AND namespace = ? AND kind = ? AND workload = ? AND container = ? AND day = ?`)
  const upsert = db.prepare(`INSERT OR REPLACE INTO k8s_usage_daily
    (cluster, namespace, kind, workload, container, day, source, samples, cpu, memory, cpu_max, memory_max, oom_kills, updated_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
  const now = new Date().toISOString()
  const run = (): number => {
    let n = 0
    for (const row of rows) {
      const k = row.key
      let digest = row.digest
      if (mode !== 'replace') {
        const existing = select.get(k.cluster, k.namespace, k.kind, k.workload, k.container, row.day) as
          StoredDigest | undefined
        if (existing) digest = mode.merge(parseDigest(existing), digest)
      }
      upsert.run(
        k.cluster,
        k.namespace,
        k.kind,
        k.workload,
        k.container,
        row.day,
        row.source,
        digest.samples,
        // The CPU smoothing sums ride in the CPU column: they describe how its values were read.
        JSON.stringify(digest.cpuSmoothing ? {...digest.cpu, smoothing: digest.cpuSmoothing} : digest.cpu),
        JSON.stringify(digest.memory),
        digest.cpu.max,
        digest.memory.max,
        digest.oomKills,
        now,
      )
      n++
    }
    return n
  }
  return db.inTransaction ? run() : db.transaction(run).immediate()
}

interface StoredDigest {
  samples: number
  cpu: string
  memory: string
  oom_kills: number
}

const parseDigest = (r: StoredDigest): UsageDigest => {
  const {smoothing, ...cpu} = JSON.parse(r.cpu) as Histogram & {smoothing?: CpuSmoothing}
  return {
    samples: r.samples,
    cpu,
    memory: JSON.parse(r.memory),
    oomKills: r.oom_kills,
    ...(smoothing ? {cpuSmoothing: smoothing} : {}),
  }
}

export interface UsageQuery {
  /** Inclusive day range. */
  from: string
  to: string
  cluster?: string
  namespaces?: readonly string[]
}

/** The WHERE clause (and its parameters) of a usage window, for the tables keyed by container and day. */
export function usageWindowWhere(query: UsageQuery): {where: string; params: unknown[]} {
  const where = ['day BETWEEN ? AND ?']
  const params: unknown[] = [query.from, query.to]
  if (query.cluster !== undefined) {
    where.push('cluster = ?')
    params.push(query.cluster)
  }
  if (query.namespaces && query.namespaces.length > 0) {
    where.push(`namespace IN (${query.namespaces.map(() => '?').join(', ')})`)
    params.push(...query.namespaces)
  }
  return {where: where.join(' AND '), params}
}

/** A container key from the columns every usage table shares. */
export const containerKeyOf = (r: ContainerColumns): ContainerKey => ({
  cluster: r.cluster,
  namespace: r.namespace,
  kind: r.kind as WorkloadKind,
  workload: r.workload,
  container: r.container,
})

/** The key columns of a usage row. */
export interface ContainerColumns {
  cluster: string
  namespace: string
  kind: string
  workload: string
  container: string
}

/** Every container's day digests in the window, grouped per container (ordered by key, days ascending). */
export function readUsage(db: Db, query: UsageQuery): ContainerUsage[] {
  const {where, params} = usageWindowWhere(query)
  const rows = db
    .prepare(
      `SELECT cluster, namespace, kind, workload, container, day, source, samples, cpu, memory, oom_kills
    FROM k8s_usage_daily WHERE ${where} ORDER BY cluster, namespace, kind, workload, container, day`,
    )
    .all(...params) as (StoredDigest & ContainerColumns & {day: string; source: string})[]
  const out: ContainerUsage[] = []
  let current: ContainerUsage | undefined
  for (const r of rows) {
    const key = containerKeyOf(r)
    if (!current || containerKeyId(current.key) !== containerKeyId(key)) {
      current = {key, days: []}
      out.push(current)
    }
    const day: DailyUsage = {...parseDigest(r), day: r.day, source: r.source}
    current.days.push(day)
  }
  return out
}

/** First and last day with usage in the store, or undefined when there is none. */
export function usageRange(db: Db): {first: string; last: string; containers: number} | undefined {
  const row = db
    .prepare(
      `SELECT MIN(day) AS first, MAX(day) AS last,
    (SELECT COUNT(*) FROM (SELECT DISTINCT cluster, namespace, kind, workload, container FROM k8s_usage_daily)) AS containers
    FROM k8s_usage_daily`,
    )
    .get() as {first: string | null; last: string | null; containers: number}
  return row.first && row.last ? {first: row.first, last: row.last, containers: row.containers} : undefined
}

/** When a source last wrote usage for a cluster (ISO time), e.g. the previous metrics-server run. */
export function lastUsageWrite(db: Db, cluster: string, source: string): string | undefined {
  const value = db
    .prepare('SELECT MAX(updated_at) FROM k8s_usage_daily WHERE cluster = ? AND source = ?')
    .pluck()
    .get(cluster, source) as string | null
  return value ?? undefined
}
