import path from 'node:path'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'

import {alertDigestSchema} from '../../src/alerts/schemas.js'
import {savingsReportSchema} from '../../src/savings/schemas.js'
import {writeCommitmentBill} from '../helpers/commitment-bill.js'
import {parseJson, runCli, tempDir} from '../helpers/cli.js'

/**
 * A purchased commitment's realized saving from the bill, as users get it: a FOCUS export with
 * commitment rows imported with `collect focus`, the commitment recorded with `savings record`,
 * then `finops savings` and the digest.
 */
const tmp = tempDir('finops-savings-commitments-e2e-')
const db = path.join(tmp.dir, 'finops.db')
const NOW = '2026-05-01'
const cli = (...args: string[]) => runCli(args, {env: {FINOPS_DB: db, FINOPS_NOW: NOW}, cwd: tmp.dir})
const ARN = 'arn:aws:savingsplans::111122223333:savingsplan/sp-0a1b2c'

let truth: ReturnType<typeof writeCommitmentBill>
beforeAll(async () => {
  const bill = path.join(tmp.dir, 'bill.csv')
  // Thirty days around 10/h on demand with a 5/h Savings Plan at 30% off: nights leave part of it unused.
  truth = writeCommitmentBill(bill, {
    start: '2026-04-01',
    hours: 30 * 24,
    onDemand: (h) => 10 + 6 * Math.sin((2 * Math.PI * h) / 24),
    commitment: {id: ARN, hourly: 5, discount: 0.3},
    noise: true,
  })
  const imported = await cli('collect', 'focus', bill)
  expect(imported.code, imported.stderr).toBe(0)
  const record = (id: string, start: string, extra: string[] = []) =>
    cli(
      'savings',
      'record',
      '--commitment',
      id,
      '--provider',
      'aws',
      '--type',
      'savings-plan',
      '--hourly',
      '5',
      '--term',
      '12',
      '--start',
      start,
      ...extra,
    )
  // Recorded by the short id people copy from the console; the bill carries the ARN.
  for (const r of [
    await record('sp-0a1b2c', '2026-04-01', ['--promised-monthly', '1200']),
    await record('sp-not-in-the-bill', '2026-04-01'),
    await record('sp-bought-later', '2026-06-01'),
  ])
    expect(r.code, r.stderr).toBe(0)
}, 180_000)
afterAll(() => tmp.cleanup())

describe('realized savings of purchased commitments, from the imported bill', () => {
  test('finops savings measures the commitment on its bill rows: covered on demand minus used and unused', async () => {
    const result = await cli('savings', '--json')
    expect(result.code, result.stderr).toBe(0)
    const report = savingsReportSchema.parse(parseJson(result))
    const byId = new Map(report.commitments.map((c) => [c.id, c]))
    const sp = byId.get('sp-0a1b2c')!
    const perMonth = 730 / 720
    const expected = (truth.covered - truth.used - truth.unused) * perMonth
    expect(expected).toBeGreaterThan(0)
    expect(sp.measurable).toBe(true)
    expect(sp.window).toEqual({from: '2026-04-01', to: '2026-04-30'})
    expect(sp.realizedMonthly!).toBeCloseTo(expected, 0)
    expect(sp.coveredOnDemandMonthly!).toBeCloseTo(truth.covered * perMonth, 0)
    expect(sp.commitmentCostMonthly!).toBeCloseTo((truth.used + truth.unused) * perMonth, 0)
    expect(sp.unusedMonthly!).toBeCloseTo(truth.unused * perMonth, 0)
    expect(sp.utilization!).toBeCloseTo(truth.used / (truth.used + truth.unused), 3)
    expect(sp.ratio!).toBeCloseTo(sp.realizedMonthly! / 1200, 3)
    // Waste counts against it: without the unused part it would look better than it is.
    expect(sp.realizedMonthly!).toBeLessThan((truth.covered - truth.used) * perMonth - 1)

    expect(byId.get('sp-not-in-the-bill')).toMatchObject({measurable: false, realizedMonthly: null, window: null})
    expect(byId.get('sp-not-in-the-bill')!.note).toMatch(/shows no usage of this commitment/)
    expect(byId.get('sp-bought-later')).toMatchObject({measurable: false, realizedMonthly: null})
    expect(byId.get('sp-bought-later')!.note).toMatch(/before the commitment started \(2026-06-01\)/)

    const table = await cli('savings')
    expect(table.code, table.stderr).toBe(0)
    expect(table.stdout).toMatch(/Purchased commitments/)
    expect(table.stdout).toContain(`$${sp.realizedMonthly!.toLocaleString('en-US', {minimumFractionDigits: 2})}`)
  })

  test('the digest reports the same bill-level figure', async () => {
    const result = await cli('alert', 'digest', '--dry-run', '--json')
    expect(result.code, result.stderr).toBe(0)
    const digest = alertDigestSchema.parse(parseJson(result)).digest
    const report = savingsReportSchema.parse(parseJson(await cli('savings', '--json')))
    const sp = report.commitments.find((c) => c.id === 'sp-0a1b2c')!
    expect(digest.savings.realized.commitments).toContainEqual({
      id: 'sp-0a1b2c',
      currency: 'USD',
      promisedMonthly: 1200,
      realizedMonthly: sp.realizedMonthly,
    })
    expect(digest.savings.realized.tracked).toBe(true)
  })
})
