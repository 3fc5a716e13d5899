import {DuckDBInstance} from '@duckdb/node-api'
import {parse} from 'csv-parse/sync'
import fs from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {collectFocusSchema} from '../../src/collectors/contracts.js'
import {fixturesDir, parseJson, runCli, tempDir} from '../helpers/cli.js'

const sample = path.join(fixturesDir, 'focus', 'focus_sample_1000.csv')
const sampleRows = parse(fs.readFileSync(sample), {columns: true, bom: true}) as Record<string, string>[]
const num = (v: string | undefined): number => (v === undefined || v === 'NULL' || v === '' ? 0 : Number(v))

/** Expected totals per provider, computed from the raw file independently of the importer. */
function expectedByProvider(metric: 'BilledCost' | 'EffectiveCost'): Map<string, number> {
  const out = new Map<string, number>()
  for (const row of sampleRows) out.set(row.ProviderName!, (out.get(row.ProviderName!) ?? 0) + num(row[metric]))
  return out
}

interface Report {
  rows: {keys: string[]; total: number; currency: string}[]
  totals: {currency: string; total: number}[]
}

async function reportByProvider(db: string, metric = 'effective'): Promise<Map<string, number>> {
  const result = await runCli([
    'cost',
    'report',
    '--db',
    db,
    '--group-by',
    'provider',
    '--metric',
    metric,
    '--from',
    '2024-01-01',
    '--to',
    '2024-12-31',
    '--json',
  ])
  expect(result.code, result.stderr).toBe(0)
  return new Map(parseJson<Report>(result).rows.map((r) => [r.keys[0]!, r.total]))
}

function writeCsv(file: string, rows: Record<string, string>[], columns = Object.keys(sampleRows[0]!)): void {
  const quote = (v: string) => (v === 'NULL' ? v : `"${v.replaceAll('"', '""')}"`)
  fs.writeFileSync(
    file,
    [columns.map(quote).join(','), ...rows.map((r) => columns.map((c) => quote(r[c] ?? 'NULL')).join(','))].join('\n') +
      '\n',
  )
}

describe('finops collect focus (built CLI)', () => {
  let tmp: ReturnType<typeof tempDir>
  beforeAll(() => {
    tmp = tempDir()
  })
  afterAll(() => tmp.cleanup())

  it('imports the real FOCUS sample with totals equal to the raw file, per provider and metric', async () => {
    const db = path.join(tmp.dir, 'sample.db')
    const result = await runCli(['collect', 'focus', sample, '--db', db, '--json'])
    expect(result.code, result.stderr).toBe(0)
    const summary = collectFocusSchema.parse(parseJson(result))
    expect(summary.rowsRead).toBe(sampleRows.length)
    expect(summary.rowsSkipped).toBe(0)
    for (const metric of ['effective', 'billed'] as const) {
      const got = await reportByProvider(db, metric)
      const want = expectedByProvider(metric === 'effective' ? 'EffectiveCost' : 'BilledCost')
      expect([...got.keys()].sort()).toEqual([...want.keys()].sort())
      for (const [provider, total] of want) expect(got.get(provider)).toBeCloseTo(total, 6)
    }
  })

  it('is idempotent: importing the same file again leaves totals unchanged', async () => {
    const db = path.join(tmp.dir, 'twice.db')
    expect((await runCli(['collect', 'focus', sample, '--db', db])).code).toBe(0)
    const first = await reportByProvider(db)
    expect((await runCli(['collect', 'focus', sample, '--db', db])).code).toBe(0)
    expect(await reportByProvider(db)).toEqual(first)
  })

  it('replaces a billing period when a restated export of the same provider + account arrives', async () => {
    const db = path.join(tmp.dir, 'restate.db')
    expect((await runCli(['collect', 'focus', sample, '--db', db])).code).toBe(0)
    const before = await reportByProvider(db)
    // The restated AWS export: same account and period, every EffectiveCost doubled.
    const aws = sampleRows
      .filter((r) => r.ProviderName === 'AWS')
      .map((r) => ({...r, EffectiveCost: String(num(r.EffectiveCost) * 2)}))
    const restated = path.join(tmp.dir, 'aws-restated.csv')
    writeCsv(restated, aws)
    const result = await runCli(['collect', 'focus', restated, '--db', db])
    expect(result.code, result.stderr).toBe(0)
    const after = await reportByProvider(db)
    expect(after.get('AWS')).toBeCloseTo(before.get('AWS')! * 2, 6)
    expect(after.get('Microsoft')).toBeCloseTo(before.get('Microsoft')!, 9)
  })

  it('reads .csv.gz and Parquet exports to the same totals as the CSV', async () => {
    const gz = path.join(tmp.dir, 'sample.csv.gz')
    fs.writeFileSync(gz, zlib.gzipSync(fs.readFileSync(sample)))
    const parquet = path.join(tmp.dir, 'sample.parquet')
    const duck = await DuckDBInstance.create(':memory:')
    const connection = await duck.connect()
    await connection.run(
      `COPY (SELECT * FROM read_csv('${sample}', all_varchar = true)) TO '${parquet}' (FORMAT parquet)`,
    )
    connection.closeSync()
    const want = expectedByProvider('EffectiveCost')
    for (const file of [gz, parquet]) {
      const db = path.join(tmp.dir, `${path.basename(file)}.db`)
      const result = await runCli(['collect', 'focus', file, '--db', db])
      expect(result.code, result.stderr).toBe(0)
      const got = await reportByProvider(db)
      for (const [provider, total] of want) expect(got.get(provider), `${file} ${provider}`).toBeCloseTo(total, 6)
    }
  })

  it('accepts messy real-export values: NULL, enum case variants, both timestamp styles, Tags JSON', async () => {
    const base = sampleRows.find((r) => r.ProviderName === 'AWS')!
    const rows = [
      {
        ...base,
        ChargePeriodStart: '2024-09-01T05:00:00Z',
        BillingPeriodStart: '2024-09-01T00:00:00Z',
        ChargeFrequency: 'usage-based',
        ChargeCategory: 'usage',
        EffectiveCost: '1.5',
        Tags: '{"team": "web"}',
      },
      {
        ...base,
        ChargePeriodStart: '2024-09-01 07:00:00',
        ChargeFrequency: 'Usage-based',
        ChargeCategory: 'USAGE',
        EffectiveCost: '2.5',
        Tags: 'NULL',
        ListCost: 'NULL',
      },
    ]
    const file = path.join(tmp.dir, 'messy.csv')
    writeCsv(file, rows)
    const db = path.join(tmp.dir, 'messy.db')
    expect((await runCli(['collect', 'focus', file, '--db', db])).code).toBe(0)
    const result = await runCli([
      'cost',
      'report',
      '--db',
      db,
      '--group-by',
      'charge-frequency,tag:team',
      '--from',
      '2024-09-01',
      '--to',
      '2024-09-01',
      '--json',
    ])
    const report = parseJson<Report>(result)
    const byKey = Object.fromEntries(report.rows.map((r) => [r.keys.join('|'), r.total]))
    expect(byKey).toEqual({'Usage-Based|web': 1.5, 'Usage-Based|(untagged)': 2.5})
  })

  it('takes later column sets: ServiceProviderName for ProviderName, x_ and unknown columns ignored, header case', async () => {
    const columns = Object.keys(sampleRows[0]!)
    const renamed = columns.map((c) =>
      c === 'ProviderName' ? 'ServiceProviderName' : c === 'BilledCost' ? 'billedcost' : c,
    )
    const rows = sampleRows
      .filter((r) => r.ProviderName === 'Microsoft')
      .map((r) => ({
        ...r,
        ServiceProviderName: r.ProviderName!,
        billedcost: r.BilledCost!,
        x_Discounts: '{"a": 1}',
        HostProviderName: 'Microsoft',
        InvoiceId: 'INV-1',
      }))
    const file = path.join(tmp.dir, 'focus-1.2.csv')
    writeCsv(file, rows, [...renamed, 'x_Discounts', 'HostProviderName', 'InvoiceId'])
    const db = path.join(tmp.dir, 'v12.db')
    const result = await runCli(['collect', 'focus', file, '--db', db])
    expect(result.code, result.stderr).toBe(0)
    const got = await reportByProvider(db, 'billed')
    expect([...got.keys()]).toEqual(['Microsoft'])
    expect(got.get('Microsoft')).toBeCloseTo(expectedByProvider('BilledCost').get('Microsoft')!, 6)
  })

  describe('bad input: one line, non-zero exit from the table, store unchanged', () => {
    let db: string
    let baseline: Map<string, number>
    beforeAll(async () => {
      db = path.join(tmp.dir, 'guarded.db')
      expect((await runCli(['collect', 'focus', sample, '--db', db])).code).toBe(0)
      baseline = await reportByProvider(db)
    })

    const cases: {name: string; make: (dir: string) => string; exit: number; message: RegExp}[] = [
      {
        name: 'missing required columns',
        exit: 3,
        message: /missing required FOCUS columns BilledCost, ServiceName/,
        make: (dir) => {
          const f = path.join(dir, 'nocols.csv')
          writeCsv(
            f,
            sampleRows.slice(0, 3),
            Object.keys(sampleRows[0]!).filter((c) => c !== 'BilledCost' && c !== 'ServiceName'),
          )
          return f
        },
      },
      {
        name: 'an unparseable number (file:line)',
        exit: 3,
        message: /badnum\.csv:5: BilledCost "12,5x" is not a number/,
        make: (dir) => {
          const f = path.join(dir, 'badnum.csv')
          writeCsv(
            f,
            sampleRows.slice(0, 6).map((r, i) => (i === 3 ? {...r, BilledCost: '12,5x'} : r)),
          )
          return f
        },
      },
      {
        name: 'an unparseable date (file:line)',
        exit: 3,
        message: /baddate\.csv:3: ChargePeriodStart "31\/09\/2024" is not a date/,
        make: (dir) => {
          const f = path.join(dir, 'baddate.csv')
          writeCsv(
            f,
            sampleRows.slice(0, 4).map((r, i) => (i === 1 ? {...r, ChargePeriodStart: '31/09/2024'} : r)),
          )
          return f
        },
      },
      {
        name: 'an empty file',
        exit: 3,
        message: /empty\.csv: the file is empty/,
        make: (dir) => {
          const f = path.join(dir, 'empty.csv')
          fs.writeFileSync(f, '')
          return f
        },
      },
      {
        name: 'a truncated gzip',
        exit: 3,
        message: /trunc\.csv\.gz: the gzip file is truncated or corrupt/,
        make: (dir) => {
          const f = path.join(dir, 'trunc.csv.gz')
          const gz = zlib.gzipSync(fs.readFileSync(sample))
          fs.writeFileSync(f, gz.subarray(0, Math.floor(gz.length / 2)))
          return f
        },
      },
      {
        name: 'a directory with no FOCUS files',
        exit: 3,
        message: /the directory holds no FOCUS files/,
        make: (dir) => {
          const d = path.join(dir, 'nofocus')
          fs.mkdirSync(d)
          fs.writeFileSync(path.join(d, 'notes.txt'), 'hello')
          return d
        },
      },
    ]

    for (const c of cases) {
      it(`rejects ${c.name}`, async () => {
        const file = c.make(tmp.dir)
        const result = await runCli(['collect', 'focus', sample, file, '--db', db])
        expect(result.code).toBe(c.exit)
        expect(result.stdout).toBe('')
        const lines = result.stderr.trim().split('\n')
        expect(lines, result.stderr).toHaveLength(1)
        expect(lines[0]).toMatch(/^Error: /)
        expect(lines[0]).toMatch(c.message)
        expect(result.stderr).not.toMatch(/\n\s+at /)
        expect(await reportByProvider(db)).toEqual(baseline)
      })
    }

    it('counts and skips bad rows with --skip-invalid', async () => {
      const f = path.join(tmp.dir, 'skip.csv')
      writeCsv(
        f,
        sampleRows.filter((r) => r.ProviderName === 'AWS').map((r, i) => (i < 2 ? {...r, BilledCost: 'oops'} : r)),
      )
      const skipDb = path.join(tmp.dir, 'skip.db')
      const result = await runCli(['collect', 'focus', f, '--db', skipDb, '--skip-invalid', '--json'])
      expect(result.code, result.stderr).toBe(0)
      const summary = collectFocusSchema.parse(parseJson(result))
      expect(summary.rowsSkipped).toBe(2)
      expect(summary.skippedByColumn).toEqual({BilledCost: 2})
    })

    it('names an unwritable store path and exits with the store code', async () => {
      const blocker = path.join(tmp.dir, 'a-file')
      fs.writeFileSync(blocker, '')
      const result = await runCli(['collect', 'focus', sample, '--db', path.join(blocker, 'sub', 'finops.db')])
      expect(result.code).toBe(4)
      expect(result.stderr.trim()).toMatch(
        /^Error: .*a-file\/sub\/finops\.db is a path through something that is not a directory, not a store file; finops never changes a file that is not its store/,
      )
    })

    it('refuses a file that is not a SQLite store', async () => {
      const notDb = path.join(tmp.dir, 'not-a-db.db')
      fs.writeFileSync(notDb, 'this is not sqlite, just text that is long enough to have a header'.repeat(10))
      const result = await runCli(['cost', 'report', '--db', notDb])
      expect(result.code).toBe(4)
      expect(result.stderr).toMatch(/not a SQLite database/)
    })
  })
})
