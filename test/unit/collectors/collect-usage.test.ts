import {describe, expect, it} from 'vitest'

import {chooseUsageCluster, metricsServerResult, prometheusResult} from '../../../src/collectors/k8s/collect-usage.js'
import type {PrometheusHistorySummary} from '../../../src/collectors/k8s/history-prometheus.js'
import type {PrometheusUsageSummary} from '../../../src/collectors/k8s/usage-prometheus.js'
import {DigestBuilder} from '../../../src/k8s/digest.js'
import type {Inventory} from '../../../src/model/k8s.js'
import {commandContracts} from '../../../src/output/contracts.js'
import type {UsageRow} from '../../../src/store/usage.js'

const inventory = {cluster: 'prod'} as unknown as Inventory

function row(name: string, samples: number): UsageRow {
  const builder = new DigestBuilder()
  for (let i = 0; i < samples; i++) {
    builder.cpu.add(0.25)
    builder.memory.add(64 * 2 ** 20)
  }
  return {
    key: {cluster: 'prod', namespace: 'shop', kind: 'Deployment', workload: name, container: 'app'},
    day: '2026-12-01',
    source: 'metrics-server',
    digest: builder.toDigest(),
  }
}

describe('which cluster collect usage files usage under', () => {
  it('takes the named cluster even when the store holds others', () => {
    expect(chooseUsageCluster('edge', ['prod', 'staging'])).toEqual({cluster: 'edge'})
  })

  it("takes the store's only snapshot when none is named", () => {
    expect(chooseUsageCluster(undefined, ['prod'])).toEqual({cluster: 'prod'})
  })

  it('refuses to guess between several snapshots, and says which there are', () => {
    expect(chooseUsageCluster(undefined, ['prod', 'staging'])).toEqual({
      problem: 'several-snapshots',
      clusters: ['prod', 'staging'],
    })
  })

  it('has nothing to go on without a name or a snapshot', () => {
    expect(chooseUsageCluster(undefined, [])).toEqual({problem: 'no-snapshot'})
  })
})

describe('the collect usage result', () => {
  it("sums a metrics-server sample's digests and stamps the window with the sample's instant", () => {
    const sample = {rows: [row('web', 2), row('api', 3)], pods: 4, containers: 2, timestamp: '2026-12-01T09:00:00Z'}
    const result = metricsServerResult({cluster: 'prod', inventory}, sample, new Date('2026-12-01T10:00:00Z'))
    expect(result).toEqual({
      source: 'metrics-server',
      cluster: 'prod',
      windowStart: '2026-12-01T09:00:00Z',
      windowEnd: '2026-12-01T09:00:00Z',
      containers: 2,
      containerDays: 2,
      samples: 5,
      oomKills: 0,
      oomSource: 'pod-status',
      usedInventory: true,
    })
    expect(commandContracts['collect-usage'].safeParse(result).success).toBe(true)
  })

  it('falls back to the clock when metrics-server reported no pod timestamp', () => {
    const result = metricsServerResult(
      {cluster: 'prod'},
      {rows: [], pods: 0, containers: 0, oomKills: 2},
      new Date('2026-12-01T10:00:00Z'),
    )
    expect([result.windowStart, result.windowEnd, result.oomKills, result.usedInventory]).toEqual([
      '2026-12-01T10:00:00.000Z',
      '2026-12-01T10:00:00.000Z',
      2,
      false,
    ])
  })

  it('shows a Prometheus window in ISO instants and carries the usage and history counts', () => {
    const usage: PrometheusUsageSummary = {
      namespaces: 3,
      containers: 7,
      days: 2,
      containerDays: 14,
      samples: 4032,
      queries: 9,
      oomKills: 1,
      oomSource: 'kube-state-metrics',
    }
    const history: PrometheusHistorySummary = {
      source: 'unavailable',
      days: 0,
      namespaces: 0,
      containerRows: 0,
      nodeDays: 0,
      volumeDays: 0,
      loadBalancerDays: 0,
      queries: 2,
      missingDays: [],
      gaps: [],
    }
    const start = Date.parse('2026-11-29T00:00:00Z') / 1000
    const result = prometheusResult({cluster: 'prod'}, {start, end: start + 86_400 * 2 - 300}, usage, history)
    expect(result).toMatchObject({
      source: 'prometheus',
      windowStart: '2026-11-29T00:00:00.000Z',
      windowEnd: '2026-11-30T23:55:00.000Z',
      containers: 7,
      containerDays: 14,
      samples: 4032,
      queries: 9,
      namespaces: 3,
      oomKills: 1,
      oomSource: 'kube-state-metrics',
      usedInventory: false,
      history,
    })
    expect(commandContracts['collect-usage'].safeParse(result).success).toBe(true)
  })
})
