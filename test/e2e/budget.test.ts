import fs from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'

import {budgetListSchema, budgetRemoveSchema, budgetSetSchema, budgetStatusSchema} from '../../src/alerts/schemas.js'
import {syntheticRows} from '../helpers/cost-data.js'
import {writeFocusCsv} from '../helpers/focus-csv.js'
import {parseJson, runCli, tempDir} from '../helpers/cli.js'

const NOW = '2024-09-25'
const tmp = tempDir('finops-budget-e2e-')
const db = path.join(tmp.dir, 'finops.db')
const env = {FINOPS_DB: db, FINOPS_NOW: NOW}
const cli = (...args: string[]) => runCli(args, {env, cwd: tmp.dir})
const rows = syntheticRows(
  [
    {account: '111', service: 'Amazon EC2', base: 300},
    {account: '111', service: 'Amazon S3', base: 50, noise: 0.02},
    {account: '222', service: 'Amazon RDS', base: 120},
  ],
  '2024-06-01',
  '2024-09-24',
)
const septemberSpend = (service?: string): number =>
  rows
    .filter((r) => r.day >= '2024-09-01' && (!service || r.serviceName === service))
    .reduce((a, r) => a + r.billedCost, 0)

beforeAll(async () => {
  writeFocusCsv(path.join(tmp.dir, 'focus.csv'), rows)
  const imported = await cli('collect', 'focus', path.join(tmp.dir, 'focus.csv'))
  expect(imported.code, imported.stderr).toBe(0)
})
afterAll(() => tmp.cleanup())

describe('finops budget', () => {
  test('set, list and status as a user runs them', async () => {
    const set = await cli('budget', 'set', 'all', '--amount', '12000')
    expect(set.code, set.stderr).toBe(0)
    expect(set.stdout).toMatch(
      /^Budget all created: 12,000\.00 monthly, all costs, billed cost; thresholds actual 80%, 100%; forecast 100%/,
    )
    const ec2 = await cli(
      'budget',
      'set',
      'ec2',
      '--amount',
      '20000',
      '--filter',
      'service=Amazon EC2',
      '--actual-threshold',
      '50,80',
      '--forecast-threshold',
      '100',
      '--json',
    )
    expect(ec2.code, ec2.stderr).toBe(0)
    expect(budgetSetSchema.parse(parseJson(ec2))).toMatchObject({
      created: true,
      budget: {
        filters: ['service=Amazon EC2'],
        thresholds: [
          {kind: 'actual', percent: 50},
          {kind: 'actual', percent: 80},
          {kind: 'forecast', percent: 100},
        ],
      },
    })

    const list = budgetListSchema.parse(parseJson(await cli('budget', 'list', '--json')))
    expect(list.budgets.map((b) => b.name)).toEqual(['all', 'ec2'])

    const status = await cli('budget', 'status', '--json')
    expect(status.code, status.stderr).toBe(0)
    const result = budgetStatusSchema.parse(parseJson(status))
    expect(result.asOf).toBe('2024-09-24')
    const all = result.budgets.find((b) => b.status.name === 'all')!
    expect(all.status).toMatchObject({
      periodLabel: '2024-09',
      periodStart: '2024-09-01',
      periodEnd: '2024-09-30',
      currency: 'USD',
      dataThrough: '2024-09-24',
    })
    expect(all.status.actual).toBeCloseTo(septemberSpend(), 1)
    expect(all.status.actualPercent).toBeCloseTo((septemberSpend() / 12000) * 100, 0)
    // Six more days of roughly 470/day on top of what was spent.
    const f = all.status.forecast!
    expect(f.lower).toBeLessThanOrEqual(f.mean)
    expect(f.mean).toBeLessThanOrEqual(f.upper)
    expect(f.mean - all.status.actual).toBeGreaterThan(6 * 400)
    expect(f.mean - all.status.actual).toBeLessThan(6 * 500)
    expect(all.status.breachDate! > '2024-09-24' && all.status.breachDate! <= '2024-09-30').toBe(true)
    expect(all.status.thresholds.filter((t) => t.crossed).map((t) => `${t.kind} ${t.percent}`)).toEqual([
      'actual 80',
      'forecast 100',
    ])
    expect(all.contributors[0]).toMatchObject({label: 'Amazon EC2'})
    const ec2Status = result.budgets.find((b) => b.status.name === 'ec2')!
    expect(ec2Status.status.actual).toBeCloseTo(septemberSpend('Amazon EC2'), 1)
    expect(ec2Status.contributorDimension).toBe('account')

    const human = await cli('budget', 'status', 'all')
    expect(human.code).toBe(0)
    expect(human.stdout).toMatch(
      /all \(all costs\): \$[\d,.]+ spent 2024-09-01 to 2024-09-24; 2024-09 will close at \$[\d,.]+, 80% interval \$[\d,.]+ to \$[\d,.]+/,
    )
    expect(human.stdout).not.toContain('ec2 (')

    // The interval level comes from forecast.level in finops.yaml unless --level says otherwise.
    fs.writeFileSync(path.join(tmp.dir, 'level.yaml'), 'forecast:\n  level: 90\n')
    const fromConfig = budgetStatusSchema.parse(
      parseJson(await cli('budget', 'status', 'all', '--json', '--config', path.join(tmp.dir, 'level.yaml'))),
    )
    expect(fromConfig.budgets[0]!.status.forecast!.level).toBe(90)
    const fromFlag = budgetStatusSchema.parse(
      parseJson(
        await cli('budget', 'status', 'all', '--json', '--config', path.join(tmp.dir, 'level.yaml'), '--level', '80'),
      ),
    )
    expect(fromFlag.budgets[0]!.status.forecast!.level).toBe(80)
  })

  test('an unknown filter key: one line naming the valid keys, exit 2, nothing written', async () => {
    const before = parseJson<{budgets: unknown[]}>(await cli('budget', 'list', '--json')).budgets
    const bad = await cli('budget', 'set', 'typo', '--amount', '100', '--filter', 'servce=EC2')
    expect(bad.code).toBe(2)
    expect(bad.stderr.trim().split('\n')).toHaveLength(1)
    expect(bad.stderr).toMatch(
      /^Error: unknown filter key "servce" in --filter servce=EC2; valid keys: provider, account, .*tag:<key>/,
    )
    expect(bad.stderr).not.toMatch(/\n\s+at /)
    expect(parseJson<{budgets: unknown[]}>(await cli('budget', 'list', '--json')).budgets).toEqual(before)

    const json = await cli('budget', 'set', 'typo', '--amount', 'lots', '--json')
    expect(json.code).toBe(2)
    expect(parseJson<{error: {code: string; message: string}}>(json).error).toMatchObject({
      code: 'USAGE',
      message: '--amount lots: expected a number',
    })
  })

  test('set on an existing budget changes only what is given; remove; a missing name exits 8', async () => {
    await cli('budget', 'set', 'tmp', '--amount', '500', '--period', 'quarterly', '--filter', 'account=222')
    const changed = budgetSetSchema.parse(parseJson(await cli('budget', 'set', 'tmp', '--amount', '750', '--json')))
    expect(changed).toMatchObject({
      created: false,
      budget: {amount: 750, period: 'quarterly', filters: ['account=222']},
    })
    const removed = await cli('budget', 'remove', 'tmp', '--json')
    expect(removed.code).toBe(0)
    expect(budgetRemoveSchema.parse(parseJson(removed))).toEqual({removed: 'tmp'})
    const again = await cli('budget', 'remove', 'tmp')
    expect(again.code).toBe(8)
    expect(again.stderr).toMatch(/^Error: no budget named "tmp" \(budgets: all, ec2\)/)
    expect((await cli('budget', 'status', 'nope')).code).toBe(8)
  })

  test('too little history: status still shows actual spend and says why there is no forecast', async () => {
    const short = tempDir('finops-budget-short-')
    try {
      const shortEnv = {FINOPS_DB: path.join(short.dir, 'f.db'), FINOPS_NOW: NOW}
      writeFocusCsv(
        path.join(short.dir, 'focus.csv'),
        syntheticRows([{account: '111', service: 'Amazon EC2', base: 100, noise: 0}], '2024-09-15', '2024-09-24'),
      )
      expect((await runCli(['collect', 'focus', path.join(short.dir, 'focus.csv')], {env: shortEnv})).code).toBe(0)
      expect((await runCli(['budget', 'set', 'small', '--amount', '1000'], {env: shortEnv})).code).toBe(0)
      const status = await runCli(['budget', 'status', '--json'], {env: shortEnv})
      expect(status.code, status.stderr).toBe(0)
      const s = budgetStatusSchema.parse(parseJson(status)).budgets[0]!.status
      expect(s.actual).toBeGreaterThan(0)
      expect(s.forecast).toBeUndefined()
      expect(s.forecastSkipped).toMatch(/10 days of history; at least 21 are needed/)
      const human = await runCli(['budget', 'status'], {env: shortEnv})
      expect(human.stdout).toMatch(/no forecast: .*at least 21 are needed/)
      expect(fs.existsSync(shortEnv.FINOPS_DB)).toBe(true)
    } finally {
      short.cleanup()
    }
  })
})
