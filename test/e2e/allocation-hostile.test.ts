import fs from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {splitNodePrice} from '../../src/k8s/prices.js'
import {collectUsageSchema, costAllocationSchema} from '../../src/k8s/schemas.js'
import {
  buildScenario,
  type NodeSpec,
  type OwnerPlan,
  type PodPlan,
  type Scenario,
  scenarioPrices,
  type Truth,
  wander,
} from '../helpers/churn-scenario.js'
import {type CliResult, parseJson, runCli, tempDir} from '../helpers/cli.js'
import {type KubeApiServer, startKubeApi} from '../servers/kube-api.js'
import {prometheusAvailable, type RunningPrometheus, startPrometheusFromFile} from '../servers/prometheus.js'

const DAY = 86_400
const H = 3600
// Three whole UTC days ending three days ago: recent enough for Prometheus' retention.
const start = Math.floor(Date.now() / 86_400_000) * 86_400 - 6 * DAY
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0)

type Report = ReturnType<typeof costAllocationSchema.parse>

const PLAIN = 'ip-10-0-1-11.ec2.internal'
// An EC2 private DNS name reused with its IP: a spot instance until day 1 at 02:00, an on-demand one after.
const REUSED = 'ip-10-0-5-51.ec2.internal'
const REUSED_AT = start + DAY + 2 * H
const GPU_IDLE = 'ip-10-0-4-41.ec2.internal'
const FREE = 'ip-10-0-6-61.ec2.internal'
const UNKNOWN_TYPE = 'ip-10-0-7-71.ec2.internal'
const BIG = 'ip-10-0-8-81.ec2.internal'
// Deleted on day 1 at 12:00 while its pod is still reported running for ten more minutes.
const DOOMED = 'ip-10-0-9-91.ec2.internal'
const DOOMED_AT = start + DAY + 12 * H
// Prometheus down for three hours on day 2.
const OUTAGE: [number, number] = [start + 2 * DAY + 10 * H, start + 2 * DAY + 13 * H]

/**
 * A cluster built to break allocation: a reused node name that changes capacity type, a GPU node no
 * pod asks a GPU of, a node priced 0 and one of an instance type with no price, a node deleted under
 * a running pod, containers without requests, a namespace deleted and recreated under the same name,
 * and 1,000 CI pods an hour for two hours.
 */
function hostileScenario(): Scenario {
  const prices = scenarioPrices({'m5.xlarge': 0.192, 'm5.large': 0, 'g5.xlarge': 1.006, 'm5.8xlarge': 1.536})
  const end = start + 3 * DAY
  const node = (name: string, instanceType: string, cores: number, memoryGiB: number, over: Partial<NodeSpec> = {}) =>
    ({
      name,
      instanceType,
      capacityType: 'on-demand',
      cores,
      memoryGiB,
      start: start - 7 * DAY,
      end: end + DAY,
      hourly: prices.instanceTypes[instanceType] ?? 0,
      ...over,
    }) as NodeSpec
  const nodes: NodeSpec[] = [
    node(PLAIN, 'm5.xlarge', 4, 16),
    node(REUSED, 'm5.xlarge', 4, 16, {before: {until: REUSED_AT, capacityType: 'spot', instanceId: 'i-0aaaaaaaaaaaa'}}),
    node(GPU_IDLE, 'g5.xlarge', 4, 16, {
      gpu: {resource: 'nvidia.com/gpu', units: 1, physical: 1, labels: {'nvidia.com/gpu.product': 'NVIDIA-A10G'}},
    }),
    node(FREE, 'm5.large', 2, 8),
    // No price anywhere: OpenCost's default on-demand rates.
    node(UNKNOWN_TYPE, 'x9z.huge', 2, 8, {hourly: 2 * 0.031611 + 8 * 0.004237}),
    node(BIG, 'm5.8xlarge', 32, 128),
    node(DOOMED, 'm5.xlarge', 4, 16, {end: DOOMED_AT}),
  ]
  const owners: OwnerPlan[] = []
  const pods: PodPlan[] = []
  let uid = 0
  const pod = (p: Omit<PodPlan, 'uid' | 'claims' | 'labels' | 'stop'> & Partial<PodPlan>) =>
    pods.push({claims: [], labels: {}, stop: p.end, ...p, uid: `pod-uid-${++uid}`})
  const deployment = (namespace: string, rs: string, name: string) =>
    owners.push({
      namespace,
      type: 'replicaset',
      name: rs,
      owner: {kind: 'Deployment', name},
      start: start - DAY,
      end: end + DAY,
    })

  deployment('shop', 'web-5f6d7', 'web')
  for (const [i, on] of [PLAIN, REUSED].entries())
    pod({
      namespace: 'shop',
      name: `web-5f6d7-a${i}`,
      node: on,
      owner: {kind: 'ReplicaSet', name: 'web-5f6d7'},
      workload: {kind: 'Deployment', name: 'web'},
      start: start - DAY,
      end: end + DAY,
      containers: [{name: 'web', cpu: 1, memoryGiB: 2, usage: wander(10 + i, 0.6, 1.5)}],
    })
  // No requests at all: charged what it uses.
  deployment('tools', 'agent-77b8c', 'agent')
  for (const [i, on] of [FREE, UNKNOWN_TYPE].entries())
    pod({
      namespace: 'tools',
      name: `agent-77b8c-b${i}`,
      node: on,
      owner: {kind: 'ReplicaSet', name: 'agent-77b8c'},
      workload: {kind: 'Deployment', name: 'agent'},
      start: start - DAY,
      end: end + DAY,
      containers: [{name: 'agent', cpu: 0, memoryGiB: 0, usage: wander(20 + i, 0.3, 0.5)}],
    })
  // The pod on the doomed node is reported running ten minutes past its node.
  deployment('batch', 'worker-3c2d1', 'worker')
  pod({
    namespace: 'batch',
    name: 'worker-3c2d1-c0',
    node: DOOMED,
    owner: {kind: 'ReplicaSet', name: 'worker-3c2d1'},
    workload: {kind: 'Deployment', name: 'worker'},
    start: start - DAY,
    end: DOOMED_AT + 600,
    containers: [{name: 'worker', cpu: 1, memoryGiB: 2, usage: wander(30, 0.5, 1)}],
  })
  // preview: deleted on day 0 at 06:00, recreated under the same name on day 1 at 09:00 with a new workload.
  owners.push({
    namespace: 'preview',
    type: 'replicaset',
    name: 'app-1a1a1',
    owner: {kind: 'Deployment', name: 'app'},
    start: start - DAY,
    end: start + 6 * H,
  })
  owners.push({
    namespace: 'preview',
    type: 'replicaset',
    name: 'app2-2b2b2',
    owner: {kind: 'Deployment', name: 'app2'},
    start: start + DAY + 9 * H,
    end: end + DAY,
  })
  for (const [i, [rs, name, from, to]] of (
    [
      ['app-1a1a1', 'app', start - DAY, start + 6 * H + 31],
      ['app2-2b2b2', 'app2', start + DAY + 9 * H + 13, end + DAY],
    ] as const
  ).entries())
    pod({
      namespace: 'preview',
      name: `${rs}-d${i}`,
      node: PLAIN,
      owner: {kind: 'ReplicaSet', name: rs},
      workload: {kind: 'Deployment', name},
      start: from,
      end: to,
      containers: [{name: 'app', cpu: 0.5, memoryGiB: 1, usage: wander(40 + i, 0.2, 0.5)}],
    })
  // ci: 1,000 runner pods an hour on day 1 from 08:00 to 10:00, each 3-4 minutes.
  deployment('ci', 'runner-9f9f9', 'runner')
  for (let i = 0; i < 2000; i++) {
    const from = start + DAY + 8 * H + Math.floor(i * 3.6) + (i % 7)
    pod({
      namespace: 'ci',
      name: `runner-9f9f9-${i.toString(36).padStart(5, '0')}`,
      node: BIG,
      owner: {kind: 'ReplicaSet', name: 'runner-9f9f9'},
      workload: {kind: 'Deployment', name: 'runner'},
      start: from,
      end: from + 180 + ((i * 37) % 60),
      containers: [{name: 'runner', cpu: 0.25, memoryGiB: 0.5, usage: wander(1000 + i, 0.1, 0.2)}],
    })
  }
  // data/cache: one claim, mounted all window by the store's one replica and for two minutes at a
  // time by 30 sweep pods a day.
  deployment('data', 'store-4c4c4', 'store')
  pod({
    namespace: 'data',
    name: 'store-4c4c4-e0',
    node: PLAIN,
    owner: {kind: 'ReplicaSet', name: 'store-4c4c4'},
    workload: {kind: 'Deployment', name: 'store'},
    start: start - DAY,
    end: end + DAY,
    containers: [{name: 'store', cpu: 0.25, memoryGiB: 1, usage: wander(50, 0.1, 0.5)}],
    claims: ['cache'],
  })
  deployment('data', 'sweep-5d5d5', 'sweep')
  for (let i = 0; i < 90; i++)
    pod({
      namespace: 'data',
      name: `sweep-5d5d5-f${i}`,
      node: PLAIN,
      owner: {kind: 'ReplicaSet', name: 'sweep-5d5d5'},
      workload: {kind: 'Deployment', name: 'sweep'},
      start: start + i * 48 * 60 + 7,
      end: start + i * 48 * 60 + 127,
      containers: [{name: 'sweep', cpu: 0.25, memoryGiB: 0.5, usage: wander(60 + i, 0.1, 0.2)}],
      claims: ['cache'],
    })
  // mesh/api: a classic init container for its first five minutes, a native sidecar all along, the
  // main container once the init container is done.
  const apiStart = start + DAY + 6 * H + 11
  deployment('mesh', 'api-6e6e6', 'api')
  pod({
    namespace: 'mesh',
    name: 'api-6e6e6-g0',
    node: PLAIN,
    owner: {kind: 'ReplicaSet', name: 'api-6e6e6'},
    workload: {kind: 'Deployment', name: 'api'},
    start: apiStart,
    end: end + DAY,
    containers: [
      {
        name: 'wait-db',
        init: true,
        runs: [apiStart, apiStart + 300],
        cpu: 1,
        memoryGiB: 1,
        usage: wander(70, 0.1, 0.1),
      },
      {name: 'proxy', init: true, cpu: 0.1, memoryGiB: 0.125, usage: wander(71, 0.05, 0.1)},
      {name: 'api', runs: [apiStart + 300, end + DAY], cpu: 0.5, memoryGiB: 1, usage: wander(72, 0.3, 0.7)},
    ],
  })
  const claims = [
    {
      namespace: 'data',
      name: 'cache',
      volume: 'pvc-7e7f',
      storageClass: 'gp3',
      sizeGiB: 100,
      handle: 'vol-0ca0000000000007',
      start: start - DAY,
      end: end + DAY,
    },
  ]
  return buildScenario({start, days: 3, nodes, pods, owners, claims, services: [], prices})
}

describe('cost allocation on a hostile cluster through the built CLI', () => {
  let scenario: Scenario
  let truth: Truth
  let full: RunningPrometheus
  let cut: RunningPrometheus
  let kube: KubeApiServer
  let tmp: {dir: string; cleanup: () => void}
  let config: string
  let kubeconfig: string
  // The full history.
  let whole: string
  // The full history, then a second collect from a Prometheus that lost day 0 (retention) and three hours of day 2.
  let kept: string
  // Only the Prometheus that lost them.
  let fresh: string
  let cutRun: CliResult
  const env = {FINOPS_NOW: new Date((start + 3 * DAY + 5 * 60) * 1000).toISOString()}

  const collect = async (db: string, prom: RunningPrometheus): Promise<CliResult> => {
    const r = await runCli(
      ['collect', 'usage', '--prometheus', prom.url, '--days', '3', '--cluster', 'hostile', '--db', db].concat([
        '--config',
        config,
        '--json',
      ]),
      {env},
    )
    expect(r.code, r.stderr).toBe(0)
    return r
  }
  const snapshot = async (db: string) => {
    const k = await runCli(['collect', 'k8s', '--kubeconfig', kubeconfig, '--cluster', 'hostile', '--db', db], {env})
    expect(k.code, k.stderr).toBe(0)
  }
  const allocation = async (
    db: string,
    from: string,
    to: string,
    extra: string[] = [],
    moreEnv: Record<string, string> = {},
  ): Promise<Report> => {
    const r = await runCli(
      ['cost', 'allocation', '--db', db, '--config', config, '--from', from, '--to', to, '--json', ...extra],
      {env: {...env, ...moreEnv}},
    )
    expect(r.code, r.stderr).toBe(0)
    return costAllocationSchema.parse(parseJson(r))
  }
  const reconciles = (report: Report) => {
    const total = report.totals.nodes + report.totals.volumes + report.totals.loadBalancers + report.totals.network
    expect(sum(report.rows.map((r) => r.cost)) + report.idle.cost).toBeCloseTo(total, 9)
    expect(sum(report.nodes.map((n) => n.cost))).toBeCloseTo(report.totals.nodes, 9)
    for (const r of report.rows) expect(Number.isFinite(r.cost), JSON.stringify(r.keys)).toBe(true)
  }

  beforeAll(async () => {
    expect(prometheusAvailable(), 'prometheus and promtool: apt-get install -y prometheus').toBe(true)
    tmp = tempDir()
    scenario = hostileScenario()
    truth = scenario.truth()
    const fullFile = path.join(tmp.dir, 'full.om')
    scenario.writeOpenMetrics(fullFile)
    const cutFile = path.join(tmp.dir, 'cut.om')
    scenario.writeOpenMetrics(cutFile, [[start - DAY, start + DAY], OUTAGE])
    full = await startPrometheusFromFile(path.join(tmp.dir, 'prom-full'), fullFile)
    cut = await startPrometheusFromFile(path.join(tmp.dir, 'prom-cut'), cutFile)
    kube = await startKubeApi({objects: scenario.objects})
    kubeconfig = path.join(tmp.dir, 'kubeconfig')
    fs.writeFileSync(kubeconfig, kube.kubeconfig({context: 'hostile'}))
    config = path.join(tmp.dir, 'finops.yaml')
    fs.writeFileSync(config, scenario.configYaml)
    whole = path.join(tmp.dir, 'whole.db')
    kept = path.join(tmp.dir, 'kept.db')
    fresh = path.join(tmp.dir, 'fresh.db')
    await snapshot(whole)
    await snapshot(fresh)
    const first = await collect(whole, full)
    expect(collectUsageSchema.parse(parseJson(first)).history?.source).toBe('kube-state-metrics')
    fs.copyFileSync(whole, kept)
    await collect(kept, cut)
    cutRun = await collect(fresh, cut)
  }, 900_000)
  afterAll(async () => {
    await full?.close()
    await cut?.close()
    await kube?.close()
    tmp?.cleanup()
  })

  it('keeps the stored history of a day Prometheus no longer has (past its retention)', async () => {
    const before = await allocation(kept, scenario.days[0]!, scenario.days[0]!)
    expect(before.sources).toEqual({history: [scenario.days[0]], snapshot: []})
    // Every node was there all day 0 (two m5.xlarge on demand); the reused name was the spot instance.
    const expected = 0.192 * 24 * 2 + 0.192 * 0.35 * 24 + 1.006 * 24 + 1.536 * 24
    const known = before.nodes.filter((n) => n.node !== UNKNOWN_TYPE)
    expect(sum(known.map((n) => n.cost))).toBeCloseTo(expected, 1)
    reconciles(before)
  })

  it('models a day with no samples at all from the snapshot, and says so, instead of charging nothing', async () => {
    const report = await allocation(fresh, scenario.days[0]!, scenario.days[2]!)
    expect(report.sources.snapshot).toContain(scenario.days[0])
    expect(report.sources.history).not.toContain(scenario.days[0])
    const day0 = await allocation(fresh, scenario.days[0]!, scenario.days[0]!)
    expect(day0.totals.nodes).toBeGreaterThan(0)
    expect(day0.warnings.join('\n')).toMatch(/modelled from the snapshot/)
    reconciles(report)
  })

  it('says which days Prometheus had no samples for, and how many hours of a day it missed', () => {
    const out = collectUsageSchema.parse(parseJson(cutRun))
    expect(out.history?.missingDays).toEqual([scenario.days[0]])
    expect(out.history?.gaps).toEqual([{day: scenario.days[2], hours: 3}])
  })

  it('reports the outage hours in the allocation of that day', async () => {
    const report = await allocation(fresh, scenario.days[2]!, scenario.days[2]!)
    expect(report.warnings.join('\n')).toMatch(new RegExp(`${scenario.days[2]}.*3(\\.0)? hours`))
    reconciles(report)
  })

  it('prices a reused node name by the instance it was for most of each day', async () => {
    const report = await allocation(whole, scenario.days[1]!, scenario.days[1]!, ['-g', 'node'])
    const reused = report.nodes.find((n) => n.node === REUSED)!
    // Spot for two hours, on-demand for 22: the day is the on-demand instance's.
    expect(reused.capacityType).toBe('on-demand')
    expect(reused.cost).toBeCloseTo(0.192 * 24, 2)
    const day0 = await allocation(whole, scenario.days[0]!, scenario.days[0]!, ['-g', 'node'])
    expect(day0.nodes.find((n) => n.node === REUSED)!.capacityType).toBe('spot')
    reconciles(report)
  })

  it('charges 1,000 pods an hour within 1% of the truth, and each namespace of the full history likewise', async () => {
    const report = await allocation(whole, scenario.days[1]!, scenario.days[1]!, ['-g', 'workload'])
    const ci = report.rows.filter((r) => r.keys[0]!.startsWith('ci/'))
    expect(ci.map((r) => r.keys[0])).toEqual(['ci/Deployment/runner'])
    // 2,000 pods of 3-4 minutes at 0.25 cores.
    const coreHours = sum(scenario.pods.filter((p) => p.namespace === 'ci').map((p) => (p.end - p.start) / H)) * 0.25
    expect(Math.abs(ci[0]!.cpuRequestCoreHours - coreHours) / coreHours).toBeLessThan(0.01)
    const window = await allocation(whole, scenario.days[0]!, scenario.days[2]!)
    for (const [namespace, expected] of truth.namespaces) {
      // Its replica on the reused node name ran on the spot instance before day 1, 02:00 (the truth prices it on-demand).
      if (namespace === 'shop') continue
      const actual = window.rows.find((r) => r.keys[0] === namespace)?.cost ?? 0
      expect(Math.abs(actual - expected) / expected, `${namespace}: ${actual} vs ${expected}`).toBeLessThan(0.01)
    }
    reconciles(window)
  })

  it('charges a namespace deleted and recreated under the same name for both lives, each workload apart', async () => {
    const report = await allocation(whole, scenario.days[0]!, scenario.days[2]!, ['-g', 'workload'])
    const app = report.rows.find((r) => r.keys[0] === 'preview/Deployment/app')!
    const app2 = report.rows.find((r) => r.keys[0] === 'preview/Deployment/app2')!
    expect(app.cpuRequestCoreHours).toBeCloseTo(0.5 * 6, 1)
    expect(app2.cpuRequestCoreHours).toBeCloseTo(0.5 * (15 + 24), 1)
  })

  it('charges containers without requests what they used, a 0-priced node nothing, an unknown type at default rates', async () => {
    const report = await allocation(whole, scenario.days[0]!, scenario.days[2]!, ['-g', 'node'])
    expect(report.nodes.find((n) => n.node === FREE)!.cost).toBe(0)
    const unknown = report.nodes.find((n) => n.node === UNKNOWN_TYPE)!
    expect(unknown.source).toMatch(/default/)
    expect(unknown.cost).toBeGreaterThan(0)
    const workloads = await allocation(whole, scenario.days[0]!, scenario.days[2]!, ['-g', 'workload,node'])
    const agent = workloads.rows.find((r) => r.keys[0] === 'tools/Deployment/agent' && r.keys[1] === UNKNOWN_TYPE)!
    expect(agent.cpuRequestCoreHours).toBe(0)
    expect(agent.cpuCoreHours).toBeCloseTo(agent.cpuUsageCoreHours, 9)
    expect(agent.cpuCoreHours).toBeGreaterThan(0.3 * 72 * 0.8)
    expect(agent.cost).toBeGreaterThan(0)
    expect(agent.efficiency).toBe(1)
    reconciles(report)
  })

  it('leaves a GPU node no pod asked a GPU of as GPU idle, and a node deleted under its pod reconciles', async () => {
    const report = await allocation(whole, scenario.days[0]!, scenario.days[2]!, ['-g', 'node'])
    const gpu = report.nodes.find((n) => n.node === GPU_IDLE)!
    expect(gpu.gpus).toBe(1)
    const rates = splitNodePrice(1.006, 4, 16, scenario.prices.cpuToMemoryRatio, 1, scenario.prices.gpuToMemoryRatio)
    expect(report.idle.gpuCost).toBeCloseTo(rates.gpuHour * gpu.hours, 6)
    const doomed = report.nodes.find((n) => n.node === DOOMED)!
    expect(Math.abs(doomed.hours - 36)).toBeLessThan(2 / 60)
    expect(doomed.allocated + doomed.idle).toBeCloseTo(doomed.cost, 9)
    reconciles(report)
  })

  it('charges init containers for the minutes they ran and a native sidecar for the pod\u2019s life', async () => {
    const report = await allocation(whole, scenario.days[0]!, scenario.days[2]!, ['-g', 'container'])
    const hours = (start + 3 * DAY - (start + DAY + 6 * H + 11)) / H
    const row = (c: string) => report.rows.find((r) => r.keys[0] === `mesh/api/${c}`)!
    expect(Math.abs(row('wait-db').cpuRequestCoreHours - 5 / 60)).toBeLessThan(1.5 / 60)
    expect(row('proxy').cpuRequestCoreHours).toBeCloseTo(0.1 * hours, 2)
    expect(row('api').cpuRequestCoreHours).toBeCloseTo(0.5 * (hours - 5 / 60), 1)
    reconciles(report)
  })

  it('charges a claim to the workload that ran with it mounted longest, not the one with most pods', async () => {
    const report = await allocation(whole, scenario.days[0]!, scenario.days[2]!, ['-g', 'workload'])
    const store = report.rows.find((r) => r.keys[0] === 'data/Deployment/store')!
    const sweep = report.rows.find((r) => r.keys[0] === 'data/Deployment/sweep')!
    expect(store.storageCost).toBeCloseTo(((100 * 0.08) / 730) * 72, 3)
    expect(sweep.storageCost).toBe(0)
    reconciles(report)
  })

  it('gives the same report whatever the local time zone (DST included)', async () => {
    const utc = await allocation(whole, scenario.days[0]!, scenario.days[2]!, ['-g', 'namespace'], {TZ: 'UTC'})
    for (const tz of ['America/Santiago', 'Australia/Lord_Howe', 'Europe/Berlin']) {
      const local = await allocation(whole, scenario.days[0]!, scenario.days[2]!, ['-g', 'namespace'], {TZ: tz})
      expect(local, tz).toEqual(utc)
    }
  })
})
