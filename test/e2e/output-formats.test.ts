import fs from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {costReportSchema} from '../../src/cost/schemas.js'
import {fixturesDir, parseJson, runCli, tempDir} from '../helpers/cli.js'

/**
 * `--output` as users run it: every format a command offers, the `--json`/`--csv` aliases, `--out`,
 * and the usage errors for combinations that make no sense. On the bundled FOCUS sample.
 */
describe('--output (built CLI)', () => {
  let tmp: ReturnType<typeof tempDir>
  let db: string
  const window = ['--from', '2024-09-01', '--to', '2024-09-30']
  const report = (...args: string[]) => runCli(['cost', 'report', '--db', db, '-g', 'provider', ...window, ...args])

  beforeAll(async () => {
    tmp = tempDir()
    db = path.join(tmp.dir, 'finops.db')
    const imported = await runCli([
      'collect',
      'focus',
      path.join(fixturesDir, 'focus', 'focus_sample_1000.csv'),
      '--db',
      db,
    ])
    expect(imported.code, imported.stderr).toBe(0)
  }, 60_000)
  afterAll(() => tmp.cleanup())

  it('--output json is --json: the same contract on stdout', async () => {
    const [viaAlias, viaOutput] = await Promise.all([report('--json'), report('--output', 'json')])
    expect(viaOutput.code, viaOutput.stderr).toBe(0)
    expect(costReportSchema.parse(parseJson(viaOutput))).toEqual(costReportSchema.parse(parseJson(viaAlias)))
    expect((await report('--output=json')).stdout).toBe(viaAlias.stdout)
  })

  it('--output csv is --csv, and --output table is the default', async () => {
    const [csv, alias, table, plain] = await Promise.all([
      report('--output', 'csv'),
      report('--csv'),
      report('--output', 'table'),
      report(),
    ])
    expect(csv.code, csv.stderr).toBe(0)
    expect(csv.stdout.split('\n')[0]).toBe('provider,currency,total,previous_total,change')
    expect(csv.stdout.trim().split('\n').length).toBeGreaterThan(1)
    expect(alias.stdout).toBe(csv.stdout)
    expect(table.stdout).toBe(plain.stdout)
    expect(table.stdout).toMatch(/^Effective cost 2024-09-01 to 2024-09-30/)
  })

  it('--out writes the rendered output to a file and keeps stdout empty', async () => {
    const file = path.join(tmp.dir, 'report.csv')
    const written = await report('--output', 'csv', '--out', file)
    expect(written.code, written.stderr).toBe(0)
    expect(written.stdout).toBe('')
    expect(fs.readFileSync(file, 'utf8')).toBe((await report('--csv')).stdout)
    const jsonFile = path.join(tmp.dir, 'report.json')
    const json = await report('--json', '--out', jsonFile)
    expect(json.code, json.stderr).toBe(0)
    expect(json.stdout).toBe('')
    expect(costReportSchema.parse(JSON.parse(fs.readFileSync(jsonFile, 'utf8'))).groupBy).toEqual(['provider'])
  })

  it('errors under --output json are JSON, as under --json', async () => {
    const result = await runCli(['cost', 'report', '--db', db, '--output', 'json', '--from', 'yesterday-ish'])
    expect(result.code).toBe(2)
    const body = parseJson<{error: {code: string; message: string}}>(result)
    expect(body.error.code).toBe('USAGE')
    expect(body.error.message).toMatch(/--from/)
  })

  it('refuses a format the command does not offer, and contradictory flags', async () => {
    const apply = await runCli(['actions', 'list', '--db', db, '--output', 'csv'])
    expect(apply.code).toBe(2)
    expect(apply.stderr).toMatch(/Expected --output=csv to be one of: table, json/)
    const both = await report('--json', '--output', 'csv')
    expect(both.code).not.toBe(0)
    expect(both.stdout).not.toMatch(/^provider,currency/m)
    const aliases = await report('--csv', '--output', 'table')
    expect(aliases.code).toBe(2)
    expect(aliases.stderr).toMatch(/--output=table cannot also be provided when using --csv/)
  })

  it('cronjob manifest prints YAML by default and the manifests as JSON with --output json', async () => {
    const json = await runCli(['cronjob', 'manifest', '--output', 'json'], {cwd: tmp.dir})
    expect(json.code, json.stderr).toBe(0)
    const {manifests} = parseJson<{manifests: {kind: string}[]}>(json)
    expect(manifests.map((m) => m.kind)).toContain('CronJob')
    const text = await runCli(['cronjob', 'manifest'], {cwd: tmp.dir})
    expect(text.code, text.stderr).toBe(0)
    expect(text.stdout).toMatch(/^kind: CronJob$/m)
  })
})
