import {randomUUID} from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import type {DuckDBInstance} from '@duckdb/node-api'

import {type LocalServer, type RecordedRequest, type Reply, startLocalServer} from './http-server.js'
import {TableNotFound, trinoToDuckdb} from './trino-to-duckdb.js'

/**
 * A local Amazon Athena speaking AWS JSON 1.1 (POST /, X-Amz-Target AmazonAthena.*): StartQueryExecution,
 * GetQueryExecution, GetQueryResults. It runs the SQL it receives with DuckDB, after rewriting only
 * what Trino and DuckDB spell differently (trino-to-duckdb.ts), over the Parquet files of a Data
 * Exports table laid out as S3 holds it (`billing_period=YYYY-MM/*.parquet`). DataScannedInBytes is
 * the size of the files DuckDB read, taken from its profile: a partition the query's predicate on
 * billing_period excluded is not opened, so it is not counted, as Athena does not bill it. Each
 * partition read counts whole: exact for a CSV export, an upper bound for Parquet, of which Athena
 * reads only the columns and row groups the query needs.
 */
export interface AthenaTable {
  database: string
  name: string
  /** The table's S3 location as a directory: one sub-directory per partition (billing_period=2026-09). */
  directory: string
}

export interface AthenaQuery {
  id: string
  sql: string
  /** What DuckDB ran. */
  translated?: string
  database: string
  workGroup: string
  outputLocation?: string
  state: 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED'
  reason?: string
  /** Athena's AthenaError of a FAILED query: a system error (category 1) may succeed if resubmitted. */
  error?: {category: 1 | 2 | 3; retryable: boolean}
  bytesScanned: number
  /** Partition values (billing periods) of the files read. */
  partitionsRead: string[]
  polls: number
  columns: {name: string; type: string}[]
  rows: (string | null)[][]
  done: Promise<void>
}

export interface AthenaServer extends LocalServer {
  queries: AthenaQuery[]
  /**
   * The account's workgroups and their query result location. As in Athena, a query names an existing
   * workgroup, and its results need a location: the request's, else the workgroup's.
   */
  workgroups: Map<string, {outputLocation?: string}>
  /** GetQueryExecution answers RUNNING this many times before the final state. */
  runningPolls: number
  /**
   * The next started query ends FAILED with this reason (as Athena's StateChangeReason); `retryable`
   * makes it a system error Athena says may succeed if resubmitted (AthenaError.Retryable).
   */
  failNext: (reason: string, options?: {retryable?: boolean}) => void
  /** The next started query ends CANCELLED. */
  cancelNext: () => void
  calls: (operation: string) => RecordedRequest[]
  close: () => Promise<void>
}

export const ATHENA_ACCESS_KEY = 'AKIDATHENALOCAL'
const MAX_RESULTS = 1000
/** StartQueryExecution's limits on QueryString and ClientRequestToken. */
const MAX_QUERY_BYTES = 262_144
const TOKEN_LENGTH = {min: 32, max: 128}

const err = (type: string, message: string, status = 400): Reply => ({
  status,
  headers: {'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': type},
  body: {__type: type, Message: message},
})
const ok = (body: unknown): Reply => ({status: 200, headers: {'content-type': 'application/x-amz-json-1.1'}, body})

/** Parquet files of a table, one read_parquet per file so the profile names each file opened. */
function tableRelation(table: AthenaTable): string {
  const files = fs
    .readdirSync(table.directory, {recursive: true, encoding: 'utf8'})
    .filter((f) => f.endsWith('.parquet'))
    .sort()
    .map((f) => path.join(table.directory, f))
  if (files.length === 0) throw new Error(`the stand-in's table ${table.database}.${table.name} has no files`)
  const reads = files.map(
    (f) =>
      `SELECT * FROM read_parquet(['${f.replaceAll("'", "''")}'], hive_partitioning = true, hive_types = {'billing_period': VARCHAR})`,
  )
  return `(${reads.join(' UNION ALL BY NAME ')}) AS "${table.name}"`
}

/**
 * A cell as GetQueryResults' VarCharValue spells it: Trino's text of the value, so a map is
 * `{key=value, other=value}` (not JSON: a query that wants JSON must format it itself), an array
 * `[a, b]`; NULL is no VarCharValue at all.
 */
export function athenaText(value: unknown): string | null {
  if (value === null || value === undefined) return null
  if (typeof value === 'object' && 'entries' in value && Array.isArray(value.entries))
    return `{${(value.entries as {key: unknown; value: unknown}[]).map((e) => `${athenaText(e.key)}=${athenaText(e.value)}`).join(', ')}}`
  if (typeof value === 'object' && 'items' in value && Array.isArray(value.items))
    return `[${(value.items as unknown[]).map(athenaText).join(', ')}]`
  return String(value)
}

export interface ProfileNode {
  extra_info?: Record<string, string>
  children?: ProfileNode[]
}

/** The Parquet files a profiled DuckDB query read (statistics propagation off, so a file is skipped only by its partition). */
export function filesRead(node: ProfileNode, out: string[] = []): string[] {
  const info = node.extra_info ?? {}
  if (info['Function'] === 'READ_PARQUET' && info['Total Files Read'] !== '0' && info['Filename(s)'])
    out.push(...info['Filename(s)'].split(', '))
  for (const child of node.children ?? []) filesRead(child, out)
  return out
}

export async function startAthenaServer(options: {
  tables: AthenaTable[]
  runningPolls?: number
  /** Default: `primary` with a result location, as an account whose console has run a query. */
  workgroups?: Record<string, {outputLocation?: string}>
}): Promise<AthenaServer> {
  const {DuckDBInstance} = await import('@duckdb/node-api')
  const instance: DuckDBInstance = await DuckDBInstance.create(':memory:', {threads: '1'})
  const profiles = fs.mkdtempSync(path.join(os.tmpdir(), 'athena-stand-in-'))
  const queries: AthenaQuery[] = []
  const byToken = new Map<string, AthenaQuery>()
  const planned: {state: 'FAILED' | 'CANCELLED'; reason: string; retryable?: boolean}[] = []

  const resolve = (database: string, table: string): string | undefined => {
    const found = options.tables.find((t) => t.database.toLowerCase() === database && t.name.toLowerCase() === table)
    return found && tableRelation(found)
  }

  async function execute(query: AthenaQuery): Promise<void> {
    const fate = planned.shift()
    if (fate) {
      query.state = fate.state
      query.reason = fate.reason
      if (fate.state === 'FAILED') query.error = {category: fate.retryable ? 1 : 2, retryable: fate.retryable ?? false}
      return
    }
    const profile = path.join(profiles, `${query.id}.json`)
    const connection = await instance.connect()
    try {
      query.translated = trinoToDuckdb(query.sql, query.database, resolve)
      // DuckDB would otherwise read every file's Parquet statistics while planning and drop the files
      // whose timestamps miss the window, hiding whether the query's partition predicate pruned them.
      await connection.run(`SET disabled_optimizers = 'statistics_propagation'`)
      await connection.run(`PRAGMA enable_profiling = 'json'`)
      await connection.run(`SET profiling_output = '${profile}'`)
      const reader = await connection.runAndReadAll(query.translated)
      await connection.run('PRAGMA disable_profiling')
      const read = [...new Set(filesRead(JSON.parse(fs.readFileSync(profile, 'utf8')) as ProfileNode))]
      query.bytesScanned = read.reduce((sum, f) => sum + fs.statSync(f).size, 0)
      query.partitionsRead = read.map((f) => /billing_period=([^/]+)/.exec(f)?.[1] ?? '').sort()
      query.columns = reader
        .columnNames()
        .map((name, i) => ({name, type: String(reader.columnTypes()[i]).toLowerCase()}))
      query.rows = reader.getRows().map((row) => row.map(athenaText))
      query.state = 'SUCCEEDED'
    } catch (error) {
      query.state = 'FAILED'
      const message = (error as Error).message.split('\n')[0]
      query.reason = error instanceof TableNotFound ? message : `SYNTAX_ERROR: ${message}`
      query.error = {category: 2, retryable: false}
    } finally {
      connection.closeSync()
    }
  }

  const execution = (q: AthenaQuery) => ({
    QueryExecutionId: q.id,
    Query: q.sql,
    StatementType: 'DML',
    QueryExecutionContext: {Database: q.database, Catalog: 'AwsDataCatalog'},
    WorkGroup: q.workGroup,
    ResultConfiguration: q.outputLocation ? {OutputLocation: `${q.outputLocation.replace(/\/$/, '')}/${q.id}.csv`} : {},
    Status: {
      State: q.state,
      ...(q.reason ? {StateChangeReason: q.reason} : {}),
      ...(q.error
        ? {AthenaError: {ErrorCategory: q.error.category, Retryable: q.error.retryable, ErrorMessage: q.reason}}
        : {}),
      SubmissionDateTime: Date.now() / 1000,
    },
    Statistics: {
      DataScannedInBytes: q.bytesScanned,
      EngineExecutionTimeInMillis: 1,
      TotalExecutionTimeInMillis: 1,
    },
    EngineVersion: {SelectedEngineVersion: 'AUTO', EffectiveEngineVersion: 'Athena engine version 3'},
  })

  const handler = async (request: RecordedRequest): Promise<Reply> => {
    const auth = String(request.headers.authorization ?? '')
    if (!auth.includes(`Credential=${ATHENA_ACCESS_KEY}/`))
      return err('UnrecognizedClientException', 'The security token included in the request is invalid.')
    const operation = String(request.headers['x-amz-target'] ?? '').replace(/^AmazonAthena\./, '')
    const body = (request.json ?? {}) as Record<string, unknown>
    if (operation === 'StartQueryExecution') {
      const token = body.ClientRequestToken as string | undefined
      const sql = String(body.QueryString ?? '')
      if (token !== undefined && (token.length < TOKEN_LENGTH.min || token.length > TOKEN_LENGTH.max)) {
        const bound =
          token.length < TOKEN_LENGTH.min
            ? `greater than or equal to ${TOKEN_LENGTH.min}`
            : `less than or equal to ${TOKEN_LENGTH.max}`
        return err(
          'InvalidRequestException',
          `1 validation error detected: Value at 'clientRequestToken' failed to satisfy constraint: Member must have length ${bound}`,
        )
      }
      if (sql.length === 0 || Buffer.byteLength(sql) > MAX_QUERY_BYTES)
        return err(
          'InvalidRequestException',
          `1 validation error detected: Value at 'queryString' failed to satisfy constraint: Member must have length ` +
            `less than or equal to ${MAX_QUERY_BYTES}`,
        )
      const again = token ? byToken.get(token) : undefined
      if (again) return ok({QueryExecutionId: again.id})
      const context = (body.QueryExecutionContext ?? {}) as {Database?: string}
      const result = (body.ResultConfiguration ?? {}) as {OutputLocation?: string}
      const workGroup = (body.WorkGroup as string | undefined) ?? 'primary'
      const group = server.workgroups.get(workGroup)
      if (!group) return err('InvalidRequestException', `WorkGroup ${workGroup} is not found.`)
      const outputLocation = result.OutputLocation ?? group.outputLocation
      if (!outputLocation)
        return err(
          'InvalidRequestException',
          'No output location provided. An output location is required either through the Workgroup result ' +
            'configuration setting or as an API input.',
        )
      const query: AthenaQuery = {
        id: randomUUID(),
        sql,
        database: (context.Database ?? 'default').toLowerCase(),
        workGroup,
        outputLocation,
        state: 'QUEUED',
        bytesScanned: 0,
        partitionsRead: [],
        polls: 0,
        columns: [],
        rows: [],
        done: Promise.resolve(),
      }
      query.done = execute(query)
      queries.push(query)
      if (token) byToken.set(token, query)
      return ok({QueryExecutionId: query.id})
    }
    const query = queries.find((q) => q.id === body.QueryExecutionId)
    if (operation === 'GetQueryExecution') {
      if (!query) return err('InvalidRequestException', `QueryExecution ${String(body.QueryExecutionId)} was not found`)
      query.polls++
      if (query.polls <= server.runningPolls)
        return ok({QueryExecution: {...execution(query), Status: {State: 'RUNNING'}}})
      await query.done
      return ok({QueryExecution: execution(query)})
    }
    if (operation === 'GetQueryResults') {
      if (!query) return err('InvalidRequestException', `QueryExecution ${String(body.QueryExecutionId)} was not found`)
      const max = (body.MaxResults as number | undefined) ?? MAX_RESULTS
      if (max > MAX_RESULTS || max < 1)
        return err(
          'InvalidRequestException',
          `1 validation error detected: Value ` +
            `'${max}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to ${MAX_RESULTS}`,
        )
      await query.done
      if (query.state !== 'SUCCEEDED')
        return err('InvalidRequestException', `Query has not yet finished. Current state: ${query.state}`)
      // As Athena does for a SELECT: the first row of the first page holds the column names.
      const all = [query.columns.map((c) => c.name), ...query.rows]
      const start = body.NextToken ? Number(Buffer.from(String(body.NextToken), 'base64').toString('utf8')) : 0
      const page = all.slice(start, start + max)
      const next = start + max < all.length ? Buffer.from(String(start + max)).toString('base64') : undefined
      return ok({
        UpdateCount: 0,
        ResultSet: {
          Rows: page.map((row) => ({Data: row.map((v) => (v === null ? {} : {VarCharValue: v}))})),
          ResultSetMetadata: {
            ColumnInfo: query.columns.map((c) => ({
              CatalogName: 'hive',
              Name: c.name,
              Label: c.name,
              Type: c.type,
              Nullable: 'UNKNOWN',
            })),
          },
        },
        ...(next ? {NextToken: next} : {}),
      })
    }
    return err('UnknownOperationException', `the stand-in does not serve ${operation}`)
  }

  const local = await startLocalServer(handler)
  const server: AthenaServer = {
    ...local,
    queries,
    workgroups: new Map(
      Object.entries(options.workgroups ?? {primary: {outputLocation: 's3://aws-athena-query-results-local/'}}),
    ),
    runningPolls: options.runningPolls ?? 1,
    failNext: (reason, failure = {}) => planned.push({state: 'FAILED', reason, retryable: failure.retryable}),
    cancelNext: () => planned.push({state: 'CANCELLED', reason: 'Query was cancelled by user'}),
    calls: (operation) => local.requests.filter((r) => r.headers['x-amz-target'] === `AmazonAthena.${operation}`),
    close: async () => {
      await local.close()
      instance.closeSync()
      fs.rmSync(profiles, {recursive: true, force: true})
    },
  }
  return server
}
