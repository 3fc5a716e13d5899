import fs from 'node:fs'
import path from 'node:path'

import type {DuckDBConnection, DuckDBInstance} from '@duckdb/node-api'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {collectCloudCosts} from '../../../src/collectors/cloud-collect.js'
import {type BigQueryScan, focusViewQuery, gcpFocusViewFetcher} from '../../../src/collectors/gcp/focus-view.js'
import {importFocusFiles} from '../../../src/collectors/focus/index.js'
import {isFinopsError} from '../../../src/errors.js'
import {tempDir} from '../../helpers/cli.js'
import {tempStore, type TempStore} from '../../helpers/store.js'
import {expectSameTotals, storeTotals} from '../../helpers/totals.js'
import {writeFocusViewTable, writeMonthlyFocusCsv} from '../../servers/athena-tables.js'
import {BIGQUERY_TOKEN, type BigQueryServer, startBigQueryDuckdb} from '../../servers/bigquery-duckdb.js'
import {bigqueryToDuckdb} from '../../servers/bigquery-to-duckdb.js'

const SAMPLE = '/work/shared/data/focus-1.0-sample/focus_sample_1000.csv'
const ACCOUNT = '01A2B3-C4D5E6-F7A8B9'
const VIEW = 'billing-admin.finops_focus.focus_v1'
const FROM = '2024-09-01'
const TO = '2024-11-30'

let tmp: {dir: string; cleanup: () => void}
let bigquery: BigQueryServer
let csv: string
let viewFile: string
const stores: TempStore[] = []
const store = (): TempStore => {
  const s = tempStore()
  stores.push(s)
  return s
}
const collect = (db: TempStore['db'], window: {from?: string; to?: string}, focusView = VIEW) => {
  const scan: BigQueryScan = {queries: 0, bytesProcessed: 0, costUsd: 0}
  const fetcher = gcpFocusViewFetcher(
    {
      table: focusView,
      focusView,
      billingAccount: ACCOUNT,
      endpoint: bigquery.url,
      accessToken: BIGQUERY_TOKEN,
      pageSize: 400,
      retry: {maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2},
    },
    scan,
  )
  return collectCloudCosts(db, fetcher, {restatementDays: 3, initialDays: 91, today: '2024-12-01', ...window}).then(
    (summary) => ({summary, scan}),
  )
}

beforeAll(async () => {
  tmp = tempDir('finops-bq-focus-')
  csv = path.join(tmp.dir, 'focus.csv')
  await writeMonthlyFocusCsv(SAMPLE, 3, csv)
  fs.writeFileSync(csv, fs.readFileSync(csv, 'utf8').replaceAll('1234567890123', ACCOUNT))
  viewFile = path.join(tmp.dir, 'view', 'focus_v1.parquet')
  await writeFocusViewTable(csv, viewFile)
  bigquery = await startBigQueryDuckdb({tables: [{name: VIEW, files: [viewFile]}], pageRows: 400})
}, 60_000)
afterAll(async () => {
  await bigquery?.close()
  for (const s of stores) s.cleanup()
  tmp?.cleanup()
})

describe('collect gcp --focus-view: the rollup run by BigQuery over the FOCUS view', () => {
  it('stores the same totals as collect focus of the same rows, with the bytes BigQuery processed', async () => {
    const viaView = store()
    const viaFile = store()
    const {summary, scan} = await collect(viaView.db, {from: FROM, to: TO})
    await importFocusFiles(viaFile.db, [csv])
    for (const keys of [['day'], ['service', 'sub-account', 'region', 'charge-category'], ['tag:environment']])
      expectSameTotals(storeTotals(viaView.db, keys, FROM, TO), storeTotals(viaFile.db, keys, FROM, TO))
    expect(summary.rollupRows).toBeGreaterThan(400)
    expect(scan).toEqual({queries: 1, bytesProcessed: fs.statSync(viewFile).size, costUsd: (10 / 2 ** 20) * 6.25})
    // Paged with pageToken: the first answer and the getQueryResults pages after it.
    const gets = bigquery.queries().filter((r) => r.method === 'GET')
    expect(gets.length).toBeGreaterThan(0)
    const job = [...bigquery.jobs.values()].at(-1)!
    expect(job.sql).toContain(`FROM \`${VIEW}\``)
  })

  it('a query BigQuery answers from its result cache costs nothing', async () => {
    const window = {from: '2024-10-01', to: '2024-10-31'}
    const first = await collect(store().db, window)
    const again = await collect(store().db, window)
    expect(first.scan.costUsd).toBeGreaterThan(0)
    expect(again.scan).toEqual({queries: 1, bytesProcessed: 0, costUsd: 0})
    expect(again.summary.rollupRows).toBe(first.summary.rollupRows)
  })

  it('a lost answer retried starts no second job: one job ran, its bytes counted once', async () => {
    const window = {from: '2024-11-01', to: '2024-11-30'}
    const jobsBefore = bigquery.jobs.size
    const insertsBefore = bigquery.queries().filter((r) => r.path.endsWith('/jobs')).length
    // The first insert starts its job and the answer is lost; so is the first page read of it.
    bigquery.loseAnswers('jobs.insert')
    bigquery.loseAnswers('jobs.getQueryResults')
    const lossy = await collect(store().db, window)
    const inserts = bigquery
      .queries()
      .filter((r) => r.path.endsWith('/jobs'))
      .slice(insertsBefore)
    expect(inserts).toHaveLength(2)
    const ids = inserts.map((r) => (r.json as {jobReference: {jobId: string}}).jobReference.jobId)
    expect(ids[1]).toBe(ids[0])
    expect(bigquery.jobs.size).toBe(jobsBefore + 1)
    const job = bigquery.jobs.get(ids[0]!)!
    expect(job.cacheHit).toBe(false)
    expect(lossy.scan).toEqual({queries: 1, bytesProcessed: job.bytes, costUsd: (10 / 2 ** 20) * 6.25})
    expect(lossy.summary.rollupRows).toBeGreaterThan(0)
  })

  it('a view that does not exist is one line, and the store is unchanged', async () => {
    const s = store()
    await collect(s.db, {from: FROM, to: TO})
    const before = storeTotals(s.db, ['day'], FROM, TO)
    const error = await collect(s.db, {from: FROM, to: TO}, 'billing-admin.finops_focus.nope').catch((e: unknown) => e)
    expect(isFinopsError(error)).toBe(true)
    expect((error as Error).message).toMatch(/BigQuery FOCUS view billing-admin\.finops_focus\.nope.*not found/i)
    expect((error as Error).message).not.toContain('\n')
    expectSameTotals(storeTotals(s.db, ['day'], FROM, TO), before)
  })
})

describe('GoogleSQL to DuckDB, as the BigQuery stand-in rewrites it', () => {
  let instance: DuckDBInstance
  let connection: DuckDBConnection
  beforeAll(async () => {
    const {DuckDBInstance} = await import('@duckdb/node-api')
    instance = await DuckDBInstance.create(':memory:')
    connection = await instance.connect()
  })
  afterAll(() => {
    connection?.closeSync()
    instance?.closeSync()
  })
  const params = [
    {name: 'day', parameterType: {type: 'STRING'}, parameterValue: {value: '2024-09-30'}},
    {name: 'n', parameterType: {type: 'INT64'}, parameterValue: {value: '2'}},
  ]
  const value = async (googleSql: string): Promise<unknown> =>
    (await connection.runAndReadAll(bigqueryToDuckdb(`SELECT ${googleSql}`, params, () => undefined))).getRows()[0]?.[0]

  it.each([
    [
      'FORMAT_DATE takes the format first',
      `FORMAT_DATE('%Y-%m-%d', DATE(TIMESTAMP('2024-09-30 23:00:00')))`,
      '2024-09-30',
    ],
    [
      'TIMESTAMP_ADD of a DAY interval, nested calls',
      `FORMAT_DATE('%Y-%m-%d', DATE(TIMESTAMP_ADD(TIMESTAMP(@day), INTERVAL 1 DAY)))`,
      '2024-10-01',
    ],
    ['a STRING parameter as a literal', `@day`, '2024-09-30'],
    ['an INT64 parameter as a number', `@n + 1`, 3],
    [
      'TO_JSON_STRING of key/value structs',
      `TO_JSON_STRING([{'key': 'team', 'value': 'web'}])`,
      '[{"key":"team","value":"web"}]',
    ],
    ['NUMERIC sums exactly, as STRING', `CAST(CAST(0.1 AS NUMERIC) + CAST(0.2 AS NUMERIC) AS STRING)`, '0.300000000'],
    ['IFNULL as written', `IFNULL(NULL, 5)`, 5],
  ])('%s', async (_name, googleSql, expected) => {
    expect(await value(googleSql)).toEqual(expected)
  })

  it("the collector's FOCUS view query uses only constructs the table above covers", () => {
    const translated = bigqueryToDuckdb(
      focusViewQuery(VIEW),
      [
        {name: 'from_day', parameterValue: {value: FROM}},
        {name: 'to_day', parameterValue: {value: TO}},
        {name: 'billing_account', parameterValue: {value: ACCOUNT}},
      ],
      () => '(SELECT 1)',
    )
    expect(translated).not.toMatch(/\b(FORMAT_DATE|TO_JSON_STRING|TIMESTAMP_ADD)\s*\(|`|@/)
  })
})
