import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {openStore} from '../../src/store/open.js'
import {type CliResult, repoRoot, runCli, tempDir} from '../helpers/cli.js'
import {runBuiltInProcess} from '../helpers/cli-in-process.js'
import {deployment, namespace} from '../helpers/cluster-fixture.js'
import {snapshotTree, type TreeSnapshot} from '../helpers/fs-snapshot.js'
import {type KubeApiServer, startKubeApi} from '../servers/kube-api.js'

/**
 * Empty never means "all": every option flag and every argument of every command, given an empty or
 * blank value, is a usage error (exit 2) naming it, before the store, the files around it or the
 * cluster are touched. The cases come from the built CLI's own manifest, so a flag added later is
 * covered without editing this test. The sweep (hundreds of command lines) runs the built commands
 * in this process; a sample of it, and every list-item case, spawn the built binary as users run it.
 */

interface ManifestFlag {
  type: 'option' | 'boolean'
  multiple?: boolean
  required?: boolean
}
interface ManifestCommand {
  flags: Record<string, ManifestFlag>
  args: Record<string, {required?: boolean}>
}

const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'oclif.manifest.json'), 'utf8')) as {
  commands: Record<string, ManifestCommand>
}

interface Case {
  name: string
  argv: string[]
  names: string
}

function casesFor(id: string, command: ManifestCommand, db: string): Case[] {
  const words = id.split(':')
  const required = Object.entries(command.args)
    .filter(([, a]) => a.required)
    .map(([n]) => (n === 'path' ? 'fixtures/none.csv' : `some-${n}`))
  const dbArgs = (flag: string) => (flag === 'db' ? [] : ['--db', db])
  // A required flag other than the one under test gets a usable value, so the blank one is what is judged.
  const requiredFlags = (except: string) =>
    Object.entries(command.flags)
      .filter(([name, spec]) => spec.required && name !== except)
      .flatMap(([name]) => [
        `--${name}`,
        name === 'out' ? path.join(os.tmpdir(), 'finops-blank-never-written.out') : `some-${name}`,
      ])
  const cases: Case[] = []
  for (const [flag, spec] of Object.entries(command.flags)) {
    if (spec.type !== 'option') continue
    for (const blank of ['', '   ']) {
      cases.push({
        name: `${words.join(' ')} --${flag} ${JSON.stringify(blank)}`,
        argv: [...words, ...required, ...requiredFlags(flag), `--${flag}`, blank, ...dbArgs(flag)],
        names: `--${flag}`,
      })
    }
  }
  for (const arg of Object.keys(command.args)) {
    cases.push({
      name: `${words.join(' ')} ${arg.toUpperCase()} ""`,
      argv: [...words, '', ...dbArgs('')],
      names: arg.toUpperCase(),
    })
  }
  return cases
}

/** Spawns the built CLI for each case, two at a time. */
async function spawnAll(cases: Case[], env: Record<string, string>): Promise<Map<Case, CliResult>> {
  const results = new Map<Case, CliResult>()
  const queue = [...cases]
  await Promise.all(
    Array.from({length: 2}, async () => {
      for (let c = queue.shift(); c; c = queue.shift()) results.set(c, await runCli(c.argv, {env}))
    }),
  )
  return results
}

/** Runs each case through the built commands in this process (environment set for the duration). */
async function sweepInProcess(cases: Case[], env: Record<string, string>): Promise<Map<Case, CliResult>> {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]))
  Object.assign(process.env, env)
  try {
    const results = new Map<Case, CliResult>()
    for (const c of cases) results.set(c, await runBuiltInProcess(c.argv))
    return results
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k]
      else process.env[k] = v
    }
  }
}

const oneLineNaming = (c: Case, r: CliResult): string | undefined => {
  const lines = r.stderr.trimEnd().split('\n')
  if (r.code === 2 && lines.length === 1 && lines[0]!.includes(c.names) && r.stdout === '') return undefined
  return `${c.name}: exit ${r.code}, stdout ${JSON.stringify(r.stdout.slice(0, 200))}, stderr ${r.stderr}`
}

describe('blank values are usage errors on every command (built CLI)', () => {
  let tmp: ReturnType<typeof tempDir>
  let server: KubeApiServer
  let db: string
  let before: TreeSnapshot
  let env: Record<string, string>

  beforeAll(async () => {
    tmp = tempDir()
    db = path.join(tmp.dir, 'finops.db')
    openStore(db).close()
    fs.writeFileSync(path.join(tmp.dir, 'finops.yaml'), 'apply:\n  mode: enforce\n')
    server = await startKubeApi({objects: [namespace('shop'), deployment('shop', 'api', {replicas: 3})]})
    const kubeconfig = path.join(tmp.dir, 'kubeconfig')
    fs.writeFileSync(kubeconfig, server.kubeconfig())
    env = {KUBECONFIG: kubeconfig, FINOPS_CONFIG: path.join(tmp.dir, 'finops.yaml'), FINOPS_NOW: '2026-11-01'}
    before = snapshotTree(tmp.dir)
  })
  afterAll(async () => {
    await server.close()
    tmp.cleanup()
  })

  it('refuses an empty or blank value of every option flag and argument, naming it, touching nothing', async () => {
    const cases = Object.entries(manifest.commands).flatMap(([id, command]) => casesFor(id, command, db))
    expect(cases.length).toBeGreaterThan(150)
    const swept = await sweepInProcess(cases, env)
    expect([...swept].map(([c, r]) => oneLineNaming(c, r)).filter(Boolean)).toEqual([])
    // The same through the binary, for one flag of each command and every argument.
    const sample = Object.entries(manifest.commands).flatMap(([id, command]) => {
      const own = casesFor(id, command, db)
      const args = own.filter((c) => !c.names.startsWith('--'))
      const flag = own.find((c) => c.names.startsWith('--') && !['--db', '--config'].includes(c.names))
      return [...args, ...(flag ? [flag] : [])]
    })
    const spawned = await spawnAll(sample, env)
    expect([...spawned].map(([c, r]) => oneLineNaming(c, r)).filter(Boolean)).toEqual([])
    expect(spawned.size).toBeGreaterThanOrEqual(Object.keys(manifest.commands).length)
    expect(snapshotTree(tmp.dir)).toEqual(before)
    expect(server.requests).toEqual([])
  }, 600_000)

  it('refuses blank items of list flags, also under --json (one JSON error object, exit 2)', async () => {
    const cases: Case[] = [
      {name: 'apply --namespace ,', argv: ['apply', '--namespace', ',', '--yes', '--json'], names: '--namespace'},
      {
        name: 'apply --namespace a,,b',
        argv: ['apply', '--namespace', 'shop,,x', '--yes', '--json'],
        names: '--namespace',
      },
      {name: 'recommend --namespace ,', argv: ['recommend', '--namespace', ',', '--json'], names: '--namespace'},
      {name: 'cost report -g ,', argv: ['cost', 'report', '-g', ',', '--json'], names: '--group-by'},
      {
        name: 'cost export -g service,',
        argv: ['cost', 'export', '-g', 'service,', '--out', 'OUT', '--json'],
        names: '--group-by',
      },
      {name: 'forecast --group-by ,', argv: ['forecast', '--group-by', ',', '--json'], names: '--group-by'},
      {name: 'cost allocation -g ,', argv: ['cost', 'allocation', '-g', ',', '--json'], names: '--group-by'},
      {
        name: 'cost report --filter service=',
        argv: ['cost', 'report', '--filter', 'service=', '--json'],
        names: '--filter',
      },
      {
        name: 'budget set --filter tag:env=',
        argv: ['budget', 'set', 'b', '--amount', '10', '--filter', 'tag:env= ', '--json'],
        names: '--filter',
      },
      {
        name: 'budget set --actual-threshold ,',
        argv: ['budget', 'set', 'b', '--amount', '10', '--actual-threshold', '80,', '--json'],
        names: '--actual-threshold',
      },
      {
        name: 'collect k8s --namespace ../x',
        argv: ['collect', 'k8s', '--namespace', '../kube-system', '--json'],
        names: '--namespace',
      },
      {
        name: 'collect k8s --namespace unicode',
        argv: ['collect', 'k8s', '--namespace', 'prod\u200b', '--json'],
        names: '--namespace',
      },
      {
        name: 'collect usage --namespace long',
        argv: ['collect', 'usage', '--namespace', 'a'.repeat(5000), '--prometheus', 'http://127.0.0.1:1', '--json'],
        names: '--namespace',
      },
      {name: 'apply --kind ,', argv: ['apply', '--kind', ',', '--yes', '--json'], names: '--kind'},
    ].map((c) => ({...c, argv: [...c.argv.map((a) => (a === 'OUT' ? path.join(tmp.dir, 'out.csv') : a)), '--db', db]}))
    const results = await spawnAll(cases, env)
    const wrong: string[] = []
    for (const [c, r] of results) {
      let error: {code?: string; message?: string; exit?: number} | undefined
      try {
        error = (JSON.parse(r.stdout) as {error?: typeof error}).error
      } catch {
        error = undefined
      }
      if (r.code !== 2 || error?.exit !== 2 || error.code !== 'USAGE' || !error.message?.includes(c.names))
        wrong.push(`${c.name}: exit ${r.code}, stdout ${r.stdout.slice(0, 300)}, stderr ${r.stderr.slice(0, 300)}`)
    }
    expect(wrong).toEqual([])
    expect(snapshotTree(tmp.dir)).toEqual(before)
    expect(server.requests).toEqual([])
  }, 300_000)
})
