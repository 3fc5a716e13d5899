import {randomUUID} from 'node:crypto'

import type {BigQuery} from '@google-cloud/bigquery'

import {WINDOW_END, WINDOW_START} from '../../dates.js'
import {remoteError} from '../cloud-errors.js'

/** One answer of getQueryResults with autoPaginate off: rows, the next page's options, the raw response. */
type ResultsPage<T> = [
  T[],
  {pageToken?: string} | null,
  {jobComplete?: boolean; cacheHit?: boolean; totalBytesProcessed?: string} | undefined,
]
interface ResultsJob<T> {
  getQueryResults: (options: unknown) => Promise<ResultsPage<T>>
}

export interface QueryJobResult<T> {
  rows: T[]
  /** Bytes the job processed (BigQuery bills them unless the answer came from its cache). */
  bytesProcessed: number
  cacheHit: boolean
}

/** Checks of a running query before giving up; each waits server-side (about 10 s), so about an hour. */
const MAX_POLLS = 360

/**
 * Runs one query as exactly one BigQuery job, however often a lost answer is retried: jobs.insert
 * with a job ID fixed before the first attempt, so a retry of an insert that did start its job is
 * answered 409 Already Exists and that job is read. jobs.query would not do: the SDK draws a new
 * requestId for every call, and BigQuery may ignore requestId for a read-only query anyway.
 */
export async function runQueryJob<T>(
  bigquery: BigQuery,
  spec: {query: string; params: Record<string, string>; location?: string; label: string},
  call: <R>(fn: () => Promise<R>) => Promise<R>,
  maxResults: number,
): Promise<QueryJobResult<T>> {
  const jobId = `finops_${randomUUID().replaceAll('-', '_')}`
  const location = spec.location
  const job = (await call(async () => {
    try {
      const [created] = await bigquery.createQueryJob({
        query: spec.query,
        params: spec.params,
        useLegacySql: false,
        jobId,
        ...(location ? {location} : {}),
      })
      return created
    } catch (error) {
      if ((error as {code?: number}).code !== 409) throw error
      return bigquery.job(jobId, location ? {location} : {})
    }
  })) as unknown as ResultsJob<T>
  let [page, next, response] = await call(() => job.getQueryResults({autoPaginate: false, maxResults}))
  // A query over a large table outlives one wait: "not complete" with no rows must be polled, not
  // taken for an empty window (that would wipe the days).
  for (let polls = 1; response?.jobComplete === false; polls++) {
    if (polls > MAX_POLLS)
      throw remoteError(
        `${spec.label}: the query was still running after ${polls - 1} checks`,
        (n) =>
          `try again later, or collect a shorter window with ${n(WINDOW_START)}/${n(WINDOW_END)}; the store is unchanged`,
      )
    ;[page, next, response] = await call(() => job.getQueryResults({autoPaginate: false, maxResults}))
  }
  const rows = [...page]
  while (next?.pageToken) {
    const token = next.pageToken
    const [more, after] = await call(() => job.getQueryResults({pageToken: token, autoPaginate: false, maxResults}))
    rows.push(...more)
    next = after
  }
  const cacheHit = response?.cacheHit === true
  return {rows, cacheHit, bytesProcessed: cacheHit ? 0 : Number(response?.totalBytesProcessed ?? 0)}
}
