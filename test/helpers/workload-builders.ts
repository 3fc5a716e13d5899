import {DigestBuilder} from '../../src/k8s/digest.js'
import type {ContainerUsage, DailyUsage, Inventory, NodeInfo, Workload} from '../../src/model/k8s.js'
import {containerKeyId} from '../../src/model/k8s.js'
import type {RecommenderInput} from '../../recommenders/context.js'
import {createPriceLookup} from '../../recommenders/pricing.js'
import {defaultRecommendSettings, type RecommendSettings} from '../../recommenders/settings.js'

/** OpenCost's default on-demand rates, the fallback kubernetes.prices uses. */
export const DEFAULT_RATES = {cpuCoreHour: 0.031611, memoryGiBHour: 0.004237}

export const MIB = 2 ** 20
export const GIB = 2 ** 30

/** A Deployment with one container 'app' and sensible defaults; override anything. */
export function workload(over: Partial<Workload> = {}): Workload {
  return {
    cluster: 'c1',
    namespace: 'shop',
    kind: 'Deployment',
    name: 'api',
    replicas: 3,
    containers: [{name: 'app', requests: {cpu: 1, memory: 1 * GIB}, limits: {memory: 1 * GIB}}],
    initContainers: [],
    labels: {},
    annotations: {},
    podLabels: {app: 'api'},
    selector: {app: 'api'},
    owners: [],
    pdbs: [],
    volumes: [],
    placement: {nodeSelector: {}, tolerations: [], requiredNodeAffinity: [], nodes: ['n1', 'n2']},
    pods: [
      {name: 'api-1', node: 'n1', containers: []},
      {name: 'api-2', node: 'n2', containers: []},
    ],
    restarts: 0,
    ...over,
  }
}

export function node(name: string, over: Partial<NodeInfo> = {}): NodeInfo {
  return {
    cluster: 'c1',
    name,
    provider: 'aws',
    capacityType: 'on-demand',
    capacityTypeSource: 'eks.amazonaws.com/capacityType',
    region: 'eu-west-1',
    allocatable: {cpu: 4, memory: 16 * GIB},
    capacity: {cpu: 4, memory: 16 * GIB},
    labels: {},
    annotations: {},
    taints: [],
    ...over,
  }
}

/** One day's digest from per-sample generators (index 0..samples-1 over the day). */
export function day(
  date: string,
  samples: number,
  cpu: (i: number) => number,
  memory: (i: number) => number,
  oomKills = 0,
): DailyUsage {
  const builder = new DigestBuilder()
  for (let i = 0; i < samples; i++) {
    builder.cpu.add(cpu(i))
    builder.memory.add(memory(i))
  }
  builder.oomKills = oomKills
  return {...builder.toDigest(), day: date, source: 'prometheus'}
}

/** `n` consecutive days from 2024-03-01, 288 samples each (5-minute steps). */
export function days(
  n: number,
  cpu: (i: number, d: number) => number,
  memory: (i: number, d: number) => number,
  oomOn: number[] = [],
): DailyUsage[] {
  return Array.from({length: n}, (_, d) =>
    day(
      `2024-03-${String(d + 1).padStart(2, '0')}`,
      288,
      (i) => cpu(i, d),
      (i) => memory(i, d),
      oomOn.includes(d) ? 1 : 0,
    ),
  )
}

export function usageFor(w: Workload, container: string, usageDays: DailyUsage[]): [string, ContainerUsage] {
  const key = {cluster: w.cluster, namespace: w.namespace, kind: w.kind, workload: w.name, container}
  return [containerKeyId(key), {key, days: usageDays}]
}

export function input(
  workloads: Workload[],
  usage: [string, ContainerUsage][] = [],
  over: {nodes?: NodeInfo[]; settings?: RecommendSettings; now?: Date; namespaces?: Inventory['namespaces']} = {},
): RecommenderInput {
  const settings = over.settings ?? defaultRecommendSettings()
  const nodes = over.nodes ?? [node('n1'), node('n2')]
  return {
    inventory: {
      cluster: 'c1',
      collectedAt: '2024-03-15T00:00:00Z',
      workloads,
      nodes,
      namespaces: over.namespaces ?? [],
      warnings: [],
    },
    usage: new Map(usage),
    prices: createPriceLookup(nodes, {
      currency: 'USD',
      ...DEFAULT_RATES,
      defaultSpotRatio: settings.spot.defaultPriceRatio,
    }),
    settings,
    now: over.now ?? new Date('2024-03-15T00:00:00Z'),
  }
}
