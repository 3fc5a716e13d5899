import {describe, expect, it} from 'vitest'

import {
  distributeIdle,
  distributeShared,
  efficiencyOf,
  parseSharePolicy,
} from '../../../src/k8s/allocation-distribute.js'
import {type AllocationUnit, emptyAmounts, totalOf} from '../../../src/k8s/allocation-model.js'

const unit = (namespace: string, over: Partial<AllocationUnit> = {}, cluster = 'c'): AllocationUnit => {
  const u: AllocationUnit = {
    ...emptyAmounts(),
    cluster,
    namespace,
    kind: 'Deployment',
    workload: namespace,
    container: 'main',
    node: 'n1',
    capacityType: 'on-demand',
    ...over,
  }
  u.cost = totalOf(u)
  return u
}

describe('idle and shared costs', () => {
  it('parses --share into namespaces (names, globs) and labels, and refuses blanks', () => {
    expect(parseSharePolicy(['kube-system,monitoring', 'label:team=platform', 'ingress-*'])).toEqual({
      namespaces: ['kube-system', 'monitoring', 'ingress-*'],
      labels: [{key: 'team', value: 'platform'}],
    })
    expect(() => parseSharePolicy(['kube-system,'])).toThrow(/empty entry/)
    expect(() => parseSharePolicy(['label:team'])).toThrow(/expected label:key=value/)
    expect(() => parseSharePolicy(['Not_A_Namespace'])).toThrow(/neither a namespace name nor a glob/)
  })

  it('shares each resource of a cluster by that resource cost, or by requests; keeps what has no weight', () => {
    const make = () => [
      unit('a', {cpuCost: 3, memoryCost: 1, cpuRequestCoreHours: 1, memoryRequestGiBHours: 10}),
      unit('b', {cpuCost: 1, memoryCost: 1, cpuRequestCoreHours: 3, memoryRequestGiBHours: 30}),
      unit('x', {cpuCost: 5}, 'other'),
    ]
    const idle = new Map([
      ['c', {cpu: 8, memory: 2, gpu: 4}],
      ['other', {cpu: 1, memory: 0, gpu: 0}],
    ])
    const byCost = make()
    const left = distributeIdle(byCost, idle, 'by-cost')
    expect(byCost.map((u) => u.idleCost)).toEqual([6 + 1, 2 + 1, 1])
    // Nobody had GPU cost: the GPU idle stays idle.
    expect(left.get('c')).toEqual({cpu: 0, memory: 0, gpu: 4})
    const byRequests = make()
    distributeIdle(byRequests, idle, 'by-requests')
    expect(byRequests.map((u) => u.idleCost)).toEqual([2 + 0.5, 6 + 1.5, 0])
    expect(byRequests.map((u) => u.cost)).toEqual([4 + 2.5, 2 + 7.5, 5])
    const separate = make()
    expect(distributeIdle(separate, idle, 'separate')).toEqual(idle)
    expect(separate.every((u) => u.idleCost === 0)).toBe(true)
  })

  it("spreads shared namespaces' whole cost over the rest of their cluster by cost", () => {
    const units = [
      unit('kube-system', {cpuCost: 2, storageCost: 1}),
      unit('shop', {cpuCost: 6}),
      unit('data', {cpuCost: 2, memoryCost: 1, idleCost: 1}),
      unit('kube-system', {cpuCost: 4}, 'lonely'),
    ]
    const result = distributeShared(units, parseSharePolicy(['kube-system']))
    expect(result.kept.map((u) => `${u.cluster}/${u.namespace}`)).toEqual(['c/shop', 'c/data', 'lonely/kube-system'])
    expect(result.cost).toBeCloseTo(3, 12)
    expect(units[1]!.sharedCost).toBeCloseTo(3 * (6 / 10), 12)
    expect(units[2]!.sharedCost).toBeCloseTo(3 * (4 / 10), 12)
    // A cluster with nothing but shared costs keeps them.
    expect(result.unshared).toEqual(['lonely'])
  })

  it('shares by label, from the workload or its namespace', () => {
    const units = [unit('ingress', {cpuCost: 1}), unit('shop', {cpuCost: 1}), unit('obs', {cpuCost: 2})]
    const labels = {
      workload: (_c: string, ns: string): Record<string, string> => (ns === 'ingress' ? {team: 'platform'} : {}),
      namespace: (_c: string, ns: string) => (ns === 'obs' ? {team: 'platform'} : undefined),
    }
    const result = distributeShared(units, parseSharePolicy(['label:team=platform']), labels)
    expect(result.kept.map((u) => u.namespace)).toEqual(['shop'])
    expect(units[1]!.sharedCost).toBe(3)
  })

  it('weights efficiency by CPU and memory cost, counts usage without a request as 100%, and is null without either', () => {
    expect(
      efficiencyOf({
        ...emptyAmounts(),
        cpuCost: 3,
        memoryCost: 1,
        cpuRequestCoreHours: 10,
        cpuUsageCoreHours: 5,
        memoryRequestGiBHours: 4,
        memoryUsageGiBHours: 6,
      }),
    ).toBeCloseTo((0.5 * 3 + 1.5 * 1) / 4, 12)
    expect(efficiencyOf({...emptyAmounts(), cpuCost: 1, cpuUsageCoreHours: 2})).toBe(1)
    expect(efficiencyOf({...emptyAmounts(), storageCost: 5})).toBeNull()
  })
})
