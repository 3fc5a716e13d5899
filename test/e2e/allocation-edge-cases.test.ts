import fs from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {collectUsageSchema, costAllocationSchema} from '../../src/k8s/schemas.js'
import {splitNodePrice} from '../../src/k8s/prices.js'
import {
  buildScenario,
  type NodeSpec,
  type OwnerPlan,
  type PodPlan,
  type Scenario,
  type ScenarioPrices,
  scenarioPrices,
  type Truth,
  wander,
} from '../helpers/churn-scenario.js'
import {parseJson, runCli, tempDir} from '../helpers/cli.js'
import {type KubeApiServer, startKubeApi} from '../servers/kube-api.js'
import {prometheusAvailable, type RunningPrometheus, startPrometheusFromFile} from '../servers/prometheus.js'

const DAY = 86_400
const H = 3600
// Two whole UTC days ending three days ago: recent enough for Prometheus' retention.
const start = Math.floor(Date.now() / 86_400_000) * 86_400 - 5 * DAY
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0)

type Report = ReturnType<typeof costAllocationSchema.parse>

const MIG_NODE = 'ip-10-0-9-91.ec2.internal'
const GONE_NODE = 'ip-10-0-1-12.ec2.internal'
const STAYING_NODE = 'ip-10-0-1-11.ec2.internal'
// Removed on day 2 at 06:00:17: charged 30 hours and 17 seconds in the window, nothing after.
const GONE_AT = start + DAY + 6 * H + 17
// A Job whose one pod runs exactly 20 minutes, then stays Completed for two hours.
const JOB_START = start + DAY + 3 * H + 13
const JOB_STOP = JOB_START + 20 * 60

/**
 * The cases a platform engineer holds next to OpenCost: MIG slices on an 8-GPU A100 node (mixed
 * strategy, 56 `nvidia.com/mig-1g.5gb` units), a node removed mid-window with its pods rescheduled,
 * a 20-minute Job, a claim whose storage class has no configured price, and network egress (opt-in).
 */
function edgeScenario(): Scenario {
  const prices: ScenarioPrices = {
    ...scenarioPrices({'m5.xlarge': 0.192, 'p4d.24xlarge': 32.7726}),
    networkGiB: 0.02,
  }
  const end = start + 2 * DAY
  const node = (name: string, instanceType: string, cores: number, memoryGiB: number, to: number, over = {}) =>
    ({
      name,
      instanceType,
      capacityType: 'on-demand',
      cores,
      memoryGiB,
      start: start - 7 * DAY,
      end: to,
      hourly: prices.instanceTypes[instanceType]!,
      ...over,
    }) as NodeSpec
  const nodes: NodeSpec[] = [
    node(STAYING_NODE, 'm5.xlarge', 4, 16, end + DAY),
    node(GONE_NODE, 'm5.xlarge', 4, 16, GONE_AT),
    node(MIG_NODE, 'p4d.24xlarge', 96, 1152, end + DAY, {
      gpu: {
        resource: 'nvidia.com/mig-1g.5gb',
        units: 56,
        physical: 8,
        labels: {
          'nvidia.com/gpu.product': 'NVIDIA-A100-SXM4-40GB',
          'nvidia.com/mig.strategy': 'mixed',
          'nvidia.com/gpu.count': '8',
        },
      },
    }),
  ]
  const owners: OwnerPlan[] = []
  const pods: PodPlan[] = []
  let uid = 0
  const pod = (p: Omit<PodPlan, 'uid' | 'claims' | 'labels' | 'stop'> & Partial<PodPlan>) =>
    pods.push({claims: [], labels: {}, stop: p.end, ...p, uid: `pod-uid-${++uid}`})
  const replicaSet = (namespace: string, name: string, deployment: string) =>
    owners.push({
      namespace,
      type: 'replicaset',
      name,
      owner: {kind: 'Deployment', name: deployment},
      start: start - DAY,
      end: end + DAY,
    })

  // ml/inference: three replicas, two MIG 1g.5gb slices each (2/7 of an A100 per replica).
  replicaSet('ml', 'inference-7c9d5', 'inference')
  for (let i = 0; i < 3; i++)
    pod({
      namespace: 'ml',
      name: `inference-7c9d5-q${i}x7z`,
      node: MIG_NODE,
      owner: {kind: 'ReplicaSet', name: 'inference-7c9d5'},
      workload: {kind: 'Deployment', name: 'inference'},
      start: start - DAY,
      end: end + DAY,
      containers: [
        {
          name: 'server',
          cpu: 4,
          memoryGiB: 32,
          gpu: {resource: 'nvidia.com/mig-1g.5gb', units: 2},
          usage: wander(10 + i, 2, 20),
        },
      ],
      labels: {app: 'inference', team: 'ml'},
    })

  // shop/web: one replica on the node that goes away, rescheduled 40 s later on the one that stays.
  replicaSet('shop', 'web-5f6d7', 'web')
  const web = (name: string, on: string, from: number, to: number) =>
    pod({
      namespace: 'shop',
      name,
      node: on,
      owner: {kind: 'ReplicaSet', name: 'web-5f6d7'},
      workload: {kind: 'Deployment', name: 'web'},
      start: from,
      end: to,
      containers: [{name: 'web', cpu: 1, memoryGiB: 2, usage: wander(30, 0.6, 1.5)}],
      claims: ['archive'],
      labels: {app: 'web', team: 'shop'},
      egressBytesPerSecond: 250_000,
    })
  web('web-5f6d7-aaaaa', GONE_NODE, start - DAY, GONE_AT - 30)
  web('web-5f6d7-bbbbb', STAYING_NODE, GONE_AT + 10, end + DAY)

  // batch/migrate: a Job that ran 20 minutes.
  owners.push({
    namespace: 'batch',
    type: 'job',
    name: 'migrate',
    owner: {kind: '<none>', name: '<none>'},
    start: JOB_START - 3,
    end: end + DAY,
  })
  pod({
    namespace: 'batch',
    name: 'migrate-k2j4p',
    node: STAYING_NODE,
    owner: {kind: 'Job', name: 'migrate'},
    workload: {kind: 'Job', name: 'migrate'},
    start: JOB_START,
    stop: JOB_STOP,
    end: JOB_STOP + 2 * H,
    containers: [{name: 'migrate', cpu: 1, memoryGiB: 2, usage: wander(40, 0.5, 1)}],
    labels: {team: 'data'},
  })

  return buildScenario({
    start,
    days: 2,
    nodes,
    pods,
    owners,
    // The archive's class has no price in finops.yaml: the default applies, and the report says so.
    claims: [
      {
        namespace: 'shop',
        name: 'archive',
        volume: 'pvc-9a8b',
        storageClass: 'sc1-cold',
        sizeGiB: 500,
        handle: 'vol-0sh0000000000009',
        start: start - DAY,
        end: end + DAY,
      },
    ],
    services: [{namespace: 'shop', name: 'web-public', start: start - DAY, end: end + DAY}],
    prices,
  })
}

describe('cost allocation edge cases through the built CLI: MIG, a removed node, a short Job, an unpriced storage class', () => {
  let scenario: Scenario
  let truth: Truth
  let prom: RunningPrometheus
  let kube: KubeApiServer
  let tmp: {dir: string; cleanup: () => void}
  let db: string
  let config: string
  const env = {FINOPS_NOW: new Date((start + 2 * DAY + 5 * 60) * 1000).toISOString()}
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
      ].concat(['--json', ...extra]),
      {env},
    )
    expect(r.code, r.stderr).toBe(0)
    return costAllocationSchema.parse(parseJson(r))
  }

  beforeAll(async () => {
    expect(prometheusAvailable(), 'prometheus and promtool: apt-get install -y prometheus').toBe(true)
    tmp = tempDir()
    scenario = edgeScenario()
    truth = scenario.truth()
    const om = path.join(tmp.dir, 'cluster.om')
    scenario.writeOpenMetrics(om)
    prom = await startPrometheusFromFile(path.join(tmp.dir, 'prom'), om)
    kube = await startKubeApi({objects: scenario.objects})
    const kubeconfig = path.join(tmp.dir, 'kubeconfig')
    fs.writeFileSync(kubeconfig, kube.kubeconfig({context: 'edge'}))
    config = path.join(tmp.dir, 'finops.yaml')
    fs.writeFileSync(config, scenario.configYaml)
    db = path.join(tmp.dir, 'finops.db')
    const k = await runCli(['collect', 'k8s', '--kubeconfig', kubeconfig, '--cluster', 'edge', '--db', db], {env})
    expect(k.code, k.stderr).toBe(0)
    const u = await runCli(
      ['collect', 'usage', '--prometheus', prom.url, '--days', '2', '--cluster', 'edge', '--db', db].concat([
        '--config',
        config,
        '--json',
      ]),
      {env},
    )
    expect(u.code, u.stderr).toBe(0)
    expect(collectUsageSchema.parse(parseJson(u)).history?.source).toBe('kube-state-metrics')
  }, 600_000)
  afterAll(async () => {
    await prom?.close()
    await kube?.close()
    tmp?.cleanup()
  })

  it('charges each namespace within 1% of the truth, and rows + idle are the nodes, volumes and LBs exactly', async () => {
    const report = await allocation('--group-by', 'namespace')
    expect(report.sources).toEqual({history: scenario.days, snapshot: []})
    for (const [namespace, expected] of truth.namespaces) {
      const actual = report.rows.find((r) => r.keys[0] === namespace)?.cost ?? 0
      expect(Math.abs(actual - expected) / expected, `${namespace}: ${actual} vs ${expected}`).toBeLessThan(0.01)
    }
    expect(Math.abs(report.totals.nodes - truth.nodes) / truth.nodes).toBeLessThan(0.001)
    const total = report.totals.nodes + report.totals.volumes + report.totals.loadBalancers + report.totals.network
    expect(sum(report.rows.map((r) => r.cost)) + report.idle.cost).toBeCloseTo(total, 9)
    expect(sum(report.rows.map((r) => r.cpuCost + r.memoryCost + r.gpuCost)) + report.idle.cost).toBeCloseTo(
      report.totals.nodes,
      9,
    )
  })

  it('counts MIG slices as sevenths of a physical A100, priced at the node GPU rate, the rest GPU idle', async () => {
    const report = await allocation('--group-by', 'workload')
    const mig = report.nodes.find((n) => n.node === MIG_NODE)!
    expect(mig.gpus).toBe(8)
    const inference = report.rows.find((r) => r.keys[0] === 'ml/Deployment/inference')!
    // 3 replicas x 2 slices x 1/7 GPU x 48 hours.
    expect(inference.gpuHours).toBeCloseTo((3 * 2 * 48) / 7, 1)
    const rates = splitNodePrice(
      mig.hourly,
      96,
      1152,
      scenario.prices.cpuToMemoryRatio,
      8,
      scenario.prices.gpuToMemoryRatio,
    )
    expect(inference.gpuCost).toBeCloseTo(inference.gpuHours * rates.gpuHour, 6)
    // The other 50/7 GPUs of the node were idle all window.
    expect(report.idle.gpuCost).toBeCloseTo((8 * 48 - inference.gpuHours) * rates.gpuHour, 6)
  })

  it('charges a removed node until it went away and nothing after; its pod moves to the node that stays', async () => {
    const report = await allocation('--group-by', 'node')
    const gone = report.nodes.find((n) => n.node === GONE_NODE)!
    const hours = (GONE_AT - start) / H
    // Counted at the history resolution (60 s) and kube-state-metrics' scrape interval.
    expect(Math.abs(gone.hours - hours)).toBeLessThan(2 / 60)
    expect(gone.cost).toBeCloseTo(gone.hours * 0.192, 9)
    const onGone = report.rows.find((r) => r.keys[0] === GONE_NODE)!
    expect(onGone.cpuRequestCoreHours).toBeCloseTo(hours, 1)
    expect(gone.allocated + gone.idle).toBeCloseTo(gone.cost, 9)
    const staying = report.rows.find((r) => r.keys[0] === STAYING_NODE)!
    // The rescheduled web replica from 06:00 on day 2, plus the 20-minute Job.
    expect(staying.cpuRequestCoreHours).toBeCloseTo(48 - hours + 1 / 3, 1)
  })

  it('charges a Job that ran 20 minutes for 20 minutes', async () => {
    const report = await allocation('--group-by', 'workload')
    const job = report.rows.find((r) => r.keys[0] === 'batch/Job/migrate')!
    expect(Math.abs(job.cpuRequestCoreHours - 1 / 3)).toBeLessThan(1.5 / 60)
    expect(Math.abs(job.memoryRequestGiBHours - 2 / 3)).toBeLessThan(3 / 60)
  })

  it('charges network egress, opt-in, from cAdvisor counters of pods that moved nodes', async () => {
    const report = await allocation('--group-by', 'workload')
    const web = report.rows.find((r) => r.keys[0] === 'shop/Deployment/web')!
    const gib = truth.egressGiB.get('shop')!
    expect(Math.abs(web.networkCost - gib * 0.02) / (gib * 0.02)).toBeLessThan(0.01)
    expect(report.totals.network).toBeCloseTo(web.networkCost, 9)
  })

  it('prices a claim whose storage class has no price at the default, and says so', async () => {
    const report = await allocation('--group-by', 'workload')
    const web = report.rows.find((r) => r.keys[0] === 'shop/Deployment/web')!
    expect(web.storageCost).toBeCloseTo(((500 * 0.04) / 730) * 48, 3)
    const said = report.warnings.filter((w) => w.includes('sc1-cold'))
    expect(said, report.warnings.join('\n')).toHaveLength(1)
    expect(said[0]).toMatch(/kubernetes\.prices\.storage/)
    expect(said[0]).toMatch(/0\.04/)
  })

  it('prices the claim from the bill instead, once resource-level rows name its disk', async () => {
    const billed = path.join(tmp.dir, 'billed.db')
    fs.copyFileSync(db, billed)
    const header =
      'BillingAccountId,BillingCurrency,BillingPeriodStart,ChargeCategory,ChargePeriodStart,ChargePeriodEnd,BilledCost,' +
      'EffectiveCost,ListCost,ProviderName,ServiceName,ServiceCategory,RegionId,ResourceId,PricingUnit,PricingQuantity,SkuId'
    const rows = scenario.days.map((day, i) =>
      [
        '123456789012',
        'USD',
        `${day.slice(0, 8)}01T00:00:00Z`,
        'Usage',
        `${day}T00:00:00Z`,
        `${scenario.days[i + 1] ?? new Date(scenario.end * 1000).toISOString().slice(0, 10)}T00:00:00Z`,
        0.9 + i,
        0.9 + i,
        0.9 + i,
        'AWS',
        'Amazon Elastic Compute Cloud',
        'Storage',
        'us-east-1',
        'arn:aws:ec2:us-east-1:123456789012:volume/vol-0sh0000000000009',
        'GB-Mo',
        16.4,
        'EBS:VolumeUsage.sc1',
      ].join(','),
    )
    const bill = path.join(tmp.dir, 'focus.csv')
    fs.writeFileSync(bill, `${[header, ...rows].join('\n')}\n`)
    const imported = await runCli(['collect', 'focus', bill, '--db', billed], {env})
    expect(imported.code, imported.stderr).toBe(0)
    const fromBill = path.join(tmp.dir, 'from-bill.yaml')
    fs.writeFileSync(fromBill, scenario.configYaml.replace('fromBilling: false', 'fromBilling: true'))
    const r = await runCli(
      [
        'cost',
        'allocation',
        '--db',
        billed,
        '--config',
        fromBill,
        '--from',
        scenario.days[0]!,
        '--to',
        scenario.days[1]!,
      ].concat(['-g', 'workload', '--json']),
      {env},
    )
    expect(r.code, r.stderr).toBe(0)
    const report = costAllocationSchema.parse(parseJson(r))
    expect(report.rows.find((x) => x.keys[0] === 'shop/Deployment/web')!.storageCost).toBeCloseTo(0.9 + 1.9, 9)
    expect(report.warnings.filter((w) => w.includes('sc1-cold'))).toEqual([])
  })
})
