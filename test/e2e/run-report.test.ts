import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import type {RunLogEntry} from '../../src/run/log.js'
import {fixturesDir, runCli, tempDir} from '../helpers/cli.js'

/**
 * The report step of `finops run`, run as the CronJob runs it (config from a file, the store on its
 * volume, no cluster): the latest HTML report is kept next to the store, replaced each run, never
 * written over a file finops did not write, and can be moved or switched off in finops.yaml.
 */
let dir: string
let cleanup: () => void
let db: string
let env: Record<string, string | undefined>

const logLines = (stdout: string): RunLogEntry[] =>
  stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as RunLogEntry)

const sha = (file: string): string => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex')

function config(text: string): void {
  fs.writeFileSync(path.join(dir, 'finops.yaml'), text)
}

async function run(): Promise<{code: number; report: RunLogEntry; stdout: string}> {
  const result = await runCli(['run', '--db', db], {env})
  const report = logLines(result.stdout).find((l) => l.step === 'report')
  expect(report, result.stdout + result.stderr).toBeDefined()
  return {code: result.code, report: report!, stdout: result.stdout + result.stderr}
}

beforeEach(async () => {
  const tmp = tempDir()
  dir = tmp.dir
  cleanup = tmp.cleanup
  fs.mkdirSync(path.join(dir, 'data'))
  db = path.join(dir, 'data', 'finops.db')
  env = {
    FINOPS_CONFIG: path.join(dir, 'finops.yaml'),
    HOME: dir,
    KUBECONFIG: undefined,
    KUBERNETES_SERVICE_HOST: undefined,
  }
  config('run:\n  steps: [collect, report]\n')
  const imported = await runCli([
    'collect',
    'focus',
    path.join(fixturesDir, 'focus', 'focus_sample_1000.csv'),
    '--db',
    db,
  ])
  expect(imported.code, imported.stderr).toBe(0)
}, 120_000)
afterEach(() => cleanup())

describe('finops run: the report step', () => {
  it('keeps the latest report next to the store and replaces its own report on the next run', async () => {
    const first = await run()
    expect(first.code, first.stdout).toBe(0)
    const out = path.join(dir, 'data', 'report.html')
    expect(first.report).toMatchObject({status: 'ok', details: {out}})
    const html = fs.readFileSync(out, 'utf8')
    expect(html).toMatch(/^<!doctype html>/)
    expect(html).toContain('<meta name="generator" content="finops">')
    expect(html).toMatch(/<svg[\s\S]*<\/svg>/)
    fs.writeFileSync(out, html.replace('</body>', '<p>an older run</p></body>'))
    const second = await run()
    expect(second.report.status, second.stdout).toBe('ok')
    expect(fs.readFileSync(out, 'utf8')).not.toContain('an older run')
    expect(fs.readdirSync(path.join(dir, 'data')).filter((f) => f.endsWith('.tmp'))).toEqual([])
  }, 240_000)

  it('never replaces a file (or link) finops did not write, and says so; the path is configurable', async () => {
    config('run:\n  steps: [collect, report]\n  report:\n    path: ../shared/cost.html\n')
    fs.mkdirSync(path.join(dir, 'shared'))
    const theirs = path.join(dir, 'shared', 'cost.html')
    fs.writeFileSync(theirs, '<!doctype html><title>the team wiki page</title>')
    const before = sha(theirs)
    const refused = await run()
    expect(refused.code).not.toBe(0)
    expect(refused.report).toMatchObject({status: 'failed'})
    expect(String(refused.report.reason)).toContain(`${theirs} exists and is not a report finops wrote`)
    expect(sha(theirs)).toBe(before)

    fs.rmSync(theirs)
    const elsewhere = path.join(dir, 'elsewhere.html')
    fs.writeFileSync(elsewhere, 'not ours')
    fs.symlinkSync(elsewhere, theirs)
    const viaLink = await run()
    expect(viaLink.report).toMatchObject({status: 'failed'})
    expect(fs.lstatSync(theirs).isSymbolicLink()).toBe(true)
    expect(fs.readFileSync(elsewhere, 'utf8')).toBe('not ours')

    fs.rmSync(theirs)
    const written = await run()
    expect(written.report).toMatchObject({status: 'ok', details: {out: theirs}})
    expect(fs.readFileSync(theirs, 'utf8')).toContain('<meta name="generator" content="finops">')
  }, 240_000)

  it('is skipped with its reason when switched off, and writes nothing', async () => {
    config('run:\n  steps: [collect, report]\n  report:\n    enabled: false\n')
    const off = await run()
    expect(off.code, off.stdout).toBe(0)
    expect(off.report).toMatchObject({status: 'skipped', reason: 'run.report.enabled is false'})
    expect(fs.existsSync(path.join(dir, 'data', 'report.html'))).toBe(false)
  }, 120_000)
})
