import fs from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'

import {addDays} from '../../src/dates.js'
import {alertCheckSchema, budgetStatusSchema} from '../../src/alerts/schemas.js'
import {syntheticRows} from '../helpers/cost-data.js'
import {writeFocusCsv} from '../helpers/focus-csv.js'
import {type CliResult, parseJson, runCli, tempDir} from '../helpers/cli.js'

/**
 * Forecast-threshold alerts never switch off silently: a missing day in half a year of data is
 * filled and the forecast goes on; a budget whose forecast cannot be computed says so in the table,
 * in --json and as an alert-check warning with exit 7.
 */
const NOW = '2024-09-25'
const work = tempDir('finops-budget-gaps-')
afterAll(() => work.cleanup())

const services = [
  {account: '111', service: 'Amazon EC2', base: 300},
  {account: '222', service: 'Amazon RDS', base: 120},
]

/** A store with the given rows and a budget the forecast crosses (default thresholds: actual 80/100, forecast 100). */
async function storeWith(name: string, rows: ReturnType<typeof syntheticRows>): Promise<string> {
  const csv = path.join(work.dir, `${name}.csv`)
  const db = path.join(work.dir, `${name}.db`)
  writeFocusCsv(csv, rows)
  const env = {FINOPS_DB: db, FINOPS_NOW: NOW}
  const imported = await runCli(['collect', 'focus', csv], {env})
  expect(imported.code, imported.stderr).toBe(0)
  const set = await runCli(['budget', 'set', 'all', '--amount', '11000'], {env})
  expect(set.code, set.stderr).toBe(0)
  return db
}

const run = (db: string, ...args: string[]): Promise<CliResult> =>
  runCli(args, {env: {FINOPS_DB: db, FINOPS_NOW: NOW}, cwd: work.dir})

let oneMissingDay: string
let tooShort: string
beforeAll(async () => {
  // 182 days ending yesterday with one day (a Tuesday in August) missing from the export.
  const from = addDays(NOW, -182)
  oneMissingDay = await storeWith(
    'one-missing-day',
    syntheticRows(services, from, addDays(NOW, -1)).filter((r) => r.day !== '2024-08-13'),
  )
  // Ten days of data: too little for any forecast.
  tooShort = await storeWith('too-short', syntheticRows(services, addDays(NOW, -10), addDays(NOW, -1)))
})

describe('budgets and alerts on gappy or short data', () => {
  test('one missing day in 182: the forecast is computed, the forecast threshold is evaluated and alerts', async () => {
    const status = await run(oneMissingDay, 'budget', 'status', '--json')
    expect(status.code, status.stderr).toBe(0)
    const entry = budgetStatusSchema.parse(parseJson(status)).budgets[0]!.status
    expect(entry.forecastSkipped).toBeUndefined()
    expect(entry.forecast!.percent).toBeGreaterThan(100)
    expect(entry.thresholds.find((t) => t.kind === 'forecast')).toMatchObject({crossed: true})

    const check = await run(oneMissingDay, 'alert', 'check', '--dry-run', '--json', '--no-anomalies')
    expect(check.code, check.stderr).toBe(0)
    const result = alertCheckSchema.parse(parseJson(check))
    expect(result.warnings).toEqual([])
    expect(result.budgets[0]!.crossed).toContain('forecast 100%')
  })

  test('a budget whose forecast cannot be computed says so: table, --json, and alert check exits 7 with a warning', async () => {
    const table = await run(tooShort, 'budget', 'status')
    expect(table.code, table.stderr).toBe(0)
    expect(table.stdout).toContain('no forecast')
    expect(table.stdout).toMatch(/no forecast: cannot forecast USD cost: 10 days of history; at least 21 are needed/)
    // Budgets have no --from: the reason must not point at one.
    expect(table.stdout).not.toContain('--from')

    const json = await run(tooShort, 'budget', 'status', '--json')
    const entry = budgetStatusSchema.parse(parseJson(json)).budgets[0]!.status
    expect(entry.forecast).toBeUndefined()
    expect(entry.forecastSkipped).toMatch(/10 days of history; at least 21 are needed/)

    const check = await run(tooShort, 'alert', 'check', '--dry-run', '--no-anomalies')
    expect(check.code).toBe(7)
    expect(check.stderr.trim().split('\n')).toHaveLength(1)
    expect(check.stderr).toMatch(
      /^Warning: budget all: forecast threshold 100% not evaluated: no forecast \(cannot forecast USD cost: 10 days of history/,
    )
    expect(check.stderr).not.toContain('--from')
    const checkJson = await run(tooShort, 'alert', 'check', '--dry-run', '--no-anomalies', '--json')
    expect(checkJson.code).toBe(7)
    const result = alertCheckSchema.parse(parseJson(checkJson))
    expect(result.warnings).toHaveLength(1)
    expect(result.budgets[0]!.forecastSkipped).toMatch(/10 days of history/)
  })

  test('a budget with only actual thresholds has nothing switched off: no warning, exit 0', async () => {
    const db = path.join(work.dir, 'actual-only.db')
    fs.copyFileSync(tooShort, db)
    const set = await run(db, 'budget', 'set', 'all', '--actual-threshold', '80')
    expect(set.code, set.stderr).toBe(0)
    const check = await run(db, 'alert', 'check', '--dry-run', '--no-anomalies', '--json')
    expect(check.code, check.stderr).toBe(0)
    expect(alertCheckSchema.parse(parseJson(check)).warnings).toEqual([])
  })
})
