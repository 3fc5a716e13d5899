import fs from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {type CliResult, fixturesDir, parseJson, runCli, tempDir} from '../helpers/cli.js'
import {snapshotTree} from '../helpers/fs-snapshot.js'

/**
 * One config, one verdict: every command finds, reads and validates finops.yaml the same way. A
 * --config (or FINOPS_CONFIG) naming a missing file, and a file that does not validate, are invalid
 * input (exit 3, one line naming the file and the field) for every command, before any store access,
 * even for commands that would not read a setting from it; and a value the schema accepts is
 * accepted by every command that reads it.
 */

const FOCUS = path.join(fixturesDir, 'focus', 'focus_sample_1000.csv')

const oneLine = (r: CliResult): string => {
  const lines = r.stderr.trimEnd().split('\n')
  expect(lines, r.stderr).toHaveLength(1)
  return lines[0]!
}

/** Every kind of command: readers that never look at a setting, readers that do, and writers. */
const COMMANDS: string[][] = [
  ['cost', 'report'],
  ['cost', 'export'],
  ['cost', 'allocation'],
  ['budget', 'list'],
  ['budget', 'status'],
  ['budget', 'set', 'ops', '--amount', '100'],
  ['actions', 'list'],
  ['forecast'],
  ['recommend', '--no-save'],
  ['alert', 'check', '--dry-run'],
  ['collect', 'focus', FOCUS],
]

describe('one config, one verdict (built CLI)', () => {
  let tmp: ReturnType<typeof tempDir>
  let db: string
  let env: Record<string, string>

  beforeAll(async () => {
    tmp = tempDir()
    db = path.join(tmp.dir, 'store', 'finops.db')
    // No finops.yaml of the user's can apply: the working directory and XDG config are the test's own.
    env = {FINOPS_NOW: '2024-09-25', XDG_CONFIG_HOME: path.join(tmp.dir, 'xdg'), HOME: tmp.dir}
    const setup = await runCli(['collect', 'focus', FOCUS, '--db', db], {env, cwd: tmp.dir})
    expect(setup.code, setup.stderr).toBe(0)
    const budget = await runCli(['budget', 'set', 'all', '--amount', '50000', '--db', db], {env, cwd: tmp.dir})
    expect(budget.code, budget.stderr).toBe(0)
  }, 300_000)
  afterAll(() => tmp.cleanup())

  it('a --config naming a missing file: exit 3 on every command, one line, store unchanged', async () => {
    const missing = path.join(tmp.dir, 'typo', 'finops.yaml')
    const before = snapshotTree(tmp.dir)
    for (const argv of COMMANDS) {
      const r = await runCli([...argv, '--db', db, '--config', missing], {env, cwd: tmp.dir})
      expect(r.code, `${argv.join(' ')}: ${r.stderr}`).toBe(3)
      expect(oneLine(r)).toContain(`config file ${missing} does not exist`)
      expect(r.stderr).toContain('--config')
    }
    const viaEnv = await runCli(['cost', 'report', '--db', db], {env: {...env, FINOPS_CONFIG: missing}, cwd: tmp.dir})
    expect(viaEnv.code).toBe(3)
    expect(oneLine(viaEnv)).toContain('FINOPS_CONFIG')
    expect(snapshotTree(tmp.dir)).toEqual(before)
  }, 600_000)

  it('an invalid finops.yaml: exit 3 on every command naming file and field, store unchanged', async () => {
    const bad = path.join(tmp.dir, 'bad.yaml')
    fs.writeFileSync(bad, 'forecast:\n  level: ninety\n')
    const before = snapshotTree(tmp.dir)
    for (const argv of COMMANDS) {
      const r = await runCli([...argv, '--db', db, '--config', bad], {env, cwd: tmp.dir})
      expect(r.code, `${argv.join(' ')}: ${r.stderr}`).toBe(3)
      expect(oneLine(r)).toContain(`${bad}: forecast.level:`)
    }
    // The same verdict under --json: one JSON error, exit 3.
    const json = await runCli(['budget', 'list', '--db', db, '--config', bad, '--json'], {env, cwd: tmp.dir})
    expect(json.code).toBe(3)
    expect(parseJson<{error: {code: string}}>(json).error.code).toBe('INVALID_INPUT')
    expect(snapshotTree(tmp.dir)).toEqual(before)
  }, 600_000)

  it('a finops.yaml found implicitly (working directory) is checked too, and so are a directory and a huge file', async () => {
    const cwd = fs.mkdtempSync(path.join(tmp.dir, 'cwd-'))
    fs.writeFileSync(path.join(cwd, 'finops.yaml'), 'budget:\n  amount: 5\n')
    const before = snapshotTree(tmp.dir)
    const implicit = await runCli(['cost', 'export', '--db', db], {env, cwd})
    expect(implicit.code).toBe(3)
    expect(oneLine(implicit)).toContain(`${path.join(cwd, 'finops.yaml')}: (top level)`)
    const dir = await runCli(['actions', 'list', '--db', db, '--config', tmp.dir], {env, cwd: tmp.dir})
    expect(dir.code).toBe(3)
    expect(oneLine(dir)).toContain('is not a regular file')
    const huge = path.join(tmp.dir, 'huge.yaml')
    fs.writeFileSync(huge, `# ${'x'.repeat(2_000_000)}\n`)
    const hugeBefore = snapshotTree(tmp.dir)
    const big = await runCli(['budget', 'list', '--db', db, '--config', huge], {env, cwd: tmp.dir})
    expect(big.code).toBe(3)
    expect(oneLine(big)).toContain('more than a finops.yaml can be')
    expect(snapshotTree(tmp.dir)).toEqual(hugeBefore)
    fs.rmSync(huge)
    expect(snapshotTree(tmp.dir)).toEqual(before)
  }, 300_000)

  it('a forecast.level the schema accepts (99.5) is accepted by budget status and alert check, never blamed on a flag', async () => {
    // The demo store has months of clean history, so a forecast (and its level) is computed.
    const demoDir = path.join(tmp.dir, 'demo')
    const demo = await runCli(['demo', '--dir', demoDir], {
      env: {XDG_CONFIG_HOME: env.XDG_CONFIG_HOME!, HOME: tmp.dir},
      cwd: tmp.dir,
    })
    expect(demo.code, demo.stderr).toBe(0)
    const demoDb = path.join(demoDir, 'finops-demo.db')
    const demoEnv = {XDG_CONFIG_HOME: env.XDG_CONFIG_HOME!, HOME: tmp.dir}
    const config = path.join(tmp.dir, 'level.yaml')
    fs.writeFileSync(config, 'forecast:\n  level: 99.5\n')
    const status = await runCli(['budget', 'status', '--db', demoDb, '--config', config, '--json'], {
      env: demoEnv,
      cwd: tmp.dir,
    })
    expect(status.code, status.stderr).toBe(0)
    const budgets = parseJson<{budgets: {status: {forecast?: {level: number}}}[]}>(status).budgets
    expect(budgets.length).toBeGreaterThan(0)
    for (const budget of budgets) expect(budget.status.forecast?.level).toBe(99.5)
    const check = await runCli(['alert', 'check', '--dry-run', '--db', demoDb, '--config', config], {
      env: demoEnv,
      cwd: tmp.dir,
    })
    expect(check.stderr).not.toContain('--level')
    expect(check.code, check.stderr).toBe(0)
    // The flag keeps its own range, and says so in its own name.
    const flag = await runCli(['budget', 'status', '--db', db, '--level', '100'], {env, cwd: tmp.dir})
    expect(flag.code).toBe(2)
    expect(oneLine(flag)).toContain('--level')
  }, 300_000)
})
