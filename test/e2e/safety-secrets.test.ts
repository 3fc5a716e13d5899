import fs from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {type CliResult, runCli, tempDir} from '../helpers/cli.js'
import {snapshotTree} from '../helpers/fs-snapshot.js'

/**
 * Secrets never appear in output, errors included: a usage error under --json is one JSON {error}
 * object with exit 2 (never oclif's parse context with the raw argv), every message goes through one
 * redaction, and `cronjob manifest` refuses to render any URL that carries a credential.
 */

const SECRET = 's3cretPw'
const TOKEN = 'tok3nValue'

const noSecret = (r: CliResult): void => {
  expect(r.stdout + r.stderr).not.toContain(SECRET)
  expect(r.stdout + r.stderr).not.toContain(TOKEN)
}

const oneJsonError = (r: CliResult): {code: string; message: string; exit: number} => {
  const parsed = JSON.parse(r.stdout) as {error: {code: string; message: string; exit: number}}
  expect(Object.keys(parsed)).toEqual(['error'])
  expect(r.stdout.length).toBeLessThan(1000)
  return parsed.error
}

describe('usage errors and messages are one redacted line (built CLI)', () => {
  let tmp: ReturnType<typeof tempDir>
  beforeAll(() => {
    tmp = tempDir()
  })
  afterAll(() => tmp.cleanup())

  const url = `http://admin:${SECRET}@127.0.0.1:1/prom?token=${TOKEN}`

  it('exclusive flags under --json: one JSON {error}, exit 2, no secret', async () => {
    const r = await runCli(['cost', 'report', '--csv', '--json', '--filter', `service=${url}`], {cwd: tmp.dir})
    expect(r.code).toBe(2)
    expect(oneJsonError(r)).toMatchObject({code: 'USAGE', exit: 2})
    noSecret(r)
  })

  it.each([
    ['an unknown flag', ['collect', 'usage', '--prometheus', url, '--bogus']],
    ['a flag that is not an integer', ['collect', 'usage', '--days', url]],
    ['a flag that is not a number', ['cost', 'report', '--top', url]],
    ['a missing argument', ['budget', 'set', '--filter', `service=${url}`]],
    ['an option outside its list', ['collect', 'usage', '--source', url]],
    ['an unexpected argument', ['cost', 'report', url]],
  ])('%s: exit 2, one JSON {error} under --json, one line otherwise, no secret', async (_, argv) => {
    const json = await runCli([...argv, '--json'], {cwd: tmp.dir})
    expect(json.code).toBe(2)
    const error = oneJsonError(json)
    expect(error).toMatchObject({code: 'USAGE', exit: 2})
    noSecret(json)
    const human = await runCli(argv, {cwd: tmp.dir})
    expect(human.code).toBe(2)
    expect(human.stdout).toBe('')
    expect(human.stderr.trimEnd().split('\n')).toHaveLength(1)
    expect(human.stderr).toMatch(/^Error: .*--help\)\n$/)
    noSecret(human)
  })

  it('redacts a URL with userinfo and a token in a runtime error (Prometheus unreachable), touching nothing', async () => {
    const db = path.join(tmp.dir, 'store.db')
    const k8s = await runCli(['budget', 'set', 'x', '--amount', '10', '--db', db], {cwd: tmp.dir})
    expect(k8s.code, k8s.stderr).toBe(0)
    const before = snapshotTree(tmp.dir)
    const r = await runCli(['collect', 'usage', '--db', db, '--cluster', 'c1', '--prometheus', url], {cwd: tmp.dir})
    expect(r.code).not.toBe(0)
    expect(r.code).not.toBe(1)
    // Progress notes may precede it; the error itself is the one last line.
    const lines = r.stderr.trimEnd().split('\n')
    expect(lines.filter((l) => l.startsWith('Error:'))).toHaveLength(1)
    expect(lines.at(-1)).toMatch(/^Error: cannot reach Prometheus/)
    noSecret(r)
    const j = await runCli(['collect', 'usage', '--db', db, '--cluster', 'c1', '--prometheus', url, '--json'], {
      cwd: tmp.dir,
    })
    oneJsonError(j)
    noSecret(j)
    expect(snapshotTree(tmp.dir)).toEqual(before)
  })
})

describe('cronjob manifest never renders a credential (built CLI)', () => {
  let tmp: ReturnType<typeof tempDir>
  beforeAll(() => {
    tmp = tempDir()
  })
  afterAll(() => tmp.cleanup())

  const configs: [string, string, number][] = [
    [
      'Prometheus URL with user:password',
      `kubernetes:\n  prometheus:\n    url: https://finops:${SECRET}@thanos.example.com\n`,
      3,
    ],
    ['Pushgateway with a token parameter', `run:\n  pushgateway: https://push.example.com/?token=${TOKEN}\n`, 2],
    ['collector endpoint with userinfo', `sources:\n  aws:\n    endpoint: https://ci:${SECRET}@ce.example.com\n`, 3],
    [
      'step arguments with an api_key',
      `run:\n  args:\n    collect: ['--prometheus', 'https://p.example.com/?api_key=${TOKEN}']\n`,
      3,
    ],
    ['a commented-out URL', `# old: https://bob:${SECRET}@prom.internal:9090\napply:\n  mode: dry-run\n`, 1],
    ['a token as the user name', `kubernetes:\n  prometheus:\n    url: https://${TOKEN}@prom.example.com\n`, 3],
  ]

  it.each(configs)('%s: exit 3, one line naming file:line, nothing rendered', async (_, yaml, line) => {
    const file = path.join(tmp.dir, `finops-${Math.random().toString(16).slice(2)}.yaml`)
    fs.writeFileSync(file, yaml)
    const before = snapshotTree(tmp.dir)
    const r = await runCli(['cronjob', 'manifest', '--config', file], {cwd: tmp.dir})
    expect(r.code).toBe(3)
    expect(r.stdout).toBe('')
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1)
    expect(r.stderr).toContain(`${file}:${line}:`)
    expect(r.stderr).toContain('ConfigMap')
    noSecret(r)
    const j = await runCli(['cronjob', 'manifest', '--config', file, '--json'], {cwd: tmp.dir})
    expect(j.code).toBe(3)
    expect(oneJsonError(j).code).toBe('INVALID_INPUT')
    noSecret(j)
    expect(snapshotTree(tmp.dir)).toEqual(before)
  })

  it('renders a config whose URLs carry no credential (auth from files and environment variables)', async () => {
    const file = path.join(tmp.dir, 'clean.yaml')
    fs.writeFileSync(
      file,
      'kubernetes:\n  prometheus:\n    url: https://thanos.example.com/?dedup=true\n    username: finops\n    passwordEnv: PROM_PASSWORD\nrun:\n  pushgateway: http://pushgateway.monitoring:9091\n',
    )
    const r = await runCli(['cronjob', 'manifest', '--config', file], {cwd: tmp.dir})
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toContain('https://thanos.example.com/?dedup=true')
  })
})
