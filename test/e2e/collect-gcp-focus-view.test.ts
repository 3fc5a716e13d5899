import fs from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {collectGcpSchema} from '../../src/collectors/contracts.js'
import {parseJson, runCli, tempDir} from '../helpers/cli.js'
import {isolatedCloudEnv} from '../helpers/cloud-env.js'
import {writeFocusViewTable, writeMonthlyFocusCsv} from '../servers/athena-tables.js'
import {BIGQUERY_TOKEN, type BigQueryServer, startBigQueryDuckdb} from '../servers/bigquery-duckdb.js'

/** `collect gcp --focus-view` as users run it, against the BigQuery stand-in that runs the SQL with DuckDB. */
const SAMPLE = '/work/shared/data/focus-1.0-sample/focus_sample_1000.csv'
const ACCOUNT = '01A2B3-C4D5E6-F7A8B9'
const VIEW = 'billing-admin.finops_focus.focus_v1'
const NO_COST_VIEW = 'billing-admin.finops_focus.focus_no_billed_cost'
let bigquery: BigQueryServer
let tmp: {dir: string; cleanup: () => void}

const env = () => isolatedCloudEnv(tmp.dir, '2024-12-01', {GOOGLE_OAUTH_ACCESS_TOKEN: BIGQUERY_TOKEN})

beforeAll(async () => {
  tmp = tempDir('finops-e2e-bq-focus-')
  const csv = path.join(tmp.dir, 'focus.csv')
  await writeMonthlyFocusCsv(SAMPLE, 2, csv)
  fs.writeFileSync(csv, fs.readFileSync(csv, 'utf8').replaceAll('1234567890123', ACCOUNT))
  const file = path.join(tmp.dir, 'view.parquet')
  await writeFocusViewTable(csv, file)
  const noCost = path.join(tmp.dir, 'no-billed-cost.parquet')
  const {DuckDBInstance} = await import('@duckdb/node-api')
  const duck = await DuckDBInstance.create(':memory:')
  const connection = await duck.connect()
  await connection.run(
    `COPY (SELECT * EXCLUDE (BilledCost) FROM read_parquet('${file}')) TO '${noCost}' (FORMAT parquet)`,
  )
  connection.closeSync()
  duck.closeSync()
  bigquery = await startBigQueryDuckdb({
    tables: [
      {name: VIEW, files: [file]},
      {name: NO_COST_VIEW, files: [noCost]},
    ],
  })
}, 60_000)
afterAll(async () => {
  await bigquery?.close()
  tmp?.cleanup()
})

describe('finops collect gcp --focus-view (built CLI)', () => {
  it('collects the rollup and reports the bytes BigQuery processed', async () => {
    const db = path.join(tmp.dir, 'gcp.db')
    const args = ['collect', 'gcp', '--focus-view', VIEW, '--billing-account', ACCOUNT, '--endpoint', bigquery.url]
    const run = await runCli([...args, '--from', '2024-09-01', '--to', '2024-10-31', '--db', db, '--json'], {
      env: env(),
    })
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    const [source] = collectGcpSchema.parse(parseJson(run)).sources
    expect(source!.costs!.window).toEqual({from: '2024-09-01', to: '2024-10-31'})
    expect(source!.costs!.totals[0]!.billedCost).toBeGreaterThan(0)
    expect(source!.scan!.bytesProcessed).toBe([...bigquery.jobs.values()].at(-1)!.bytes)
    const text = await runCli([...args, '--from', '2024-10-01', '--to', '2024-10-31', '--db', db], {env: env()})
    expect(text.code).toBe(0)
    expect(text.stdout).toMatch(
      /^Google Cloud 01A2B3-C4D5E6-F7A8B9: 2024-10-01 to 2024-10-31 .*; BigQuery processed [\d.]+ MB in 1 query/m,
    )
    for (const out of [run.stdout, run.stderr, text.stdout, text.stderr]) expect(out).not.toContain(BIGQUERY_TOKEN)
  })

  it('refuses a FOCUS view without its billing account, or with --table, in one line before any request', async () => {
    const sent = bigquery.requests.length
    const db = path.join(tmp.dir, 'refused.db')
    for (const [args, message] of [
      [['--focus-view', VIEW], /the --focus-view needs the --billing-account whose rows it reads/],
      [
        ['--focus-view', VIEW, '--table', 'p-1.billing.gcp_billing_export_v1_01A2B3_C4D5E6_F7A8B9'],
        /give the --table or the --focus-view, not both/,
      ],
    ] as const) {
      const refused = await runCli(['collect', 'gcp', ...args, '--db', db], {env: env()})
      expect(refused.code).toBe(2)
      expect(refused.stderr.trim().split('\n')).toHaveLength(1)
      expect(refused.stderr).toMatch(message)
    }
    expect(bigquery.requests.length).toBe(sent)
    expect(fs.existsSync(db)).toBe(false)
  })

  it('refuses a view without a required column in one usage line naming it, before any job', async () => {
    const jobs = bigquery.jobs.size
    const db = path.join(tmp.dir, 'no-cost.db')
    const refused = await runCli(
      [
        'collect',
        'gcp',
        '--focus-view',
        NO_COST_VIEW,
        '--billing-account',
        ACCOUNT,
        '--endpoint',
        bigquery.url,
        '--db',
        db,
      ],
      {env: env()},
    )
    expect(refused.code).toBe(2)
    expect(refused.stderr.trim().split('\n')).toHaveLength(1)
    expect(refused.stderr).toMatch(
      new RegExp(`BigQuery FOCUS view ${NO_COST_VIEW.replaceAll('.', '\\.')} has no BilledCost column`),
    )
    expect(bigquery.jobs.size).toBe(jobs)
  })
})
