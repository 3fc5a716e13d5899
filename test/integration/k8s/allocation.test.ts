import {describe, expect, it} from 'vitest'

import {parseConfig} from '../../../src/config/index.js'
import {loadDemoUsage} from '../../../src/demo/steps/cluster.js'
import {demoClusterObjects} from '../../../src/demo/cluster-fixture.js'
import {eachDay} from '../../../src/dates.js'
import {DigestBuilder} from '../../../src/k8s/digest.js'
import {allocateCosts, type AllocationInput, IDLE, parseAllocationKeys} from '../../../src/k8s/allocation.js'
import {snapshotContainerDays} from '../../../src/k8s/allocation-snapshot.js'
import {buildInventory, rawClusterFromObjects} from '../../../src/k8s/inventory.js'
import type {ContainerUsage, Inventory, NodeInfo, Workload} from '../../../src/model/k8s.js'
import {instanceFamily, priceNode, priceNodes, splitNodePrice} from '../../../src/k8s/prices.js'
import {GIB} from '../../../src/k8s/quantity.js'
import {openStore} from '../../../src/store/open.js'
import {replacePrices} from '../../../src/store/prices.js'
import {labelSource, nodePricesFor} from '../../../src/k8s/allocation-report.js'
import {readUsage} from '../../../src/store/usage.js'
import {renderAllocationCsv, renderAllocationTable} from '../../../src/output/allocation-format.js'
import {tempDir} from '../../helpers/cli.js'
import {expectFinopsError, namedAsFlags} from '../../helpers/errors.js'

const prices = parseConfig({}).kubernetes.prices

const node = (over: Partial<NodeInfo> = {}): NodeInfo => ({
  cluster: 'c',
  name: 'n1',
  provider: 'aws',
  capacityType: 'on-demand',
  capacityTypeSource: 'default',
  allocatable: {cpu: 3.9, memory: 15 * GIB},
  capacity: {cpu: 4, memory: 16 * GIB},
  labels: {},
  annotations: {},
  taints: [],
  ...over,
})

const workload = (
  name: string,
  podNodes: string[],
  requests: {cpu?: number; memory?: number},
  over: Partial<Workload> = {},
): Workload => ({
  cluster: 'c',
  namespace: 'ns',
  kind: 'Deployment',
  name,
  replicas: podNodes.length,
  containers: [{name: 'main', requests, limits: {}}],
  initContainers: [],
  labels: {},
  annotations: {},
  podLabels: {team: name.startsWith('a') ? 'alpha' : 'beta'},
  selector: {},
  owners: [],
  pdbs: [],
  volumes: [],
  placement: {nodeSelector: {}, tolerations: [], requiredNodeAffinity: [], nodes: [...new Set(podNodes)]},
  pods: podNodes.map((n, i) => ({name: `${name}-${i}`, node: n, phase: 'Running', containers: []})),
  restarts: 0,
  ...over,
})

const usageOf = (name: string, day: string, cpu: number, memory: number): ContainerUsage => {
  const d = new DigestBuilder()
  d.cpu.add(cpu)
  d.memory.add(memory)
  return {
    key: {cluster: 'c', namespace: 'ns', kind: 'Deployment', workload: name, container: 'main'},
    days: [{...d.toDigest(), day, source: 'prometheus'}],
  }
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0)

/** Allocation of days modelled from a snapshot: every node all day, its running pods charged as the snapshot says. */
const fromSnapshot = (
  inventory: Inventory,
  usage: readonly ContainerUsage[],
  days: readonly string[],
  groupBy: readonly string[] | undefined,
  extra: Partial<AllocationInput> = {},
) => {
  const nodePrices = priceNodes(inventory.nodes, prices)
  const snap = snapshotContainerDays({inventory, usage, uncovered: () => true, days, stepSeconds: 300})
  return allocateCosts({
    days,
    groupBy: parseAllocationKeys(groupBy),
    currency: 'USD',
    nodeDays: days.flatMap((day) =>
      inventory.nodes.map((n) => ({
        cluster: n.cluster,
        node: n.name,
        day,
        hours: 24,
        price: nodePrices.get(`${n.cluster}/${n.name}`)!,
        labels: n.labels,
      })),
    ),
    containers: snap.rows,
    labels: labelSource(inventory),
    ...extra,
  })
}

describe('node prices', () => {
  it('splits a node price with the CPU:memory ratio so cores and GiB add back up to it', () => {
    const {cpuCoreHour, memoryGiBHour} = splitNodePrice(0.192, 4, 16, prices.cpuToMemoryRatio)
    expect(4 * cpuCoreHour + 16 * memoryGiBHour).toBeCloseTo(0.192, 12)
    expect(cpuCoreHour / memoryGiBHour).toBeCloseTo(0.031611 / 0.004237, 9)
  })

  it('prefers an instance-type price, then a family price per vCPU, then default rates; spot by ratio', () => {
    const custom = parseConfig({
      kubernetes: {prices: {instanceTypes: {'m5.xlarge': 0.192}, instanceFamilies: {c5: 0.0425}, spotRatio: 0.4}},
    }).kubernetes.prices
    expect(priceNode(node({instanceType: 'm5.xlarge'}), custom)).toMatchObject({hourly: 0.192, source: 'instance-type'})
    expect(priceNode(node({instanceType: 'm5.xlarge', capacityType: 'spot'}), custom).hourly).toBeCloseTo(
      0.192 * 0.4,
      12,
    )
    expect(
      priceNode(node({instanceType: 'm5.xlarge', capacityType: 'spot'}), custom, undefined, 0.25).hourly,
    ).toBeCloseTo(0.192 * 0.25, 12)
    expect(priceNode(node({instanceType: 'c5.2xlarge', capacity: {cpu: 8, memory: 16 * GIB}}), custom)).toMatchObject({
      hourly: 0.0425 * 8,
      source: 'instance-family',
    })
    const fallback = priceNode(node({instanceType: 'r5.large'}), custom)
    expect(fallback.hourly).toBeCloseTo(4 * 0.031611 + 16 * 0.004237, 12)
    expect(priceNode(node({capacityType: 'spot'}), custom).hourly).toBeCloseTo(4 * 0.006655 + 16 * 0.000892, 12)
    expect(priceNode(node(), custom, {factor: 0.8, source: 'billing'}).hourly).toBeCloseTo(0.8 * fallback.hourly, 12)
    expect(instanceFamily('n2-standard-4')).toBe('n2-standard')
    expect(instanceFamily('Standard_D4s_v5')).toBe('Standard_D')
  })
})

describe('node prices from the store', () => {
  it('prices spot nodes at the spot/on-demand ratio of the price catalog (GCP Catalog SKUs)', () => {
    const tmp = tempDir()
    const db = openStore(`${tmp.dir}/prices.db`)
    try {
      const sku = (id: string, capacity: 'spot' | 'on-demand', price: number, what: string) => ({
        provider: 'Google Cloud',
        serviceName: 'Compute Engine',
        skuId: id,
        region: 'europe-west1',
        description: `${capacity === 'spot' ? 'Spot Preemptible ' : ''}N2 Instance ${what} running in Belgium`,
        resourceFamily: 'Compute',
        resourceGroup: what === 'Core' ? 'CPU' : 'RAM',
        usageType: capacity === 'spot' ? 'Preemptible' : 'OnDemand',
        capacity,
        familyKey: `N2 Instance ${what} running in Belgium`,
        unit: what === 'Core' ? 'h' : 'GiBy.h',
        unitPrice: price,
        currency: 'USD',
        effectiveTime: '',
      })
      replacePrices(db, 'Google Cloud', 'Compute Engine', [
        sku('a', 'on-demand', 0.0348, 'Core'),
        sku('b', 'spot', 0.0087, 'Core'),
        sku('c', 'on-demand', 0.0047, 'Ram'),
        sku('d', 'spot', 0.00117, 'Ram'),
      ])
      const custom = parseConfig({kubernetes: {prices: {instanceTypes: {'n2-standard-4': 0.194}}}}).kubernetes
      const nodes = [
        node({name: 'od', provider: 'gcp', region: 'europe-west1', instanceType: 'n2-standard-4'}),
        node({
          name: 'sp',
          provider: 'gcp',
          region: 'europe-west1',
          instanceType: 'n2-standard-4',
          capacityType: 'spot',
        }),
      ]
      const inventory: Inventory = {cluster: 'c', collectedAt: '', nodes, workloads: [], namespaces: [], warnings: []}
      const priced = nodePricesFor(db, inventory, custom, ['2024-06-01'])
      expect(priced.get('c/od')!.hourly).toBeCloseTo(0.194, 12)
      // The median of the SKU pairs' spot/on-demand ratios (0.25 and 0.2489...).
      const ratios = [0.0087 / 0.0348, 0.00117 / 0.0047].sort()
      expect(priced.get('c/sp')!.hourly).toBeCloseTo(0.194 * ((ratios[0]! + ratios[1]!) / 2), 6)
    } finally {
      db.close()
      tmp.cleanup()
    }
  })
})

describe('cost allocation', () => {
  it('charges max(request, usage) per day at the node rates and leaves the rest as idle', () => {
    const inventory: Inventory = {
      cluster: 'c',
      collectedAt: '',
      nodes: [node()],
      namespaces: [],
      warnings: [],
      workloads: [
        workload('a-light', ['n1'], {cpu: 1, memory: 2 * GIB}),
        workload('b-hot', ['n1'], {cpu: 0.5, memory: GIB}),
      ],
    }
    const days = ['2024-06-01', '2024-06-02']
    const usage = [
      usageOf('a-light', '2024-06-01', 0.2, 0.5 * GIB),
      usageOf('b-hot', '2024-06-01', 1.5, 3 * GIB),
      usageOf('b-hot', '2024-06-02', 0.1, 0.2 * GIB),
    ]
    const nodePrices = priceNodes(inventory.nodes, prices)
    const p = nodePrices.get('c/n1')!
    const report = fromSnapshot(inventory, usage, days, ['workload'])
    const light = report.rows.find((r) => r.keys[0] === 'ns/Deployment/a-light')!
    const hot = report.rows.find((r) => r.keys[0] === 'ns/Deployment/b-hot')!
    // a-light: requests both days (usage below requests).
    expect(light.cpuCoreHours).toBeCloseTo(1 * 48, 9)
    expect(light.cost).toBeCloseTo(48 * (1 * p.cpuCoreHour + 2 * p.memoryGiBHour), 9)
    // b-hot: usage above requests on day 1, requests on day 2.
    expect(hot.cpuCoreHours).toBeCloseTo(1.5 * 24 + 0.5 * 24, 9)
    expect(hot.memoryGiBHours).toBeCloseTo(3 * 24 + 1 * 24, 9)
    const nodeCost = p.hourly * 48
    expect(report.totals.nodes).toBeCloseTo(nodeCost, 9)
    expect(report.idle.cost).toBeCloseTo(nodeCost - light.cost - hot.cost, 9)
    expect(report.idle.cpuCost + report.idle.memoryCost).toBeCloseTo(report.idle.cost, 9)
  })

  it('charges native sidecars (init containers with restartPolicy Always) for the whole day, not plain init containers', () => {
    const inventory = buildInventory(
      rawClusterFromObjects([
        {
          kind: 'Node',
          metadata: {name: 'n1'},
          status: {capacity: {cpu: '4', memory: '16Gi'}, allocatable: {cpu: '4', memory: '16Gi'}},
        },
        {
          kind: 'Deployment',
          metadata: {namespace: 'ns', name: 'mesh', uid: 'd1'},
          spec: {
            replicas: 1,
            template: {
              metadata: {labels: {app: 'mesh'}},
              spec: {
                initContainers: [
                  {name: 'migrate', resources: {requests: {cpu: '2', memory: '4Gi'}}},
                  {name: 'proxy', restartPolicy: 'Always', resources: {requests: {cpu: '250m', memory: '256Mi'}}},
                ],
                containers: [{name: 'main', resources: {requests: {cpu: '1', memory: '1Gi'}}}],
              },
            },
          },
        },
        {
          kind: 'Pod',
          metadata: {
            namespace: 'ns',
            name: 'mesh-0',
            ownerReferences: [{kind: 'Deployment', name: 'mesh', uid: 'd1', controller: true}],
          },
          spec: {nodeName: 'n1'},
          status: {phase: 'Running'},
        },
      ]),
      'c',
      '2024-06-02T00:00:00Z',
    )
    const report = fromSnapshot(inventory, [], ['2024-06-01'], ['container'])
    expect(report.rows.map((r) => [r.keys[0], r.cpuCoreHours, r.memoryGiBHours])).toEqual([
      ['ns/mesh/main', 24, 24],
      ['ns/mesh/proxy', 6, 6],
    ])
  })

  it('charges a CronJob between runs for the pod-hours its Prometheus samples show, on the node of its last pod', () => {
    const cron = workload(
      'nightly',
      [],
      {cpu: 1, memory: 2 * GIB},
      {
        kind: 'CronJob',
        pods: [
          {name: 'nightly-1-abcde', node: 'n1', phase: 'Succeeded', startTime: '2024-06-01T02:00:00Z', containers: []},
        ],
      },
    )
    const inventory: Inventory = {
      cluster: 'c',
      collectedAt: '',
      nodes: [node()],
      namespaces: [],
      warnings: [],
      workloads: [cron],
    }
    const d = new DigestBuilder()
    for (let i = 0; i < 6; i++) {
      d.cpu.add(1.5)
      d.memory.add(GIB)
    }
    const usage: ContainerUsage[] = [
      {
        key: {cluster: 'c', namespace: 'ns', kind: 'CronJob', workload: 'nightly', container: 'main'},
        days: [{...d.toDigest(), day: '2024-06-01', source: 'prometheus'}],
      },
    ]
    const nodePrices = priceNodes(inventory.nodes, prices)
    const p = nodePrices.get('c/n1')!
    const report = fromSnapshot(inventory, usage, ['2024-06-01', '2024-06-02'], ['workload'])
    // 6 samples x 5 minutes = half an hour, at max(request, usage): 1.5 cores and 2 GiB.
    expect(report.rows).toHaveLength(1)
    expect(report.rows[0]!.cpuCoreHours).toBeCloseTo(1.5 * 0.5, 9)
    expect(report.rows[0]!.memoryGiBHours).toBeCloseTo(2 * 0.5, 9)
    expect(report.rows[0]!.cost).toBeCloseTo(0.5 * (1.5 * p.cpuCoreHour + 2 * p.memoryGiBHour), 9)
    expect(report.rows[0]!.cost + report.idle.cost).toBeCloseTo(report.totals.nodes, 9)
  })

  it('scales a node charged beyond its cost down to that cost, so totals still reconcile', () => {
    const inventory: Inventory = {
      cluster: 'c',
      collectedAt: '',
      nodes: [node()],
      namespaces: [],
      warnings: [],
      workloads: [workload('a', ['n1'], {cpu: 3, memory: 12 * GIB})],
    }
    const usage = [usageOf('a', '2024-06-01', 6, 20 * GIB)]
    const report = fromSnapshot(inventory, usage, ['2024-06-01'], undefined)
    expect(report.idle.cost).toBe(0)
    expect(report.rows[0]!.cost).toBeCloseTo(report.totals.nodes, 9)
  })

  describe('on the bundled cluster with 14 days of usage', () => {
    const {cluster, objects} = demoClusterObjects()
    const inventory = buildInventory(rawClusterFromObjects(objects), cluster, '2024-06-15T00:00:00Z')
    const tmp = tempDir()
    const db = openStore(`${tmp.dir}/alloc.db`)
    loadDemoUsage(db, inventory, '2024-06-14', 14)
    const days = eachDay('2024-06-01', '2024-06-14')
    const usage = readUsage(db, {from: days[0]!, to: days.at(-1)!})
    db.close()
    tmp.cleanup()
    const nodePrices = priceNodes(inventory.nodes, prices)
    const nodeTotal = sum([...nodePrices.values()].map((p) => p.hourly * 24 * days.length))

    it.each([
      ['cluster'],
      ['namespace'],
      ['workload'],
      ['node'],
      ['label:team'],
      ['controller-kind'],
      ['capacity-type'],
      ['container'],
      ['namespace,label:team'],
    ])('rows + idle = node costs when grouped by %s', (groupBy) => {
      const report = fromSnapshot(inventory, usage, days, [groupBy])
      expect(report.totals.nodes).toBeCloseTo(nodeTotal, 6)
      expect(sum(report.rows.map((r) => r.cost)) + report.idle.cost).toBeCloseTo(nodeTotal, 6)
      expect(sum(report.rows.map((r) => r.share)) + report.idle.share).toBeCloseTo(1, 9)
      expect(report.idle.cost).toBeGreaterThan(0)
      for (const n of report.nodes) expect(n.allocated + n.idle).toBeCloseTo(n.cost, 9)
    })

    it('groups by node: each node row is what was allocated on it', () => {
      const report = fromSnapshot(inventory, usage, days, ['node'])
      for (const n of report.nodes) {
        const row = report.rows.find((r) => r.keys[0] === n.node)
        expect(row?.cost ?? 0).toBeCloseTo(n.allocated, 9)
      }
    })

    it('renders a table and CSV whose idle row and totals match the report', () => {
      const report = fromSnapshot(inventory, usage, days, ['namespace'])
      const table = renderAllocationTable(report)
      expect(table).toContain(IDLE)
      expect(table).toMatch(/│ Total +│/)
      const csv = renderAllocationCsv(report).trim().split('\n')
      expect(csv[0]).toBe(
        'namespace,cpu_cost,memory_cost,gpu_cost,storage_cost,load_balancer_cost,network_cost,idle_cost,shared_cost,cost,currency,share,efficiency,' +
          'cpu_core_hours,memory_gib_hours,gpu_hours,cpu_request_core_hours,cpu_usage_core_hours,memory_request_gib_hours,memory_usage_gib_hours,from,to',
      )
      expect(csv).toHaveLength(report.rows.length + 2)
      const costs = csv.slice(1).map((line) => Number(line.split(',')[9]))
      expect(sum(costs)).toBeCloseTo(nodeTotal, 2)
    })
  })

  it('rejects unknown group-by keys with the list of valid ones', () => {
    expect(() => parseAllocationKeys(['service'])).toThrow(
      /unknown group-by key "service"; valid keys: cluster, namespace, workload/,
    )
    expect(() => parseAllocationKeys(['label:'])).toThrow(/a label key is needed/)
    // The command edge names its flag instead of the domain's word.
    const error = expectFinopsError(() => parseAllocationKeys(['label:']), {message: /^grouping label:: /})
    expect(namedAsFlags(error).message).toMatch(/^--group-by label:: a label key is needed/)
  })
})
