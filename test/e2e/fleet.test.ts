import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import YAML from 'yaml'

import {type PodSeries, podSeries, walkUsage} from '../../src/demo/cluster-usage.js'
import {buildInventory, rawClusterFromObjects, type K8sObject} from '../../src/k8s/inventory.js'
import {collectK8sFleetSchema, collectUsageFleetSchema, costAllocationSchema} from '../../src/k8s/schemas.js'
import type {ContainerUsage} from '../../src/model/k8s.js'
import {openStore} from '../../src/store/open.js'
import {readInventory} from '../../src/store/k8s-inventory.js'
import {readUsage} from '../../src/store/usage.js'
import type {RecommendReport} from '../../src/recommend/from-store.js'
import {parseJson, runCli, tempDir} from '../helpers/cli.js'
import {type KubeApiServer, type KubeObject, startKubeApi} from '../servers/kube-api.js'
import {loadClusterFixture} from '../servers/kube-fixture.js'
import {omLabel, prometheusAvailable, type RunningPrometheus, startPrometheus} from '../servers/prometheus.js'
import {type PrometheusProxy, startPrometheusProxy} from '../servers/prometheus-proxy.js'

const STEP = 300
const SCRAPE = 60
const DAYS = 4
const dayStart = Math.floor(Date.now() / 86_400_000) * 86_400 - 8 * 86_400
const dayEnd = dayStart + DAYS * 86_400
const NOW = new Date(dayEnd * 1000).toISOString()
const dayOf = (t: number) => new Date(t * 1000).toISOString().slice(0, 10)

// Cluster b runs the fixture without its shop namespace, and twice cluster a's CPU: a missing cluster
// filter would fold b's series into a's digests (and the other way round), which the maxima below catch.
const CPU_FACTOR: Record<string, number> = {a: 1, b: 2}
const inB = (o: KubeObject) =>
  o.metadata.namespace !== 'shop' && !(o.kind === 'Namespace' && o.metadata.name === 'shop')

/** Merges single-context kubeconfigs (as the fake API servers write them) into one file with every context. */
function mergedKubeconfig(...configs: string[]): string {
  const docs = configs.map((c) => YAML.parse(c) as Record<string, unknown[]>)
  return YAML.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': (docs[0] as unknown as {'current-context': string})['current-context'],
    clusters: docs.flatMap((d) => d.clusters),
    contexts: docs.flatMap((d) => d.contexts),
    users: docs.flatMap((d) => d.users),
  })
}

interface Expected {
  samples: number
  cpuMax: number
}

function openMetrics(byCluster: Record<string, PodSeries[]>): {text: string; expected: Map<string, Expected>} {
  const cpu: string[] = []
  const memory: string[] = []
  const expected = new Map<string, Expected>()
  for (const [cluster, series] of Object.entries(byCluster)) {
    for (const s of series) {
      const labels = `cluster="${cluster}",namespace="${omLabel(s.namespace)}",pod="${omLabel(s.pod)}",container="${omLabel(s.container)}"`
      let counter = 0
      walkUsage(s, dayStart - 3600, dayEnd - STEP, STEP, (p) => {
        if (p.cpu === undefined || p.memory === undefined) return
        const used = p.cpu * CPU_FACTOR[cluster]!
        // Scraped every minute; the step's usage is constant over (t-STEP, t], so rate(...[5m]) at t is exactly `used`.
        for (let u = p.t - STEP + SCRAPE; u <= p.t; u += SCRAPE) {
          counter += used * SCRAPE
          cpu.push(`container_cpu_usage_seconds_total{${labels}} ${counter.toFixed(6)} ${u}`)
          memory.push(`container_memory_working_set_bytes{${labels}} ${p.memory} ${u}`)
        }
        if (p.t < dayStart) return
        const key = `${cluster}/${s.namespace}/${s.workload.kind}/${s.workload.name}/${s.container}/${dayOf(p.t)}`
        const e = expected.get(key) ?? {samples: 0, cpuMax: 0}
        e.samples++
        e.cpuMax = Math.max(e.cpuMax, used)
        expected.set(key, e)
      })
    }
  }
  const text = [
    '# TYPE container_cpu_usage_seconds_total counter',
    ...cpu,
    '# TYPE container_memory_working_set_bytes gauge',
    ...memory,
    '# EOF',
    '',
  ].join('\n')
  return {text, expected}
}

const closedPort = () =>
  new Promise<number>((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (probe.address() as net.AddressInfo).port
      probe.close(() => resolve(port))
    })
  })

describe('a fleet: two clusters from two API servers and one shared Prometheus (built CLI)', () => {
  let apiA: KubeApiServer
  let apiB: KubeApiServer
  let prom: RunningPrometheus
  let proxy: PrometheusProxy
  let tmp: {dir: string; cleanup: () => void}
  let kubeconfig: string
  let config: string
  let expected: Map<string, Expected>
  let fixtureObjects: KubeObject[]

  beforeAll(async () => {
    expect(prometheusAvailable(), 'prometheus and promtool: apt-get install -y prometheus').toBe(true)
    tmp = tempDir()
    const fixture = loadClusterFixture()
    fixtureObjects = fixture.objects
    apiA = await startKubeApi({objects: fixture.objects, token: 'token-a'})
    apiB = await startKubeApi({objects: fixture.objects.filter(inB), token: 'token-b'})
    // A third context whose API server is gone: it must fail alone.
    const gone = apiA.kubeconfig({context: 'c', token: 'token-c'})
    const port = await closedPort()
    kubeconfig = path.join(tmp.dir, 'kubeconfig')
    fs.writeFileSync(
      kubeconfig,
      mergedKubeconfig(
        apiA.kubeconfig({context: 'ctx-a'}),
        apiB.kubeconfig({context: 'ctx-b'}),
        gone.replace(/server: http:\/\/127\.0\.0\.1:\d+/, `server: http://127.0.0.1:${port}`),
      ),
    )
    const inventory = (objects: KubeObject[], cluster: string) =>
      buildInventory(rawClusterFromObjects(objects as K8sObject[]), cluster, NOW)
    const series = (objects: KubeObject[], cluster: string) =>
      podSeries(inventory(objects, cluster)).filter((s) => s.workload.kind !== 'CronJob')
    const om = openMetrics({a: series(fixture.objects, 'a'), b: series(fixture.objects.filter(inB), 'b')})
    expected = om.expected
    prom = await startPrometheus(tmp.dir, om.text)
    // The shared endpoint is multi-tenant: a and b are tenants, anything else is refused.
    proxy = await startPrometheusProxy(prom.url, {requireHeaders: {'X-Scope-OrgID': ['tenant-a', 'tenant-b']}})
    config = path.join(tmp.dir, 'finops.yaml')
    fs.writeFileSync(
      config,
      YAML.stringify({
        kubernetes: {
          kubeconfig,
          clusterLabel: 'cluster',
          clusters: [
            {name: 'a', context: 'ctx-a', headers: {'X-Scope-OrgID': 'tenant-a'}},
            {name: 'b', context: 'ctx-b', headers: {'X-Scope-OrgID': 'tenant-b'}},
          ],
          prometheus: {url: proxy.url},
        },
      }),
    )
  }, 300_000)
  afterAll(async () => {
    await proxy?.close()
    await prom?.close()
    await apiA?.close()
    await apiB?.close()
    tmp?.cleanup()
  })

  const count = (objects: KubeObject[], kind: string) => objects.filter((o) => o.kind === kind).length
  const env = {FINOPS_NOW: NOW}

  it('snapshots several contexts in one run, each under its name; a failing one is reported and the others kept (exit 7)', async () => {
    const db = path.join(tmp.dir, 'contexts.db')
    const r = await runCli([
      'collect',
      'k8s',
      '--kubeconfig',
      kubeconfig,
      '--context',
      'ctx-a,c,ctx-b',
      '--db',
      db,
      '--json',
    ])
    expect(r.code, r.stderr).toBe(7)
    const out = collectK8sFleetSchema.parse(parseJson(r))
    expect(out.clusters.map((c) => [c.cluster, c.context])).toEqual([
      ['ctx-a', 'ctx-a'],
      ['ctx-b', 'ctx-b'],
    ])
    expect(out.clusters[0]!.byKind.Deployment).toBe(count(fixtureObjects, 'Deployment'))
    expect(out.clusters[1]!.byKind.Deployment).toBe(count(fixtureObjects.filter(inB), 'Deployment'))
    expect(out.failures).toEqual([expect.objectContaining({cluster: 'c', exit: 6})])
    expect(out.failures[0]!.message).toMatch(/ECONNREFUSED|cannot reach|refused/i)
    expect(r.stderr).toMatch(/^Error: 1 of 3 clusters failed: c: /m)
    // Each API server was asked with its own credentials, and each snapshot holds its own objects.
    expect(apiA.requests.length).toBeGreaterThan(0)
    expect(apiB.requests.length).toBeGreaterThan(0)
    const store = openStore(db)
    try {
      expect(readInventory(store, 'ctx-a')!.namespaces.map((n) => n.name)).toContain('shop')
      expect(readInventory(store, 'ctx-b')!.namespaces.map((n) => n.name)).not.toContain('shop')
      expect(readInventory(store, 'c')).toBeUndefined()
    } finally {
      store.close()
    }
  })

  it('refuses --cluster with several contexts, and an empty context name', async () => {
    const db = path.join(tmp.dir, 'refused.db')
    const both = await runCli([
      'collect',
      'k8s',
      '--kubeconfig',
      kubeconfig,
      '--context',
      'ctx-a,ctx-b',
      '--cluster',
      'x',
      '--db',
      db,
    ])
    expect(both.code).toBe(2)
    expect(both.stderr).toMatch(/^Error: --cluster names one cluster, and several contexts were given/m)
    const empty = await runCli(['collect', 'k8s', '--kubeconfig', kubeconfig, '--context', 'ctx-a,', '--db', db])
    expect(empty.code).toBe(2)
    expect(empty.stderr).toMatch(/^Error: --context "ctx-a," has an empty context name/m)
    expect(fs.existsSync(db)).toBe(false)
  })

  it('collects kubernetes.clusters: inventory per context, usage per label and tenant, allocation and recommendations per cluster and fleet', async () => {
    const db = path.join(tmp.dir, 'fleet.db')
    const k8s = await runCli(['collect', 'k8s', '--config', config, '--db', db, '--json'], {env})
    expect(k8s.code, k8s.stderr).toBe(0)
    expect(collectK8sFleetSchema.parse(parseJson(k8s)).clusters.map((c) => c.cluster)).toEqual(['a', 'b'])

    const usage = await runCli(['collect', 'usage', '--config', config, '--db', db, '--days', String(DAYS), '--json'], {
      env,
    })
    expect(usage.code, usage.stderr).toBe(0)
    const out = collectUsageFleetSchema.parse(parseJson(usage))
    expect(out.failures).toEqual([])
    expect(out.clusters.map((c) => [c.cluster, c.usedInventory])).toEqual([
      ['a', true],
      ['b', true],
    ])
    // Every request carried its cluster's tenant, and every selector its cluster's label.
    const tenants = new Set(proxy.requests.map((q) => q.headers['x-scope-orgid']))
    expect(tenants).toEqual(new Set(['tenant-a', 'tenant-b']))
    expect(proxy.requests.every((q) => q.status === 200)).toBe(true)

    const store = openStore(db)
    let usageRows: ContainerUsage[]
    try {
      usageRows = readUsage(store, {from: '2000-01-01', to: '2100-01-01'})
    } finally {
      store.close()
    }
    let checked = 0
    for (const c of usageRows) {
      for (const d of c.days) {
        const key = `${c.key.cluster}/${c.key.namespace}/${c.key.kind}/${c.key.workload}/${c.key.container}/${d.day}`
        const e = expected.get(key)
        expect(e, `unexpected digest ${key}`).toBeDefined()
        expect(d.cpu.count, key).toBe(e!.samples)
        expect(d.cpu.max, key).toBeCloseTo(e!.cpuMax, 6)
        checked++
      }
    }
    expect(checked).toBe(expected.size)
    expect(new Set(usageRows.filter((c) => c.key.cluster === 'b').map((c) => c.key.namespace)).has('shop')).toBe(false)

    // Allocation across the fleet has a cluster column; --cluster keeps one cluster's rows.
    const fleet = costAllocationSchema.parse(
      parseJson(
        await runCli(['cost', 'allocation', '--db', db, '--window', '3d', '-g', 'cluster,namespace', '--json'], {env}),
      ),
    )
    const clusters = new Set(fleet.rows.map((r) => r.keys[0]))
    expect(clusters.has('a') && clusters.has('b')).toBe(true)
    expect(fleet.rows.some((r) => r.keys[0] === 'b' && r.keys[1] === 'shop')).toBe(false)
    const onlyB = costAllocationSchema.parse(
      parseJson(
        await runCli(
          ['cost', 'allocation', '--db', db, '--window', '3d', '--cluster', 'b', '-g', 'cluster', '--json'],
          {env},
        ),
      ),
    )
    expect(onlyB.rows.map((r) => r.keys[0]).filter((k) => k !== '(idle)')).toEqual(['b'])
    const fleetB = fleet.rows.find((r) => r.keys[0] === 'b' && r.keys[1] === 'data')!
    expect(fleetB.cost).toBeGreaterThan(0)

    const all = parseJson<RecommendReport>(
      await runCli(['recommend', '--db', db, '--kind', 'rightsize', '--json'], {env}),
    )
    const a = parseJson<RecommendReport>(
      await runCli(['recommend', '--db', db, '--kind', 'rightsize', '--cluster', 'a', '--json'], {env}),
    )
    const recommended = new Set(all.recommendations.map((r) => r.target.cluster))
    expect(recommended).toEqual(new Set(['a', 'b']))
    expect(a.recommendations.length).toBeGreaterThan(0)
    expect(a.recommendations.every((r) => r.target.cluster === 'a')).toBe(true)
    expect(a.recommendations.length).toBe(all.recommendations.filter((r) => r.target.cluster === 'a').length)
  }, 300_000)

  it('collects the one cluster --cluster names, and reports a cluster whose tenant is refused while the others land (exit 7)', async () => {
    const db = path.join(tmp.dir, 'tenant.db')
    const one = await runCli(
      ['collect', 'usage', '--config', config, '--db', db, '--days', String(DAYS), '--cluster', 'b', '--json'],
      {env},
    )
    expect(one.code, one.stderr).toBe(0)
    expect(parseJson<{cluster: string}>(one).cluster).toBe('b')

    const unknown = await runCli(['collect', 'usage', '--config', config, '--db', db, '--cluster', 'z'], {env})
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toMatch(/^Error: cluster z is not listed in kubernetes.clusters \(a, b\)/m)

    const withC = path.join(tmp.dir, 'with-c.yaml')
    const parsed = YAML.parse(fs.readFileSync(config, 'utf8'))
    parsed.kubernetes.clusters.push({name: 'c', headers: {'X-Scope-OrgID': 'tenant-c'}})
    fs.writeFileSync(withC, YAML.stringify(parsed))
    const partial = await runCli(
      ['collect', 'usage', '--config', withC, '--db', db, '--days', String(DAYS), '--json'],
      {env},
    )
    expect(partial.code, partial.stderr).toBe(7)
    const out = collectUsageFleetSchema.parse(parseJson(partial))
    expect(out.clusters.map((c) => c.cluster)).toEqual(['a', 'b'])
    expect(out.failures).toEqual([expect.objectContaining({cluster: 'c', code: 'PROMETHEUS_AUTH', exit: 5})])
    expect(partial.stderr).toMatch(
      /^Error: 1 of 3 clusters failed: c: Prometheus at http:\/\/127\.0\.0\.1:\d+ refused the request \(403\)/m,
    )
    expect(`${partial.stdout}${partial.stderr}`).not.toContain('tenant-c')
  }, 300_000)
})
