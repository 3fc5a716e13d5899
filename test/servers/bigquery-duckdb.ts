import {randomUUID} from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import type {DuckDBInstance} from '@duckdb/node-api'

import {filesRead, type ProfileNode} from './athena.js'
import {BigQueryTableNotFound, bigqueryToDuckdb, type QueryParameter} from './bigquery-to-duckdb.js'
import {type LocalServer, type RecordedRequest, type Reply, startLocalServer} from './http-server.js'

/**
 * A local BigQuery v2 REST front (jobs.query: POST /bigquery/v2/projects/P/queries, getQueryResults:
 * GET .../queries/JOB?pageToken=) that runs the GoogleSQL it receives with DuckDB, after rewriting
 * only what the two spell differently (bigquery-to-duckdb.ts), over Parquet files standing for a
 * table or view. totalBytesProcessed is the size of the files DuckDB read (from its profile); a
 * query answered from BigQuery's result cache processed (and bills) nothing.
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
  close: () => Promise<void>
}

export const BIGQUERY_TOKEN = 'ya29.local-bigquery-duckdb'

const googleError = (status: number, message: string, reason: string): Reply => ({
  status,
  body: {
    error: {
      code: status,
      message,
      errors: [{message, domain: 'global', reason}],
      status: reason === 'notFound' ? 'NOT_FOUND' : 'INVALID_ARGUMENT',
    },
  },
})

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

  async function run(req: RecordedRequest, projectId: string): Promise<Reply> {
    const body = req.json as {
      query: string
      useLegacySql?: boolean
      useQueryCache?: boolean
      queryParameters?: QueryParameter[]
    }
    if (body.useLegacySql !== false)
      return googleError(400, 'legacy SQL is not supported by this stand-in', 'invalidQuery')
    const jobId = `job_${randomUUID().replaceAll('-', '')}`
    const key = cacheKey(body)
    const cached = body.useQueryCache === false ? undefined : jobs.get(cache.get(key) ?? '')
    if (cached) {
      jobs.set(jobId, {...cached, cacheHit: true})
      return page(jobId, projectId, 0, 'bigquery#queryResponse')
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
    } catch (error) {
      const message = (error as Error).message.split('\n')[0]!
      return error instanceof BigQueryTableNotFound
        ? googleError(404, message, 'notFound')
        : googleError(400, `Syntax error: ${message}`, 'invalidQuery')
    } finally {
      connection.closeSync()
    }
    return page(jobId, projectId, 0, 'bigquery#queryResponse')
  }

  const handle = async (req: RecordedRequest): Promise<Reply> => {
    if (req.headers.authorization !== `Bearer ${BIGQUERY_TOKEN}`)
      return googleError(401, 'Request had invalid authentication credentials.', 'unauthorized')
    let m = /^\/bigquery\/v2\/projects\/([^/]+)\/queries$/.exec(req.path)
    if (m && req.method === 'POST') return run(req, m[1]!)
    m = /^\/bigquery\/v2\/projects\/([^/]+)\/queries\/([^/]+)$/.exec(req.path)
    if (m && req.method === 'GET') {
      if (!jobs.has(m[2]!)) return googleError(404, `Not found: Job ${m[1]}:${m[2]}`, 'notFound')
      const token = req.url.searchParams.get('pageToken')
      return page(m[2]!, m[1]!, token ? Number(token.slice(5)) : 0, 'bigquery#getQueryResultsResponse')
    }
    return googleError(404, `no route ${req.method} ${req.path}`, 'notFound')
  }

  const local = await startLocalServer(handle)
  return {
    ...local,
    jobs,
    queries: () => local.requests.filter((r) => r.path.includes('/queries')),
    close: async () => {
      await local.close()
      instance.closeSync()
      fs.rmSync(profiles, {recursive: true, force: true})
    },
  }
}
