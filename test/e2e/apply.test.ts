import {spawn} from 'node:child_process'
import {createHash} from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {actionsListSchema, applySchema, rollbackSchema} from '../../src/apply/schemas.js'
import {ExitCode} from '../../src/exit-codes.js'
import {openStore} from '../../src/store/open.js'
import {saveRecommendations} from '../../src/store/recommendations.js'
import {type CliResult, parseJson, repoRoot, runCli, tempDir} from '../helpers/cli.js'
import {type KubeApiServer, startKubeApi} from '../servers/kube-api.js'
import {type HoldingProxy, startHoldingProxy} from '../servers/kube-api-faults.js'
import {deployment, namespace} from '../helpers/cluster-fixture.js'
import {rightsizeRec, scaleDownRec} from '../helpers/recommendations.js'
import {recommendationIdFor} from '../../recommenders/registry.js'

// Every --json output is validated against the published schema (docs/schemas), strictly.
const asApply = (r: CliResult) => applySchema.parse(parseJson(r))
const asRollback = (r: CliResult) => rollbackSchema.parse(parseJson(r))
const asActions = (r: CliResult) => actionsListSchema.parse(parseJson(r))

let server: KubeApiServer
let dir: string
let cleanup: () => void
let dbPath: string

const env = (kubeconfig: string) => {
  const file = path.join(dir, `kubeconfig-${Math.random().toString(16).slice(2)}`)
  fs.writeFileSync(file, kubeconfig)
  return {KUBECONFIG: file, FINOPS_CONFIG: path.join(dir, 'finops.yaml'), FINOPS_IDENTITY: 'ci@test'}
}

/** The parts of a workload a rollback must give back exactly (server bookkeeping aside). */
const state = (name: string) => {
  const o = server.get('apps/v1', 'Deployment', name, 'shop')!
  return {annotations: o.metadata.annotations ?? {}, labels: o.metadata.labels, spec: o.spec}
}

beforeEach(async () => {
  const tmp = tempDir()
  dir = tmp.dir
  cleanup = tmp.cleanup
  dbPath = path.join(dir, 'finops.db')
  fs.writeFileSync(path.join(dir, 'finops.yaml'), 'apply:\n  maxActions: 5\n')
  server = await startKubeApi({
    objects: [namespace('shop'), deployment('shop', 'api', {replicas: 3}), deployment('shop', 'web', {replicas: 2})],
  })
  const db = openStore(dbPath)
  saveRecommendations(db, {
    kinds: ['scale-down', 'rightsize', 'spot'],
    namespaces: [],
    currency: 'USD',
    skipped: [],
    recommendations: [
      scaleDownRec('shop', 'api', {replicas: 1, savings: 90}),
      rightsizeRec('shop', 'web', 'app', {cpuRequest: 0.5, memoryRequest: 768 * 2 ** 20}, 40),
    ],
  })
  db.close()
})

afterEach(async () => {
  await server.close()
  cleanup()
})

describe('finops apply / actions list / rollback (built CLI)', () => {
  it('dry-runs by default, applies with --yes, is idempotent, lists the journal and rolls a run back exactly', async () => {
    const original = {api: state('api'), web: state('web')}
    const e = env(server.kubeconfig())
    const dry = await runCli(['apply', '--db', dbPath, '--json'], {env: e})
    expect(dry.code, dry.stderr).toBe(0)
    const plan = asApply(dry)
    expect(plan.mode).toBe('dry-run')
    expect(plan.actions.map((a) => [a.kind, a.target.name, a.status])).toEqual([
      ['scale-down', 'api', 'planned'],
      ['rightsize', 'web', 'planned'],
    ])
    expect(server.requests.filter((r) => r.method !== 'GET')).toEqual([])

    const human = await runCli(['apply', '--db', dbPath, '--kind', 'scale-down'], {env: e})
    expect(human.code).toBe(0)
    expect(human.stdout).toContain('Plan (dry run, nothing changed)')
    expect(human.stdout).toContain('Run again with --yes')

    const applied = await runCli(['apply', '--db', dbPath, '--yes', '--json'], {env: e})
    expect(applied.code, applied.stderr).toBe(0)
    const report = asApply(applied)
    expect(report.summary).toMatchObject({applied: 2, failed: 0})
    expect(state('api').spec).toMatchObject({replicas: 1})

    const again = asApply(await runCli(['apply', '--db', dbPath, '--yes', '--json'], {env: e}))
    expect(again.actions).toEqual([])
    expect(again.skipped.map((s) => s.code)).toEqual(['noop', 'noop'])

    const list = asActions(await runCli(['actions', 'list', '--db', dbPath, '--json'], {env: e}))
    // Newest first: the rightsize ran after the bigger-saving scale-down.
    expect(list.actions.map((a) => [a.kind, a.status, a.runId, a.identity])).toEqual([
      ['rightsize', 'applied', report.runId, 'ci@test'],
      ['scale-down', 'applied', report.runId, 'ci@test'],
    ])
    const table = await runCli(['actions', 'list', '--db', dbPath], {env: e})
    expect(table.stdout).toContain('replicas 3')
    expect(table.stdout).toContain(report.runId)

    const rollbackDry = asRollback(await runCli(['rollback', report.runId, '--db', dbPath, '--json'], {env: e}))
    expect(rollbackDry.results.map((r) => r.status)).toEqual(['planned', 'planned'])
    const rolled = await runCli(['rollback', report.runId, '--db', dbPath, '--yes', '--json'], {env: e})
    expect(rolled.code, rolled.stderr).toBe(0)
    expect(state('api')).toEqual(original.api)
    expect(state('web')).toEqual(original.web)

    const unknown = await runCli(['rollback', 'act-000000000000', '--db', dbPath], {env: e})
    expect(unknown.code).toBe(ExitCode.notFound)
    expect(unknown.stderr).toMatch(/^Error: no action or run with id act-000000000000/)
    const badKind = await runCli(['apply', '--db', dbPath, '--kind', 'shrink'], {env: e})
    expect(badKind.code).toBe(ExitCode.usage)
    expect(badKind.stderr).toContain('unknown kind shrink')
  })

  it('applies a reviewed recommend --json file, and names the field of a malformed entry instead of failing mid-apply', async () => {
    const e = env(server.kubeconfig())
    const base = scaleDownRec('shop', 'web', {replicas: 1, current: 2})
    const reviewed = {
      ...base,
      id: recommendationIdFor('scale-down', base.target),
      risk: {level: 'low', reasons: ['reviewed']},
    }
    const good = path.join(dir, 'reviewed.json')
    fs.writeFileSync(good, JSON.stringify({recommendations: [reviewed]}))
    const dry = await runCli(['apply', '--db', dbPath, '--recommendations', good, '--json'], {env: e})
    expect(dry.code, dry.stderr).toBe(0)
    expect(asApply(dry).actions.map((a) => [a.kind, a.target.name, a.status])).toEqual([
      ['scale-down', 'web', 'planned'],
    ])
    const bad = path.join(dir, 'bad.json')
    const {risk: _risk, ...noRisk} = reviewed
    fs.writeFileSync(bad, JSON.stringify([reviewed, noRisk]))
    const refused = await runCli(['apply', '--db', dbPath, '--recommendations', bad, '--yes'], {env: e})
    expect(refused.code).toBe(ExitCode.invalidInput)
    expect(refused.stderr).toMatch(/^Error: .*bad\.json: recommendations\[1\]\.risk: /m)
    expect(server.requests.filter((r) => r.method !== 'GET')).toEqual([])
  })

  it('acts only on the namespaces and labels asked for, and refuses blank or malformed ones before touching anything', async () => {
    const e = env(server.kubeconfig())
    const web = asApply(await runCli(['apply', '--db', dbPath, '--selector', 'app in (web)', '--json'], {env: e}))
    expect(web.actions.map((a) => a.target.name)).toEqual(['web'])
    expect(web.notes.join('\n')).toMatch(
      /1 candidate\(s\) left alone: their labels do not match the selector app in \(web\)/,
    )
    const glob = asApply(await runCli(['apply', '--db', dbPath, '--namespace', 'sh*', '--json'], {env: e}))
    expect(glob.actions).toHaveLength(2)
    const elsewhere = asApply(await runCli(['apply', '--db', dbPath, '--namespace', 'dev-*', '--json'], {env: e}))
    expect(elsewhere.actions).toEqual([])

    const hash = () => createHash('sha256').update(fs.readFileSync(dbPath)).digest('hex')
    const before = hash()
    server.clearLog()
    for (const args of [
      ['--namespace', ''],
      ['--namespace', ' , '],
      ['--selector', ''],
      ['--selector', 'app=web,'],
      ['--selector', '!'],
    ]) {
      const refused = await runCli(['apply', '--db', dbPath, '--yes', ...args], {env: e})
      expect(refused.code, args.join(' ')).toBe(ExitCode.usage)
      expect(refused.stderr.trim().split('\n')).toHaveLength(1)
      expect(refused.stderr).toMatch(new RegExp(`^Error: ${args[0]}: `))
    }
    expect(server.requests).toEqual([])
    expect(hash()).toBe(before)
  })

  it('checks a reviewed file against sane bounds and the cluster, and refuses a hostile one before changing anything', async () => {
    server.put(
      {
        apiVersion: 'v1',
        kind: 'LimitRange',
        metadata: {name: 'shop-limits', namespace: 'shop'},
        spec: {limits: [{type: 'Container', max: {memory: '8Gi'}, min: {cpu: '10m', memory: '16Mi'}}]},
      },
      {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: {name: 'node-1'},
        status: {allocatable: {cpu: '7910m', memory: '31Gi'}, capacity: {cpu: '8', memory: '32Gi'}},
      },
    )
    const e = env(server.kubeconfig())
    const rs = (proposed: Record<string, number>, container = 'app', name = 'web') => {
      const r = rightsizeRec('shop', name, container, proposed)
      return {
        ...r,
        id: recommendationIdFor('rightsize', r.target),
        evidence: {},
        risk: {level: 'low', reasons: ['reviewed']},
      }
    }
    const hash = () => createHash('sha256').update(fs.readFileSync(dbPath)).digest('hex')
    const before = hash()
    const good = rs({cpuRequest: 0.5})
    const cases: [string, unknown, RegExp][] = [
      [
        '1e300 bytes of memory',
        [good, rs({memoryRequest: 1e300})],
        /recommendations\[1\]\.proposed\.memoryRequest: .*outside the sane range/,
      ],
      ['negative cpu', [rs({cpuRequest: -1})], /recommendations\[0\]\.proposed\.cpuRequest: /],
      [
        '1e400 (Infinity in JSON)',
        '[' + JSON.stringify(good).replace('"cpuRequest":0.5', '"cpuRequest":1e400') + ']',
        /recommendations\[0\]\.proposed\.cpuRequest: /,
      ],
      ['an unknown kind', [{...good, kind: 'delete'}], /recommendations\[0\]\.kind: /],
      [
        'a kind apply does not rightsize',
        [{...good, target: {...good.target, kind: 'DaemonSet'}}],
        /recommendations\[0\]\.target\.kind: rightsize changes Deployment, StatefulSet, not DaemonSet/,
      ],
      [
        'a target edited under another id',
        [{...good, target: {...good.target, name: 'api'}}],
        /recommendations\[0\]\.id: rs-[0-9a-f]{10} is not the id of this kind and target/,
      ],
      [
        'a limit below the request',
        [rs({memoryRequest: 2 ** 30, memoryLimit: 2 ** 29})],
        /recommendations\[0\]\.proposed\.memoryLimit: 512Mi is below the proposed request 1Gi/,
      ],
      [
        'a container the workload does not have',
        [rs({cpuRequest: 0.5}, 'sidecar')],
        /recommendations\[0\]\.target\.container: sidecar is not a container of Deployment shop\/web/,
      ],
      [
        'a workload that does not exist',
        [rs({cpuRequest: 0.5}, 'app', 'ghost')],
        /recommendations\[0\]\.target: Deployment shop\/ghost does not exist/,
      ],
      [
        'above the LimitRange',
        [good, rs({memoryRequest: 12 * 2 ** 30}, 'app', 'api')],
        /recommendations\[1\]\.proposed\.memoryRequest: 12Gi is above the maximum 8Gi of LimitRange shop-limits/,
      ],
      [
        'below the LimitRange',
        [rs({memoryRequest: 8 * 2 ** 20})],
        /recommendations\[0\]\.proposed\.memoryRequest: 8Mi is below the minimum 16Mi of LimitRange shop-limits/,
      ],
      [
        'beyond every node',
        [rs({cpuRequest: 12})],
        /recommendations\[0\]\.proposed\.cpuRequest: the pod would request 12 of cpu, more than any node can allocate \(7910m\)/,
      ],
      [
        'a scale-down that scales up',
        [
          {
            ...scaleDownRec('shop', 'web', {replicas: 9}),
            id: recommendationIdFor('scale-down', {namespace: 'shop', kind: 'Deployment', name: 'web'}),
            risk: {level: 'low', reasons: ['x']},
          },
        ],
        /recommendations\[0\]\.proposed\.replicas: 9 is above the 2 replicas running/,
      ],
    ]
    server.clearLog()
    for (const [name, content, message] of cases) {
      const file = path.join(dir, 'hostile.json')
      fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content))
      const refused = await runCli(['apply', '--db', dbPath, '--recommendations', file, '--yes'], {env: e})
      expect(refused.code, `${name}: ${refused.stderr}`).toBe(ExitCode.invalidInput)
      expect(refused.stderr.trim().split('\n'), name).toHaveLength(1)
      expect(refused.stderr, name).toMatch(message)
    }
    expect(server.requests.filter((r) => r.method !== 'GET')).toEqual([])
    expect(hash()).toBe(before)
  }, 400_000)

  it('recomputes the savings of a reviewed file from the store and the live workload, never the number in the file', async () => {
    const e = env(server.kubeconfig())
    const r = rightsizeRec('shop', 'web', 'app', {cpuRequest: 0.5}, 99_999)
    const file = path.join(dir, 'reviewed.json')
    fs.writeFileSync(
      file,
      JSON.stringify([
        {
          ...r,
          id: recommendationIdFor('rightsize', r.target),
          evidence: {},
          risk: {level: 'low', reasons: ['reviewed']},
        },
      ]),
    )
    const plan = asApply(await runCli(['apply', '--db', dbPath, '--recommendations', file, '--json'], {env: e}))
    // web runs 2 replicas of 1 core: 0.5 core saved each at the default 0.031611/core-hour, 730 h.
    expect(plan.actions.map((a) => [a.target.name, a.monthlySavings])).toEqual([['web', 23.08]])
  })

  it('exits partial and lists what was applied and what was not', async () => {
    server.failNext({method: 'PATCH', path: '/deployments/web', status: 422, message: 'spec.template: Invalid value'})
    const result = await runCli(['apply', '--db', dbPath, '--yes', '--json'], {env: env(server.kubeconfig())})
    expect(result.code).toBe(ExitCode.partial)
    const report = asApply(result)
    expect(report.actions.map((a) => [a.target.name, a.status])).toEqual([
      ['api', 'applied'],
      ['web', 'failed'],
    ])
    expect(report.actions[1]!.error).toContain('Invalid value')
  })
})

describe('finops apply and a running finops run', () => {
  it('refuses to enforce while the run lock is held (exit locked), and still dry-runs', async () => {
    const store = openStore(dbPath)
    store
      .prepare('INSERT INTO run_locks (name, run_id, holder, acquired_at, expires_at) VALUES (?, ?, ?, ?, ?)')
      .run(
        'run',
        'run-cron',
        'finops-28801234-abcde pid 1',
        new Date().toISOString(),
        new Date(Date.now() + 3_600_000).toISOString(),
      )
    store.close()
    const e = env(server.kubeconfig())
    const locked = await runCli(['apply', '--db', dbPath, '--yes'], {env: e})
    expect(locked.code).toBe(ExitCode.locked)
    expect(locked.stderr).toContain('another run holds the lock: run-cron')
    expect(server.requests.filter((r) => r.method !== 'GET')).toEqual([])
    const dry = await runCli(['apply', '--db', dbPath, '--json'], {env: e})
    expect(dry.code, dry.stderr).toBe(0)
    expect(asApply(dry).actions).toHaveLength(2)
  })

  it('refuses to roll back while the run lock is held (exit locked), and still shows the plan', async () => {
    const e = env(server.kubeconfig())
    const applied = asApply(await runCli(['apply', '--db', dbPath, '--yes', '--json'], {env: e}))
    expect(applied.summary.applied).toBe(2)
    const store = openStore(dbPath)
    store
      .prepare('INSERT INTO run_locks (name, run_id, holder, acquired_at, expires_at) VALUES (?, ?, ?, ?, ?)')
      .run(
        'run',
        'run-cron',
        'finops-28801234-abcde pid 1',
        new Date().toISOString(),
        new Date(Date.now() + 3_600_000).toISOString(),
      )
    store.close()
    server.clearLog()
    const locked = await runCli(['rollback', applied.runId, '--db', dbPath, '--yes'], {env: e})
    expect(locked.code).toBe(ExitCode.locked)
    expect(locked.stderr).toContain('another run holds the lock: run-cron')
    expect(server.requests.filter((r) => r.method !== 'GET')).toEqual([])
    const dry = await runCli(['rollback', applied.runId, '--db', dbPath, '--json'], {env: e})
    expect(dry.code, dry.stderr).toBe(0)
    expect(asRollback(dry).results.map((r) => r.status)).toEqual(['planned', 'planned'])
    expect(
      asActions(await runCli(['actions', 'list', '--db', dbPath, '--json'], {env: e})).actions.map((a) => a.status),
    ).toEqual(['applied', 'applied'])
  })
})

describe('a crash between the journal write and the change', () => {
  let proxy: HoldingProxy
  beforeEach(async () => {
    proxy = await startHoldingProxy(server.url)
  })
  afterEach(async () => {
    await proxy.close()
  })

  /** Starts `finops apply --yes --kind scale-down`, waits until the held request is in flight, and kills the process. */
  async function crashAt(rule: {method: string; path: string}): Promise<void> {
    const e = env(proxy.kubeconfig())
    const child = spawn(
      process.execPath,
      [path.join(repoRoot, 'bin', 'run.js'), 'apply', '--db', dbPath, '--yes', '--kind', 'scale-down'],
      {env: {...process.env, ...e, FINOPS_DB: undefined}, stdio: 'ignore'},
    )
    const exited = new Promise((resolve) => child.on('exit', resolve))
    await proxy.hold(rule)
    child.kill('SIGKILL')
    await exited
  }

  it('before anything was sent: the journal holds the before-state, the next apply recovers it and rollback restores exactly', async () => {
    const original = state('api')
    await crashAt({method: 'PATCH', path: '/deployments/api'})
    expect(state('api')).toEqual(original)
    const e = env(server.kubeconfig())
    const pending = asActions(await runCli(['actions', 'list', '--db', dbPath, '--json'], {env: e}))
    expect(pending.actions).toMatchObject([
      {
        status: 'pending',
        kind: 'scale-down',
        before: {replicas: 3, annotations: {'finops.io/original-replicas': null}},
      },
    ])

    const next = asApply(await runCli(['apply', '--db', dbPath, '--yes', '--kind', 'scale-down', '--json'], {env: e}))
    expect(next.recovered).toEqual([
      {id: pending.actions[0]!.id, status: 'failed', note: 'interrupted before the change was sent; nothing changed'},
    ])
    expect(next.actions).toMatchObject([{status: 'applied', before: {replicas: 3}}])
    expect(state('api').spec).toMatchObject({replicas: 1})

    const rolled = await runCli(['rollback', next.runId, '--db', dbPath, '--yes'], {env: e})
    expect(rolled.code, rolled.stderr).toBe(0)
    expect(state('api')).toEqual(original)
  })

  it('after the annotation, before the scale: rollback of the interrupted action restores the exact before-state', async () => {
    const original = state('api')
    await crashAt({method: 'PUT', path: '/deployments/api/scale'})
    expect(state('api').annotations).toEqual({'finops.io/original-replicas': '3'})
    expect(state('api').spec).toMatchObject({replicas: 3})
    const e = env(server.kubeconfig())
    const [action] = asActions(await runCli(['actions', 'list', '--db', dbPath, '--json'], {env: e})).actions
    expect(action!.status).toBe('pending')
    const rolled = await runCli(['rollback', action!.id, '--db', dbPath, '--yes', '--json'], {env: e})
    expect(rolled.code, rolled.stderr).toBe(0)
    expect(asRollback(rolled).results).toMatchObject([{id: action!.id, status: 'rolled-back'}])
    expect(state('api')).toEqual(original)
    const after = asActions(await runCli(['actions', 'list', '--db', dbPath, '--json'], {env: e})).actions
    expect(after.map((a) => a.status)).toEqual(['rolled-back'])
  })
})
