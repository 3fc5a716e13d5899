/**
 * A churning cluster over whole UTC days, as kube-state-metrics and cAdvisor would have reported it
 * to Prometheus, with the exact truth alongside. Deployments scale up and down and roll out new
 * ReplicaSets, a StatefulSet pod is recreated on another node under the same name, a node is added
 * then removed (its DaemonSet pod with it), a CronJob runs a Job every few hours whose pods stay
 * Completed (running=0, as kube-state-metrics exports them), a one-off Job runs, a GPU node pool has
 * a whole-GPU node and a time-sliced one (4 replicas per GPU), PVCs (one outliving its workload),
 * a LoadBalancer Service, a workload deleted before the end (absent from the final snapshot), and
 * containers whose usage is above their requests.
 *
 * Everything is sampled like a real scrape: every 60 s at odd offsets (kube-state-metrics at :17,
 * cAdvisor at :41), pods start and stop at odd seconds, series end when the object is deleted.
 * The truth is computed from the timeline itself (continuous hours and usage integrals), not from
 * samples. `objects` are the API objects alive at the end, for the fake API server.
 */
import fs from 'node:fs'

import {splitNodePrice} from '../../src/k8s/prices.js'
import type {KubeObject} from '../servers/kube-api.js'
import {omLabel} from '../servers/prometheus.js'
import {seededRandom} from '../../src/seeded-random.js'

export const SCRAPE = 60
const KSM_OFFSET = 17
const CADVISOR_OFFSET = 41
const GIB = 2 ** 30
const DAY = 86_400

export interface NodeSpec {
  name: string
  instanceType: string
  capacityType: 'on-demand' | 'spot'
  cores: number
  memoryGiB: number
  /** Advertised GPU units (resource as the API names it) and physical GPUs. */
  gpu?: {resource: string; units: number; physical: number; labels: Record<string, string>}
  start: number
  end: number
  hourly: number
  /**
   * The node name was another instance's until `until` (an EC2 private DNS name reused with its IP):
   * that instance's capacity type and instance id are what kube-state-metrics reported before then.
   */
  before?: {until: number; capacityType: 'on-demand' | 'spot'; instanceId: string}
}

export interface Usage {
  /** Cores and GiB used in the minute starting at t (piecewise constant per minute). */
  at(t: number): {cpu: number; memoryGiB: number}
}

export interface ContainerPlan {
  name: string
  cpu: number
  memoryGiB: number
  gpu?: {resource: string; units: number}
  usage: Usage
  /** An init container (kube-state-metrics' kube_pod_init_container_* series); a native sidecar runs as long as the pod. */
  init?: boolean
  /** When it runs, if not for the pod's whole life [start, stop) (an init container, a main one waiting for it). */
  runs?: [number, number]
}

/** When a container runs: its own span, else the pod's. */
const runsOf = (c: ContainerPlan, p: PodPlan): [number, number] => c.runs ?? [p.start, p.stop]
const ksmPrefix = (c: ContainerPlan) => (c.init ? 'kube_pod_init_container' : 'kube_pod_container')

export interface PodPlan {
  namespace: string
  name: string
  uid: string
  node: string
  /** The pod's owner reference as kube_pod_owner shows it. */
  owner: {kind: string; name: string}
  /** The workload the truth charges it to. */
  workload: {kind: string; name: string}
  start: number
  /** Containers stop (Job pods complete) here; the pod object may live on. */
  stop: number
  /** The pod object is deleted here (>= stop). */
  end: number
  containers: ContainerPlan[]
  claims: string[]
  labels: Record<string, string>
  /** Bytes per second the pod transmits while its containers run (cAdvisor's pod-level network counter). */
  egressBytesPerSecond?: number
}

export interface OwnerPlan {
  namespace: string
  /** replicaset | job */
  type: 'replicaset' | 'job'
  name: string
  owner: {kind: string; name: string}
  start: number
  end: number
}

export interface ClaimPlan {
  namespace: string
  name: string
  volume: string
  storageClass: string
  sizeGiB: number
  handle: string
  start: number
  end: number
}

export interface ServicePlan {
  namespace: string
  name: string
  start: number
  end: number
}

export interface ScenarioPrices {
  instanceTypes: Record<string, number>
  spotRatio: number
  storageClasses: Record<string, number>
  defaultGiBMonth: number
  loadBalancerHour: number
  cpuToMemoryRatio: number
  gpuToMemoryRatio: number
  /** $ per GiB transmitted: set, network egress is collected (kubernetes.prometheus.network) and charged. */
  networkGiB?: number
}

export interface Truth {
  /** Cost per namespace over the allocated days (compute + volumes + load balancers). */
  namespaces: Map<string, number>
  nodes: number
  compute: number
  volumes: number
  loadBalancers: number
  /** Charged core-hours per namespace (max of request and usage per workload, container, node, day). */
  coreHours: Map<string, number>
  gpuHours: Map<string, number>
  /** GiB transmitted per namespace over the days. */
  egressGiB: Map<string, number>
}

export interface Scenario {
  start: number
  days: string[]
  end: number
  nodes: NodeSpec[]
  pods: PodPlan[]
  objects: KubeObject[]
  prices: ScenarioPrices
  /** finops.yaml with the prices. */
  configYaml: string
  /** Writes the series; `gaps` (default: the scenario's) are spans with no samples at all. */
  writeOpenMetrics(file: string, gaps?: [number, number][]): void
  truth(): Truth
}

const dayName = (t: number) => new Date(t * 1000).toISOString().slice(0, 10)

/** The scenarios' prices: these instance types, gp3 at $0.08 a GiB-month, OpenCost's default rate ratios. */
export const scenarioPrices = (instanceTypes: Record<string, number>): ScenarioPrices => ({
  instanceTypes,
  spotRatio: 0.35,
  storageClasses: {gp3: 0.08},
  defaultGiBMonth: 0.04,
  loadBalancerHour: 0.025,
  cpuToMemoryRatio: 0.031611 / 0.004237,
  gpuToMemoryRatio: 0.95 / 0.004237,
})

/** Usage that wanders around a level with a daily cycle and bursts, constant within each minute. */
export function wander(seed: number, cpu: number, memoryGiB: number, burst = 0): Usage {
  return {
    at(t) {
      const minute = Math.floor(t / 60)
      const r = seededRandom(seed * 7919 + minute)()
      const daily = 1 + 0.25 * Math.sin((2 * Math.PI * (t % DAY)) / DAY)
      const inBurst = burst > 0 && minute % 180 < 20
      return {
        cpu: Math.max(0.001, cpu * daily * (0.85 + 0.3 * r) + (inBurst ? burst : 0)),
        memoryGiB: memoryGiB * (0.95 + 0.1 * r),
      }
    },
  }
}

/** Builds the scenario for the two whole days starting at `start` (a UTC midnight). */
export function churnScenario(start: number, seed = 7): Scenario {
  const end = start + 2 * DAY
  const random = seededRandom(seed)
  const jitter = (t: number) => t + Math.floor(random() * 50) + 3
  const H = 3600
  const prices = scenarioPrices({'m5.xlarge': 0.192, 'm5.2xlarge': 0.384, 'g5.xlarge': 1.006, 'g4dn.xlarge': 0.526})
  const node = (
    name: string,
    instanceType: string,
    cores: number,
    memoryGiB: number,
    from: number,
    to: number,
    over: Partial<NodeSpec> = {},
  ): NodeSpec => {
    const capacityType = over.capacityType ?? 'on-demand'
    const hourly = prices.instanceTypes[instanceType]! * (capacityType === 'spot' ? prices.spotRatio : 1)
    return {name, instanceType, capacityType, cores, memoryGiB, start: from, end: to, hourly, ...over}
  }
  const nodes: NodeSpec[] = [
    node('ip-10-0-1-11.ec2.internal', 'm5.xlarge', 4, 16, start - 7 * DAY, end + DAY),
    node('ip-10-0-1-12.ec2.internal', 'm5.xlarge', 4, 16, start - 7 * DAY, end + DAY),
    node('ip-10-0-2-21.ec2.internal', 'm5.2xlarge', 8, 32, jitter(start + 10 * H), jitter(start + DAY + 15.5 * H)),
    node('ip-10-0-3-31.ec2.internal', 'm5.xlarge', 4, 16, start - 7 * DAY, end + DAY, {capacityType: 'spot'}),
    node('ip-10-0-4-41.ec2.internal', 'g5.xlarge', 4, 16, start - 7 * DAY, end + DAY, {
      gpu: {resource: 'nvidia.com/gpu', units: 1, physical: 1, labels: {'nvidia.com/gpu.product': 'NVIDIA-A10G'}},
    }),
    node('ip-10-0-4-42.ec2.internal', 'g4dn.xlarge', 4, 16, start - 7 * DAY, end + DAY, {
      gpu: {
        resource: 'nvidia.com/gpu',
        units: 4,
        physical: 1,
        labels: {'nvidia.com/gpu.product': 'Tesla-T4-SHARED', 'nvidia.com/gpu.replicas': '4'},
      },
    }),
  ]
  const [nA, nB, nC, nSpot, gpuWhole, gpuShared] = nodes.map((n) => n.name) as [
    string,
    string,
    string,
    string,
    string,
    string,
  ]

  const pods: PodPlan[] = []
  const owners: OwnerPlan[] = []
  let uid = 0
  const hash = () =>
    Math.floor(random() * 36 ** 5)
      .toString(36)
      .padStart(5, '0')
  const pod = (
    p: Omit<PodPlan, 'uid' | 'claims' | 'labels' | 'stop'> & Partial<Pick<PodPlan, 'claims' | 'labels' | 'stop'>>,
  ) => pods.push({claims: [], labels: {}, stop: p.end, ...p, uid: `pod-uid-${++uid}`})

  // shop/web: 3 replicas, scaled to 6 at D1 12:00, back to 2 at D2 06:00, rolled out to a new ReplicaSet at D2 14:00.
  const rs1 = `web-${hash()}6d8`
  const rs2 = `web-${hash()}7f9`
  owners.push({
    namespace: 'shop',
    type: 'replicaset',
    name: rs1,
    owner: {kind: 'Deployment', name: 'web'},
    start: start - DAY,
    end: end + DAY,
  })
  owners.push({
    namespace: 'shop',
    type: 'replicaset',
    name: rs2,
    owner: {kind: 'Deployment', name: 'web'},
    start: jitter(start + DAY + 14 * H),
    end: end + DAY,
  })
  const webContainers = (i: number): ContainerPlan[] => [
    {name: 'web', cpu: 0.5, memoryGiB: 1, usage: wander(100 + i, 0.3, 0.7, 0.9)},
    {name: 'envoy', cpu: 0.1, memoryGiB: 0.125, usage: wander(200 + i, 0.04, 0.08)},
  ]
  const webNodes = [nA, nB, nSpot, nA, nB, nC]
  for (let i = 0; i < 6; i++) {
    const from = i < 3 ? start - DAY : jitter(start + 12 * H)
    const to = i < 2 ? jitter(start + DAY + 14 * H) + 40 : jitter(start + DAY + 6 * H)
    pod({
      namespace: 'shop',
      name: `${rs1}-${hash()}`,
      node: webNodes[i]!,
      owner: {kind: 'ReplicaSet', name: rs1},
      workload: {kind: 'Deployment', name: 'web'},
      start: from,
      end: to,
      containers: webContainers(i),
      labels: {app: 'web', team: 'shop'},
    })
  }
  for (let i = 0; i < 2; i++)
    pod({
      namespace: 'shop',
      name: `${rs2}-${hash()}`,
      node: [nB, nSpot][i]!,
      owner: {kind: 'ReplicaSet', name: rs2},
      workload: {kind: 'Deployment', name: 'web'},
      start: jitter(start + DAY + 14 * H),
      end: end + DAY,
      containers: webContainers(10 + i),
      labels: {app: 'web', team: 'shop'},
    })

  // shop/db-0: a StatefulSet pod recreated on another node under the same name; memory above its request.
  const dbContainers = (): ContainerPlan[] => [{name: 'postgres', cpu: 1, memoryGiB: 4, usage: wander(300, 0.6, 5.2)}]
  const moved = jitter(start + 20 * H)
  pod({
    namespace: 'shop',
    name: 'db-0',
    node: nA,
    owner: {kind: 'StatefulSet', name: 'db'},
    workload: {kind: 'StatefulSet', name: 'db'},
    start: start - 3 * DAY,
    end: moved,
    containers: dbContainers(),
    claims: ['data-db-0'],
    labels: {app: 'db', team: 'shop'},
  })
  pod({
    namespace: 'shop',
    name: 'db-0',
    node: nB,
    owner: {kind: 'StatefulSet', name: 'db'},
    workload: {kind: 'StatefulSet', name: 'db'},
    start: moved + 37,
    end: end + DAY,
    containers: dbContainers(),
    claims: ['data-db-0'],
    labels: {app: 'db', team: 'shop'},
  })

  // batch/report: a CronJob every 3 hours; each Job's pod runs ~40 minutes and stays Completed until the next run.
  const jobStarts: number[] = []
  for (let t = start - 3 * H; t < end; t += 3 * H) jobStarts.push(t)
  jobStarts.forEach((t, i) => {
    const job = `report-${Math.floor(t / 60)}`
    const from = t + 9 + Math.floor(random() * 20)
    const stop = from + 35 * 60 + Math.floor(random() * 600)
    owners.push({
      namespace: 'batch',
      type: 'job',
      name: job,
      owner: {kind: 'CronJob', name: 'report'},
      start: from - 2,
      end: (jobStarts[i + 1] ?? end + DAY) + 60,
    })
    pod({
      namespace: 'batch',
      name: `${job}-${hash()}`,
      node: i % 2 ? nA : nSpot,
      owner: {kind: 'Job', name: job},
      workload: {kind: 'CronJob', name: 'report'},
      start: from,
      stop,
      end: (jobStarts[i + 1] ?? end + DAY) + 45,
      containers: [{name: 'report', cpu: 1, memoryGiB: 2, usage: wander(400 + i, 0.8, 1.5)}],
      labels: {team: 'data'},
    })
  })
  // batch/backfill: a one-off Job on day 2.
  const backfillStart = jitter(start + DAY + 2 * H)
  owners.push({
    namespace: 'batch',
    type: 'job',
    name: 'backfill',
    owner: {kind: '<none>', name: '<none>'},
    start: backfillStart - 5,
    end: end + DAY,
  })
  pod({
    namespace: 'batch',
    name: `backfill-${hash()}`,
    node: nC,
    owner: {kind: 'Job', name: 'backfill'},
    workload: {kind: 'Job', name: 'backfill'},
    start: backfillStart,
    stop: backfillStart + 3.5 * H + 17,
    end: end + DAY,
    containers: [{name: 'backfill', cpu: 2, memoryGiB: 4, usage: wander(500, 1.4, 3)}],
    labels: {team: 'data'},
  })

  // ml/trainer: a whole GPU from D1 08:00 to D2 20:00, then deleted (not in the final snapshot); its PVC outlives it.
  const trs = `trainer-${hash()}5c4`
  owners.push({
    namespace: 'ml',
    type: 'replicaset',
    name: trs,
    owner: {kind: 'Deployment', name: 'trainer'},
    start: start + 8 * H,
    end: start + DAY + 20 * H,
  })
  pod({
    namespace: 'ml',
    name: `${trs}-${hash()}`,
    node: gpuWhole,
    owner: {kind: 'ReplicaSet', name: trs},
    workload: {kind: 'Deployment', name: 'trainer'},
    start: jitter(start + 8 * H),
    end: jitter(start + DAY + 20 * H),
    containers: [
      {name: 'trainer', cpu: 2, memoryGiB: 8, gpu: {resource: 'nvidia.com/gpu', units: 1}, usage: wander(600, 1.7, 7)},
    ],
    claims: ['models'],
    labels: {app: 'trainer', team: 'ml'},
  })
  // ml/notebook: two replicas, each one time-sliced share (1 of 4) of the T4.
  const nrs = `notebook-${hash()}9b2`
  owners.push({
    namespace: 'ml',
    type: 'replicaset',
    name: nrs,
    owner: {kind: 'Deployment', name: 'notebook'},
    start: start - DAY,
    end: end + DAY,
  })
  for (let i = 0; i < 2; i++)
    pod({
      namespace: 'ml',
      name: `${nrs}-${hash()}`,
      node: gpuShared,
      owner: {kind: 'ReplicaSet', name: nrs},
      workload: {kind: 'Deployment', name: 'notebook'},
      start: start - DAY,
      end: end + DAY,
      containers: [
        {
          name: 'jupyter',
          cpu: 0.5,
          memoryGiB: 2,
          gpu: {resource: 'nvidia.com/gpu', units: 1},
          usage: wander(700 + i, 0.2, 1.5),
        },
      ],
      labels: {app: 'notebook', team: 'ml'},
    })

  // monitoring/prometheus: CPU above its request all the time.
  const prs = `prometheus-${hash()}a1b`
  owners.push({
    namespace: 'monitoring',
    type: 'replicaset',
    name: prs,
    owner: {kind: 'Deployment', name: 'prometheus'},
    start: start - DAY,
    end: end + DAY,
  })
  pod({
    namespace: 'monitoring',
    name: `${prs}-${hash()}`,
    node: nB,
    owner: {kind: 'ReplicaSet', name: prs},
    workload: {kind: 'Deployment', name: 'prometheus'},
    start: start - DAY,
    end: end + DAY,
    containers: [{name: 'prometheus', cpu: 0.5, memoryGiB: 3, usage: wander(800, 0.85, 2.5)}],
    claims: ['prometheus-data'],
    labels: {app: 'prometheus', team: 'platform'},
  })

  // kube-system/node-agent: a DaemonSet pod on every node while it exists.
  for (const n of nodes)
    pod({
      namespace: 'kube-system',
      name: `node-agent-${hash()}`,
      node: n.name,
      owner: {kind: 'DaemonSet', name: 'node-agent'},
      workload: {kind: 'DaemonSet', name: 'node-agent'},
      start: Math.max(n.start, start - DAY) + 20,
      end: Math.min(n.end, end + DAY),
      containers: [{name: 'agent', cpu: 0.1, memoryGiB: 0.125, usage: wander(900, 0.03, 0.1)}],
      labels: {app: 'node-agent'},
    })

  // default/debug: a bare pod for five hours.
  const debugStart = jitter(start + DAY + 9 * H)
  pod({
    namespace: 'default',
    name: 'debug',
    node: nA,
    owner: {kind: '<none>', name: '<none>'},
    workload: {kind: 'Pod', name: 'debug'},
    start: debugStart,
    end: debugStart + 5 * H + 23,
    containers: [{name: 'shell', cpu: 0.25, memoryGiB: 0.25, usage: wander(1000, 0.01, 0.05)}],
  })

  const claims: ClaimPlan[] = [
    {
      namespace: 'shop',
      name: 'data-db-0',
      volume: 'pvc-1a2b',
      storageClass: 'gp3',
      sizeGiB: 50,
      handle: 'vol-0db0000000000001',
      start: start - 3 * DAY,
      end: end + DAY,
    },
    {
      namespace: 'ml',
      name: 'models',
      volume: 'pvc-3c4d',
      storageClass: 'standard',
      sizeGiB: 200,
      handle: 'vol-0ml0000000000002',
      start: start + 7 * H,
      end: end + DAY,
    },
    {
      namespace: 'monitoring',
      name: 'prometheus-data',
      volume: 'pvc-5e6f',
      storageClass: 'gp3',
      sizeGiB: 100,
      handle: 'vol-0mo0000000000003',
      start: start - DAY,
      end: end + DAY,
    },
  ]
  const services: ServicePlan[] = [{namespace: 'shop', name: 'web-public', start: start - DAY, end: end + DAY}]

  return buildScenario({start, days: 2, nodes, pods, owners, claims, services, prices})
}

/** The parts of a cluster timeline a scenario is built from (whole UTC days from `start`). */
export interface ScenarioParts {
  start: number
  days: number
  nodes: NodeSpec[]
  pods: PodPlan[]
  owners: OwnerPlan[]
  claims: ClaimPlan[]
  services: ServicePlan[]
  prices: ScenarioPrices
  /** Spans with no sample of any series (Prometheus down, or past its retention). */
  gaps?: [number, number][]
}

/** A scenario from its timeline: the Prometheus series, the API objects at the end, the prices and the truth. */
export function buildScenario(parts: ScenarioParts): Scenario {
  const {start, nodes, pods, owners, claims, services, prices} = parts
  const days = Array.from({length: parts.days}, (_, i) => dayName(start + i * DAY))
  const end = start + parts.days * DAY
  const nodeByName = new Map(nodes.map((n) => [n.name, n]))
  const at = end + 5 * 60

  const scenario: Scenario = {
    start,
    days,
    end,
    nodes,
    pods,
    prices,
    objects: apiObjects({nodes, pods, owners, claims, services, at}),
    configYaml: [
      'kubernetes:',
      '  prices:',
      `    instanceTypes: ${JSON.stringify(prices.instanceTypes)}`,
      `    spotRatio: ${prices.spotRatio}`,
      '    fromBilling: false',
      `    storage: {defaultGiBMonth: ${prices.defaultGiBMonth}, classes: ${JSON.stringify(prices.storageClasses)}}`,
      `    loadBalancerHour: ${prices.loadBalancerHour}`,
      ...(prices.networkGiB ? [`    networkGiB: ${prices.networkGiB}`, '  prometheus:', '    network: true'] : []),
      '',
    ].join('\n'),
    writeOpenMetrics: (file, gaps = parts.gaps) =>
      writeOpenMetrics(file, {nodes, pods, owners, claims, services, start, end, gaps: gaps ?? []}),
    truth: () => computeTruth({nodes: nodeByName, pods, claims, services, days, start, prices}),
  }
  return scenario
}

/** Scrape instants of a collector with the given offset inside [from, to). */
function* scrapes(from: number, to: number, offset: number): Generator<number> {
  const first = Math.ceil((from - offset) / SCRAPE) * SCRAPE + offset
  for (let t = first; t < to; t += SCRAPE) yield t
}

function writeOpenMetrics(
  file: string,
  s: {
    nodes: NodeSpec[]
    pods: PodPlan[]
    owners: OwnerPlan[]
    claims: ClaimPlan[]
    services: ServicePlan[]
    start: number
    end: number
    gaps: [number, number][]
  },
): void {
  const fd = fs.openSync(file, 'w')
  let buffer: string[] = []
  const out = (line: string) => {
    buffer.push(line)
    if (buffer.length >= 20_000) flush()
  }
  const flush = () => {
    if (buffer.length > 0) fs.writeSync(fd, `${buffer.join('\n')}\n`)
    buffer = []
  }
  // Series start a little before the first day so rate() and lookbacks have history.
  const from = s.start - 30 * 60
  const until = s.end + 10 * 60
  const clip = (a: number, b: number): [number, number] => [Math.max(a, from), Math.min(b, until)]
  const labels = (m: Record<string, string>) =>
    Object.entries(m)
      .map(([k, v]) => `${k}="${omLabel(v)}"`)
      .join(',')
  const series = (
    name: string,
    m: Record<string, string>,
    window: [number, number],
    offset: number,
    value: (t: number) => number | undefined,
  ) => {
    const l = labels(m)
    const [a, b] = clip(...window)
    for (const t of scrapes(a, b, offset)) {
      if (s.gaps.some(([g0, g1]) => t >= g0 && t < g1)) continue
      const v = value(t)
      if (v !== undefined) out(`${name}{${l}} ${Number.isInteger(v) ? v : v.toFixed(6)} ${t}`)
    }
  }
  const family = (name: string, type: 'gauge' | 'counter', emit: () => void) => {
    out(`# TYPE ${name} ${type}`)
    emit()
  }
  const sanitize = (k: string) => k.replace(/[^a-zA-Z0-9_]/g, '_')
  const nodeLabels = (n: NodeSpec): Record<string, string> => ({
    'node.kubernetes.io/instance-type': n.instanceType,
    'topology.kubernetes.io/region': 'us-east-1',
    'karpenter.sh/capacity-type': n.capacityType,
    ...(n.gpu?.labels ?? {}),
  })
  const ksm = (t0: number, t1: number): [number, number] => [t0, t1]

  // A reused node name: the earlier instance's series until `before.until`, then the node's own.
  const lives = (n: NodeSpec): {from: number; to: number; node: NodeSpec; instanceId: string}[] => {
    const own = `i-0${n.name.slice(3, 14).replace(/[^0-9]/g, '')}`
    if (!n.before) return [{from: n.start, to: n.end, node: n, instanceId: own}]
    return [
      {
        from: n.start,
        to: n.before.until,
        node: {...n, capacityType: n.before.capacityType},
        instanceId: n.before.instanceId,
      },
      {from: n.before.until, to: n.end, node: n, instanceId: own},
    ]
  }
  family('kube_node_info', 'gauge', () => {
    for (const n of s.nodes)
      for (const life of lives(n))
        series(
          'kube_node_info',
          {
            node: n.name,
            provider_id: `aws:///us-east-1a/${life.instanceId}`,
            kernel_version: '6.1.0',
            kubelet_version: 'v1.30.2',
          },
          ksm(life.from, life.to),
          KSM_OFFSET,
          () => 1,
        )
  })
  family('kube_node_labels', 'gauge', () => {
    for (const n of s.nodes)
      for (const life of lives(n)) {
        const m: Record<string, string> = {node: n.name}
        for (const [k, v] of Object.entries(nodeLabels(life.node))) m[`label_${sanitize(k)}`] = v
        series('kube_node_labels', m, ksm(life.from, life.to), KSM_OFFSET, () => 1)
      }
  })
  family('kube_node_status_capacity', 'gauge', () => {
    for (const n of s.nodes) {
      series(
        'kube_node_status_capacity',
        {node: n.name, resource: 'cpu', unit: 'core'},
        ksm(n.start, n.end),
        KSM_OFFSET,
        () => n.cores,
      )
      series(
        'kube_node_status_capacity',
        {node: n.name, resource: 'memory', unit: 'byte'},
        ksm(n.start, n.end),
        KSM_OFFSET,
        () => n.memoryGiB * GIB,
      )
      series(
        'kube_node_status_capacity',
        {node: n.name, resource: 'pods', unit: 'integer'},
        ksm(n.start, n.end),
        KSM_OFFSET,
        () => 110,
      )
      if (n.gpu)
        series(
          'kube_node_status_capacity',
          {node: n.name, resource: sanitize(n.gpu.resource), unit: 'integer'},
          ksm(n.start, n.end),
          KSM_OFFSET,
          () => n.gpu!.units,
        )
    }
  })
  family('kube_pod_info', 'gauge', () => {
    for (const p of s.pods)
      series(
        'kube_pod_info',
        {
          namespace: p.namespace,
          pod: p.name,
          uid: p.uid,
          node: p.node,
          host_ip: '10.0.0.1',
          pod_ip: '10.1.0.1',
          created_by_kind: p.owner.kind,
          created_by_name: p.owner.name,
          priority_class: '',
        },
        ksm(p.start, p.end),
        KSM_OFFSET,
        () => 1,
      )
  })
  family('kube_pod_owner', 'gauge', () => {
    for (const p of s.pods)
      series(
        'kube_pod_owner',
        {
          namespace: p.namespace,
          pod: p.name,
          uid: p.uid,
          owner_kind: p.owner.kind,
          owner_name: p.owner.name,
          owner_is_controller: p.owner.kind === '<none>' ? '<none>' : 'true',
        },
        ksm(p.start, p.end),
        KSM_OFFSET,
        () => 1,
      )
  })
  for (const prefix of ['kube_pod_container', 'kube_pod_init_container']) {
    const of = (p: PodPlan) => p.containers.filter((c) => ksmPrefix(c) === prefix)
    family(`${prefix}_status_running`, 'gauge', () => {
      for (const p of s.pods)
        for (const c of of(p)) {
          const [from, to] = runsOf(c, p)
          series(
            `${prefix}_status_running`,
            {namespace: p.namespace, pod: p.name, uid: p.uid, container: c.name},
            ksm(p.start, p.end),
            KSM_OFFSET,
            (t) => (t >= from && t < to ? 1 : 0),
          )
        }
    })
    family(`${prefix}_resource_requests`, 'gauge', () => {
      for (const p of s.pods)
        for (const c of of(p)) {
          const base = {namespace: p.namespace, pod: p.name, uid: p.uid, container: c.name, node: p.node}
          const requests: [string, string, number][] = [
            ['cpu', 'core', c.cpu],
            ['memory', 'byte', c.memoryGiB * GIB],
            ...(c.gpu ? [[sanitize(c.gpu.resource), 'integer', c.gpu.units] as [string, string, number]] : []),
          ]
          for (const [resource, unit, value] of requests)
            series(
              `${prefix}_resource_requests`,
              {...base, resource, unit},
              ksm(p.start, p.end),
              KSM_OFFSET,
              () => value,
            )
        }
    })
  }
  family('kube_pod_spec_volumes_persistentvolumeclaims_info', 'gauge', () => {
    for (const p of s.pods)
      for (const claim of p.claims)
        series(
          'kube_pod_spec_volumes_persistentvolumeclaims_info',
          {namespace: p.namespace, pod: p.name, uid: p.uid, volume: 'data', persistentvolumeclaim: claim},
          ksm(p.start, p.end),
          KSM_OFFSET,
          () => 1,
        )
  })
  family('kube_replicaset_owner', 'gauge', () => {
    for (const o of s.owners.filter((x) => x.type === 'replicaset'))
      series(
        'kube_replicaset_owner',
        {
          namespace: o.namespace,
          replicaset: o.name,
          owner_kind: o.owner.kind,
          owner_name: o.owner.name,
          owner_is_controller: 'true',
        },
        ksm(o.start, o.end),
        KSM_OFFSET,
        () => 1,
      )
  })
  family('kube_job_owner', 'gauge', () => {
    for (const o of s.owners.filter((x) => x.type === 'job'))
      series(
        'kube_job_owner',
        {
          namespace: o.namespace,
          job_name: o.name,
          owner_kind: o.owner.kind,
          owner_name: o.owner.name,
          owner_is_controller: o.owner.kind === '<none>' ? '<none>' : 'true',
        },
        ksm(o.start, o.end),
        KSM_OFFSET,
        () => 1,
      )
  })
  family('kube_persistentvolumeclaim_info', 'gauge', () => {
    for (const c of s.claims)
      series(
        'kube_persistentvolumeclaim_info',
        {
          namespace: c.namespace,
          persistentvolumeclaim: c.name,
          storageclass: c.storageClass,
          volumename: c.volume,
          volumemode: 'Filesystem',
        },
        ksm(c.start, c.end),
        KSM_OFFSET,
        () => 1,
      )
  })
  family('kube_persistentvolume_capacity_bytes', 'gauge', () => {
    for (const c of s.claims)
      series(
        'kube_persistentvolume_capacity_bytes',
        {persistentvolume: c.volume},
        ksm(c.start, c.end),
        KSM_OFFSET,
        () => c.sizeGiB * GIB,
      )
  })
  family('kube_persistentvolume_info', 'gauge', () => {
    for (const c of s.claims)
      series(
        'kube_persistentvolume_info',
        {
          persistentvolume: c.volume,
          storageclass: c.storageClass,
          csi_driver: 'ebs.csi.aws.com',
          csi_volume_handle: c.handle,
        },
        ksm(c.start, c.end),
        KSM_OFFSET,
        () => 1,
      )
  })
  family('kube_service_spec_type', 'gauge', () => {
    for (const sv of s.services)
      series(
        'kube_service_spec_type',
        {namespace: sv.namespace, service: sv.name, uid: `svc-${sv.name}`, type: 'LoadBalancer'},
        ksm(sv.start, sv.end),
        KSM_OFFSET,
        () => 1,
      )
    series(
      'kube_service_spec_type',
      {namespace: 'shop', service: 'web', uid: 'svc-web', type: 'ClusterIP'},
      ksm(s.start - DAY, s.end + DAY),
      KSM_OFFSET,
      () => 1,
    )
  })
  family('kube_pod_container_status_restarts_total', 'counter', () => {
    for (const p of s.pods)
      for (const c of p.containers)
        series(
          'kube_pod_container_status_restarts_total',
          {namespace: p.namespace, pod: p.name, uid: p.uid, container: c.name},
          ksm(p.start, p.end),
          KSM_OFFSET,
          () => 0,
        )
  })
  // cAdvisor: the CPU counter is the integral of usage since the container started.
  family('container_cpu_usage_seconds_total', 'counter', () => {
    for (const p of s.pods)
      for (const c of p.containers) {
        let counter = 0
        let last = runsOf(c, p)[0]
        series(
          'container_cpu_usage_seconds_total',
          {
            namespace: p.namespace,
            pod: p.name,
            container: c.name,
            id: `/kubepods/${p.uid}/${c.name}`,
            image: `${c.name}:1`,
          },
          runsOf(c, p),
          CADVISOR_OFFSET,
          (t) => {
            counter += integrate(c.usage, last, t, (u) => u.cpu)
            last = t
            return counter
          },
        )
      }
  })
  family('container_memory_working_set_bytes', 'gauge', () => {
    for (const p of s.pods)
      for (const c of p.containers)
        series(
          'container_memory_working_set_bytes',
          {
            namespace: p.namespace,
            pod: p.name,
            container: c.name,
            id: `/kubepods/${p.uid}/${c.name}`,
            image: `${c.name}:1`,
          },
          runsOf(c, p),
          CADVISOR_OFFSET,
          (t) => Math.round(c.usage.at(t).memoryGiB * GIB),
        )
  })
  // cAdvisor's pod-level network counter (container="", one series per interface), from the pod start.
  family('container_network_transmit_bytes_total', 'counter', () => {
    for (const p of s.pods) {
      const rate = p.egressBytesPerSecond
      if (!rate) continue
      series(
        'container_network_transmit_bytes_total',
        {namespace: p.namespace, pod: p.name, interface: 'eth0', id: `/kubepods/${p.uid}`, image: ''},
        [p.start, p.stop],
        CADVISOR_OFFSET,
        (t) => Math.round((t - p.start) * rate),
      )
    }
  })
  out('# EOF')
  flush()
  fs.closeSync(fd)
}

/** ∫ pick(usage) dt over [a, b), usage constant per minute. */
function integrate(u: Usage, a: number, b: number, pick: (v: {cpu: number; memoryGiB: number}) => number): number {
  let sum = 0
  for (let t = a; t < b;) {
    const next = Math.min(b, (Math.floor(t / 60) + 1) * 60)
    sum += pick(u.at(t)) * (next - t)
    t = next
  }
  return sum
}

function computeTruth(s: {
  nodes: Map<string, NodeSpec>
  pods: PodPlan[]
  claims: ClaimPlan[]
  services: ServicePlan[]
  days: string[]
  start: number
  prices: ScenarioPrices
}): Truth {
  const truth: Truth = {
    namespaces: new Map(),
    nodes: 0,
    compute: 0,
    volumes: 0,
    loadBalancers: 0,
    coreHours: new Map(),
    gpuHours: new Map(),
    egressGiB: new Map(),
  }
  const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v)
  type Unit = {
    ns: string
    node: string
    day: string
    cpuReq: number
    cpuUse: number
    memReq: number
    memUse: number
    gpu: number
  }
  const units = new Map<string, Unit>()
  for (let d = 0; d < s.days.length; d++) {
    const dayStart = s.start + d * DAY
    const dayEnd = dayStart + DAY
    const day = s.days[d]!
    for (const p of s.pods) {
      const a = Math.max(p.start, dayStart)
      const b = Math.min(p.stop, dayEnd)
      if (b <= a) continue
      if (p.egressBytesPerSecond) {
        const gib = ((b - a) * p.egressBytesPerSecond) / GIB
        add(truth.egressGiB, p.namespace, gib)
        if (s.prices.networkGiB) add(truth.namespaces, p.namespace, gib * s.prices.networkGiB)
      }
      const n = s.nodes.get(p.node)!
      for (const c of p.containers) {
        const [from, to] = runsOf(c, p)
        const ca = Math.max(from, dayStart)
        const cb = Math.min(to, dayEnd)
        if (cb <= ca) continue
        const cHours = (cb - ca) / 3600
        const id = `${p.namespace}/${p.workload.kind}/${p.workload.name}/${c.name}/${p.node}/${day}`
        const u = units.get(id) ?? {
          ns: p.namespace,
          node: p.node,
          day,
          cpuReq: 0,
          cpuUse: 0,
          memReq: 0,
          memUse: 0,
          gpu: 0,
        }
        u.cpuReq += c.cpu * cHours
        u.memReq += c.memoryGiB * cHours
        u.cpuUse += integrate(c.usage, ca, cb, (x) => x.cpu) / 3600
        u.memUse += integrate(c.usage, ca, cb, (x) => x.memoryGiB) / 3600
        if (c.gpu && n.gpu) u.gpu += c.gpu.units * (n.gpu.physical / n.gpu.units) * cHours
        units.set(id, u)
      }
    }
    for (const n of s.nodes.values()) {
      const hours = Math.max(0, Math.min(n.end, dayEnd) - Math.max(n.start, dayStart)) / 3600
      truth.nodes += n.hourly * hours
    }
    for (const c of s.claims) {
      const hours = Math.max(0, Math.min(c.end, dayEnd) - Math.max(c.start, dayStart)) / 3600
      const cost = ((c.sizeGiB * (s.prices.storageClasses[c.storageClass] ?? s.prices.defaultGiBMonth)) / 730) * hours
      truth.volumes += cost
      add(truth.namespaces, c.namespace, cost)
    }
    for (const sv of s.services) {
      const hours = Math.max(0, Math.min(sv.end, dayEnd) - Math.max(sv.start, dayStart)) / 3600
      truth.loadBalancers += s.prices.loadBalancerHour * hours
      add(truth.namespaces, sv.namespace, s.prices.loadBalancerHour * hours)
    }
  }
  // Node-day rates: the node price split over its cores, GiB and physical GPUs.
  const charges = new Map<string, number>()
  for (const u of units.values()) {
    const n = s.nodes.get(u.node)!
    const r = splitNodePrice(
      n.hourly,
      n.cores,
      n.memoryGiB,
      s.prices.cpuToMemoryRatio,
      n.gpu?.physical ?? 0,
      s.prices.gpuToMemoryRatio,
    )
    const cost =
      Math.max(u.cpuReq, u.cpuUse) * r.cpuCoreHour + Math.max(u.memReq, u.memUse) * r.memoryGiBHour + u.gpu * r.gpuHour
    add(truth.namespaces, u.ns, cost)
    add(truth.coreHours, u.ns, Math.max(u.cpuReq, u.cpuUse))
    add(truth.gpuHours, u.ns, u.gpu)
    add(charges, `${u.node}/${u.day}`, cost)
    truth.compute += cost
  }
  // The scenario is built so no node-day is over-committed (allocation would scale it down).
  for (const [key, charged] of charges) {
    const [node, day] = key.split('/') as [string, string]
    const n = s.nodes.get(node)!
    const dayStart = s.start + s.days.indexOf(day) * DAY
    const hours = Math.max(0, Math.min(n.end, dayStart + DAY) - Math.max(n.start, dayStart)) / 3600
    if (charged > n.hourly * hours * 1.0001)
      throw new Error(`scenario over-commits ${key}: ${charged} > ${n.hourly * hours}`)
  }
  return truth
}

/** The API objects alive at `at`, as `collect k8s` would list them. */
function apiObjects(s: {
  nodes: NodeSpec[]
  pods: PodPlan[]
  owners: OwnerPlan[]
  claims: ClaimPlan[]
  services: ServicePlan[]
  at: number
}): KubeObject[] {
  const alive = (o: {start: number; end: number}) => o.start <= s.at && o.end > s.at
  const iso = (t: number) => new Date(t * 1000).toISOString()
  const objects: KubeObject[] = []
  for (const ns of ['shop', 'batch', 'ml', 'monitoring', 'kube-system', 'default'])
    objects.push({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {name: ns, labels: ns === 'kube-system' || ns === 'monitoring' ? {team: 'platform'} : {}},
    })
  for (const n of s.nodes.filter(alive))
    objects.push({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: n.name,
        labels: {
          'node.kubernetes.io/instance-type': n.instanceType,
          'topology.kubernetes.io/region': 'us-east-1',
          'topology.kubernetes.io/zone': 'us-east-1a',
          'karpenter.sh/capacity-type': n.capacityType,
          ...(n.gpu?.labels ?? {}),
        },
        creationTimestamp: iso(n.start),
      },
      spec: {providerID: `aws:///us-east-1a/i-0${n.name.slice(3, 14).replace(/[^0-9]/g, '')}`},
      status: {
        capacity: {
          cpu: String(n.cores),
          memory: `${n.memoryGiB}Gi`,
          pods: '110',
          ...(n.gpu ? {[n.gpu.resource]: String(n.gpu.units)} : {}),
        },
        allocatable: {
          cpu: `${n.cores * 1000 - 90}m`,
          memory: `${n.memoryGiB * 1024 - 700}Mi`,
          pods: '110',
          ...(n.gpu ? {[n.gpu.resource]: String(n.gpu.units)} : {}),
        },
      },
    })
  const template = (containers: ContainerPlan[], labels: Record<string, string>) => ({
    metadata: {labels},
    spec: {
      containers: containers.map((c) => ({
        name: c.name,
        image: `${c.name}:1`,
        resources: {
          requests: {
            cpu: `${Math.round(c.cpu * 1000)}m`,
            memory: `${Math.round(c.memoryGiB * 1024)}Mi`,
            ...(c.gpu ? {[c.gpu.resource]: String(c.gpu.units)} : {}),
          },
        },
      })),
    },
  })
  const alivePods = s.pods.filter(alive)
  const firstPod = (kind: string, name: string) =>
    s.pods.filter((p) => p.workload.kind === kind && p.workload.name === name).at(-1)!
  const workloads: [string, string, string][] = []
  for (const p of alivePods)
    if (!workloads.some(([ns, k, n]) => ns === p.namespace && k === p.workload.kind && n === p.workload.name))
      workloads.push([p.namespace, p.workload.kind, p.workload.name])
  for (const [namespace, kind, name] of workloads) {
    const sample = firstPod(kind, name)
    const replicas = alivePods.filter(
      (p) => p.workload.kind === kind && p.workload.name === name && p.stop > s.at,
    ).length
    const meta = {name, namespace, labels: {...sample.labels}, uid: `${kind}-${name}`}
    if (kind === 'Deployment')
      objects.push({
        apiVersion: 'apps/v1',
        kind,
        metadata: meta,
        spec: {replicas, selector: {matchLabels: {app: name}}, template: template(sample.containers, sample.labels)},
        status: {replicas, readyReplicas: replicas},
      })
    else if (kind === 'StatefulSet')
      objects.push({
        apiVersion: 'apps/v1',
        kind,
        metadata: meta,
        spec: {replicas, selector: {matchLabels: {app: name}}, template: template(sample.containers, sample.labels)},
        status: {replicas, readyReplicas: replicas},
      })
    else if (kind === 'DaemonSet')
      objects.push({
        apiVersion: 'apps/v1',
        kind,
        metadata: meta,
        spec: {selector: {matchLabels: {app: name}}, template: template(sample.containers, sample.labels)},
        status: {desiredNumberScheduled: replicas, numberReady: replicas},
      })
    else if (kind === 'CronJob')
      objects.push({
        apiVersion: 'batch/v1',
        kind,
        metadata: meta,
        spec: {schedule: '0 */3 * * *', jobTemplate: {spec: {template: template(sample.containers, sample.labels)}}},
      })
    else if (kind === 'Job')
      objects.push({
        apiVersion: 'batch/v1',
        kind,
        metadata: meta,
        spec: {template: template(sample.containers, sample.labels)},
        status: {succeeded: 1},
      })
  }
  for (const o of s.owners.filter(alive)) {
    const owner =
      o.owner.kind === '<none>'
        ? undefined
        : {
            apiVersion: o.type === 'replicaset' ? 'apps/v1' : 'batch/v1',
            kind: o.owner.kind,
            name: o.owner.name,
            uid: `${o.owner.kind}-${o.owner.name}`,
            controller: true,
          }
    const podOf = s.pods.find((p) => p.owner.name === o.name)
    if (o.type === 'replicaset')
      objects.push({
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: {
          name: o.name,
          namespace: o.namespace,
          uid: `ReplicaSet-${o.name}`,
          ownerReferences: owner ? [owner] : [],
        },
        spec: {replicas: 1, template: template(podOf?.containers ?? [], podOf?.labels ?? {})},
      })
    else if (owner)
      objects.push({
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: {name: o.name, namespace: o.namespace, uid: `Job-${o.name}`, ownerReferences: [owner]},
        spec: {template: template(podOf?.containers ?? [], podOf?.labels ?? {})},
        status: {succeeded: 1},
      })
  }
  for (const p of alivePods) {
    const ownerUid =
      p.owner.kind === '<none>'
        ? undefined
        : p.owner.kind === 'Job' && p.workload.kind === 'Job'
          ? `Job-${p.owner.name}`
          : `${p.owner.kind}-${p.owner.name}`
    objects.push({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: p.name,
        namespace: p.namespace,
        uid: p.uid,
        labels: p.labels,
        creationTimestamp: iso(p.start),
        ownerReferences: ownerUid
          ? [{apiVersion: 'apps/v1', kind: p.owner.kind, name: p.owner.name, uid: ownerUid, controller: true}]
          : [],
      },
      spec: {
        nodeName: p.node,
        ...template(p.containers, p.labels).spec,
        volumes: p.claims.map((claim) => ({name: 'data', persistentVolumeClaim: {claimName: claim}})),
      },
      status: {
        phase: p.stop > s.at ? 'Running' : 'Succeeded',
        startTime: iso(p.start),
        containerStatuses: p.containers.map((c) => ({name: c.name, restartCount: 0})),
      },
    })
  }
  for (const c of s.claims.filter(alive)) {
    objects.push({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: {name: c.name, namespace: c.namespace},
      spec: {
        storageClassName: c.storageClass,
        volumeName: c.volume,
        resources: {requests: {storage: `${c.sizeGiB}Gi`}},
      },
      status: {phase: 'Bound'},
    })
    objects.push({
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: {name: c.volume},
      spec: {
        storageClassName: c.storageClass,
        capacity: {storage: `${c.sizeGiB}Gi`},
        csi: {driver: 'ebs.csi.aws.com', volumeHandle: c.handle},
        claimRef: {namespace: c.namespace, name: c.name},
      },
    })
  }
  for (const sv of s.services.filter(alive))
    objects.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {name: sv.name, namespace: sv.namespace},
      spec: {type: 'LoadBalancer', selector: {app: 'web'}, ports: [{port: 443}]},
    })
  return objects
}
