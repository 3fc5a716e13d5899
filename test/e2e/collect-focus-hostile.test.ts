import Database from 'better-sqlite3'
import {parse} from 'csv-parse/sync'
import {createHash} from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {collectFocusSchema} from '../../src/collectors/contracts.js'
import {fixturesDir, parseJson, runCli, tempDir} from '../helpers/cli.js'

/**
 * `collect focus` with the files real exports and careless hands produce: hundreds of parts, BOMs,
 * CRLF, quoted newlines, unicode, huge tag JSON, duplicate columns, empty parts, numbers that are not
 * numbers, a partial file replacing a whole month, and a memory budget too small to finish in.
 */

/** Hundreds of parts, or an 800 KB tag set read several times, spawn many CLIs: slow on a loaded machine. */
const HEAVY_TEST_TIMEOUT = 300_000

const sample = path.join(fixturesDir, 'focus', 'focus_sample_1000.csv')
const sampleRows = parse(fs.readFileSync(sample), {columns: true, bom: true}) as Record<string, string>[]
const columns = Object.keys(sampleRows[0]!)
const aws = sampleRows.filter((r) => r.ProviderName === 'AWS')

function csv(rows: Record<string, string>[], options: {eol?: string; bom?: boolean; header?: string[]} = {}): string {
  const header = options.header ?? columns
  const quote = (v: string) => (v === 'NULL' ? v : `"${v.replaceAll('"', '""')}"`)
  const eol = options.eol ?? '\n'
  const lines = [header.map(quote).join(','), ...rows.map((r) => header.map((c) => quote(r[c] ?? 'NULL')).join(','))]
  return (options.bom ? '\uFEFF' : '') + lines.join(eol) + eol
}

/** The store's content, table by table, as one hash (the file's bytes may move; its data must not). */
function storeContent(db: string): string {
  const store = new Database(db, {readonly: true})
  const hash = createHash('sha256')
  const tables = store.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).pluck().all()
  for (const table of tables as string[]) {
    const width = store.prepare(`SELECT * FROM "${table}" LIMIT 0`).columns().length
    const order = Array.from({length: width}, (_, i) => i + 1).join(', ')
    for (const row of store.prepare(`SELECT * FROM "${table}" ORDER BY ${order}`).raw().iterate())
      hash.update(`${table}:${JSON.stringify(row)}\n`)
  }
  store.close()
  return hash.digest('hex')
}

interface Report {
  rows: {keys: string[]; total: number; currency: string}[]
  totals: {currency: string; total: number | null}[]
}

async function totals(db: string, groupBy = 'provider'): Promise<Report> {
  const result = await runCli([
    'cost',
    'report',
    '--db',
    db,
    '--group-by',
    groupBy,
    '--from',
    '2024-09-01',
    '--to',
    '2024-10-31',
    '--json',
  ])
  expect(result.code, result.stderr).toBe(0)
  return parseJson<Report>(result)
}

const expectOneLineError = (result: {code: number; stdout: string; stderr: string}, exit: number, message: RegExp) => {
  expect(result.code, result.stderr).toBe(exit)
  expect(result.stdout).toBe('')
  const lines = result.stderr.trim().split('\n')
  expect(lines, result.stderr).toHaveLength(1)
  expect(lines[0]).toMatch(/^Error: /)
  expect(lines[0]).toMatch(message)
}

describe('collect focus with hostile and real-world files (built CLI)', () => {
  let tmp: ReturnType<typeof tempDir>
  beforeAll(() => {
    tmp = tempDir()
  })
  afterAll(() => tmp.cleanup())

  describe('numbers that are not numbers', () => {
    let db: string
    let before: string
    beforeAll(async () => {
      db = path.join(tmp.dir, 'numbers.db')
      expect((await runCli(['collect', 'focus', sample, '--db', db])).code).toBe(0)
      before = storeContent(db)
    })

    for (const [value, why] of [
      ['NaN', 'is not a finite number'],
      ['Infinity', 'is not a finite number'],
      ['-inf', 'is not a finite number'],
      ['1e400', 'is not a finite number|is out of range'],
      ['1e308', 'is out of range'],
      ['12,5', 'is not a number'],
    ] as const) {
      it(`refuses BilledCost ${value} with file:line, exit 3, store unchanged`, async () => {
        const file = path.join(tmp.dir, `bad-${value}.csv`)
        fs.writeFileSync(file, csv(aws.slice(0, 8).map((r, i) => (i === 5 ? {...r, BilledCost: value} : r))))
        const result = await runCli(['collect', 'focus', file, '--db', db])
        expectOneLineError(
          result,
          3,
          new RegExp(`bad-${value.replace('+', '\\+')}\\.csv:7: BilledCost "${value}" (${why})`),
        )
        expect(storeContent(db)).toBe(before)
      })
    }

    it('skips and counts them with --skip-invalid; reports stay finite and schema-valid', async () => {
      const file = path.join(tmp.dir, 'mixed-bad.csv')
      const bad = ['NaN', 'Infinity', '1e400', '1e308', '-1e13']
      fs.writeFileSync(file, csv(aws.slice(0, 40).map((r, i) => (i < bad.length ? {...r, BilledCost: bad[i]!} : r))))
      const skipDb = path.join(tmp.dir, 'skip-numbers.db')
      const result = await runCli(['collect', 'focus', file, '--db', skipDb, '--skip-invalid', '--json'])
      expect(result.code, result.stderr).toBe(0)
      const summary = collectFocusSchema.parse(parseJson(result))
      expect(summary.rowsSkipped).toBe(bad.length)
      expect(summary.skippedByColumn).toEqual({BilledCost: bad.length})
      const report = await totals(skipDb)
      for (const t of report.totals) expect(Number.isFinite(t.total)).toBe(true)
      const expected = aws.slice(bad.length, 40).reduce((sum, r) => sum + Number(r.EffectiveCost), 0)
      expect(report.totals[0]!.total).toBeCloseTo(expected, 9)
    })
  })

  describe('a partial export never silently shrinks a billing period', () => {
    let db: string
    beforeAll(async () => {
      db = path.join(tmp.dir, 'shrink.db')
      expect((await runCli(['collect', 'focus', sample, '--db', db])).code).toBe(0)
    })

    it('refuses a 3-day file for a month the store holds in full, naming the period, both totals and the flag', async () => {
      const before = storeContent(db)
      const file = path.join(tmp.dir, 'three-days.csv')
      fs.writeFileSync(file, csv(aws.filter((r) => r.ChargePeriodStart! < '2024-09-04')))
      const result = await runCli(['collect', 'focus', file, '--db', db])
      expectOneLineError(
        result,
        3,
        /AWS 1234567890123 2024-09 would lose \d+ days \(2024-09-04 to 2024-09-30\) it holds, billed total from [\d,.]+ USD to [\d,.]+ USD.*--allow-shrink/,
      )
      expect(storeContent(db)).toBe(before)
    })

    it('refuses a restatement that lowers a period by more than 5%, and replaces it with --allow-shrink', async () => {
      const file = path.join(tmp.dir, 'halved.csv')
      fs.writeFileSync(file, csv(aws.map((r) => ({...r, BilledCost: String(Number(r.BilledCost) / 2)}))))
      const before = storeContent(db)
      expectOneLineError(
        await runCli(['collect', 'focus', file, '--db', db]),
        3,
        /AWS 1234567890123 2024-09 billed total would fall from [\d,.]+ USD to [\d,.]+ USD/,
      )
      expect(storeContent(db)).toBe(before)
      const allowed = await runCli(['collect', 'focus', file, '--db', db, '--allow-shrink'])
      expect(allowed.code, allowed.stderr).toBe(0)
      expect(storeContent(db)).not.toBe(before)
    })

    it('accepts a restatement within 5% without the flag', async () => {
      const file = path.join(tmp.dir, 'restated.csv')
      fs.writeFileSync(file, csv(aws.map((r) => ({...r, BilledCost: String(Number(r.BilledCost) * 0.99)}))))
      const result = await runCli(['collect', 'focus', file, '--db', db, '--allow-shrink'])
      expect(result.code, result.stderr).toBe(0)
      const again = path.join(tmp.dir, 'restated-again.csv')
      fs.writeFileSync(again, csv(aws.map((r) => ({...r, BilledCost: String(Number(r.BilledCost) * 0.99 * 0.97)}))))
      expect((await runCli(['collect', 'focus', again, '--db', db])).code).toBe(0)
    })
  })

  it(
    'imports hundreds of parts (CSV, CSV.gz, Parquet-free mix, header-only parts) as one export with the totals of the whole file',
    async () => {
      const dir = path.join(tmp.dir, 'export-2024-09')
      fs.mkdirSync(dir)
      const parts = 240
      for (let p = 0; p < parts; p++) {
        const rows = sampleRows.filter((_, i) => i % parts === p)
        const text = csv(rows)
        const name = path.join(dir, `part-${String(p).padStart(5, '0')}.csv`)
        if (p % 3 === 0) fs.writeFileSync(`${name}.gz`, zlib.gzipSync(text))
        else fs.writeFileSync(name, text)
      }
      // A partition with nothing in it this month: a header only.
      fs.writeFileSync(path.join(dir, 'part-99999.csv'), csv([]))
      const whole = path.join(tmp.dir, 'whole.db')
      const split = path.join(tmp.dir, 'parts.db')
      expect((await runCli(['collect', 'focus', sample, '--db', whole])).code).toBe(0)
      const result = await runCli(['collect', 'focus', dir, '--db', split, '--json'])
      expect(result.code, result.stderr).toBe(0)
      const summary = collectFocusSchema.parse(parseJson(result))
      expect(summary.files).toHaveLength(parts + 1)
      expect(summary.rowsRead).toBe(sampleRows.length)
      expect(summary.files.find((f) => f.path.endsWith('part-99999.csv'))!.rows).toBe(0)
      for (const groupBy of ['provider', 'service', 'tag:application'])
        expect(await totals(split, groupBy)).toEqual(await totals(whole, groupBy))
    },
    HEAVY_TEST_TIMEOUT,
  )

  it(
    'reads BOM, CRLF, quoted newlines, unicode and a huge Tags JSON, and names the right line after a multi-line row',
    async () => {
      const hugeTags = JSON.stringify(
        Object.fromEntries(Array.from({length: 4000}, (_, i) => [`k${i}`, `välue-${i}-${'x'.repeat(200)}`])),
      )
      const rows = aws.slice(0, 6).map((r, i) => ({
        ...r,
        ChargeDescription: i === 1 ? 'line one\nline "two"\r\nline three' : r.ChargeDescription!,
        ServiceName: i === 2 ? 'Amazon Elastic Compute Cloud — 東京 🚀' : r.ServiceName!,
        Tags: i === 3 ? hugeTags : i === 4 ? '{"team": "платёжи", "emoji": "🙂"}' : r.Tags!,
      }))
      expect(hugeTags.length).toBeGreaterThan(800_000)
      const file = path.join(tmp.dir, 'hostile.csv')
      fs.writeFileSync(file, csv(rows, {eol: '\r\n', bom: true}))
      const db = path.join(tmp.dir, 'hostile.db')
      const result = await runCli(['collect', 'focus', file, '--db', db, '--json'])
      expect(result.code, result.stderr).toBe(0)
      expect(collectFocusSchema.parse(parseJson(result)).rowsRead).toBe(6)
      const byService = await totals(db, 'service')
      expect(byService.rows.map((r) => r.keys[0])).toContain('Amazon Elastic Compute Cloud — 東京 🚀')
      const byTeam = await totals(db, 'tag:team')
      expect(byTeam.rows.map((r) => r.keys[0])).toContain('платёжи')
      const byHuge = await totals(db, 'tag:k3999')
      expect(byHuge.rows.map((r) => r.keys[0])).toContain(`välue-3999-${'x'.repeat(200)}`)

      // Row 6 starts on line 9: the header is line 1 and row 2 spans three lines.
      const bad = path.join(tmp.dir, 'hostile-bad.csv')
      fs.writeFileSync(
        bad,
        csv(
          rows.map((r, i) => (i === 5 ? {...r, EffectiveCost: 'abc'} : r)),
          {eol: '\r\n', bom: true},
        ),
      )
      expectOneLineError(
        await runCli(['collect', 'focus', bad, '--db', db]),
        3,
        /hostile-bad\.csv:9: EffectiveCost "abc" is not a number/,
      )
    },
    HEAVY_TEST_TIMEOUT,
  )

  it('refuses a header that names a FOCUS column twice, and a zero-byte part, leaving the store unchanged', async () => {
    const db = path.join(tmp.dir, 'dupes.db')
    expect((await runCli(['collect', 'focus', sample, '--db', db])).code).toBe(0)
    const before = storeContent(db)
    const dupe = path.join(tmp.dir, 'dupe.csv')
    fs.writeFileSync(dupe, csv(aws.slice(0, 3), {header: [...columns, 'billedcost']}))
    expectOneLineError(
      await runCli(['collect', 'focus', dupe, '--db', db]),
      3,
      /dupe\.csv: the header names BilledCost more than once/,
    )
    const dir = path.join(tmp.dir, 'with-empty')
    fs.mkdirSync(dir)
    fs.writeFileSync(path.join(dir, 'part-1.csv'), csv(aws))
    fs.writeFileSync(path.join(dir, 'part-2.csv'), '')
    expectOneLineError(await runCli(['collect', 'focus', dir, '--db', db]), 3, /part-2\.csv: the file is empty/)
    expect(storeContent(db)).toBe(before)
  })

  it('refuses a budget below the minimum, and names a spill directory it cannot create as a resource failure (exit 10), store unchanged', async () => {
    const db = path.join(tmp.dir, 'budget.db')
    expect((await runCli(['collect', 'focus', sample, '--db', db])).code).toBe(0)
    const before = storeContent(db)
    expectOneLineError(
      await runCli(['collect', 'focus', sample, '--db', db, '--memory', '32MB']),
      3,
      /an import memory budget of 31 MB is too small.*give at least 64 MB/,
    )
    // A "directory" that is a file: the spill directory cannot be made, and that is said, not a format error.
    const notADirectory = path.join(tmp.dir, 'plain-file')
    fs.writeFileSync(notADirectory, 'x')
    const result = await runCli(['collect', 'focus', sample, '--db', db, '--temp-dir', notADirectory])
    expectOneLineError(result, 10, /cannot create the import's spill directory in .*plain-file: ENOTDIR.*--temp-dir/)
    expect(result.stderr).not.toMatch(/FOCUS CSV|format|parse/i)
    expect(storeContent(db)).toBe(before)
  })
})
