import fs from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {collectAthenaSchema, collectFocusSchema} from '../../src/collectors/contracts.js'
import {openStore} from '../../src/store/open.js'
import {parseJson, runCli, tempDir} from '../helpers/cli.js'
import {isolatedCloudEnv} from '../helpers/cloud-env.js'
import {expectSameTotals, storeTotals, type Totals} from '../helpers/totals.js'
import {ATHENA_ACCESS_KEY, type AthenaServer, startAthenaServer} from '../servers/athena.js'
import {writeFocusExportTable, writeMonthlyFocusCsv} from '../servers/athena-tables.js'

/**
 * The built CLI as users run it: `collect athena` against the local Athena (reached through
 * AWS_ENDPOINT_URL_ATHENA and env keys, as the SDK's default chain reads them), checked against
 * `collect focus` of the same file, and its failures as one line with the store unchanged.
 */
const SAMPLE = '/work/shared/data/focus-1.0-sample/focus_sample_1000.csv'
const PAYER = '123456789012'
const SECRET = 'e2e-athena-secret-never-printed'
const NOW = '2024-12-01'
let athena: AthenaServer
let tmp: {dir: string; cleanup: () => void}
let csv: string

const env = (extra: Record<string, string | undefined> = {}) =>
  isolatedCloudEnv(tmp.dir, NOW, {
    AWS_ENDPOINT_URL_ATHENA: athena.url,
    AWS_ACCESS_KEY_ID: ATHENA_ACCESS_KEY,
    AWS_SECRET_ACCESS_KEY: SECRET,
    AWS_REGION: 'us-east-1',
    ...extra,
  })
const athenaArgs = (db: string, ...more: string[]) => [
  'collect',
  'athena',
  '--table',
  'cid_data_export.focus',
  '--billing-account',
  PAYER,
  '--db',
  db,
  ...more,
]
const rowCount = (db: string): number => {
  const store = openStore(db, {readonly: true})
  try {
    return (store.prepare('SELECT count(*) AS n FROM cost_daily').get() as {n: number}).n
  } finally {
    store.close()
  }
}

beforeAll(async () => {
  tmp = tempDir('finops-e2e-athena-')
  csv = path.join(tmp.dir, 'focus.csv')
  await writeMonthlyFocusCsv(SAMPLE, 3, csv)
  fs.writeFileSync(csv, fs.readFileSync(csv, 'utf8').replaceAll('1234567890123', PAYER))
  await writeFocusExportTable(csv, path.join(tmp.dir, 'focus'))
  athena = await startAthenaServer({
    tables: [{database: 'cid_data_export', name: 'focus', directory: path.join(tmp.dir, 'focus')}],
  })
}, 60_000)
afterAll(async () => {
  await athena?.close()
  tmp?.cleanup()
})

describe('finops collect athena (built CLI)', () => {
  it('collects the same totals as collect focus of the same file, and prints the bytes Athena scanned', async () => {
    const viaAthena = path.join(tmp.dir, 'athena.db')
    const viaFile = path.join(tmp.dir, 'file.db')
    const run = await runCli([...athenaArgs(viaAthena, '--from', '2024-09-01', '--to', '2024-11-30'), '--json'], {
      env: env(),
    })
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    const result = collectAthenaSchema.parse(parseJson(run))
    const file = await runCli(['collect', 'focus', csv, '--db', viaFile, '--json'], {env: env()})
    expect(file.code).toBe(0)
    collectFocusSchema.parse(parseJson(file))
    const [source] = result.sources
    const totals = (file: string): Totals => {
      const store = openStore(file, {readonly: true})
      try {
        return storeTotals(store, ['day', 'service', 'tag:environment'], '2024-09-01', '2024-11-30')
      } finally {
        store.close()
      }
    }
    expectSameTotals(totals(viaAthena), totals(viaFile))
    const billed = [...totals(viaFile).values()].reduce((sum, t) => sum + t.billed, 0)
    expect(source!.totals[0]!.billedCost).toBe(Math.round(billed * 100) / 100)
    expect(source!.scan.bytesScanned).toBeGreaterThan(0)
    expect(source!.scan.billingPeriods).toEqual(['2024-09', '2024-10', '2024-11'])

    const text = await runCli(athenaArgs(viaAthena, '--from', '2024-10-01', '--to', '2024-10-31'), {env: env()})
    expect(text.code).toBe(0)
    expect(text.stdout).toMatch(
      /^AWS 123456789012: 2024-10-01 to 2024-10-31 .*; Athena scanned [\d.,]+ MB in 1 query of billing periods 2024-10 \(USD 0\.0000 at \$5\/TB\)$/m,
    )
    for (const out of [run.stdout, run.stderr, text.stdout, text.stderr]) expect(out).not.toContain(SECRET)
  })

  it('a failed query is one line on stderr, exit remote, store unchanged; the secret is never printed', async () => {
    const db = path.join(tmp.dir, 'failed.db')
    expect((await runCli(athenaArgs(db, '--from', '2024-09-01', '--to', '2024-11-30'), {env: env()})).code).toBe(0)
    const before = rowCount(db)
    athena.failNext(
      'ACCESS_DENIED: Access denied when reading s3://exports/focus/billing_period=2024-11/part-0.parquet',
    )
    const failed = await runCli(athenaArgs(db, '--from', '2024-11-01', '--to', '2024-11-30'), {env: env()})
    expect(failed.code).toBe(6)
    expect(failed.stdout).toBe('')
    expect(failed.stderr.trim().split('\n')).toHaveLength(1)
    expect(failed.stderr).toMatch(/^Error: Athena cid_data_export\.focus: query [0-9a-f-]+ FAILED: ACCESS_DENIED/)
    expect(failed.stderr).not.toContain(SECRET)
    expect(rowCount(db)).toBe(before)
  })

  it('refuses a missing or malformed payer account before any request', async () => {
    const sent = athena.requests.length
    const db = path.join(tmp.dir, 'refused.db')
    for (const args of [
      ['collect', 'athena', '--table', 'cid_data_export.focus', '--db', db],
      ['collect', 'athena', '--table', 'cid_data_export.focus', '--billing-account', '12345', '--db', db],
      ['collect', 'athena', '--table', 'no-database', '--billing-account', PAYER, '--db', db],
    ]) {
      const refused = await runCli(args, {env: env()})
      expect(refused.code).toBe(2)
      expect(refused.stderr.trim().split('\n')).toHaveLength(1)
      expect(refused.stderr).toMatch(/--(billing-account|table)/)
    }
    expect(athena.requests.length).toBe(sent)
    expect(fs.existsSync(db)).toBe(false)
  })
})
