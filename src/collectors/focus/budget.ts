/**
 * The import's memory budget: one figure (`import.memory` in finops.yaml or --memory) that bounds
 * the whole process, split between DuckDB (which aggregates within its share and spills the rest to
 * disk), SQLite's page cache, and what Node.js, the DuckDB library and the streamed groups need
 * themselves. Measured in docs/benchmarks.md; the default leaves half of the CronJob's 1 GiB limit free.
 */

export const DEFAULT_IMPORT_MEMORY = 512 * 1024 * 1024

/** Below this no FOCUS file can be aggregated: Node.js and DuckDB's own code take about as much. */
export const MIN_IMPORT_MEMORY = 64 * 1024 * 1024

export interface ImportBudget {
  /** The whole budget, bytes. */
  bytes: number
  /** DuckDB's memory_limit, bytes: its hash tables and buffers; beyond it, it spills to disk. */
  duckdbBytes: number
  /** DuckDB worker threads: each holds its own reader buffers and hash table. */
  threads: number
  /** SQLite page cache for the write, bytes. */
  sqliteCacheBytes: number
}

/**
 * What Node.js, the CLI's modules, the DuckDB library, DuckDB's allocations outside its limit and
 * the streamed chunks take beside DuckDB's limit. Measured on 1M-row exports with a tag per resource
 * (docs/benchmarks.md): 180-225 MB RSS above DuckDB's limit, so the default 512 MB budget held at 170
 * reached 534 MB; this keeps peak RSS under the budget.
 */
const FIXED_BYTES = 240 * 1024 * 1024

export function planBudget(bytes: number, cores: number): ImportBudget {
  const free = Math.max(0, bytes - FIXED_BYTES)
  const sqliteCacheBytes = Math.max(2 * 1024 * 1024, Math.min(32 * 1024 * 1024, Math.floor(free * 0.1)))
  const duckdbBytes = Math.max(16 * 1024 * 1024, free - sqliteCacheBytes)
  // A second thread holds its own reader buffers and hash table partitions: worth it from ~200 MB.
  const threads = duckdbBytes >= 200 * 1024 * 1024 ? Math.max(1, Math.min(2, cores)) : 1
  return {bytes, duckdbBytes, threads, sqliteCacheBytes}
}

const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1e3,
  kb: 1e3,
  kib: 1024,
  m: 1e6,
  mb: 1e6,
  mib: 1024 ** 2,
  g: 1e9,
  gb: 1e9,
  gib: 1024 ** 3,
}

/**
 * Parses a size as people and Kubernetes write it: `512MB`, `512Mi`, `1GiB`, `1.5G`, `300 MB`, or
 * bytes. Returns undefined for anything else.
 */
export function parseByteSize(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text)
  if (!match) return undefined
  let unit = match[2]!.toLowerCase()
  if (/^[kmg]i$/.test(unit)) unit += 'b'
  const factor = UNITS[unit]
  if (factor === undefined) return undefined
  const bytes = Math.round(Number(match[1]) * factor)
  return Number.isFinite(bytes) ? bytes : undefined
}

/** 536870912 -> "512 MB" (binary units, as budgets are usually given). */
export function formatByteSize(bytes: number): string {
  if (bytes >= 1024 ** 3 && bytes % 1024 ** 3 === 0) return `${bytes / 1024 ** 3} GB`
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1)} GB`
  return `${Math.round(bytes / 1024 ** 2)} MB`
}
