import {describe, expect, it} from 'vitest'

import type {RecommendReport} from '../../../src/recommend/from-store.js'
import type {Recommendation} from '../../../src/model/recommendation.js'
import {
  describeChange,
  renderRecommendCsv,
  renderRecommendTable,
  summarizeSkips,
  targetLabel,
} from '../../../src/output/recommend-format.js'

const MIB = 2 ** 20
const rightsize: Recommendation = {
  id: 'rs-0123456789',
  kind: 'rightsize',
  target: {cluster: 'c1', namespace: 'shop', kind: 'Deployment', name: 'api', container: 'app'},
  current: {cpuRequest: 2, memoryRequest: 4096 * MIB, memoryLimit: 4096 * MIB, replicas: 3},
  proposed: {cpuRequest: 0.25, memoryRequest: 1000 * MIB, memoryLimit: 1200 * MIB, replicas: 3},
  monthlySavings: 123.45,
  currency: 'USD',
  risk: {level: 'medium', reasons: ['cut by more than half', 'a "quoted", reason']},
  evidence: {},
}
const spot: Recommendation = {
  ...rightsize,
  id: 'spot-0123456789',
  kind: 'spot',
  target: {namespace: 'shop', kind: 'Deployment', name: 'web'},
  current: {capacityType: 'on-demand', replicas: 4},
  proposed: {capacityType: 'spot', replicas: 4},
  monthlySavings: 50,
  risk: {level: 'low', reasons: ['ok']},
}
const sleep: Recommendation = {
  ...spot,
  id: 'sd-0123456789',
  kind: 'scale-down',
  current: {replicas: 2},
  proposed: {replicas: 0, schedule: 'uptime Mon-Fri 08:00-18:00 UTC'},
  monthlySavings: 10,
}

const report = (recommendations: Recommendation[]): RecommendReport => ({
  recommendations,
  skipped: [
    {
      kind: 'rightsize',
      target: {namespace: 'a', kind: 'Deployment', name: 'x', container: 'c'},
      reason: 'thin data: 2 day(s) and 576 samples (needs ...)',
    },
    {
      kind: 'rightsize',
      target: {namespace: 'a', kind: 'Deployment', name: 'y', container: 'c'},
      reason: 'thin data: 1 day(s) and 288 samples (needs ...)',
    },
    {
      kind: 'spot',
      target: {namespace: 'a', kind: 'StatefulSet', name: 'db'},
      reason: 'not eligible: controller (StatefulSet ...)',
    },
  ],
  totalMonthlySavings: recommendations.reduce((s, r) => s + r.monthlySavings, 0),
  currency: 'USD',
  generatedAt: '2024-03-15T06:00:00Z',
  window: {from: '2024-03-01', to: '2024-03-14'},
  cluster: 'c1',
  runId: 1,
})

describe('recommend formatters', () => {
  it('describes each kind of change in a few words', () => {
    expect(describeChange(rightsize)).toBe('cpu 2 -> 250m, mem 4Gi -> 1000Mi, mem limit 4Gi -> 1200Mi')
    expect(describeChange(spot)).toBe('on-demand -> spot (4 replicas)')
    expect(describeChange(sleep)).toBe('2 -> 0 replicas in downtime (uptime Mon-Fri 08:00-18:00 UTC)')
    expect(describeChange({...sleep, proposed: {replicas: 0}})).toBe('2 -> 0 replicas (idle)')
    expect(
      describeChange({
        ...rightsize,
        current: {memoryRequest: MIB * 100},
        proposed: {cpuRequest: 0.1, memoryRequest: MIB * 100},
      }),
    ).toBe('cpu none -> 100m')
  })

  it('labels targets and groups skip reasons by their leading phrase', () => {
    expect(targetLabel(rightsize.target)).toBe('shop/Deployment/api:app')
    expect(targetLabel(rightsize.target, true)).toBe('c1:shop/Deployment/api:app')
    expect(summarizeSkips(report([]).skipped)).toBe('2 rightsize: thin data, 1 spot: not eligible')
  })

  it('renders a table with the total and the skip summary', () => {
    const text = renderRecommendTable(report([rightsize, spot, sleep]))
    const rows = text.split('\n').filter((l) => /(rs|spot|sd)-0123456789/.test(l))
    expect(rows.map((l) => /(rs|spot|sd)-0123456789/.exec(l)![0])).toEqual([
      'rs-0123456789',
      'spot-0123456789',
      'sd-0123456789',
    ])
    expect(text).toContain('$123.45')
    expect(text).toContain('Total: $183.45 per month over 3 recommendation(s); usage 2024-03-01 to 2024-03-14')
    expect(text).toContain('3 skipped (2 rightsize: thin data, 1 spot: not eligible)')
    expect(renderRecommendTable(report([]), {showSkipped: true})).toContain(
      '  spot a/StatefulSet/db: not eligible: controller (StatefulSet ...)',
    )
    expect(renderRecommendTable(report([]))).toMatch(/^No recommendations\./)
  })

  it('writes CSV in base units with quoted fields where needed', () => {
    const lines = renderRecommendCsv(report([rightsize, spot]))
      .trim()
      .split('\n')
    expect(lines).toHaveLength(3)
    const header = lines[0]!.split(',')
    expect(header).toHaveLength(25)
    expect(header.at(-1)).toBe('proposed_cpu_request_by_hour')
    expect(lines[1]).toBe(
      `rs-0123456789,rightsize,c1,shop,Deployment,api,app,2,0.25,,,` +
        `${4096 * MIB},${1000 * MIB},${4096 * MIB},${1200 * MIB},3,3,,,,123.45,USD,medium,"cut by more than half; a ""quoted"", reason",`,
    )
    expect(lines[2]).toBe('spot-0123456789,spot,,shop,Deployment,web,,,,,,,,,,4,4,on-demand,spot,,50,USD,low,ok,')
  })
})
