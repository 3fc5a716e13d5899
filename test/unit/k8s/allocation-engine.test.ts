import {describe, expect, it} from 'vitest'

import {daySlots} from '../../../src/collectors/k8s/history-prometheus.js'
import {parseConfig} from '../../../src/config/index.js'
import {allocateCosts, parseAllocationKeys} from '../../../src/k8s/allocation.js'
import {type ContainerNodeDay, mergeByNodeDay, type NodeDay} from '../../../src/k8s/allocation-model.js'
import {snapshotContainerDays} from '../../../src/k8s/allocation-snapshot.js'
import {priceNodeShape} from '../../../src/k8s/prices.js'
import type {Inventory, Workload} from '../../../src/model/k8s.js'

const prices = parseConfig({}).kubernetes.prices
const GIB = 2 ** 30

const nodeDay = (
  node: string,
  day: string,
  over: {gpus?: number; labels?: Record<string, string>; hours?: number} = {},
): NodeDay => ({
  cluster: 'c',
  node,
  day,
  hours: over.hours ?? 24,
  labels: over.labels ?? {},
  price: priceNodeShape(
    {
      cluster: 'c',
      name: node,
      capacityType: 'on-demand',
      cores: 4,
      memoryGiB: 16,
      gpus: over.gpus ?? 0,
      instanceType: 'g4dn.xlarge',
    },
    {...prices, instanceTypes: {'g4dn.xlarge': 0.526}},
  ),
})

const row = (node: string, day: string, over: Partial<ContainerNodeDay> = {}): ContainerNodeDay => ({
  cluster: 'c',
  namespace: 'ml',
  kind: 'Deployment',
  workload: 'nb',
  container: 'main',
  node,
  day,
  runningHours: 24,
  cpuRequestCoreHours: 24,
  cpuUsageCoreHours: 0,
  memoryRequestGiBHours: 48,
  memoryUsageGiBHours: 0,
  gpuRequestHours: {},
  ...over,
})

describe('the allocation engine', () => {
  it('charges time-sliced GPU shares as fractions of the node GPU rate, and leaves the rest idle as GPU', () => {
    const nd = nodeDay('g1', '2024-06-01', {gpus: 1, labels: {'nvidia.com/gpu.replicas': '4'}})
    const report = allocateCosts({
      days: ['2024-06-01'],
      groupBy: parseAllocationKeys(['workload']),
      currency: 'USD',
      nodeDays: [nd],
      containers: [row('g1', '2024-06-01', {gpuRequestHours: {nvidia_com_gpu: 24}})],
    })
    const r = report.rows[0]!
    expect(r.gpuHours).toBeCloseTo(6, 12)
    expect(r.gpuCost).toBeCloseTo(6 * nd.price.gpuHour, 12)
    expect(report.idle.gpuCost).toBeCloseTo(18 * nd.price.gpuHour, 9)
    expect(r.cost + report.idle.cost).toBeCloseTo(0.526 * 24, 9)
    // The split: cores, GiB and the GPU add up to the node's price.
    expect(4 * nd.price.cpuCoreHour + 16 * nd.price.memoryGiBHour + nd.price.gpuHour).toBeCloseTo(0.526, 12)
  })

  it('says how much ran on nodes it has no price for, and refuses an unsorted stream', () => {
    const report = allocateCosts({
      days: ['2024-06-01'],
      groupBy: parseAllocationKeys(undefined),
      currency: 'USD',
      nodeDays: [nodeDay('a', '2024-06-01')],
      containers: [row('a', '2024-06-01'), row('ghost', '2024-06-01', {cpuRequestCoreHours: 12})],
    })
    expect(report.warnings[0]).toMatch(
      /^1 container-days \(12\.0 core-hours\) ran on nodes with no price for that day and were not charged \(ghost on 2024-06-01\)/,
    )
    expect(() =>
      allocateCosts({
        days: ['2024-06-01', '2024-06-02'],
        groupBy: parseAllocationKeys(undefined),
        currency: 'USD',
        nodeDays: [],
        containers: [row('a', '2024-06-02'), row('a', '2024-06-01')],
      }),
    ).toThrow(/sorted by cluster, day and node/)
  })

  it('merges sorted streams by cluster, day and node', () => {
    const a = [row('a', '2024-06-01'), row('b', '2024-06-02')]
    const b = [row('a', '2024-06-02'), row('c', '2024-06-02')]
    expect([...mergeByNodeDay(a, b)].map((r) => `${r.day}/${r.node}`)).toEqual([
      '2024-06-01/a',
      '2024-06-02/a',
      '2024-06-02/b',
      '2024-06-02/c',
    ])
  })

  it('adds volumes (storage class price or the bill), LoadBalancers and network to their workloads', () => {
    const report = allocateCosts({
      days: ['2024-06-01'],
      groupBy: parseAllocationKeys(['workload']),
      currency: 'USD',
      nodeDays: [nodeDay('a', '2024-06-01')],
      containers: [],
      volumes: [
        {
          cluster: 'c',
          volume: 'pv1',
          day: '2024-06-01',
          hours: 24,
          sizeGiB: 100,
          gibHour: 0.08 / 730,
          namespace: 'shop',
          claim: 'data-db-0',
          ownerKind: 'StatefulSet',
          ownerWorkload: 'db',
        },
        {
          cluster: 'c',
          volume: 'pv2',
          day: '2024-06-01',
          hours: 12,
          sizeGiB: 10,
          gibHour: 1,
          billedCost: 0.5,
          namespace: '',
          claim: '',
          ownerKind: '',
          ownerWorkload: '',
        },
      ],
      services: [{cluster: 'c', namespace: 'shop', service: 'lb', day: '2024-06-01', hours: 24, hourly: 0.025}],
      network: [
        {
          cluster: 'c',
          namespace: 'shop',
          kind: 'Deployment',
          workload: 'web',
          day: '2024-06-01',
          gib: 50,
          perGiB: 0.01,
        },
      ],
    })
    const cost = (key: string) => report.rows.find((r) => r.keys[0] === key)
    expect(cost('shop/StatefulSet/db')?.storageCost).toBeCloseTo((100 * 0.08 * 24) / 730, 12)
    expect(cost('(unclaimed)/PersistentVolume/pv2')?.storageCost).toBe(0.5)
    expect(cost('shop/Service/lb')?.loadBalancerCost).toBeCloseTo(0.6, 12)
    expect(cost('shop/Deployment/web')?.networkCost).toBeCloseTo(0.5, 12)
    expect(report.totals.total).toBeCloseTo(report.totals.nodes + (100 * 0.08 * 24) / 730 + 0.5 + 0.6 + 0.5, 12)
  })
})

describe('days modelled from the snapshot', () => {
  const job = (over: Partial<Workload>): Workload => ({
    cluster: 'c',
    namespace: 'batch',
    kind: 'CronJob',
    name: 'nightly',
    replicas: 1,
    containers: [{name: 'main', requests: {cpu: 2, memory: 4 * GIB}, limits: {}}],
    initContainers: [],
    labels: {},
    annotations: {},
    podLabels: {},
    selector: {},
    owners: [],
    pdbs: [],
    volumes: [],
    placement: {nodeSelector: {}, tolerations: [], requiredNodeAffinity: [], nodes: ['n1']},
    pods: [],
    restarts: 0,
    ...over,
  })
  const inventory = (workloads: Workload[]): Inventory => ({
    cluster: 'c',
    collectedAt: '2024-06-03T06:00:00Z',
    nodes: [
      {
        cluster: 'c',
        name: 'n1',
        capacityType: 'on-demand',
        capacityTypeSource: 'default',
        allocatable: {cpu: 4, memory: 16 * GIB},
        capacity: {cpu: 4, memory: 16 * GIB},
        labels: {},
        annotations: {},
        taints: [],
      },
    ],
    namespaces: [],
    warnings: [],
    workloads,
  })

  it('charges a Job running at snapshot time from its start to the snapshot, not 24 hours on every day', () => {
    const running = job({
      pods: [
        {name: 'nightly-1-abcde', node: 'n1', phase: 'Running', startTime: '2024-06-03T04:30:00Z', containers: []},
      ],
    })
    const snap = snapshotContainerDays({
      inventory: inventory([running]),
      usage: [],
      uncovered: () => true,
      days: ['2024-06-01', '2024-06-02', '2024-06-03'],
      stepSeconds: 300,
    })
    expect(snap.rows.map((r) => [r.day, r.runningHours, r.cpuRequestCoreHours])).toEqual([['2024-06-03', 1.5, 3]])
  })

  it('names workloads whose usage it cannot place, instead of dropping it silently', () => {
    const snap = snapshotContainerDays({
      inventory: inventory([
        job({kind: 'Deployment', name: 'web', pods: [{name: 'web-1', node: 'n1', phase: 'Running', containers: []}]}),
      ]),
      usage: [
        {
          key: {cluster: 'c', namespace: 'shop', kind: 'Deployment', workload: 'gone', container: 'main'},
          days: [
            {
              day: '2024-06-01',
              source: 'prometheus',
              samples: 1,
              oomKills: 0,
              cpu: {count: 1, sum: 1, min: 1, max: 1, zero: 0, buckets: []},
              memory: {count: 1, sum: 1, min: 1, max: 1, zero: 0, buckets: []},
            },
          ],
        },
      ],
      uncovered: () => true,
      days: ['2024-06-01'],
      stepSeconds: 300,
    })
    expect(snap.absentWithUsage).toEqual(['shop/Deployment/gone'])
    expect(snap.rows.map((r) => r.workload)).toEqual(['web'])
  })

  it('models only the (day, namespace) pairs without history', () => {
    const snap = snapshotContainerDays({
      inventory: inventory([
        job({kind: 'Deployment', name: 'web', pods: [{name: 'web-1', node: 'n1', phase: 'Running', containers: []}]}),
      ]),
      usage: [],
      uncovered: (_c, day) => day === '2024-06-02',
      days: ['2024-06-01', '2024-06-02'],
      stepSeconds: 300,
    })
    expect(snap.rows.map((r) => r.day)).toEqual(['2024-06-02'])
  })
})

describe('history day slots', () => {
  it('evaluates each whole day at its last instant over exactly its instants, and today up to the window end', () => {
    const start = Date.parse('2024-06-01T00:00:00Z') / 1000
    const slots = daySlots(start, start + 2 * 86_400 + 3600, 60)
    expect(slots.map((s) => [s.day, s.at - s.start, s.range])).toEqual([
      ['2024-06-01', 86_340, 86_399],
      ['2024-06-02', 86_340, 86_399],
      ['2024-06-03', 3600, 3659],
    ])
  })
})
