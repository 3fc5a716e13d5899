import fs from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {addDays, eachDay} from '../../src/dates.js'
import {costAllocationSchema} from '../../src/k8s/schemas.js'
import {parseJson, runCli, tempDir} from '../helpers/cli.js'
import type {KubeApiServer} from '../servers/kube-api.js'
import {startFixtureKubeApi} from '../servers/kube-fixture.js'

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
