import fs from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {addDays, eachDay} from '../../src/dates.js'
import {loadDemoCluster, loadDemoUsage} from '../../src/demo/steps/cluster.js'
import {parseQuantity} from '../../src/k8s/quantity.js'
import {collectUsageSchema, costAllocationSchema} from '../../src/k8s/schemas.js'
import {replaceCosts} from '../../src/store/cost-writer.js'
import {openStore} from '../../src/store/open.js'
import {readUsage} from '../../src/store/usage.js'
import {parseJson, runCli, tempDir} from '../helpers/cli.js'
import type {KubeApiServer} from '../servers/kube-api.js'
import {type ClusterFixture, startFixtureKubeApi} from '../servers/kube-fixture.js'

const TODAY = '2024-06-15'
const env = {FINOPS_NOW: `${TODAY}T08:00:00Z`}
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0)

describe('finops cost allocation (built CLI)', () => {
  const tmp = tempDir()
  const seeded = (name: string, billingFactor?: number): string => {
    const file = path.join(tmp.dir, name)
    const db = openStore(file)
    const inventory = loadDemoCluster(db, TODAY)
    loadDemoUsage(db, inventory, addDays(TODAY, -1), 14)
    if (billingFactor !== undefined) {
      const days = eachDay('2024-06-01', '2024-06-14')
      replaceCosts(
        db,
        [{kind: 'days', source: 'test', provider: 'AWS', billingAccountId: '1', from: days[0]!, to: days.at(-1)!}],
        days.map((day) => ({
          day,
          billingPeriodStart: '2024-06-01',
          provider: 'AWS',
          billingAccountId: '1',
          subAccountId: '',
          serviceName: 'Amazon Elastic Compute Cloud',
          serviceCategory: 'Compute',
          regionId: 'eu-west-1',
          chargeCategory: 'Usage',
          chargeFrequency: 'Usage-Based',
          currency: 'USD',
          tags: {},
          billedCost: 100 * billingFactor,
          effectiveCost: 100 * billingFactor,
          listCost: 100,
          contractedCost: 0,
        })),
        {source: 'test', location: 'test', startedAt: new Date().toISOString(), rowsRead: days.length, rowsSkipped: 0},
      )
    }
    db.close()
    return file
  }
  afterAll(() => tmp.cleanup())

  it('prints JSON whose rows and idle add up to the node and volume costs', async () => {
    const db = seeded('a.db')
    const r = await runCli(['cost', 'allocation', '--db', db, '--window', '7d', '--group-by', 'namespace', '--json'], {
      env,
    })
    expect(r.code, r.stderr).toBe(0)
    const report = costAllocationSchema.parse(parseJson(r))
    expect(report).toMatchObject({
      from: '2024-06-08',
      to: '2024-06-14',
      days: 7,
      currency: 'USD',
      groupBy: ['namespace'],
    })
    expect(report.nodes).toHaveLength(6)
    // Nodes, plus the claims the snapshot's workloads mount.
    expect(report.totals.volumes).toBeGreaterThan(0)
    expect(sum(report.rows.map((x) => x.cost)) + report.idle.cost).toBeCloseTo(
      sum(report.nodes.map((n) => n.cost)) + report.totals.volumes,
      6,
    )
    expect(report.rows.map((x) => x.cost)).toEqual([...report.rows.map((x) => x.cost)].sort((a, b) => b - a))
    expect(new Set(report.rows.map((x) => x.keys[0]))).toEqual(
      new Set(['shop', 'data', 'staging', 'monitoring', 'kube-system', 'default']),
    )
  })

  it('prints a table with the idle and total rows, and CSV', async () => {
    const db = seeded('b.db')
    const table = await runCli(
      ['cost', 'allocation', '--db', db, '--from', '2024-06-10', '--to', '2024-06-14', '-g', 'label:team'],
      {env},
    )
    expect(table.code, table.stderr).toBe(0)
    expect(table.stdout).toMatch(/Kubernetes cost allocation 2024-06-10 to 2024-06-14 \(5 days, 6 nodes\)/)
    expect(table.stdout).toMatch(/│ \(idle\) +│/)
    expect(table.stdout).toMatch(/│ shop +│/)
    const csv = await runCli(['cost', 'allocation', '--db', db, '--window', '3d', '-g', 'workload', '--csv'], {env})
    expect(csv.code, csv.stderr).toBe(0)
    const lines = csv.stdout.trim().split('\n')
    expect(lines[0]).toBe(
      'workload,cpu_cost,memory_cost,gpu_cost,storage_cost,load_balancer_cost,network_cost,idle_cost,shared_cost,cost,currency,share,efficiency,' +
        'cpu_core_hours,memory_gib_hours,gpu_hours,cpu_request_core_hours,cpu_usage_core_hours,memory_request_gib_hours,memory_usage_gib_hours,from,to',
    )
    expect(lines.at(-1)).toMatch(/^\(idle\),/)
    expect(lines.some((l) => l.startsWith('shop/Deployment/web,'))).toBe(true)
  })

  it('prices on-demand nodes at the effective/list ratio billing shows for compute', async () => {
    const plain = costAllocationSchema.parse(
      parseJson(await runCli(['cost', 'allocation', '--db', seeded('c.db'), '--window', '7d', '--json'], {env})),
    )
    const billed = costAllocationSchema.parse(
      parseJson(await runCli(['cost', 'allocation', '--db', seeded('d.db', 0.7), '--window', '7d', '--json'], {env})),
    )
    for (const n of billed.nodes) {
      const base = plain.nodes.find((p) => p.node === n.node)!
      expect(n.cost).toBeCloseTo(base.cost * (n.capacityType === 'on-demand' ? 0.7 : 1), 9)
      if (n.capacityType === 'on-demand') expect(n.source).toMatch(/billing effective\/list 0\.700/)
    }
  })

  it('charges the claims the snapshot workloads mount on days modelled from it, and says what it cannot charge', async () => {
    const r = await runCli(
      ['cost', 'allocation', '--db', seeded('f.db'), '--window', '7d', '-g', 'workload', '--json'],
      {
        env,
      },
    )
    expect(r.code, r.stderr).toBe(0)
    const report = costAllocationSchema.parse(parseJson(r))
    expect(report.sources.snapshot).toHaveLength(7)
    // postgres' 100 GiB data claim and kafka's three 500 GiB log claims, at the default $0.04/GiB-month.
    const perGiB = (0.04 / 730) * 24 * 7
    expect(report.rows.find((x) => x.keys[0] === 'shop/StatefulSet/postgres')!.storageCost).toBeCloseTo(100 * perGiB, 9)
    expect(report.rows.find((x) => x.keys[0] === 'data/StatefulSet/kafka')!.storageCost).toBeCloseTo(1500 * perGiB, 9)
    expect(report.totals.volumes).toBeCloseTo(1600 * perGiB, 9)
    expect(sum(report.rows.map((x) => x.cost)) + report.idle.cost).toBeCloseTo(report.totals.total, 9)
    const warnings = report.warnings.join('\n')
    expect(warnings).toMatch(/LoadBalancer Services and volumes no workload mounts are not in the snapshot/)
    expect(warnings).toMatch(/1 volume \(100 GiB\) of storage class gp3 has no price/)
    expect(warnings).toMatch(/3 volumes \(1,500 GiB\) of storage class local-nvme have no price/)
  })

  it('fails clearly on bad flags and on a store without a snapshot', async () => {
    const db = seeded('e.db')
    const bad = await runCli(['cost', 'allocation', '--db', db, '-g', 'service'], {env})
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/unknown group-by key "service"; valid keys: cluster, namespace, workload/)
    const window = await runCli(['cost', 'allocation', '--db', db, '--window', '7x'], {env})
    expect(window.code).toBe(2)
    expect(window.stderr).toMatch(/--window 7x: expected a number of days/)
    const emptyStore = path.join(tmp.dir, 'empty.db')
    openStore(emptyStore).close()
    const empty = await runCli(['cost', 'allocation', '--db', emptyStore], {env})
    expect(empty.code).toBe(8)
    expect(empty.stderr).toMatch(
      /^Error: no Kubernetes snapshot or history in the store for 2024-06-08 to 2024-06-14 \(run `finops collect k8s` and `finops collect usage` first/,
    )
  })
})

describe('finops collect usage --source metrics-server (built CLI against the local Kubernetes API)', () => {
  let server: KubeApiServer
  let fixture: ClusterFixture
  let tmp: {dir: string; cleanup: () => void}
  let kubeconfig: string

  beforeAll(async () => {
    ;({server, fixture} = await startFixtureKubeApi())
    tmp = tempDir()
    kubeconfig = path.join(tmp.dir, 'kubeconfig')
    fs.writeFileSync(kubeconfig, server.kubeconfig({context: 'eks-demo'}))
  })
  afterAll(async () => {
    await server.close()
    tmp.cleanup()
  })

  it('merges one sample per run into the day digest of each workload container', async () => {
    const db = path.join(tmp.dir, 'ms.db')
    expect((await runCli(['collect', 'k8s', '--kubeconfig', kubeconfig, '--db', db])).code).toBe(0)
    for (let run = 0; run < 2; run++) {
      const r = await runCli([
        'collect',
        'usage',
        '--source',
        'metrics-server',
        '--kubeconfig',
        kubeconfig,
        '--db',
        db,
        '--json',
      ])
      expect(r.code, r.stderr).toBe(0)
      expect(collectUsageSchema.parse(parseJson(r))).toMatchObject({usedInventory: true, source: 'metrics-server'})
    }
    const store = openStore(db)
    const usage = readUsage(store, {from: '2024-06-14', to: '2024-06-14'})
    store.close()
    // Every web pod's envoy sample, twice (two runs), in one digest for the Deployment's envoy container.
    const envoy = usage.find(
      (u) => u.key.workload === 'web' && u.key.namespace === 'shop' && u.key.container === 'envoy',
    )!
    const webPods = fixture.podMetrics.filter(
      (p) => p.metadata.namespace === 'shop' && p.metadata.name.startsWith('web-'),
    )
    const values = webPods.map((p) =>
      parseQuantity(
        (p.containers as {name: string; usage: {cpu: string}}[]).find((c) => c.name === 'envoy')!.usage.cpu,
      )!,
    )
    expect(envoy.days).toHaveLength(1)
    expect(envoy.days[0]!.cpu.count).toBe(2 * webPods.length)
    expect(envoy.days[0]!.cpu.max).toBe(Math.max(...values))
    expect(envoy.days[0]!.cpu.sum).toBeCloseTo(2 * sum(values), 9)
    expect(envoy.key.kind).toBe('Deployment')
  })

  it('counts OOM kills from pod statuses once, on the day they happened, across scheduled runs', async () => {
    const db = path.join(tmp.dir, 'oom.db')
    expect((await runCli(['collect', 'k8s', '--kubeconfig', kubeconfig, '--db', db])).code).toBe(0)
    const pod = server.list('v1', 'Pod', 'shop').find((p) => p.metadata.name.startsWith('checkout-'))!
    const oomAt = (iso: string) => {
      const statuses = (pod.status as {containerStatuses: {lastState: unknown}[]}).containerStatuses
      statuses[0]!.lastState = {terminated: {exitCode: 137, reason: 'OOMKilled', finishedAt: iso}}
      server.put(pod)
    }
    const today = new Date().toISOString().slice(0, 10)
    const ooms = async () => {
      const r = await runCli([
        'collect',
        'usage',
        '--source',
        'metrics-server',
        '--kubeconfig',
        kubeconfig,
        '--db',
        db,
        '--json',
      ])
      expect(r.code, r.stderr).toBe(0)
      return collectUsageSchema.parse(parseJson(r)).oomKills
    }
    oomAt(new Date(Date.now() - 1000).toISOString())
    expect(await ooms()).toBe(1)
    expect(await ooms()).toBe(0) // the same termination, seen again
    oomAt(new Date().toISOString())
    expect(await ooms()).toBe(1)
    const store = openStore(db)
    const usage = readUsage(store, {from: today, to: today})
    store.close()
    const checkout = usage.find((u) => u.key.workload === 'checkout' && u.key.container === 'checkout')!
    expect(checkout.days.map((d) => [d.day, d.oomKills])).toEqual([[today, 2]])
  })

  it('says when metrics.k8s.io is not served', async () => {
    server.failNext({path: '/apis/metrics.k8s.io/', status: 404})
    const r = await runCli([
      'collect',
      'usage',
      '--source',
      'metrics-server',
      '--kubeconfig',
      kubeconfig,
      '--cluster',
      'x',
      '--db',
      path.join(tmp.dir, 'ms2.db'),
    ])
    expect(r.code).toBe(6)
    expect(r.stderr).toMatch(/is metrics-server installed\?/)
  })
})
