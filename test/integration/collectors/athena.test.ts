import fs from 'node:fs'
import path from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {collectAthena} from '../../../src/collectors/athena/index.js'
import {athenaSourceConfig} from '../../../src/collectors/athena/source.js'
import {importFocusFiles} from '../../../src/collectors/focus/index.js'
import {type FinopsError, isFinopsError} from '../../../src/errors.js'
import {ExitCode} from '../../../src/exit-codes.js'
import {getWatermark} from '../../../src/store/watermarks.js'
import {tempDir} from '../../helpers/cli.js'
import {tempStore, type TempStore} from '../../helpers/store.js'
import {expectSameTotals, storeTotals} from '../../helpers/totals.js'
import {ATHENA_ACCESS_KEY, type AthenaServer, startAthenaServer} from '../../servers/athena.js'
import {
  partitionBytes,
  writeCurExportTable,
  writeFocusExportTable,
  writeMonthlyFocusCsv,
} from '../../servers/athena-tables.js'

const SAMPLE = '/work/shared/data/focus-1.0-sample/focus_sample_1000.csv'
const PAYER = '123456789012'
const SECRET = 'athena-local-secret-do-not-print'
const FROM = '2024-09-01'
const TO = '2024-11-30'
const RUN = {restatementDays: 3, initialDays: 91, retry: {maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5}}

let tmp: {dir: string; cleanup: () => void}
let athena: AthenaServer
let csv: string
const stores: TempStore[] = []
const store = (): TempStore => {
  const s = tempStore()
  stores.push(s)
  return s
}

const entry = ({prune: _prune, ...extra}: Record<string, unknown> = {}) =>
  athenaSourceConfig.parse({table: 'cid_data_export.focus', billingAccount: PAYER, endpoint: athena.url, ...extra})
const collect = (
  db: TempStore['db'],
  extra: Record<string, unknown> = {},
  window: Record<string, string> = {},
  today = '2024-12-01',
) =>
  collectAthena(
    db,
    entry(extra),
    {...RUN, today, ...window},
    {
      credentials: {accessKeyId: ATHENA_ACCESS_KEY, secretAccessKey: SECRET},
      pollDelayMs: 1,
      ...(extra.prune === false ? {prune: false} : {}),
    },
  )

beforeAll(async () => {
  tmp = tempDir('finops-athena-')
  csv = path.join(tmp.dir, 'focus-3-months.csv')
  // The sample's AWS rows (payer 1234567890123 in the sample: one digit too many for an account id, so re-keyed).
  await writeMonthlyFocusCsv(SAMPLE, 3, csv)
  fs.writeFileSync(csv, fs.readFileSync(csv, 'utf8').replaceAll('1234567890123', PAYER))
  await writeFocusExportTable(csv, path.join(tmp.dir, 'focus'))
  await writeCurExportTable(csv, path.join(tmp.dir, 'cur2'))
  athena = await startAthenaServer({
    tables: [
      {database: 'cid_data_export', name: 'focus', directory: path.join(tmp.dir, 'focus')},
      {database: 'cid_data_export', name: 'cur2', directory: path.join(tmp.dir, 'cur2')},
    ],
  })
}, 60_000)

afterAll(async () => {
  await athena?.close()
  for (const s of stores) s.cleanup()
  tmp?.cleanup()
})

describe('collect athena over a FOCUS 1.0 Data Exports table', () => {
  it('stores the same daily totals as collect focus of the same file, to the cent', async () => {
    const viaAthena = store()
    const viaFile = store()
    const summary = await collect(viaAthena.db, {}, {from: FROM, to: TO})
    await importFocusFiles(viaFile.db, [csv])
    for (const keys of [['day'], ['service', 'sub-account', 'region', 'charge-category'], ['tag:environment']])
      expectSameTotals(storeTotals(viaAthena.db, keys, FROM, TO), storeTotals(viaFile.db, keys, FROM, TO))
    const fileTotal = [...storeTotals(viaFile.db, ['day'], FROM, TO).values()].reduce((s, t) => s + t.billed, 0)
    expect(summary.totals).toEqual([
      {currency: 'USD', billedCost: Math.round(fileTotal * 100) / 100, effectiveCost: expect.any(Number)},
    ])
    expect(summary.scan.billingPeriods).toEqual(['2024-09', '2024-10', '2024-11'])
    expect(summary.scan.bytesScanned).toBe(
      Object.values(partitionBytes(path.join(tmp.dir, 'focus'))).reduce((a, b) => a + b),
    )
    // Paged at Athena's maximum: more than one page, none larger than 1,000 rows.
    const pages = athena
      .calls('GetQueryResults')
      .filter((r) => (r.json as {QueryExecutionId: string}).QueryExecutionId === summary.scan.queryIds[0])
    expect(pages.length).toBeGreaterThan(1)
    expect(pages.every((r) => (r.json as {MaxResults: number}).MaxResults <= 1000)).toBe(true)
  })

  it('scans only the partitions of the window, and all of them without pruning', async () => {
    const bytes = partitionBytes(path.join(tmp.dir, 'focus'))
    const pruned = await collect(store().db, {}, {from: '2024-10-05', to: '2024-10-20'})
    const query = athena.queries.find((q) => q.id === pruned.scan.queryIds[0])!
    expect(query.partitionsRead).toEqual(['2024-10'])
    expect(pruned.scan.bytesScanned).toBe(bytes['2024-10'])
    const full = await collect(store().db, {prune: false}, {from: '2024-10-05', to: '2024-10-20'})
    expect(athena.queries.find((q) => q.id === full.scan.queryIds[0])!.partitionsRead).toEqual([
      '2024-09',
      '2024-10',
      '2024-11',
    ])
    expect(full.scan.bytesScanned).toBeGreaterThan(2 * pruned.scan.bytesScanned)
    // Same rows either way: pruning only skips what the window excludes.
    expect(full.totals).toEqual(pruned.totals)
    expect(pruned.scan.scanCostUsd).toBeCloseTo((10 / 1024 / 1024) * 5, 12)
  })

  it('re-queries only the restatement window and the open month on the next run', async () => {
    const s = store()
    const first = await collect(s.db, {}, {}, '2024-12-01')
    expect(first.window).toEqual({from: '2024-09-01', to: '2024-11-30'})
    const second = await collect(s.db, {}, {}, '2024-12-01')
    expect(second.window.from >= '2024-11-01').toBe(true)
    const query = athena.queries.find((q) => q.id === second.scan.queryIds[0])!
    expect(query.partitionsRead).toEqual(['2024-11'])
    expect(query.sql).toContain(`"billing_period" IN ('2024-11')`)
    expect(second.scan.bytesScanned).toBeLessThan(first.scan.bytesScanned)
    // What the two runs left is what one run over the whole window stores.
    const once = store()
    await collect(once.db, {}, {from: FROM, to: TO})
    expectSameTotals(
      storeTotals(s.db, ['day', 'service'], FROM, TO),
      storeTotals(once.db, ['day', 'service'], FROM, TO),
    )
    expect(getWatermark(s.db, 'athena', second.location)?.collectedThrough).toBe('2024-11-30')
  })

  it('a FAILED query is one line, and the store and watermark stay as they were', async () => {
    const s = store()
    await collect(s.db, {}, {from: FROM, to: TO})
    const before = storeTotals(s.db, ['day'], FROM, TO)
    const mark = getWatermark(s.db, 'athena', `athena:AwsDataCatalog.cid_data_export.focus:focus:${PAYER}`)
    athena.failNext(
      'HIVE_CANNOT_OPEN_SPLIT: Error opening Hive split s3://bucket/focus/billing_period=2024-11/x.parquet\nat line 2',
    )
    const error = await collect(s.db, {}, {from: '2024-11-01', to: TO}).catch((e: unknown) => e)
    expect(isFinopsError(error)).toBe(true)
    const finops = error as Error & {exit: number}
    expect(finops.exit).toBe(ExitCode.remote)
    expect(finops.message).toMatch(/query [0-9a-f-]+ FAILED: HIVE_CANNOT_OPEN_SPLIT: Error opening Hive split/)
    expect(finops.message).not.toContain('\n')
    expect(finops.message).not.toContain(SECRET)
    expectSameTotals(storeTotals(s.db, ['day'], FROM, TO), before)
    expect(getWatermark(s.db, 'athena', `athena:AwsDataCatalog.cid_data_export.focus:focus:${PAYER}`)).toEqual(mark)
  })

  it('resubmits a query Athena failed with a retryable system error, and bills only the one that ran', async () => {
    const s = store()
    athena.failNext('GENERIC_INTERNAL_ERROR: Exchange source closed unexpectedly', {retryable: true})
    const summary = await collect(s.db, {}, {from: '2024-10-01', to: '2024-10-31'})
    expect(summary.scan.queries).toBe(2)
    const [failed, ran] = summary.scan.queryIds.map((id) => athena.queries.find((q) => q.id === id)!)
    expect(failed!.state).toBe('FAILED')
    expect(ran!.state).toBe('SUCCEEDED')
    // Athena bills no failed query: the bytes are the second one's.
    expect(summary.scan.bytesScanned).toBe(ran!.bytesScanned)
    const once = store()
    await collect(once.db, {}, {from: '2024-10-01', to: '2024-10-31'})
    expectSameTotals(storeTotals(s.db, ['day'], FROM, TO), storeTotals(once.db, ['day'], FROM, TO))
  })

  it('a retryable failure that outlasts the attempts is the FAILED line; a user error is not resubmitted', async () => {
    const started = athena.calls('StartQueryExecution').length
    for (let i = 0; i < RUN.retry.maxAttempts; i++)
      athena.failNext('GENERIC_INTERNAL_ERROR: worker lost', {retryable: true})
    const error = await collect(store().db, {}, {from: '2024-10-01', to: '2024-10-31'}).catch((e: unknown) => e)
    expect((error as Error).message).toMatch(/query [0-9a-f-]+ FAILED: GENERIC_INTERNAL_ERROR: worker lost/)
    expect(athena.calls('StartQueryExecution').length - started).toBe(RUN.retry.maxAttempts)
    const before = athena.calls('StartQueryExecution').length
    await collect(store().db, {table: 'cid_data_export.nope'}, {from: FROM, to: TO}).catch((e: unknown) => e)
    expect(athena.calls('StartQueryExecution').length - before).toBe(1)
  })

  it('names a missing table in the failed query', async () => {
    const error = await collect(store().db, {table: 'cid_data_export.nope'}, {from: FROM, to: TO}).catch(
      (e: unknown) => e,
    )
    expect((error as Error).message).toMatch(
      /FAILED: TABLE_NOT_FOUND: Table 'awsdatacatalog.cid_data_export.nope' does not exist/,
    )
  })
})

describe('collect athena: where the queries run and write', () => {
  it('a workgroup without a result location and no outputLocation is one line naming outputLocation', async () => {
    athena.workgroups.set('no-results', {})
    const s = store()
    const error = await collect(s.db, {workgroup: 'no-results'}, {from: FROM, to: TO}).catch((e: unknown) => e)
    expect(isFinopsError(error)).toBe(true)
    const finops = error as FinopsError
    expect(finops.exit).toBe(ExitCode.usage)
    expect(finops.message).toMatch(/workgroup no-results has no query result location/)
    // At the command edge the fix names the flag.
    expect(finops.naming((input) => `--${input.key}`).suggestion).toMatch(/--output-location s3:\/\//)
    expect(getWatermark(s.db, 'athena', `athena:AwsDataCatalog.cid_data_export.focus:focus:${PAYER}`)).toBeUndefined()
    // Given one, the same workgroup runs the query and Athena writes there.
    const ran = await collect(
      store().db,
      {workgroup: 'no-results', outputLocation: 's3://finops-athena-results/q/'},
      {from: '2024-11-01', to: TO},
    )
    expect(athena.queries.find((q) => q.id === ran.scan.queryIds[0])?.outputLocation).toBe(
      's3://finops-athena-results/q/',
    )
  })

  it('a workgroup Athena does not know is one line naming it', async () => {
    const error = await collect(store().db, {workgroup: 'finops-typo'}, {from: FROM, to: TO}).catch((e: unknown) => e)
    const finops = error as Error & {exit: number}
    expect(finops.exit).toBe(ExitCode.usage)
    expect(finops.message).toMatch(/workgroup finops-typo does not exist/)
    expect(finops.message).not.toContain('\n')
  })
})

describe('collect athena over a CUR 2.0 Data Exports table', () => {
  it('maps CUR columns to the same grain: billed totals as collect focus, tags without the user_ prefix', async () => {
    const viaCur = store()
    const viaFile = store()
    await collect(viaCur.db, {table: 'cid_data_export.cur2', format: 'cur2'}, {from: FROM, to: TO})
    await importFocusFiles(viaFile.db, [csv])
    const billed = (db: TempStore['db'], keys: string[]) =>
      [...storeTotals(db, keys, FROM, TO)].map(([k, v]) => [k, Math.round(v.billed * 100) / 100]).sort()
    expect(billed(viaCur.db, ['day'])).toEqual(billed(viaFile.db, ['day']))
    expect(billed(viaCur.db, ['tag:environment'])).toEqual(billed(viaFile.db, ['tag:environment']))
    expect(billed(viaCur.db, ['sub-account', 'region'])).toEqual(billed(viaFile.db, ['sub-account', 'region']))
  })
})
