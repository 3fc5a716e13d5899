import {createHash} from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {actionsListSchema, applySchema, rollbackSchema} from '../../src/apply/schemas.js'
import {ExitCode} from '../../src/exit-codes.js'
import type {Recommendation} from '../../src/model/recommendation.js'
import {insertPending, markFinished} from '../../src/store/actions.js'
import {openStore} from '../../src/store/open.js'
import {saveRecommendations} from '../../src/store/recommendations.js'
import {type CliResult, parseJson, runCli, tempDir} from '../helpers/cli.js'
import {deployment, namespace, nodeWithCpu as node, runningPod} from '../helpers/cluster-fixture.js'
import {rightsizeRec} from '../helpers/recommendations.js'
import {recommendationIdFor} from '../../recommenders/registry.js'
import {startHoldingProxy} from '../servers/kube-api-faults.js'
import {type KubeApiServer, type KubeObject, startKubeApi} from '../servers/kube-api.js'

// Applying the hour-of-day CPU request schedule (proposed.cpuRequestByHour) to running pods through the
// pods/resize subresource, with the built CLI against the test API server and the real client.
const asApply = (r: CliResult) => applySchema.parse(parseJson(r))
const asActions = (r: CliResult) => actionsListSchema.parse(parseJson(r))
const asRollback = (r: CliResult) => rollbackSchema.parse(parseJson(r))

/** 200m all day, 1900m in the batch hour 02h UTC. */
const SCHEDULE = Array.from({length: 24}, (_, h) => (h === 2 ? 1.9 : 0.2))

let server: KubeApiServer
let dir: string
let cleanup: () => void
let dbPath: string

const pod = (name: string, options: {cpu?: string; cpuPolicy?: string; nodeName?: string} = {}): KubeObject =>
  runningPod('shop', name, {requests: {cpu: options.cpu ?? '2', memory: '1Gi'}, limits: {memory: '2Gi'}}, options)

const scheduledRec = (hours: number[] = SCHEDULE): Recommendation => {
  const rec = rightsizeRec('shop', 'batch', 'app', {cpuRequest: 0.5, memoryRequest: 2 ** 30})
  return {
    ...rec,
    id: recommendationIdFor('rightsize', rec.target),
    proposed: {...rec.proposed, cpuRequestByHour: hours},
    risk: {level: 'low', reasons: ['steady outside the batch hour']},
  }
}

function seed(recommendations: Recommendation[]): void {
  const db = openStore(dbPath)
  saveRecommendations(db, {kinds: ['rightsize'], namespaces: [], currency: 'USD', skipped: [], recommendations})
  db.close()
}

async function startCluster(options: {resize?: boolean; cpuPolicy?: string} = {}): Promise<void> {
  server = await startKubeApi({
    resize: options.resize,
    objects: [
      namespace('shop'),
      node('n1', '16'),
      deployment('shop', 'batch', {
        replicas: 2,
        containers: [{name: 'app', requests: {cpu: '2', memory: '1Gi'}, limits: {memory: '2Gi'}}],
      }),
      pod('batch-a', {cpuPolicy: options.cpuPolicy}),
      pod('batch-b', {cpuPolicy: options.cpuPolicy}),
    ],
  })
}

const envAt = (now: string, kubeconfig = server.kubeconfig()) => {
  const file = path.join(dir, 'kubeconfig')
  fs.writeFileSync(file, kubeconfig)
  return {KUBECONFIG: file, FINOPS_CONFIG: path.join(dir, 'finops.yaml'), FINOPS_IDENTITY: 'ci@test', FINOPS_NOW: now}
}

const podCpu = (name: string) => {
  const p = server.get('v1', 'Pod', name, 'shop') as
    | (KubeObject & {
        spec: {containers: {resources: {requests: Record<string, string>}}[]}
        status: {containerStatuses: {resources: {requests: Record<string, string>}}[]}
      })
    | undefined
  return (
    p && {
      spec: p.spec.containers[0]!.resources.requests.cpu,
      running: p.status.containerStatuses[0]!.resources.requests.cpu,
    }
  )
}

const resizeCalls = () => server.requests.filter((r) => r.path.endsWith('/resize') && r.method !== 'GET')
const writes = () => server.requests.filter((r) => r.method !== 'GET')

/** The store's bytes (and its WAL's), to prove a refusal wrote nothing. */
const storeHash = () =>
  createHash('sha256')
    .update(fs.readFileSync(dbPath))
    .update(fs.existsSync(`${dbPath}-wal`) ? fs.readFileSync(`${dbPath}-wal`) : '')
    .digest('hex')

/** Applies the rightsize (the template gets the fixed request), which approves its schedule. */
async function acceptRightsize(now: string): Promise<void> {
  const accepted = await runCli(['apply', '--db', dbPath, '--kind', 'rightsize', '--yes', '--json'], {env: envAt(now)})
  expect(accepted.code, accepted.stderr).toBe(0)
  const report = asApply(accepted)
  expect(report.actions.map((a) => [a.kind, a.status])).toEqual([['rightsize', 'applied']])
  // Not approved when the run was planned: the schedule waits for the rightsize, said in a note.
  expect(report.notes.join(' ')).toContain('wait for their rightsize to be applied')
  expect(resizeCalls()).toEqual([])
  server.clearLog()
}

beforeEach(() => {
  const tmp = tempDir()
  dir = tmp.dir
  cleanup = tmp.cleanup
  dbPath = path.join(dir, 'finops.db')
  fs.writeFileSync(path.join(dir, 'finops.yaml'), 'apply:\n  maxActions: 5\n  resize:\n    enabled: true\n')
})

afterEach(async () => {
  await server.close()
  cleanup()
})

describe('finops apply: the hour-of-day CPU schedule by in-place pod resize (built CLI)', () => {
  it('dry-runs, resizes every pod to the hour value with --yes, once an hour, and rolls back to what each pod had', async () => {
    await startCluster()
    seed([scheduledRec()])
    await acceptRightsize('2026-12-01T01:30:00Z')

    const dry = await runCli(['apply', '--db', dbPath, '--json'], {env: envAt('2026-12-01T02:10:00Z')})
    expect(dry.code, dry.stderr).toBe(0)
    const plan = asApply(dry)
    expect(
      plan.actions.map((a) => [a.kind, a.target.kind, a.target.name, a.status, a.after.container?.requests.cpu]),
    ).toEqual([
      ['resize', 'Pod', 'batch-a', 'planned', '1900m'],
      ['resize', 'Pod', 'batch-b', 'planned', '1900m'],
    ])
    expect(writes()).toEqual([])
    expect(podCpu('batch-a')).toEqual({spec: '2', running: '2'})
    expect(asActions(await runCli(['actions', 'list', '--db', dbPath, '--kind', 'resize', '--json'])).actions).toEqual(
      [],
    )

    const applied = await runCli(['apply', '--db', dbPath, '--yes', '--json'], {env: envAt('2026-12-01T02:10:00Z')})
    expect(applied.code, applied.stderr).toBe(0)
    const report = asApply(applied)
    expect(report.actions.map((a) => [a.target.name, a.status])).toEqual([
      ['batch-a', 'applied'],
      ['batch-b', 'applied'],
    ])
    expect(resizeCalls().map((r) => [r.method, r.path, r.contentType])).toEqual([
      ['PATCH', '/api/v1/namespaces/shop/pods/batch-a/resize', 'application/strategic-merge-patch+json'],
      ['PATCH', '/api/v1/namespaces/shop/pods/batch-b/resize', 'application/strategic-merge-patch+json'],
    ])
    expect(resizeCalls()[0]!.body).toMatchObject({
      spec: {containers: [{name: 'app', resources: {requests: {cpu: '1900m', memory: '1Gi'}}}]},
    })
    // The node actuated it; the template keeps the fixed request new pods start with.
    expect(podCpu('batch-a')).toEqual({spec: '1900m', running: '1900m'})
    const template = server.get('apps/v1', 'Deployment', 'batch', 'shop')!.spec as {
      template: {spec: {containers: {resources: {requests: Record<string, string>}}[]}}
    }
    expect(template.template.spec.containers[0]!.resources.requests.cpu).toBe('500m')
    const journal = asActions(await runCli(['actions', 'list', '--db', dbPath, '--kind', 'resize', '--json']))
    expect(
      journal.actions.map((a) => [
        a.target.name,
        a.status,
        a.before.container?.requests.cpu,
        a.after.container?.requests.cpu,
      ]),
    ).toEqual([
      ['batch-b', 'applied', '2', '1900m'],
      ['batch-a', 'applied', '2', '1900m'],
    ])

    // Same hour, pods already there: nothing is sent.
    server.clearLog()
    const again = asApply(
      await runCli(['apply', '--db', dbPath, '--yes', '--json'], {env: envAt('2026-12-01T02:40:00Z')}),
    )
    expect(again.actions).toEqual([])
    expect(again.skipped.filter((s) => s.kind === 'resize').map((s) => s.code)).toEqual(['noop', 'noop'])
    expect(resizeCalls()).toEqual([])

    // Someone changes a pod by hand within the hour: at most one resize per pod an hour.
    const touched = pod('batch-a', {cpu: '3'})
    server.put(touched)
    const held = asApply(
      await runCli(['apply', '--db', dbPath, '--yes', '--json'], {env: envAt('2026-12-01T02:50:00Z')}),
    )
    expect(held.skipped.find((s) => s.target.name === 'batch-a')).toMatchObject({code: 'hourly'})
    expect(resizeCalls()).toEqual([])

    // Rolling back the run gives each pod the request it had (batch-a drifted by hand: left alone unless forced).
    const rolled = await runCli(['rollback', report.runId, '--db', dbPath, '--yes', '--json'], {
      env: envAt('2026-12-01T02:55:00Z'),
    })
    expect(rolled.code, rolled.stderr).toBe(0)
    expect(asRollback(rolled).results.map((r) => [r.target.name, r.status])).toEqual([
      ['batch-b', 'rolled-back'],
      ['batch-a', 'skipped'],
    ])
    expect(podCpu('batch-b')).toEqual({spec: '2', running: '2'})
    expect(resizeCalls().at(-1)!.path).toBe('/api/v1/namespaces/shop/pods/batch-b/resize')

    // Next hour: the schedule's 03h value.
    server.clearLog()
    const next = asApply(
      await runCli(['apply', '--db', dbPath, '--yes', '--json'], {env: envAt('2026-12-01T03:05:00Z')}),
    )
    expect(next.actions.map((a) => [a.target.name, a.after.container?.requests.cpu, a.status])).toEqual([
      ['batch-a', '200m', 'applied'],
      ['batch-b', '200m', 'applied'],
    ])
    expect(podCpu('batch-a')).toEqual({spec: '200m', running: '200m'})
  })

  it('refuses on a cluster without the resize subresource: one line, exit 3, store and cluster unchanged', async () => {
    await startCluster({resize: false})
    seed([scheduledRec()])
    await acceptRightsize('2026-12-01T01:30:00Z')
    const before = storeHash()
    for (const args of [
      ['apply', '--db', dbPath, '--yes'],
      ['apply', '--db', dbPath],
    ]) {
      const refused = await runCli(args, {env: envAt('2026-12-01T02:10:00Z')})
      expect(refused.code).toBe(ExitCode.invalidInput)
      const lines = refused.stderr.trim().split('\n')
      expect(lines[0]).toMatch(
        /^Error: cannot apply the hour-of-day CPU schedule of shop\/Deployment\/batch:app \(2 pod\(s\) to resize\): this cluster does not serve the pods\/resize subresource/,
      )
      expect(refused.stderr).not.toMatch(/\n\s+at /)
      expect(refused.stdout).toBe('')
    }
    expect(storeHash()).toBe(before)
    expect(writes()).toEqual([])
    expect(podCpu('batch-a')).toEqual({spec: '2', running: '2'})
    // The way out it names: keep only the fixed request.
    fs.writeFileSync(path.join(dir, 'finops.yaml'), 'apply:\n  resize:\n    enabled: false\n')
    const off = await runCli(['apply', '--db', dbPath, '--yes', '--json'], {env: envAt('2026-12-01T02:10:00Z')})
    expect(off.code, off.stderr).toBe(0)
    expect(asApply(off).notes.join(' ')).toContain('in-place pod resize is opt-in (apply.resize.enabled: true')
  })

  it('refuses a container whose resizePolicy restarts it on a cpu resize unless apply.resize.allowRestart', async () => {
    await startCluster({cpuPolicy: 'RestartContainer'})
    seed([scheduledRec()])
    await acceptRightsize('2026-12-01T01:30:00Z')
    const before = storeHash()
    const refused = await runCli(['apply', '--db', dbPath, '--yes'], {env: envAt('2026-12-01T02:10:00Z')})
    expect(refused.code).toBe(ExitCode.invalidInput)
    expect(refused.stderr.trim().split('\n')).toEqual([
      'Error: cannot apply the hour-of-day CPU schedule of shop/Deployment/batch:app: pod shop/batch-a container app has ' +
        "resizePolicy cpu: RestartContainer, so every resize would restart it; nothing was changed (set the container's " +
        'resizePolicy for cpu to NotRequired in the template, allow restarts with apply.resize.allowRestart: true, or exclude ' +
        'the workload (finops.io/exclude: "true"))',
    ])
    expect(storeHash()).toBe(before)
    expect(writes()).toEqual([])

    fs.writeFileSync(path.join(dir, 'finops.yaml'), 'apply:\n  resize:\n    enabled: true\n    allowRestart: true\n')
    const allowed = await runCli(['apply', '--db', dbPath, '--yes', '--json'], {env: envAt('2026-12-01T02:10:00Z')})
    expect(allowed.code, allowed.stderr).toBe(0)
    expect(asApply(allowed).summary.applied).toBe(2)
    expect(podCpu('batch-b')).toEqual({spec: '1900m', running: '1900m'})
  })

  it('reports an Infeasible resize as failed (exit non-zero) and does not send it again', async () => {
    await startCluster()
    // batch-b runs on a node too small for the batch hour's 1900m.
    server.put(node('small', '1500m'), pod('batch-b', {nodeName: 'small', cpu: '1'}))
    seed([scheduledRec()])
    await acceptRightsize('2026-12-01T01:30:00Z')
    const first = await runCli(['apply', '--db', dbPath, '--yes', '--json'], {env: envAt('2026-12-01T02:05:00Z')})
    expect(first.code).toBe(ExitCode.partial)
    const report = asApply(first)
    expect(report.actions.map((a) => [a.target.name, a.status])).toEqual([
      ['batch-a', 'applied'],
      ['batch-b', 'failed'],
    ])
    expect(report.actions[1]!.error).toContain('PodResizePending Infeasible')
    expect(podCpu('batch-b')!.running).toBe('1')
    server.clearLog()
    // The next day's 02h run asks for the same 1900m: not sent again. Its 03h value (200m) fits and is sent.
    const nextDay = asApply(
      await runCli(['apply', '--db', dbPath, '--yes', '--json'], {env: envAt('2026-12-02T02:05:00Z')}),
    )
    expect(nextDay.skipped.find((s) => s.target.name === 'batch-b')).toMatchObject({code: 'infeasible'})
    expect(resizeCalls()).toEqual([])
    const lower = asApply(
      await runCli(['apply', '--db', dbPath, '--yes', '--json'], {env: envAt('2026-12-02T03:05:00Z')}),
    )
    expect(lower.actions.map((a) => [a.target.name, a.status, a.after.container?.requests.cpu])).toEqual([
      ['batch-a', 'applied', '200m'],
      ['batch-b', 'applied', '200m'],
    ])
  })

  it('takes no hostile schedule: 23 hours, negative or absurd values, and a pod gone between plan and patch', async () => {
    await startCluster()
    const reviewed = (hours: number[]) => {
      const file = path.join(dir, `reviewed-${hours.length}-${hours[0]}.json`)
      fs.writeFileSync(file, JSON.stringify({recommendations: [scheduledRec(hours)]}))
      return file
    }
    seed([])
    const before = storeHash()
    for (const [hours, message] of [
      [SCHEDULE.slice(0, 23), /cpuRequestByHour/],
      [SCHEDULE.map((v, h) => (h === 5 ? -1 : v)), /cpuRequestByHour/],
      [SCHEDULE.map((v, h) => (h === 7 ? 1e6 : v)), /cpuRequestByHour\[7\] 1000000 is outside the sane range/],
    ] as const) {
      const refused = await runCli(['apply', '--db', dbPath, '--recommendations', reviewed([...hours]), '--yes'], {
        env: envAt('2026-12-01T02:10:00Z'),
      })
      expect(refused.code, refused.stderr).toBe(ExitCode.invalidInput)
      expect(refused.stderr.trim().split('\n')[0]).toMatch(message)
    }
    expect(storeHash()).toBe(before)
    expect(writes()).toEqual([])

    // A stored set cannot be refused whole (the CronJob runs it): the bad schedule is a skip, nothing is sent.
    // (the CronJob plans from the store: a set whose rightsize was accepted earlier)
    const db = openStore(dbPath)
    const target = {namespace: 'shop', kind: 'Deployment', name: 'batch', container: 'app'}
    insertPending(db, {
      id: 'act-000000000001',
      runId: 'run-earlier',
      identity: 'ci@test',
      at: '2026-12-01T00:00:00.000Z',
      action: {kind: 'rightsize', target, before: {}, after: {}, reason: 'accepted earlier'},
    })
    markFinished(db, 'act-000000000001', 'applied', '2026-12-01T00:00:01.000Z')
    db.close()
    seed([scheduledRec(SCHEDULE.slice(0, 23))])
    const skipped = await runCli(['apply', '--db', dbPath, '--kind', 'rightsize', '--yes', '--json'], {
      env: envAt('2026-12-01T02:10:00Z'),
    })
    expect(skipped.code, skipped.stderr).toBe(0)
    expect(asApply(skipped).skipped.find((s) => s.kind === 'resize')).toMatchObject({
      code: 'invalid',
      reason: 'cpuRequestByHour has 23 values, not 24 (one per UTC hour)',
    })
    expect(resizeCalls()).toEqual([])

    // A pod replaced between the plan and its patch: superseded, not failed; the other pod is resized.
    seed([scheduledRec()])
    const proxy = await startHoldingProxy(server.url)
    try {
      const running = runCli(['apply', '--db', dbPath, '--yes', '--json'], {
        env: envAt('2026-12-01T02:20:00Z', proxy.kubeconfig()),
      })
      await proxy.hold({method: 'PATCH', path: '/pods/batch-a/resize'})
      server.remove('v1', 'Pod', 'batch-a', 'shop')
      proxy.release()
      const done = await running
      expect(done.code, done.stderr).toBe(0)
      const report = asApply(done)
      expect(report.actions.map((a) => [a.target.name, a.status])).toEqual([
        ['batch-a', 'superseded'],
        ['batch-b', 'applied'],
      ])
      expect(report.actions[0]!.error).toContain('the pod is gone')
    } finally {
      await proxy.close()
    }
  })
})
