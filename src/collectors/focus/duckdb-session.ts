import {type DuckDBConnection, type DuckDBInstance} from '@duckdb/node-api'
import fs from 'node:fs'
import path from 'node:path'
import v8 from 'node:v8'
import vm from 'node:vm'

import {type ErrorText, FinopsError} from '../../errors.js'
import {formatByteSize, type ImportBudget} from './budget.js'
import {MEMORY_INPUT, TEMP_DIR_INPUT} from './inputs.js'

/**
 * DuckDB for one import: its memory limit and threads from the budget, spilling to a private
 * directory that is removed afterwards, and its resource failures named as such.
 */
export interface DuckDBSession {
  connection: DuckDBConnection
  budget: ImportBudget
  spillDirectory: string
  /**
   * Runs `sql` and hands its result to `onChunk` one chunk (~2,048 rows, column-major) at a time.
   * A chunk's memory is native and freed only when its JS wrapper is collected, which V8 does not
   * know to hurry; the session collects every few chunks so streamed groups never pile up.
   */
  stream(sql: string, onChunk: (columns: unknown[][], rows: number) => Promise<void> | void): Promise<void>
  close(): void
}

/** Native chunk wrappers hold DuckDB memory V8 cannot see: collect explicitly every this many chunks. */
const CHUNKS_PER_COLLECTION = 16

let collectGarbage: (() => void) | undefined
function garbageCollector(): () => void {
  if (!collectGarbage) {
    v8.setFlagsFromString('--expose-gc')
    collectGarbage = vm.runInNewContext('gc') as () => void
  }
  return collectGarbage
}

export async function openDuckDBSession(budget: ImportBudget, spillParent: string): Promise<DuckDBSession> {
  const {DuckDBInstance} = await import('@duckdb/node-api')
  let spillDirectory: string
  try {
    spillDirectory = fs.mkdtempSync(path.join(spillParent, '.finops-import-'))
  } catch (error) {
    throw resourceError(
      `cannot create the import's spill directory in ${spillParent}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      (n) => `point ${n(TEMP_DIR_INPUT)} (or import.tempDirectory) at a writable directory with free space`,
      error,
    )
  }
  let instance: DuckDBInstance | undefined
  try {
    instance = await DuckDBInstance.create(':memory:', {
      threads: String(budget.threads),
      memory_limit: `${Math.floor(budget.duckdbBytes / (1024 * 1024))}MiB`,
      temp_directory: spillDirectory,
      preserve_insertion_order: 'false',
    })
    const connection = await instance.connect()
    // Timestamps without an offset are UTC in FOCUS; with one, they are converted to the UTC day.
    await connection.run("SET TimeZone = 'UTC'")
    // Memory DuckDB frees between the import's queries goes back to the system (jemalloc's purge
    // thread) instead of staying in the process beside the next query's: lower peak RSS.
    await connection.run('SET allocator_background_threads = true')
    // Progress is tracked only when asked for; we draw our own bar, so DuckDB must not print one.
    await connection.run('SET enable_progress_bar = true; SET enable_progress_bar_print = false')
    const gc = garbageCollector()
    const opened = instance
    return {
      connection,
      budget,
      spillDirectory,
      async stream(sql, onChunk) {
        const result = await engine(() => connection.stream(sql))
        let chunks = 0
        for (;;) {
          const chunk = await engine(() => result.fetchChunk())
          if (!chunk || chunk.rowCount === 0) break
          await onChunk(chunk.getColumns() as unknown[][], chunk.rowCount)
          if (++chunks % CHUNKS_PER_COLLECTION === 0) gc()
        }
      },
      close() {
        try {
          connection.closeSync()
          opened.closeSync()
        } finally {
          fs.rmSync(spillDirectory, {recursive: true, force: true})
        }
      },
    }
  } catch (error) {
    instance?.closeSync()
    fs.rmSync(spillDirectory, {recursive: true, force: true})
    throw error
  }
}

/** A failure inside DuckDB (reading a file, running out of memory), as opposed to one in our own code. */
export class DuckDBFailure extends Error {
  constructor(readonly original: unknown) {
    super(original instanceof Error ? original.message : String(original), {cause: original})
    this.name = 'DuckDBFailure'
  }
}

/** Runs a DuckDB call, marking what it throws as DuckDB's. */
export async function engine<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call()
  } catch (error) {
    throw new DuckDBFailure(error)
  }
}

/** An import that ran out of memory or disk: exit code `resources`, never blamed on the file. */
export const resourceError = (message: string, suggestion: ErrorText, cause?: unknown): FinopsError =>
  new FinopsError(message, {code: 'RESOURCES', exit: 'resources', suggestion, cause})

/**
 * DuckDB's out-of-memory and out-of-disk failures as one line saying what ran out, the budget and
 * how to raise it; undefined for any other error.
 */
export function describeResourceFailure(
  error: unknown,
  budget: ImportBudget,
  spillDirectory: string,
): FinopsError | undefined {
  const message = error instanceof Error ? error.message : String(error)
  if (/No space left on device|disk is full|ENOSPC|max_temp_directory_size|Could not write .*temp/i.test(message))
    return resourceError(
      `the import ran out of disk space for its spill files ` +
        `in ${path.dirname(spillDirectory)} (beyond its ${formatByteSize(budget.bytes)} memory budget, DuckDB spills to disk)`,
      (n) =>
        `free disk space there, point ${n(TEMP_DIR_INPUT)} (or import.tempDirectory) at a larger disk, or raise ${n(MEMORY_INPUT)} (or import.memory)`,
      error,
    )
  if (/Out of Memory|could not allocate|failed to allocate|bad_alloc|memory_limit/i.test(message))
    return resourceError(
      `the import ran out of its ${formatByteSize(budget.bytes)} memory budget (DuckDB could use ${formatByteSize(budget.duckdbBytes)} of it)`,
      (n) =>
        `raise ${n(MEMORY_INPUT)} (e.g. to ${formatByteSize(Math.max(budget.bytes * 2, 512 * 1024 * 1024)).replace(' ', '')}) or import.memory in finops.yaml`,
      error,
    )
  return undefined
}
