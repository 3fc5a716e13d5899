import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {ExitCode} from '../../src/exit-codes.js'
import {runCli, tempDir} from '../helpers/cli.js'
import {syntheticRows} from '../helpers/cost-data.js'
import {writeFocusCsv} from '../helpers/focus-csv.js'

/** `forecast --chart` as users run it: the chart above the forecast table, sized to COLUMNS, no colour codes off a terminal. */
describe('finops forecast --chart (built CLI)', () => {
  let tmp: ReturnType<typeof tempDir>
  let db: string

  beforeAll(async () => {
    tmp = tempDir()
    const csv = path.join(tmp.dir, 'bill.csv')
    writeFocusCsv(
      csv,
      syntheticRows(
        [
          {account: '111122223333', service: 'Amazon EC2', base: 900},
          {account: '111122223333', service: 'Amazon S3', base: 150, weekend: 1},
        ],
        '2026-05-01',
        '2026-08-31',
      ),
    )
    db = path.join(tmp.dir, 'finops.db')
    const imported = await runCli(['collect', 'focus', csv, '--db', db])
    expect(imported.code, imported.stderr).toBe(0)
  }, 120_000)
  afterAll(() => tmp.cleanup())

  it('draws actuals, the mean and the interval on a money axis, then the usual forecast', async () => {
    const result = await runCli(['forecast', '--db', db, '--horizon', '30', '--chart'], {env: {COLUMNS: '90'}})
    expect(result.code, result.stderr).toBe(0)
    const lines = result.stdout.split('\n')
    const plot = lines.filter((l) => l.includes(' ┤'))
    expect(plot).toHaveLength(12)
    expect(plot[0]).toMatch(/^\s*\$[\d,]+ ┤/)
    expect(plot.join('')).toContain('█')
    expect(plot.join('')).toContain('━')
    expect(plot.join('')).toContain('░')
    expect(result.stdout).toContain('2026-09-01')
    expect(result.stdout).toContain('2026-09-30')
    expect(result.stdout).not.toContain('\u001B[')
    const chartEnd = lines.findIndex((l) => l.includes('80% interval (USD per day)'))
    expect(lines.slice(0, chartEnd + 1).every((l) => l.length <= 90)).toBe(true)
    expect(lines.slice(chartEnd + 1).join('\n')).toMatch(/Effective cost forecast 2026-09-01 to 2026-09-30/)
  })

  it('in a narrow terminal prints a note instead of a chart', async () => {
    const result = await runCli(['forecast', '--db', db, '--horizon', '30', '--chart'], {env: {COLUMNS: '30'}})
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toMatch(/^\(No chart: the terminal is 30 columns wide/)
    expect(result.stdout).not.toContain(' ┤')
  })

  it('goes with the table output only', async () => {
    const result = await runCli(['forecast', '--db', db, '--chart', '--json'])
    expect(result.code).toBe(ExitCode.usage)
    expect(result.stdout + result.stderr).toMatch(/--chart draws in the terminal/)
  })
})
