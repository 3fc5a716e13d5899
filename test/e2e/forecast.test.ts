import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {addDays, eachDay} from '../../src/dates.js'
import {forecastSchema} from '../../forecasters/schema.js'
import {openStore} from '../../src/store/open.js'
import type {CostForecast} from '../../forecasters/types.js'
import {billCostRows, type BillRow, weeklyUsage} from '../helpers/bill-fixture.js'
import {writeFocusCsv} from '../helpers/focus-csv.js'
import {parseJson, runCli, tempDir} from '../helpers/cli.js'

const START = '2025-05-05'
const LAST = '2025-10-27'
const DAYS = eachDay(START, LAST).length

function bill(): BillRow[] {
  return [
    ...weeklyUsage({start: START, days: DAYS, service: 'Compute', level: 1200, seed: 1, trendPerDay: 0.001}),
    ...weeklyUsage({start: START, days: DAYS, service: 'Storage', level: 250, weekend: 1, seed: 2}),
    ...eachDay(START, LAST)
      .filter((d) => d.endsWith('-01'))
      .map((day) => ({day, service: 'Support', cost: 3000, category: 'Purchase', frequency: 'Recurring'})),
    {day: '2025-08-12', service: 'Reserved Instances', cost: 25_000, category: 'Purchase', frequency: 'One-Time'},
  ]
}

/** Validates against the published --json contract (docs/schemas/forecast.schema.json). */
function expectContract(value: unknown): void {
  const parsed = forecastSchema.safeParse(value)
  expect(parsed.success, parsed.error?.message).toBe(true)
}

let dir: string
let cleanup: () => void
let db: string

async function storeWith(name: string, rows: readonly BillRow[]): Promise<string> {
  const csv = path.join(dir, `${name}.csv`)
  const file = path.join(dir, `${name}.db`)
  writeFocusCsv(csv, billCostRows(rows))
  const imported = await runCli(['collect', 'focus', csv, '--db', file])
  expect(imported.code, imported.stderr).toBe(0)
  return file
}

beforeAll(async () => {
  ;({dir, cleanup} = tempDir('finops-forecast-e2e-'))
  db = await storeWith('main', bill())
})
afterAll(() => cleanup())

describe('finops forecast (built CLI)', () => {
  it('--json: daily mean/lower/upper for the total from the day after the last data, with model and level', async () => {
    const result = await runCli(['forecast', '--db', db, '--horizon', '30', '--json'])
    expect(result.code, result.stderr).toBe(0)
    const f = parseJson<CostForecast>(result)
    expectContract(f)
    expect(f.level).toBe(80)
    expect(typeof f.model).toBe('string')
    expect(f.daily).toHaveLength(30)
    expect(f.daily![0]!.date).toBe(addDays(LAST, 1))
    expect(f.daily!.at(-1)!.date).toBe(addDays(LAST, 30))
    for (const p of f.daily!) {
      expect(p.lower).toBeLessThanOrEqual(p.mean)
      expect(p.upper).toBeGreaterThanOrEqual(p.mean)
    }
    // Support on 1 November sits on top of the usage forecast; the one-time purchase is reported, not projected.
    const nov1 = f.daily!.find((p) => p.date === '2025-11-01')!
    const nov2 = f.daily!.find((p) => p.date === '2025-11-02')!
    expect(nov1.mean - nov2.mean).toBeGreaterThan(2000)
    expect(f.currencies[0]!.oneTime.total).toBeCloseTo(25_000, 4)
  })

  it('prints the month-end projections and the forecast table by default (to the end of next month)', async () => {
    const result = await runCli(['forecast', '--db', db])
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toMatch(
      /October 2025 will close at \$[\d,]+\.\d\d, 80% interval \$[\d,]+\.\d\d to \$[\d,]+\.\d\d/,
    )
    expect(result.stdout).toMatch(/November 2025 will close at \$/)
    expect(result.stdout).toMatch(/2025-10-28 to 2025-11-30 \(34 days/)
    expect(result.stdout).toMatch(/One-time charges excluded from the projection: \$25,000\.00/)
    expect(result.stdout).toContain('Horizon total')
  })

  it('--csv: one row per forecast day', async () => {
    const result = await runCli(['forecast', '--db', db, '--horizon', '10', '--csv'])
    expect(result.code, result.stderr).toBe(0)
    const lines = result.stdout.trim().split('\n')
    expect(lines[0]).toBe('date,currency,scope,mean,lower,upper,level,model')
    expect(lines).toHaveLength(11)
    expect(lines[1]).toMatch(/^2025-10-28,USD,Total,[\d.]+,[\d.]+,[\d.]+,80,[a-z-]+$/)
  })

  it('--group-by service: group forecasts add up to the total', async () => {
    const result = await runCli(['forecast', '--db', db, '--horizon', '20', '--group-by', 'service', '--json'])
    expect(result.code, result.stderr).toBe(0)
    const f = parseJson<CostForecast>(result)
    expectContract(f)
    const c = f.currencies[0]!
    expect(f.groupBy).toEqual(['service'])
    expect(c.groups.map((g) => g.keys[0]).sort()).toEqual(['Compute', 'Reserved Instances', 'Storage', 'Support'])
    f.daily!.forEach((p, h) => expect(c.groups.reduce((a, g) => a + g.daily[h]!.mean, 0)).toBeCloseTo(p.mean, 4))
  })

  it('--level 95 widens the intervals', async () => {
    const [a, b] = await Promise.all(
      [80, 95].map((level) => runCli(['forecast', '--db', db, '--horizon', '14', '--level', String(level), '--json'])),
    )
    const width = (f: CostForecast): number => f.daily!.reduce((s, p) => s + p.upper - p.lower, 0)
    const f80 = parseJson<CostForecast>(a!)
    const f95 = parseJson<CostForecast>(b!)
    expect(f95.level).toBe(95)
    expect(width(f95)).toBeGreaterThan(width(f80))
  })

  it('--backtest prints MASE, horizon-total error and coverage per model', async () => {
    const result = await runCli(['forecast', '--db', db, '--horizon', '14', '--backtest'])
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toMatch(/Rolling-origin backtest of the USD total: \d+ origins, 14-day horizon each/)
    for (const model of [
      'seasonal-naive',
      'holt-winters-additive',
      'holt-winters-multiplicative',
      'damped-trend',
      'robust-decomposition',
      'ensemble',
    ]) {
      expect(result.stdout).toMatch(new RegExp(`${model}\\s+│\\s+[\\d.]+\\s+│\\s+[\\d.]+%\\s+│\\s+[\\d.]+%`))
    }
    expect(result.stdout).toContain('chosen')
    const json = await runCli(['forecast', '--db', db, '--horizon', '14', '--backtest', '--json'])
    const f = parseJson<CostForecast>(json)
    expectContract(f)
    expect(f.currencies[0]!.backtest).toHaveLength(6)
    expect(f.currencies[0]!.backtest[0]!.model).toBe(f.model)
  })

  it('an unknown --group-by key: exit 2, one line listing the valid keys', async () => {
    const result = await runCli(['forecast', '--db', db, '--group-by', 'colour'])
    expect(result.code).toBe(2)
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
    expect(result.stderr).toMatch(/unknown group-by key "colour"; valid keys: provider, account/)
  })

  it.each([
    [
      'too little history',
      () => weeklyUsage({start: '2025-10-10', days: 15, service: 'Compute', level: 100}),
      /15 days of history; at least 21 are needed.*import at least 21 consecutive days/,
    ],
    [
      'more days missing than can be filled in',
      () =>
        weeklyUsage({start: START, days: DAYS, service: 'Compute', level: 100}).filter(
          (r) => Number(r.day.slice(8)) % 4 !== 0,
        ),
      /cannot forecast USD cost: \d+ of \d+ days from .* have no data \(first: 2025-05-08\).*import the missing days/,
    ],
    [
      'negative totals',
      () => [
        ...weeklyUsage({start: START, days: DAYS, service: 'Compute', level: 100}),
        {day: '2025-07-07', service: 'Refund', cost: -400},
      ],
      /negative on 1 day \(first: 2025-07-07\)/,
    ],
  ])('%s: exit 3 with one line saying what to do', async (name, rows, pattern) => {
    const file = await storeWith(name.replaceAll(' ', '-'), rows())
    const result = await runCli(['forecast', '--db', file])
    expect(result.code).toBe(3)
    expect(result.stdout).toBe('')
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
    expect(result.stderr).toMatch(pattern)
  })

  it('a missing day is filled and said so, not a refusal', async () => {
    const file = await storeWith(
      'one-missing-day',
      weeklyUsage({start: START, days: DAYS, service: 'Compute', level: 100}).filter((r) => r.day !== '2025-09-03'),
    )
    const result = await runCli(['forecast', '--db', file, '--horizon', '30'])
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toContain(
      'Warning: 1 day without data (first 2025-09-03) filled from the same weekdays around it',
    )
  })

  it('two currencies, the second outspending the first: the --json top level is no currency, each has its own entry', async () => {
    // EUR spend ten times the USD spend: the old top level silently became EUR's.
    const file = await storeWith('two-currencies', [
      ...weeklyUsage({start: START, days: DAYS, service: 'Compute', level: 1000, seed: 1}),
      ...weeklyUsage({start: START, days: DAYS, service: 'Analytics', level: 10_000, seed: 2}).map((r) => ({
        ...r,
        currency: 'EUR',
      })),
    ])
    const result = await runCli(['forecast', '--db', file, '--horizon', '90', '--json'])
    expect(result.code, result.stderr).toBe(0)
    const f = parseJson<CostForecast>(result)
    expectContract(f)
    expect(f).toMatchObject({currency: null, model: null, daily: null})
    expect(f.currencies.map((c) => c.currency)).toEqual(['EUR', 'USD'])
    const [eur, usd] = f.currencies
    // Each entry is its own currency's bill, never a sum: about 10,000 and 1,000 a weekday.
    expect(eur!.total.mean / 90).toBeGreaterThan(7000)
    expect(usd!.total.mean / 90).toBeGreaterThan(700)
    expect(usd!.total.mean / 90).toBeLessThan(1100)
    expect(usd!.daily).toHaveLength(90)
    // Pinned to one currency, the top level is that currency's, whatever the other spends.
    const pinned = parseJson<CostForecast>(
      await runCli(['forecast', '--db', file, '--horizon', '90', '--json', '--filter', 'currency=USD']),
    )
    expectContract(pinned)
    expect(pinned.currency).toBe('USD')
    expect(pinned.daily!.map((p) => p.mean)).toEqual(usd!.daily.map((p) => p.mean))
    // The table never adds them up either: one block per currency.
    const text = await runCli(['forecast', '--db', file, '--horizon', '90'])
    expect(text.code, text.stderr).toBe(0)
    expect(text.stdout).toMatch(/EUR/)
    expect(text.stdout).toMatch(/USD/)
  })

  it('when no model forecasts the history well: a poor-fit warning in the table and in the JSON', async () => {
    // A slow 70-day swing: last week looks like this week, yet every model misses a month ahead.
    const file = await storeWith(
      'poor-fit',
      eachDay(START, LAST).map((day, t) => ({
        day,
        service: 'Compute',
        cost: 1000 + 700 * Math.sin((2 * Math.PI * t) / 70) + 10 * Math.sin(t * 7.7),
      })),
    )
    const json = await runCli(['forecast', '--db', file, '--horizon', '30', '--json'])
    expect(json.code, json.stderr).toBe(0)
    const f = parseJson<CostForecast>(json)
    expectContract(f)
    const warning = f.currencies[0]!.warnings.find((w) => w.code === 'poor-fit')
    expect(warning?.message).toMatch(/no model forecast this history well \(best backtest MASE \d+\.\d\d/)
    const text = await runCli(['forecast', '--db', file, '--horizon', '30'])
    expect(text.code, text.stderr).toBe(0)
    expect(text.stdout).toMatch(/Warning: no model forecast this history well .*the intervals are widened/)
  })

  it('an empty store: exit 8; with --json the error is JSON', async () => {
    const emptyStore = path.join(dir, 'empty.db')
    openStore(emptyStore).close()
    const result = await runCli(['forecast', '--db', emptyStore, '--json'])
    expect(result.code).toBe(8)
    expect(parseJson<{error: {code: string; message: string}}>(result).error).toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringMatching(/no cost data/),
    })
  })
})
