import fs from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {collectUsageSchema, costAllocationSchema} from '../../src/k8s/schemas.js'
import {churnScenario, type Scenario, type Truth} from '../helpers/churn-scenario.js'
import {parseJson, runCli, tempDir} from '../helpers/cli.js'
import {type KubeApiServer, startKubeApi} from '../servers/kube-api.js'
import {prometheusAvailable, type RunningPrometheus, startPrometheusFromFile} from '../servers/prometheus.js'

const DAY = 86_400
// Two whole UTC days ending three days ago: recent enough for Prometheus' retention.
const start = Math.floor(Date.now() / 86_400_000) * 86_400 - 5 * DAY
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0)

type Report = ReturnType<typeof costAllocationSchema.parse>

describe('cost allocation of a churning cluster, against its ground truth', () => {
  let scenario: Scenario
  let truth: Truth
  let prom: RunningPrometheus
  let kube: KubeApiServer
  let tmp: {dir: string; cleanup: () => void}
  let db: string
  let config: string
  const now = () => new Date((start + 2 * DAY + 5 * 60) * 1000).toISOString()
  const allocation = async (...extra: string[]): Promise<Report> => {
    const r = await runCli(
      [
        'cost',
        'allocation',
        '--db',
        db,
        '--config',
        config,
        '--from',
        scenario.days[0]!,
        '--to',
        scenario.days[1]!,
        '--json',
        ...extra,
      ],
      {env: {FINOPS_NOW: now()}},
    )
    expect(r.code, r.stderr).toBe(0)
    return costAllocationSchema.parse(parseJson(r))
  }

  beforeAll(async () => {
    // The real Prometheus is part of this test (npm test installs it as root): without it the test fails, it does not skip.
    expect(prometheusAvailable(), 'prometheus and promtool: apt-get install -y prometheus').toBe(true)
    tmp = tempDir()
    scenario = churnScenario(start)
    truth = scenario.truth()
    const om = path.join(tmp.dir, 'cluster.om')
    scenario.writeOpenMetrics(om)
    prom = await startPrometheusFromFile(path.join(tmp.dir, 'prom'), om)
    kube = await startKubeApi({objects: scenario.objects})
    const kubeconfig = path.join(tmp.dir, 'kubeconfig')
    fs.writeFileSync(kubeconfig, kube.kubeconfig({context: 'churn'}))
    config = path.join(tmp.dir, 'finops.yaml')
    fs.writeFileSync(config, scenario.configYaml)
    db = path.join(tmp.dir, 'finops.db')
    const env = {FINOPS_NOW: now()}
    const k = await runCli(['collect', 'k8s', '--kubeconfig', kubeconfig, '--cluster', 'churn', '--db', db], {env})
    expect(k.code, k.stderr).toBe(0)
    const u = await runCli(
      [
        'collect',
        'usage',
        '--prometheus',
        prom.url,
        '--days',
        '2',
        '--cluster',
        'churn',
        '--db',
        db,
        '--config',
        config,
        '--json',
      ],
      {env},
    )
    expect(u.code, u.stderr).toBe(0)
    const usage = collectUsageSchema.parse(parseJson(u))
    expect(usage.history?.source).toBe('kube-state-metrics')
  }, 600_000)
  afterAll(async () => {
    await prom?.close()
    await kube?.close()
    tmp?.cleanup()
  })

  it('charges every namespace within 1% of the truth, from history for both days', async () => {
    const report = await allocation('--group-by', 'namespace')
    expect(report.sources).toEqual({history: scenario.days, snapshot: []})
    const got = new Map(report.rows.map((r) => [r.keys[0]!, r.cost]))
    expect(new Set(got.keys())).toEqual(new Set(truth.namespaces.keys()))
    for (const [namespace, expected] of truth.namespaces) {
      const actual = got.get(namespace)!
      expect(Math.abs(actual - expected) / expected, `${namespace}: ${actual} vs ${expected}`).toBeLessThan(0.01)
    }
    expect(Math.abs(report.totals.nodes - truth.nodes) / truth.nodes).toBeLessThan(0.01)
    expect(Math.abs(report.totals.volumes - truth.volumes) / truth.volumes).toBeLessThan(0.01)
    expect(Math.abs(report.totals.loadBalancers - truth.loadBalancers) / truth.loadBalancers).toBeLessThan(0.01)
    // GPU-hours: a whole A10G for the trainer, two quarter shares of a time-sliced T4 for the notebooks.
    const gpu = new Map(report.rows.map((r) => [r.keys[0]!, r.gpuHours]))
    expect(Math.abs(gpu.get('ml')! - truth.gpuHours.get('ml')!) / truth.gpuHours.get('ml')!).toBeLessThan(0.01)
  })

  it('adds rows and idle up to the nodes, volumes and load balancers exactly, for every grouping', async () => {
    for (const groupBy of [
      'namespace',
      'workload',
      'node',
      'container',
      'label:team',
      'capacity-type,controller-kind',
    ]) {
      const report = await allocation('--group-by', groupBy)
      const total = report.totals.nodes + report.totals.volumes + report.totals.loadBalancers + report.totals.network
      expect(report.totals.total).toBeCloseTo(total, 9)
      expect(sum(report.rows.map((r) => r.cost)) + report.idle.cost).toBeCloseTo(total, 9)
      // The compute part alone: rows' CPU, memory and GPU plus idle are the nodes' cost.
      expect(sum(report.rows.map((r) => r.cpuCost + r.memoryCost + r.gpuCost)) + report.idle.cost).toBeCloseTo(
        report.totals.nodes,
        9,
      )
      expect(sum(report.nodes.map((n) => n.cost))).toBeCloseTo(report.totals.nodes, 9)
    }
  })

  it('charges workloads that are gone from the snapshot, jobs for the hours they ran, and the removed node', async () => {
    const byWorkload = await allocation('--group-by', 'workload')
    const row = (key: string) => byWorkload.rows.find((r) => r.keys[0] === key)
    // The trainer was deleted before the snapshot: history still charges it (and its GPU).
    expect(row('ml/Deployment/trainer')?.gpuHours).toBeGreaterThan(30)
    // The CronJob's pods ran ~40 minutes every 3 hours: ~16 runs x 0.7 h, not 48 hours.
    const report = row('batch/CronJob/report')!
    expect(report.cpuRequestCoreHours).toBeGreaterThan(16 * 0.55)
    expect(report.cpuRequestCoreHours).toBeLessThan(16 * 0.8)
    // The node added on day 1 and removed on day 2 is priced for the ~29.5 hours it existed.
    const added = byWorkload.nodes.find((n) => n.node === 'ip-10-0-2-21.ec2.internal')!
    expect(added.hours).toBeGreaterThan(29)
    expect(added.hours).toBeLessThan(30)
    expect(added.source).toBe('instance-type')
    // Spot nodes at the configured spot ratio; the GPU nodes split with their GPUs.
    const spot = byWorkload.nodes.find((n) => n.capacityType === 'spot')!
    expect(spot.hourly).toBeCloseTo(0.192 * 0.35, 9)
    expect(byWorkload.nodes.filter((n) => n.gpus > 0).map((n) => n.gpus)).toEqual([1, 1])
    // Volumes are charged to the workload that mounted them; the ML claim outlives its trainer.
    expect(row('shop/StatefulSet/db')!.storageCost).toBeGreaterThan(0)
    expect(row('shop/Service/web-public')!.loadBalancerCost).toBeCloseTo(0.025 * 48, 3)
  })

  it('shares idle by cost or requests and spreads shared namespaces, keeping the total', async () => {
    const plain = await allocation('--group-by', 'namespace')
    const byCost = await allocation('--group-by', 'namespace', '--idle', 'by-cost')
    expect(byCost.idle.cost).toBeCloseTo(0, 6)
    expect(sum(byCost.rows.map((r) => r.cost))).toBeCloseTo(plain.totals.total, 6)
    expect(sum(byCost.rows.map((r) => r.idleCost))).toBeCloseTo(plain.idle.cost, 6)
    const byRequests = await allocation('--group-by', 'namespace', '--idle', 'by-requests')
    expect(sum(byRequests.rows.map((r) => r.cost))).toBeCloseTo(plain.totals.total, 6)
    const shared = await allocation('--group-by', 'namespace', '--share', 'kube-system,monitoring')
    const names = shared.rows.map((r) => r.keys[0])
    expect(names).not.toContain('kube-system')
    expect(names).not.toContain('monitoring')
    const sharedAway = sum(
      plain.rows.filter((r) => ['kube-system', 'monitoring'].includes(r.keys[0]!)).map((r) => r.cost),
    )
    expect(shared.shared.cost).toBeCloseTo(sharedAway, 6)
    expect(sum(shared.rows.map((r) => r.sharedCost))).toBeCloseTo(sharedAway, 6)
    expect(sum(shared.rows.map((r) => r.cost)) + shared.idle.cost).toBeCloseTo(plain.totals.total, 6)
    // Weighted by cost: shop's share of the shared cost is its share of the others' cost.
    const others = plain.rows.filter((r) => !['kube-system', 'monitoring'].includes(r.keys[0]!))
    const shop = shared.rows.find((r) => r.keys[0] === 'shop')!
    expect(shop.sharedCost).toBeCloseTo(
      (sharedAway * others.find((r) => r.keys[0] === 'shop')!.cost) / sum(others.map((r) => r.cost)),
      6,
    )
  })

  it('shows efficiency as usage over requests weighted by cost, over 1 when usage is above requests', async () => {
    const report = await allocation('--group-by', 'workload')
    const prometheus = report.rows.find((r) => r.keys[0] === 'monitoring/Deployment/prometheus')!
    // Prometheus uses ~0.85 cores on a 0.5 request and ~2.5 GiB of a 3 GiB request.
    expect(prometheus.cpuUsageCoreHours).toBeGreaterThan(prometheus.cpuRequestCoreHours)
    const cpuEff = prometheus.cpuUsageCoreHours / prometheus.cpuRequestCoreHours
    const memEff = prometheus.memoryUsageGiBHours / prometheus.memoryRequestGiBHours
    expect(prometheus.efficiency).toBeCloseTo(
      (cpuEff * prometheus.cpuCost + memEff * prometheus.memoryCost) / (prometheus.cpuCost + prometheus.memoryCost),
      9,
    )
    const web = report.rows.find((r) => r.keys[0] === 'shop/Deployment/web')!
    expect(web.efficiency).toBeGreaterThan(0.3)
    expect(web.efficiency).toBeLessThan(1)
  })

  it('filters rows by namespace pattern and selector without changing what each row costs', async () => {
    const all = await allocation('--group-by', 'workload')
    const shopOnly = await allocation('--group-by', 'workload', '-n', 'sh*')
    expect(shopOnly.rows.every((r) => r.keys[0]!.startsWith('shop/'))).toBe(true)
    for (const r of shopOnly.rows) expect(r.cost).toBeCloseTo(all.rows.find((a) => a.keys[0] === r.keys[0])!.cost, 9)
    const selected = await allocation('--group-by', 'workload', '--selector', 'team=shop')
    expect(selected.rows.map((r) => r.keys[0]).sort()).toEqual(['shop/Deployment/web', 'shop/StatefulSet/db'])
  })
})
