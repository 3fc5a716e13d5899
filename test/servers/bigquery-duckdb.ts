import {randomUUID} from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import type {DuckDBInstance} from '@duckdb/node-api'

import {filesRead, type ProfileNode} from './athena.js'
import {BigQueryTableNotFound, bigqueryToDuckdb, type QueryParameter} from './bigquery-to-duckdb.js'
import {type LocalServer, type RecordedRequest, type Reply, startLocalServer} from './http-server.js'

/**
 * A local BigQuery v2 REST front (jobs.query: POST /bigquery/v2/projects/P/queries, jobs.insert:
 * POST .../jobs, jobs.get: GET .../jobs/JOB, getQueryResults: GET .../queries/JOB?pageToken=) that
 * runs the GoogleSQL it receives with DuckDB, after rewriting only what the two spell differently
 * (bigquery-to-duckdb.ts), over Parquet files standing for a table or view. totalBytesProcessed is
 * the size of the files DuckDB read (from its profile); a query answered from BigQuery's result
 * cache processed (and bills) nothing.
 * Idempotency as BigQuery keeps it: jobs.insert with a jobReference.jobId that already exists starts
 * nothing and answers 409 Already Exists; jobs.query repeated with the same requestId and the same
 * query answers from the job the first one started.
 */
export interface BigQueryTable {
  /** project.dataset.table as queries name it. */
  name: string
  files: string[]
}

export interface BigQueryServer extends LocalServer {
  jobs: Map<
    string,
    {
      sql: string
      translated?: string
      bytes: number
      cacheHit: boolean
      fields: {name: string; type: string}[]
      rows: (string | null)[][]
    }
  >
  queries: () => RecordedRequest[]
  /** The next `count` calls of `method` act (a job starts), then the connection is reset instead of answered. */
  loseAnswers: (method: BigQueryMethod, count?: number) => void
  close: () => Promise<void>
}

export type BigQueryMethod = 'jobs.query' | 'jobs.insert' | 'jobs.getQueryResults'

export const BIGQUERY_TOKEN = 'ya29.local-bigquery-duckdb'

const STATUS: Record<string, string> = {
  notFound: 'NOT_FOUND',
  duplicate: 'ALREADY_EXISTS',
  unauthorized: 'UNAUTHENTICATED',
}
const googleError = (status: number, message: string, reason: string): Reply => ({
  status,
  body: {
    error: {
      code: status,
      message,
      errors: [{message, domain: 'global', reason}],
      status: STATUS[reason] ?? 'INVALID_ARGUMENT',
    },
  },
})

/** The query part of jobs.query's body or jobs.insert's configuration.query. */
interface QuerySpec {
  query: string
  useLegacySql?: boolean
  useQueryCache?: boolean
  queryParameters?: QueryParameter[]
}

export async function startBigQueryDuckdb(options: {
  tables: BigQueryTable[]
  pageRows?: number
}): Promise<BigQueryServer> {
  const {DuckDBInstance} = await import('@duckdb/node-api')
  const instance: DuckDBInstance = await DuckDBInstance.create(':memory:', {threads: '1'})
  const profiles = fs.mkdtempSync(path.join(os.tmpdir(), 'bigquery-stand-in-'))
  const pageRows = options.pageRows ?? 1000
  const jobs: BigQueryServer['jobs'] = new Map()

  const resolve = (name: string): string | undefined => {
    const table = options.tables.find((t) => t.name === name)
    if (!table) return undefined
    const reads = table.files.map((f) => `SELECT * FROM read_parquet(['${f.replaceAll("'", "''")}'])`)
    return `(${reads.join(' UNION ALL BY NAME ')})`
  }

  // BigQuery's result cache: the same query text and parameters over unchanged tables are answered from
  // the last result, with cacheHit and 0 bytes processed (and billed), unless useQueryCache is false.
  const cache = new Map<string, string>()
  const cacheKey = (body: {query: string; queryParameters?: QueryParameter[]}): string =>
    JSON.stringify([
      body.query,
      body.queryParameters ?? [],
      options.tables.flatMap((t) => t.files.map((f) => fs.statSync(f).mtimeMs)),
    ])

  const page = (jobId: string, projectId: string, start: number, kind: string): Reply => {
    const job = jobs.get(jobId)!
    const end = Math.min(start + pageRows, job.rows.length)
    return {
      status: 200,
      body: {
        kind,
        schema: {fields: job.fields},
        jobReference: {projectId, jobId, location: 'US'},
        totalRows: String(job.rows.length),
        rows: job.rows.slice(start, end).map((r) => ({f: r.map((v) => ({v}))})),
        jobComplete: true,
        cacheHit: job.cacheHit,
        totalBytesProcessed: String(job.cacheHit ? 0 : job.bytes),
        ...(end < job.rows.length ? {pageToken: `page-${end}`} : {}),
      },
    }
  }

  /** Runs a query as job `jobId` (or answers it from the cache); an error Reply when BigQuery would refuse it. */
  async function execute(body: QuerySpec, jobId: string): Promise<Reply | undefined> {
    if (body.useLegacySql !== false)
      return googleError(400, 'legacy SQL is not supported by this stand-in', 'invalidQuery')
    const key = cacheKey(body)
    const cached = body.useQueryCache === false ? undefined : jobs.get(cache.get(key) ?? '')
    if (cached) {
      jobs.set(jobId, {...cached, cacheHit: true})
      return undefined
    }
    const profile = path.join(profiles, `${jobId}.json`)
    const connection = await instance.connect()
    try {
      const translated = bigqueryToDuckdb(body.query, body.queryParameters ?? [], resolve)
      await connection.run(`SET disabled_optimizers = 'statistics_propagation'`)
      await connection.run(`PRAGMA enable_profiling = 'json'`)
      await connection.run(`SET profiling_output = '${profile}'`)
      const reader = await connection.runAndReadAll(translated)
      await connection.run('PRAGMA disable_profiling')
      const read = [...new Set(filesRead(JSON.parse(fs.readFileSync(profile, 'utf8')) as ProfileNode))]
      jobs.set(jobId, {
        sql: body.query,
        translated,
        bytes: read.reduce((sum, f) => sum + fs.statSync(f).size, 0),
        cacheHit: false,
        fields: reader.columnNames().map((name) => ({name, type: 'STRING', mode: 'NULLABLE'})),
        rows: reader.getRows().map((row) => row.map((v) => (v === null ? null : String(v)))),
      })
      cache.set(key, jobId)
      return undefined
    } catch (error) {
      const message = (error as Error).message.split('\n')[0]!
      return error instanceof BigQueryTableNotFound
        ? googleError(404, message, 'notFound')
        : googleError(400, `Syntax error: ${message}`, 'invalidQuery')
    } finally {
      connection.closeSync()
    }
  }

  // jobs.query's requestId: a repeat of the same request (same query and parameters) is the same job.
  const requests = new Map<string, {key: string; jobId: string}>()
  async function query(req: RecordedRequest, projectId: string): Promise<Reply> {
    const body = req.json as QuerySpec & {requestId?: string}
    const key = JSON.stringify([body.query, body.queryParameters ?? [], body.useLegacySql, body.useQueryCache])
    const earlier = body.requestId ? requests.get(body.requestId) : undefined
    if (earlier?.key === key) return page(earlier.jobId, projectId, 0, 'bigquery#queryResponse')
    const jobId = `job_${randomUUID().replaceAll('-', '')}`
    const refused = await execute(body, jobId)
    if (refused) return refused
    if (body.requestId) requests.set(body.requestId, {key, jobId})
    return page(jobId, projectId, 0, 'bigquery#queryResponse')
  }

  const jobResource = (jobId: string, projectId: string, configuration: unknown): Reply => {
    const job = jobs.get(jobId)!
    return {
      status: 200,
      body: {
        kind: 'bigquery#job',
        id: `${projectId}:US.${jobId}`,
        jobReference: {projectId, jobId, location: 'US'},
        configuration,
        status: {state: 'DONE'},
        statistics: {query: {totalBytesProcessed: String(job.cacheHit ? 0 : job.bytes), cacheHit: job.cacheHit}},
      },
    }
  }

  // jobs.insert: a job ID is the caller's idempotency key; a second insert of it starts nothing.
  const configurations = new Map<string, unknown>()
  async function insert(req: RecordedRequest, projectId: string): Promise<Reply> {
    const body = req.json as {configuration?: {query?: QuerySpec}; jobReference?: {jobId?: string}}
    const jobId = body.jobReference?.jobId ?? `job_${randomUUID().replaceAll('-', '')}`
    if (jobs.has(jobId)) return googleError(409, `Already Exists: Job ${projectId}:US.${jobId}`, 'duplicate')
    if (!body.configuration?.query) return googleError(400, 'only query jobs are supported by this stand-in', 'invalid')
    const refused = await execute(body.configuration.query, jobId)
    if (refused) return refused
    configurations.set(jobId, body.configuration)
    return jobResource(jobId, projectId, body.configuration)
  }

  const lost = new Map<BigQueryMethod, number>()
  const answer = async (method: BigQueryMethod, reply: Promise<Reply> | Reply): Promise<Reply> => {
    const result = await reply
    const left = lost.get(method) ?? 0
    if (left === 0) return result
    lost.set(method, left - 1)
    return {status: 0, drop: true}
  }

  const handle = async (req: RecordedRequest): Promise<Reply> => {
    if (req.headers.authorization !== `Bearer ${BIGQUERY_TOKEN}`)
      return googleError(401, 'Request had invalid authentication credentials.', 'unauthorized')
    let m = /^\/bigquery\/v2\/projects\/([^/]+)\/queries$/.exec(req.path)
    if (m && req.method === 'POST') return answer('jobs.query', query(req, m[1]!))
    m = /^\/bigquery\/v2\/projects\/([^/]+)\/jobs$/.exec(req.path)
    if (m && req.method === 'POST') return answer('jobs.insert', insert(req, m[1]!))
    m = /^\/bigquery\/v2\/projects\/([^/]+)\/(queries|jobs)\/([^/]+)$/.exec(req.path)
    if (m && req.method === 'GET') {
      const [, projectId, kind, jobId] = m as unknown as [string, string, string, string]
      if (!jobs.has(jobId)) return googleError(404, `Not found: Job ${projectId}:${jobId}`, 'notFound')
      if (kind === 'jobs') return jobResource(jobId, projectId, configurations.get(jobId))
      const token = req.url.searchParams.get('pageToken')
      return answer(
        'jobs.getQueryResults',
        page(jobId, projectId, token ? Number(token.slice(5)) : 0, 'bigquery#getQueryResultsResponse'),
      )
    }
    return googleError(404, `no route ${req.method} ${req.path}`, 'notFound')
  }

  const local = await startLocalServer(handle)
  return {
    ...local,
    jobs,
    queries: () => local.requests.filter((r) => /\/(queries|jobs)\b/.test(r.path)),
    loseAnswers: (method, count = 1) => lost.set(method, (lost.get(method) ?? 0) + count),
    close: async () => {
      await local.close()
      instance.closeSync()
      fs.rmSync(profiles, {recursive: true, force: true})
    },
  }
}
