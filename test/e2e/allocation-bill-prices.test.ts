import fs from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {addDays, eachDay} from '../../src/dates.js'
import {costAllocationSchema} from '../../src/k8s/schemas.js'
import {parseJson, runCli, tempDir} from '../helpers/cli.js'
import {type KubeApiServer, type KubeObject, startKubeApi} from '../servers/kube-api.js'
import {loadClusterFixture, startFixtureKubeApi} from '../servers/kube-fixture.js'

const TODAY = '2024-06-15'
const env = {FINOPS_NOW: `${TODAY}T08:00:00Z`}
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0)

const HEADER =
  'BillingAccountId,BillingCurrency,BillingPeriodStart,ChargeCategory,ChargePeriodStart,ChargePeriodEnd,BilledCost,EffectiveCost,ListCost,' +
  'ProviderName,ServiceName,ServiceCategory,RegionId,ResourceId,PricingUnit,PricingQuantity,SkuId'

describe('node prices from the bill: FOCUS ResourceIds matched to the nodes of the Kubernetes API (built CLI)', () => {
  let server: KubeApiServer
  let tmp: {dir: string; cleanup: () => void}
  let kubeconfig: string
  let instanceIds: string[]

  beforeAll(async () => {
    let fixture
    ;({server, fixture} = await startFixtureKubeApi())
    tmp = tempDir()
    kubeconfig = path.join(tmp.dir, 'kubeconfig')
    fs.writeFileSync(kubeconfig, server.kubeconfig({context: 'eks-demo'}))
    instanceIds = fixture.objects
      .filter((o) => o.kind === 'Node')
      .map((o) =>
        String((o.spec as {providerID: string}).providerID)
          .split('/')
          .at(-1)!,
      )
  })
  afterAll(async () => {
    await server.close()
    tmp?.cleanup()
  })

  /** Each node billed 24 hours a day in two rows, at its own rate; a volume, data transfer and a foreign instance beside them. */
  function writeBill(file: string, rate: (node: number, day: string) => number): void {
    const lines = [HEADER]
    for (const day of eachDay('2024-06-01', '2024-06-14')) {
      const row = (cost: number, category: string, resource: string, unit: string, quantity: number, sku: string) =>
        [
          '123456789012',
          'USD',
          '2024-06-01T00:00:00Z',
          'Usage',
          `${day}T00:00:00Z`,
          `${addDays(day, 1)}T00:00:00Z`,
          cost,
          cost,
          cost * 1.4,
          'AWS',
          'Amazon Elastic Compute Cloud',
          category,
          'eu-west-1',
          resource,
          unit,
          quantity,
          sku,
        ].join(',')
      instanceIds.forEach((id, n) => {
        const arn = `arn:aws:ec2:eu-west-1:123456789012:instance/${id}`
        const daily = rate(n, day) * 24
        lines.push(row(daily * 0.25, 'Compute', arn, 'Hours', 6, 'EUW1-BoxUsage'))
        lines.push(row(daily * 0.75, 'Compute', arn, 'Hours', 18, 'EUW1-BoxUsage'))
      })
      lines.push(row(4, 'Storage', 'arn:aws:ec2:eu-west-1:123456789012:volume/vol-0abc', 'GB-Mo', 3.2, 'EBS:gp3'))
      lines.push(row(9, 'Compute', 'arn:aws:ec2:eu-west-1:123456789012:instance/i-0ffff00000000000', 'Hours', 24, 'x'))
      lines.push(row(2.5, 'Networking', '', '', 0, 'DataTransfer'))
    }
    fs.writeFileSync(file, `${lines.join('\n')}\n`)
  }

  const allocation = async (db: string) => {
    const r = await runCli(['cost', 'allocation', '--db', db, '--window', '7d', '--json'], {env})
    expect(r.code, r.stderr).toBe(0)
    return costAllocationSchema.parse(parseJson(r))
  }

  it('collect focus then cost allocation prices each node at its billed cost; a re-imported bill replaces it', async () => {
    const db = path.join(tmp.dir, 'bill.db')
    const k8s = await runCli(['collect', 'k8s', '--kubeconfig', kubeconfig, '--db', db], {env})
    expect(k8s.code, k8s.stderr).toBe(0)
    const catalogOnly = await allocation(db)
    expect(catalogOnly.nodes.every((n) => !n.source.startsWith('bill'))).toBe(true)

    const file = path.join(tmp.dir, 'focus.csv')
    const rate = (n: number, day: string) => 0.05 * (n + 1) + (day.endsWith('0') ? 0.01 : 0)
    writeBill(file, rate)
    const imported = await runCli(['collect', 'focus', file, '--db', db], {env})
    expect(imported.code, imported.stderr).toBe(0)

    const report = await allocation(db)
    expect(report.nodes).toHaveLength(instanceIds.length)
    const window = eachDay('2024-06-08', '2024-06-14')
    for (const [n, id] of instanceIds.entries()) {
      const node = report.nodes.find((x) => x.source.includes(id))
      expect(node, `${id}: ${report.nodes.map((x) => x.source).join('; ')}`).toBeDefined()
      expect(node!.source).toMatch(/^bill/)
      // The node's effective cost in the bill over the window, to the cent.
      expect(node!.cost).toBeCloseTo(sum(window.map((day) => rate(n, day) * 24)), 2)
    }
    // Only the nodes' instances: the volume, data transfer and the instance outside the cluster are not nodes.
    expect(report.totals.nodes).toBeCloseTo(sum(instanceIds.map((_, n) => sum(window.map((d) => rate(n, d) * 24)))), 2)
    expect(sum(report.rows.map((r) => r.cost)) + report.idle.cost).toBeCloseTo(report.totals.total, 6)

    // A restated bill (every rate doubled) replaces the billing period's resource rows, it does not add to them.
    writeBill(file, (n, day) => 2 * rate(n, day))
    const again = await runCli(['collect', 'focus', file, '--db', db], {env})
    expect(again.code, again.stderr).toBe(0)
    const restated = await allocation(db)
    expect(restated.totals.nodes).toBeCloseTo(2 * report.totals.nodes, 2)
  })
})

describe('node prices from an Azure bill: AKS scale sets billed as one resource, split over their nodes (built CLI)', () => {
  const SUB = '/subscriptions/9ec51cfd-5ca7-4d76-8101-dd0a4abc5674/resourceGroups/MC_shop_shop_westeurope'
  const vmss = (set: string, instance: number) =>
    `azure://${SUB}/providers/Microsoft.Compute/virtualMachineScaleSets/${set}/virtualMachines/${instance}`
  // Nodes 0-2 in a pool billed with hours, 3 and 5 in a pool billed without them, 4 a standalone VM.
  const providerIds = [
    vmss('aks-system-38211450-vmss', 0),
    vmss('aks-system-38211450-vmss', 1),
    vmss('aks-system-38211450-vmss', 2),
    vmss('aks-batch-11110000-vmss', 0),
    `azure://${SUB}/providers/Microsoft.Compute/virtualMachines/GekkoPower`,
    vmss('aks-batch-11110000-vmss', 1),
  ]
  let server: KubeApiServer
  let tmp: {dir: string; cleanup: () => void}
  let kubeconfig: string

  beforeAll(async () => {
    const fixture = loadClusterFixture()
    let node = 0
    const objects = fixture.objects.map((o): KubeObject => {
      if (o.kind !== 'Node') return o
      const labels = {...o.metadata.labels}
      labels['topology.kubernetes.io/region'] = 'westeurope'
      delete labels['eks.amazonaws.com/capacityType']
      delete labels['karpenter.sh/capacity-type']
      return {...o, metadata: {...o.metadata, labels}, spec: {...(o.spec as object), providerID: providerIds[node++]}}
    })
    expect(node).toBe(providerIds.length)
    server = await startKubeApi({objects: [...objects, ...fixture.podMetrics]})
    tmp = tempDir()
    kubeconfig = path.join(tmp.dir, 'kubeconfig')
    fs.writeFileSync(kubeconfig, server.kubeconfig({context: 'aks-shop'}))
  })
  afterAll(async () => {
    await server?.close()
    tmp?.cleanup()
  })

  const system = (day: string) => 30 + (day.endsWith('0') ? 3 : 0)
  const batch = (_day: string) => 11.5
  const gekko = (_day: string) => 4.25

  function writeBill(file: string): void {
    const lines = [HEADER]
    const id = (rest: string) => `${SUB}/providers/${rest}`
    for (const day of eachDay('2024-06-01', '2024-06-14')) {
      const row = (cost: number, resource: string, unit: string, quantity: number, service: string) =>
        [
          'ea-4711',
          'EUR',
          '2024-06-01T00:00:00Z',
          'Usage',
          `${day}T00:00:00Z`,
          `${addDays(day, 1)}T00:00:00Z`,
          cost,
          cost,
          cost * 1.2,
          'Microsoft',
          service,
          'Compute',
          'westeurope',
          resource,
          unit,
          quantity,
          'DZH318Z0BQ4L',
        ].join(',')
      // The bill spells ids in its own case; the scale set's hours are all its instances' hours.
      lines.push(
        row(
          system(day),
          id('Microsoft.Compute/virtualMachineScaleSets/AKS-System-38211450-VMSS'),
          'Hours',
          72,
          'Virtual Machine Scale Sets',
        ),
      )
      lines.push(
        row(
          batch(day),
          id('microsoft.compute/virtualmachinescalesets/aks-batch-11110000-vmss'),
          'Units',
          1,
          'Virtual Machine Scale Sets',
        ),
      )
      lines.push(row(gekko(day), id('microsoft.compute/virtualmachines/gekkopower'), 'Hours', 24, 'Virtual Machines'))
      // A scale set outside the cluster is not a node.
      lines.push(
        row(
          50,
          id('Microsoft.Compute/virtualMachineScaleSets/aks-other-22222222-vmss'),
          'Hours',
          48,
          'Virtual Machine Scale Sets',
        ),
      )
    }
    fs.writeFileSync(file, `${lines.join('\n')}\n`)
  }

  it('each node costs its scale set\u2019s bill per node hour, the standalone VM its own bill, and the pools add up to the bill', async () => {
    const db = path.join(tmp.dir, 'aks.db')
    const k8s = await runCli(['collect', 'k8s', '--kubeconfig', kubeconfig, '--db', db], {env})
    expect(k8s.code, k8s.stderr).toBe(0)
    const file = path.join(tmp.dir, 'azure-focus.csv')
    writeBill(file)
    const imported = await runCli(['collect', 'focus', file, '--db', db], {env})
    expect(imported.code, imported.stderr).toBe(0)

    const r = await runCli(['cost', 'allocation', '--db', db, '--window', '7d', '--json'], {env})
    expect(r.code, r.stderr).toBe(0)
    const report = costAllocationSchema.parse(parseJson(r))
    const window = eachDay('2024-06-08', '2024-06-14')
    const inSet = (set: string) => report.nodes.filter((n) => n.source.includes(`scale set ${set}`))
    expect(inSet('aks-system-38211450-vmss')).toHaveLength(3)
    expect(inSet('aks-batch-11110000-vmss')).toHaveLength(2)
    for (const n of inSet('aks-system-38211450-vmss')) expect(n.cost).toBeCloseTo(sum(window.map(system)) / 3, 2)
    // Billed without hours: the pool's cost is split by its nodes' hours (24 each a day).
    for (const n of inSet('aks-batch-11110000-vmss')) expect(n.cost).toBeCloseTo(sum(window.map(batch)) / 2, 2)
    const standalone = report.nodes.filter((n) => n.source === 'bill (gekkopower)')
    expect(standalone, report.nodes.map((n) => n.source).join('; ')).toHaveLength(1)
    expect(standalone[0]!.cost).toBeCloseTo(sum(window.map(gekko)), 2)
    expect(report.totals.nodes).toBeCloseTo(sum(window.map((d) => system(d) + batch(d) + gekko(d))), 2)
    expect(sum(report.rows.map((x) => x.cost)) + report.idle.cost).toBeCloseTo(report.totals.total, 6)
  })
})
