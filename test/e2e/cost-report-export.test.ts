import {parse} from 'csv-parse/sync'
import fs from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {costExportSchema, costReportSchema, demoSchema} from '../../src/cost/schemas.js'
import {parseJson, runCli, tempDir} from '../helpers/cli.js'

/**
 * `cost report` and `cost export` as users run them, on the demo's generated three-cloud bill
 * (imported once through `finops demo` with a fixed date, so every run sees the same data).
 */
const env = {FINOPS_NOW: '2026-11-01'}

interface ReportJson {
  from: string
  to: string
  groupBy: string[]
  rows: {keys: string[]; total: number; previousTotal: number; periods: number[]; currency: string}[]
  totals: {currency: string; total: number; previousTotal: number}[]
  periods: string[]
}

describe('cost report and cost export (built CLI)', () => {
  let tmp: ReturnType<typeof tempDir>
  let db: string
  const report = async (...args: string[]) => runCli(['cost', 'report', '--db', db, ...args], {env})

  beforeAll(async () => {
    tmp = tempDir()
    const demo = await runCli(['demo', '--dir', path.join(tmp.dir, 'demo'), '--json'], {env})
    expect(demo.code, demo.stderr).toBe(0)
    db = demoSchema.parse(parseJson(demo)).db
  }, 180_000)
  afterAll(() => tmp.cleanup())

  it('defaults to the last 30 complete days, grouped by service, with a totals row', async () => {
    const result = await report('--json')
    expect(result.code, result.stderr).toBe(0)
    const json = costReportSchema.parse(parseJson(result))
    expect([json.from, json.to]).toEqual(['2026-10-02', '2026-10-31'])
    expect(json.groupBy).toEqual(['service'])
    const sum = json.rows.reduce((a, r) => a + r.total, 0)
    expect(json.totals[0]!.total).toBeCloseTo(sum, 6)
    const table = await report()
    expect(table.code).toBe(0)
    expect(table.stdout).toMatch(/Amazon Elastic Compute Cloud/)
    expect(table.stdout).toMatch(/│ Total\s+│/)
    expect(table.stdout).toMatch(/[▁▂▃▄▅▆▇█]{5,}/)
  })

  it('agrees with the export: report totals equal the sum of exported rows over the same window', async () => {
    const json = parseJson<ReportJson>(
      await report(
        '--group-by',
        'provider',
        '--from',
        '2026-09-01',
        '--to',
        '2026-09-30',
        '--metric',
        'billed',
        '--json',
      ),
    )
    const exported = await runCli(['cost', 'export', '--db', db, '--from', '2026-09-01', '--to', '2026-09-30'], {env})
    expect(exported.code, exported.stderr).toBe(0)
    const rows = parse(exported.stdout, {columns: true}) as Record<string, string>[]
    const byProvider = new Map<string, number>()
    for (const r of rows) byProvider.set(r.ProviderName!, (byProvider.get(r.ProviderName!) ?? 0) + Number(r.BilledCost))
    expect(json.rows.map((r) => r.keys[0]).sort()).toEqual(['AWS', 'Google Cloud', 'Microsoft'])
    for (const row of json.rows) expect(byProvider.get(row.keys[0]!)).toBeCloseTo(row.total, 4)
  })

  it('groups by several keys including a tag, filters (same key = any of), and folds --top', async () => {
    const json = parseJson<ReportJson>(
      await report(
        '--group-by',
        'provider',
        '--group-by',
        'tag:team',
        '--filter',
        'provider=AWS',
        '--filter',
        'provider=Microsoft',
        '--json',
      ),
    )
    expect(new Set(json.rows.map((r) => r.keys[0]))).toEqual(new Set(['AWS', 'Microsoft']))
    expect(json.rows.some((r) => r.keys[1] === 'platform')).toBe(true)
    const top = parseJson<ReportJson>(await report('--group-by', 'service', '--top', '3', '--json'))
    const all = parseJson<ReportJson>(await report('--group-by', 'service', '--json'))
    expect(top.rows).toHaveLength(4)
    expect(top.rows[3]!.keys[0]).toBe('Other')
    expect(top.totals[0]!.total).toBeCloseTo(all.totals[0]!.total, 6)
  })

  it('shows month columns and a change against the previous window', async () => {
    const json = parseJson<ReportJson>(
      await report(
        '--granularity',
        'month',
        '--from',
        '2026-08-01',
        '--to',
        '2026-10-31',
        '--group-by',
        'provider',
        '--json',
      ),
    )
    expect(json.periods).toEqual(['2026-08', '2026-09', '2026-10'])
    for (const row of json.rows) expect(row.periods.reduce((a, b) => a + b, 0)).toBeCloseTo(row.total, 6)
    expect(json.totals[0]!.previousTotal).toBeGreaterThan(0)
  })

  it('allocates Kubernetes node costs with --source k8s: rows + idle reconcile with the nodes', async () => {
    const result = await report(
      '--source',
      'k8s',
      '--group-by',
      'namespace',
      '--from',
      '2026-10-25',
      '--to',
      '2026-10-31',
      '--json',
    )
    expect(result.code, result.stderr).toBe(0)
    const json = parseJson<{
      groupBy: string[]
      rows: {keys: string[]; cost: number}[]
      idle: {cost: number}
      totals: {nodes: number; volumes: number; total: number; allocated: number; idle: number}
    }>(result)
    expect(json.groupBy).toEqual(['namespace'])
    expect(json.rows.map((r) => r.keys[0])).toContain('shop')
    // Rows carry the node cost charged to containers plus the claims the snapshot's workloads mount.
    const charged = json.rows.reduce((a, r) => a + r.cost, 0)
    expect(json.totals.volumes).toBeGreaterThan(0)
    expect(charged - json.totals.volumes).toBeCloseTo(json.totals.allocated, 6)
    expect(charged + json.idle.cost).toBeCloseTo(json.totals.total, 6)
    expect(json.totals.allocated + json.totals.idle).toBeCloseTo(json.totals.nodes, 6)
    const misuse = await report('--source', 'k8s', '--top', '3')
    expect(misuse.code).toBe(2)
  })

  it('prints CSV with --csv', async () => {
    const result = await report('--group-by', 'provider', '--csv')
    expect(result.code).toBe(0)
    const rows = parse(result.stdout, {columns: true}) as Record<string, string>[]
    expect(Object.keys(rows[0]!)).toEqual(['provider', 'currency', 'total', 'previous_total', 'change'])
    expect(rows).toHaveLength(3)
  })

  it('rejects unknown group-by and filter keys with the list of valid keys (exit 2)', async () => {
    for (const args of [
      ['--group-by', 'team'],
      ['--filter', 'colour=red'],
      ['--filter', 'provider'],
    ]) {
      const result = await report(...args)
      expect(result.code, args.join(' ')).toBe(2)
      expect(result.stderr.trim().split('\n')).toHaveLength(1)
      expect(result.stderr).toMatch(/provider, account, sub-account, service/)
    }
  })

  it('says where the data is when the window is empty, and fails clearly on an empty store', async () => {
    const empty = await report('--from', '2020-01-01', '--to', '2020-01-31', '--json')
    expect(empty.code).toBe(0)
    expect(parseJson<ReportJson>(empty).rows).toEqual([])
    const note = await report('--from', '2020-01-01', '--to', '2020-01-31')
    expect(note.stderr).toMatch(/no costs between 2020-01-01 and 2020-01-31; the store holds 2026-05-01 to 2026-10-31/)
    // A read command never creates a store: a missing one is a store error (exit 4), an empty one "no costs yet" (exit 8).
    const missing = await runCli(['cost', 'report', '--db', path.join(tmp.dir, 'fresh.db')])
    expect(missing.code).toBe(4)
    expect(fs.existsSync(path.join(tmp.dir, 'fresh.db'))).toBe(false)
    const made = await runCli([
      'budget',
      'set',
      'x',
      '--amount',
      '10',
      '--currency',
      'USD',
      '--db',
      path.join(tmp.dir, 'fresh.db'),
    ])
    expect(made.code, made.stderr).toBe(0)
    const fresh = await runCli(['cost', 'report', '--db', path.join(tmp.dir, 'fresh.db')])
    expect(fresh.code).toBe(8)
    expect(fresh.stderr).toMatch(/^Error: the store has no costs yet \(import a FOCUS export/)
    const bad = await report('--from', '2026-13-01')
    expect(bad.code).toBe(2)
  })

  it('exports monthly JSON whose sums equal the daily CSV, with FOCUS column names in a stable order', async () => {
    const daily = await runCli(['cost', 'export', '--db', db, '--group-by', 'provider,service'], {env})
    const monthly = await runCli(
      ['cost', 'export', '--db', db, '--group-by', 'provider,service', '--granularity', 'month', '--format', 'json'],
      {env},
    )
    expect(daily.code).toBe(0)
    expect(monthly.code).toBe(0)
    expect(daily.stdout.split('\n')[0]).toBe(
      'ChargePeriodStart,ChargePeriodEnd,ProviderName,ServiceName,BillingCurrency,BilledCost,EffectiveCost,ListCost,ContractedCost',
    )
    const dailyRows = parse(daily.stdout, {columns: true}) as Record<string, string>[]
    const monthlyRows = JSON.parse(monthly.stdout) as Record<string, string | number>[]
    expect(monthlyRows[0]).toMatchObject({ChargePeriodStart: '2026-05-01', ChargePeriodEnd: '2026-06-01'})
    const sum = (values: number[]) => values.reduce((a, b) => a + b, 0)
    expect(sum(monthlyRows.map((r) => Number(r.EffectiveCost)))).toBeCloseTo(
      sum(dailyRows.map((r) => Number(r.EffectiveCost))),
      4,
    )
    expect(
      dailyRows.every((r) => /^\d{4}-\d{2}-\d{2}$/.test(r.ChargePeriodStart!) && !/e/i.test(r.EffectiveCost!)),
    ).toBe(true)
  })

  it('writes --out atomically and describes it with --json; the full-grain export carries Tags', async () => {
    const out = path.join(tmp.dir, 'budget.csv')
    const result = await runCli(
      ['cost', 'export', '--db', db, '--from', '2026-10-01', '--to', '2026-10-31', '--out', out, '--json'],
      {env},
    )
    expect(result.code, result.stderr).toBe(0)
    const summary = costExportSchema.parse(parseJson(result))
    expect(summary.out).toBe(out)
    expect(summary.columns).toContain('Tags')
    const rows = parse(fs.readFileSync(out), {columns: true}) as Record<string, string>[]
    expect(rows).toHaveLength(summary.rows)
    expect(JSON.parse(rows[0]!.Tags!)).toHaveProperty('team')
    expect(fs.readdirSync(tmp.dir).filter((f) => f.endsWith('.tmp'))).toEqual([])
  })
})
