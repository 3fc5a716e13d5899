import fs from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {stringify} from 'yaml'

import {generateRealizedScenario, writeScenario} from '../../bench/realized/scenario.mjs'
import {addDays} from '../../src/dates.js'
import {savingsRecordSchema, savingsReportSchema} from '../../src/savings/schemas.js'
import {insertPending, markFinished} from '../../src/store/actions.js'
import {markHistoryCoverage, replaceClusterHistory, replaceNamespaceHistory} from '../../src/store/k8s-history.js'
import {replaceInventory} from '../../src/store/k8s-inventory.js'
import {openStore} from '../../src/store/open.js'
import {parseJson, runCli, tempDir} from '../helpers/cli.js'
import {snapshotTree} from '../helpers/fs-snapshot.js'

const tmp = tempDir('finops-savings-e2e-')
const db = path.join(tmp.dir, 'finops.db')
const config = path.join(tmp.dir, 'finops.yaml')
const scenario = generateRealizedScenario({
  seed: 11,
  workloads: 10,
  days: 30,
  prices: {onDemandHourly: 4.608, spotRatio: 0.35, cpuToMemoryRatio: 7.4607},
})
const env = {FINOPS_DB: db, FINOPS_NOW: addDays(scenario.asOf, 1), FINOPS_CONFIG: config}
const cli = (...args: string[]) => runCli(args, {env, cwd: tmp.dir})

beforeAll(() => {
  fs.writeFileSync(config, stringify(scenario.config))
  const store = openStore(db)
  writeScenario(store, scenario, {
    replaceNamespaceHistory,
    replaceClusterHistory,
    markHistoryCoverage,
    insertPending,
    markFinished,
    replaceInventory,
  })
  store.close()
})
afterAll(() => tmp.cleanup())

describe('finops savings', () => {
  test('--json: every applied action, promised vs realized with method and confidence, valid against the contract', async () => {
    const run = await cli('savings', '--json')
    expect(run.code, run.stderr).toBe(0)
    const report = savingsReportSchema.parse(parseJson(run))
    expect(report.asOf).toBe(scenario.asOf)
    expect(report.actions.map((a) => a.actionId).sort()).toEqual(scenario.journal.map((a) => a.id).sort())
    for (const t of scenario.truth) {
      const e = report.actions.find((a) => a.actionId === t.actionId)!
      expect(Math.abs(e.realizedMonthly! - t.realizedMonthly!)).toBeLessThanOrEqual(
        0.05 * Math.max(Math.abs(t.realizedMonthly!), 1),
      )
      if (t.reverted) expect(e.flags).toContain('reverted')
    }
    expect(report.byKind.map((g) => g.key).sort()).toEqual(['rightsize', 'scale-down', 'spot'])
  })

  test('the table and markdown views draw the same ledger', async () => {
    const table = await cli('savings', '--kind', 'scale-down')
    expect(table.code, table.stderr).toBe(0)
    expect(table.stdout).toMatch(/Per action/)
    expect(table.stdout).toMatch(/reverted/)
    expect(table.stdout).toMatch(/Total \(USD\): promised \$[\d,.]+\/month by 2 actions/)
    const markdown = await cli('savings', '--markdown', '--namespace', 'team-a')
    expect(markdown.code, markdown.stderr).toBe(0)
    expect(markdown.stdout).toMatch(/\| action \| kind \| workload \|/)
    expect(markdown.stdout).not.toMatch(/team-b/)
  })

  test('one action by id; an unknown id is not found, an empty one a usage error, and the store is untouched', async () => {
    const before = snapshotTree(tmp.dir)
    const one = await cli('savings', '--action', scenario.journal[0]!.id, '--json')
    expect(one.code, one.stderr).toBe(0)
    expect(savingsReportSchema.parse(parseJson(one)).actions).toHaveLength(1)
    const unknown = await cli('savings', '--action', 'act-does-not-exist')
    expect(unknown.code).toBe(8)
    expect(unknown.stderr).toMatch(/no action act-does-not-exist in the apply journal/)
    expect(unknown.stderr).not.toMatch(/\n\s+at /)
    for (const bad of [
      ['--action', ''],
      ['--action', 'a,,b'],
      ['--since', '2026-13-45'],
      ['--since', scenario.asOf, '--to', scenario.days[0]!],
      ['--kind', 'everything'],
      ['--namespace', ''],
    ]) {
      const r = await cli('savings', ...bad)
      expect(r.code, `${bad.join(' ')}: ${r.stderr}`).toBe(2)
      expect(r.stderr.trim().split('\n').length, r.stderr).toBeLessThanOrEqual(2)
    }
    expect(snapshotTree(tmp.dir)).toEqual(before)
  })

  test('no store: a clear error and nothing created', async () => {
    const missing = path.join(tmp.dir, 'nowhere', 'finops.db')
    const r = await runCli(['savings', '--db', missing], {env: {FINOPS_CONFIG: config}, cwd: tmp.dir})
    expect(r.code).toBe(4)
    expect(fs.existsSync(path.dirname(missing))).toBe(false)
  })

  test('savings record: a purchased commitment, listed as not measurable yet; bad input changes nothing', async () => {
    const before = snapshotTree(tmp.dir)
    const base = ['savings', 'record', '--commitment', 'sp-123', '--provider', 'aws', '--type', 'savings-plan']
    for (const bad of [
      [...base, '--hourly', '1,5', '--term', '12', '--start', '2026-10-01'],
      [...base, '--hourly', '-3', '--term', '12', '--start', '2026-10-01'],
      [...base, '--hourly', '3', '--term', '0', '--start', '2026-10-01'],
      [...base, '--hourly', '3', '--term', '12', '--start', 'yesterday'],
      [...base, '--hourly', '3', '--term', '12', '--start', '2026-10-01', '--currency', 'dollars'],
      [
        'savings',
        'record',
        '--commitment',
        ' ',
        '--provider',
        'aws',
        '--type',
        'savings-plan',
        '--hourly',
        '3',
        '--term',
        '12',
        '--start',
        '2026-10-01',
      ],
      [
        'savings',
        'record',
        '--commitment',
        'x',
        '--provider',
        'aws',
        '--type',
        'coupon',
        '--hourly',
        '3',
        '--term',
        '12',
        '--start',
        '2026-10-01',
      ],
    ]) {
      const r = await cli(...bad)
      expect(r.code, `${bad.join(' ')}: ${r.stderr}`).toBe(2)
    }
    expect(snapshotTree(tmp.dir)).toEqual(before)
    const ok = await cli(
      ...base,
      '--hourly',
      '12.5',
      '--term',
      '12',
      '--start',
      '2026-10-01',
      '--promised-monthly',
      '2100',
      '--json',
    )
    expect(ok.code, ok.stderr).toBe(0)
    expect(savingsRecordSchema.parse(parseJson(ok))).toMatchObject({
      created: true,
      commitment: {id: 'sp-123', hourlyCommitment: 12.5},
    })
    const listed = savingsReportSchema.parse(parseJson(await cli('savings', '--json')))
    expect(listed.commitments).toEqual([
      expect.objectContaining({id: 'sp-123', promisedMonthly: 2100, realizedMonthly: null, measurable: false}),
    ])
    const table = await cli('savings')
    expect(table.stdout).toMatch(/Purchased commitments/)
    expect(table.stdout).toMatch(/not measurable yet/)
  })
})
