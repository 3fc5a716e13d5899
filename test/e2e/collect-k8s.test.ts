import Database from 'better-sqlite3'
import fs from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest'

import {collectK8sSchema} from '../../src/k8s/schemas.js'
import {openStore} from '../../src/store/open.js'
import {readInventory} from '../../src/store/k8s-inventory.js'
import {parseJson, runCli, tempDir} from '../helpers/cli.js'
import type {KubeApiServer} from '../servers/kube-api.js'
import {type ClusterFixture, startFixtureKubeApi} from '../servers/kube-fixture.js'

describe('finops collect k8s (built CLI against the local Kubernetes API)', () => {
  let server: KubeApiServer
  let fixture: ClusterFixture
  let tmp: {dir: string; cleanup: () => void}
  let kubeconfig: string
  let db: string

  beforeAll(async () => {
    ;({server, fixture} = await startFixtureKubeApi({token: 'sekret-token-123'}))
    tmp = tempDir()
    kubeconfig = path.join(tmp.dir, 'kubeconfig')
    fs.writeFileSync(kubeconfig, server.kubeconfig({context: 'eks-demo'}))
  })
  afterAll(async () => {
    await server.close()
    tmp.cleanup()
  })
  beforeEach(() => {
    server.allowAll()
    server.clearFaults()
    server.clearLog()
    db = path.join(tmp.dir, `store-${Math.random().toString(36).slice(2)}.db`)
  })

  const collect = (...args: string[]) => runCli(['collect', 'k8s', '--kubeconfig', kubeconfig, '--db', db, ...args])

  it('pages through every list with a small limit and stores the snapshot', async () => {
    const result = await collect('--page-size', '4', '--json')
    expect(result.code, result.stderr).toBe(0)
    const out = collectK8sSchema.parse(parseJson(result))
    const count = (kind: string) => fixture.objects.filter((o) => o.kind === kind).length
    expect(out.cluster).toBe('eks-demo')
    expect(out.nodes).toBe(count('Node'))
    expect(out.byKind.Deployment).toBe(count('Deployment'))
    expect(out.byKind.StatefulSet).toBe(count('StatefulSet'))
    expect(out.byKind.CronJob).toBe(count('CronJob'))
    expect(out.capacityTypes).toEqual({'on-demand': 4, spot: 2})
    expect(out.warnings).toEqual([])
    // 40 pods at 4 per page = 10 pages, each after the first carrying the previous page's continue token.
    const podLists = server.requests.filter((r) => r.path === '/api/v1/pods')
    expect(podLists).toHaveLength(Math.ceil(count('Pod') / 4))
    expect(podLists.every((r) => r.query.limit === '4')).toBe(true)
    expect(podLists.slice(1).every((r) => typeof r.query.continue === 'string')).toBe(true)
    expect(out.requests.pods).toBe(podLists.length)

    const store = openStore(db)
    try {
      const inventory = readInventory(store)!
      const web = inventory.workloads.find((w) => w.namespace === 'shop' && w.name === 'web')!
      expect(web.hpa).toMatchObject({minReplicas: 3, maxReplicas: 10})
      expect(web.pdbs.map((p) => p.name)).toEqual(['web'])
      expect(web.pods).toHaveLength(4)
      expect(web.containers.map((c) => c.requests)).toEqual([
        {cpu: 1, memory: 2 * 2 ** 30},
        {cpu: 0.1, memory: 128 * 2 ** 20},
      ])
      const kafka = inventory.workloads.find((w) => w.name === 'kafka')!
      expect(kafka.volumes.find((v) => v.template)).toMatchObject({nodeLocal: true, sizeBytes: 500 * 2 ** 30})
      const cron = inventory.workloads.find((w) => w.kind === 'CronJob')!
      expect(cron.schedule).toBe('0 2 * * *')
      expect(inventory.workloads.some((w) => w.kind === 'ReplicaSet')).toBe(false)
    } finally {
      store.close()
    }
  })

  it('restarts a list whose continue token expired (410) instead of stitching two versions', async () => {
    server.failNext({
      method: 'GET',
      path: '/api/v1/pods',
      when: (r) => r.query.continue !== undefined,
      status: 410,
      message: 'The provided continue parameter is too old',
    })
    const result = await collect('--page-size', '10', '--json')
    expect(result.code, result.stderr).toBe(0)
    const pods = server.requests.filter((r) => r.path === '/api/v1/pods')
    expect(pods.map((r) => [r.status, r.query.continue === undefined])).toEqual([
      [200, true],
      [410, false],
      [200, true],
      [200, false],
      [200, false],
      [200, false],
    ])
    const store = openStore(db)
    try {
      const all = readInventory(store)!.workloads.flatMap((w) => w.pods.map((p) => p.name))
      expect(all).toHaveLength(new Set(all).size)
      expect(all).toHaveLength(fixture.objects.filter((o) => o.kind === 'Pod').length)
    } finally {
      store.close()
    }
  })

  it('falls back to autoscaling/v1 HPAs on a cluster that does not serve autoscaling/v2', async () => {
    server.failNext({path: '/apis/autoscaling/v2/', status: 404, times: 100})
    const result = await collect('--json')
    expect(result.code, result.stderr).toBe(0)
    expect(collectK8sSchema.parse(parseJson(result)).warnings).toEqual([])
    expect(
      server.requests.some((r) => r.path === '/apis/autoscaling/v1/horizontalpodautoscalers' && r.status === 200),
    ).toBe(true)
    const store = openStore(db)
    try {
      expect(
        readInventory(store)!.workloads.find((w) => w.namespace === 'shop' && w.name === 'web')!.hpa,
      ).toMatchObject({minReplicas: 3, maxReplicas: 10})
    } finally {
      store.close()
    }
  })

  it('replaces the previous snapshot: objects gone from the cluster disappear', async () => {
    expect((await collect()).code).toBe(0)
    const removed = server.get('apps/v1', 'Deployment', 'cart', 'shop')!
    server.remove('apps/v1', 'Deployment', 'cart', 'shop')
    try {
      const second = await collect('--json')
      expect(second.code, second.stderr).toBe(0)
      const rows = new Database(db, {readonly: true})
        .prepare("SELECT COUNT(*) FROM k8s_workloads WHERE name = 'cart'")
        .pluck()
        .get()
      expect(rows).toBe(0)
      expect(collectK8sSchema.parse(parseJson(second)).byKind.Deployment).toBe(
        fixture.objects.filter((o) => o.kind === 'Deployment').length - 1,
      )
    } finally {
      server.put(removed)
    }
  })

  it('leaves out a forbidden optional resource with a warning, and a 404 one too', async () => {
    server.forbid('apps/statefulsets', ['list'])
    server.failNext({method: 'GET', path: '/apis/policy/v1/poddisruptionbudgets', status: 404})
    const result = await collect('--json')
    expect(result.code, result.stderr).toBe(0)
    const out = collectK8sSchema.parse(parseJson(result))
    expect(out.byKind.StatefulSet).toBeUndefined()
    expect(out.warnings).toEqual([
      expect.stringMatching(/^cannot list statefulsets\.apps \(forbidden\)/),
      expect.stringMatching(/^poddisruptionbudgets\.policy is not served/),
    ])
    const human = await collect()
    expect(human.stderr).toMatch(/Warning: cannot list statefulsets\.apps \(forbidden\)/)
  })

  it('fails with one line and the auth exit code when pods cannot be listed, leaving the store unchanged', async () => {
    expect((await collect()).code).toBe(0)
    server.forbid('pods')
    const result = await collect()
    expect(result.code).toBe(5)
    const errorLines = result.stderr
      .trim()
      .split('\n')
      .filter((l) => !l.startsWith('Listing cluster objects'))
    expect(errorLines).toHaveLength(1)
    expect(errorLines[0]).toMatch(/^Error: forbidden to list pods: pods is forbidden/)
    expect(result.stderr).not.toMatch(/sekret-token-123/)
    const count = new Database(db, {readonly: true}).prepare('SELECT COUNT(*) FROM k8s_workloads').pluck().get()
    expect(count).toBeGreaterThan(10)
  })

  it('refuses a wrong token (401) and an unknown context with clear errors', async () => {
    const bad = path.join(tmp.dir, 'bad-kubeconfig')
    fs.writeFileSync(bad, server.kubeconfig({context: 'eks-demo', token: 'wrong'}))
    const denied = await runCli(['collect', 'k8s', '--kubeconfig', bad, '--db', db])
    expect(denied.code).toBe(5)
    expect(denied.stderr).toMatch(/refused the credentials \(401\)/)
    const unknown = await collect('--context', 'nope')
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toMatch(/kube context "nope" is not in the kubeconfig \(known contexts: eks-demo\)/)
  })

  it('reports an unreachable API server with the remote exit code', async () => {
    const closed = await startFixtureKubeApi()
    const file = path.join(tmp.dir, 'closed-kubeconfig')
    fs.writeFileSync(file, closed.server.kubeconfig())
    await closed.server.close()
    const result = await runCli(['collect', 'k8s', '--kubeconfig', file, '--db', db])
    expect(result.code).toBe(6)
    expect(result.stderr).toMatch(
      /cannot reach the Kubernetes API at http:\/\/127\.0\.0\.1:\d+ to list nodes: ECONNREFUSED/,
    )
  })

  it('collects only the namespaces asked for', async () => {
    const result = await collect('-n', 'staging', '--json')
    expect(result.code, result.stderr).toBe(0)
    expect(collectK8sSchema.parse(parseJson(result)).byKind).toEqual({Deployment: 3})
    expect(server.requests.some((r) => r.path === '/apis/apps/v1/namespaces/staging/deployments')).toBe(true)
    expect(server.requests.some((r) => r.path === '/apis/apps/v1/deployments')).toBe(false)
  })
})
