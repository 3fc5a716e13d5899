import {describe, expect, it} from 'vitest'

import {namespaceBatches} from '../../../src/recommend/from-store.js'
import {RECOMMENDATION_KINDS, recommenderRegistry, RUN_ORDER, runRecommenders} from '../../../recommenders/index.js'
import {BILL_KINDS, RECOMMENDATION_ID_PATTERN, RECOMMENDER_KINDS} from '../../../recommenders/registry.js'
import {days, input, MIB, usageFor, workload} from '../../helpers/workload-builders.js'

const diurnal = (i: number) => 0.2 + 0.1 * Math.sin((2 * Math.PI * i) / 288)
const pdbs = [{name: 'p', maxUnavailable: 1, disruptionsAllowed: 1, selector: {}}]

describe('runRecommenders', () => {
  it('offers every registered kind', () => {
    expect(RECOMMENDATION_KINDS).toEqual(RECOMMENDER_KINDS.filter((k) => recommenderRegistry[k].reads === 'workloads'))
    expect([...RECOMMENDATION_KINDS].sort()).toEqual(['rightsize', 'scale-down', 'spot'])
    expect(RUN_ORDER).toEqual(['rightsize', 'scale-down', 'spot'])
    // The bill's kinds are in the same registry and --kind, not among the cluster kinds apply and the store know.
    expect(RECOMMENDER_KINDS).toEqual(Object.keys(recommenderRegistry))
    expect(BILL_KINDS).toEqual(['commitment'])
    expect(RECOMMENDER_KINDS.filter((k) => !BILL_KINDS.includes(k as never))).toEqual(RECOMMENDATION_KINDS)
  })

  it('sorts by savings and filters by namespace and minimum savings', () => {
    const big = workload({
      name: 'big',
      containers: [{name: 'app', requests: {cpu: 4, memory: 8 * 2 ** 30}, limits: {}}],
    })
    const small = workload({
      name: 'small',
      containers: [{name: 'app', requests: {cpu: 1, memory: 2 ** 30}, limits: {}}],
    })
    const other = workload({namespace: 'other', name: 'x'})
    const usage = [big, small, other].map((w) =>
      usageFor(
        w,
        'app',
        days(14, diurnal, () => 300 * MIB),
      ),
    )
    const all = runRecommenders(input([small, big, other], usage), {kinds: ['rightsize']})
    expect(all.recommendations).toHaveLength(3)
    expect(all.recommendations[0]!.target.name).toBe('big')
    const savings = all.recommendations.map((r) => r.monthlySavings)
    expect(savings).toEqual([...savings].sort((a, b) => b - a))
    expect(all.totalMonthlySavings).toBeCloseTo(
      savings.reduce((a, b) => a + b, 0),
      2,
    )
    expect(
      runRecommenders(input([small, big, other], usage), {
        kinds: ['rightsize'],
        namespaces: ['other'],
      }).recommendations.map((r) => r.target.name),
    ).toEqual(['x'])
    const threshold = (savings[0]! + savings[1]!) / 2
    expect(
      runRecommenders(input([small, big, other], usage), {
        kinds: ['rightsize'],
        minSavings: threshold,
      }).recommendations.map((r) => r.target.name),
    ).toEqual(['big'])
  })

  it('does not count the same money twice when kinds overlap', () => {
    const idle = workload({name: 'idle', pdbs})
    const busy = workload({name: 'busy', pdbs, annotations: {'downscaler/uptime': 'Mon-Fri 08:00-18:00 UTC'}})
    const usage = [
      usageFor(
        idle,
        'app',
        days(
          14,
          () => 0.001,
          () => 100 * MIB,
        ),
      ),
      usageFor(
        busy,
        'app',
        days(14, diurnal, () => 300 * MIB),
      ),
    ]
    const base = input([idle, busy], usage, {now: new Date('2024-03-04T00:00:00Z')})
    const alone = runRecommenders(base, {kinds: ['spot']})
    const together = runRecommenders(base, {kinds: ['spot', 'scale-down', 'rightsize']})
    const find = (set: typeof alone, kind: string, name: string) =>
      set.recommendations.find((r) => r.kind === kind && r.target.name === name)
    // The idle workload goes to zero: no rightsizing or spot on top of it.
    expect(find(together, 'scale-down', 'idle')?.proposed.replicas).toBe(0)
    expect(find(together, 'rightsize', 'idle')).toBeUndefined()
    expect(find(together, 'spot', 'idle')).toBeUndefined()
    expect(together.skipped.filter((s) => s.target.name === 'idle').map((s) => s.reason)).toEqual([
      'superseded: idle, proposed for scale to zero in this run',
      'superseded: idle, proposed for scale to zero in this run',
    ])
    // Spot on the busy one is priced on rightsized requests and only for the hours it still runs.
    const spotAlone = find(alone, 'spot', 'busy')!.monthlySavings
    const spotTogether = find(together, 'spot', 'busy')!.monthlySavings
    const share = find(together, 'scale-down', 'busy')!.evidence.percentiles!.downtimeShare!
    const rightsized = find(together, 'rightsize', 'busy')!
    const ratio =
      (rightsized.proposed.cpuRequest! * 0.031611 + (rightsized.proposed.memoryRequest! / 2 ** 30) * 0.004237) /
      (1 * 0.031611 + 1 * 0.004237)
    expect(spotTogether).toBeCloseTo(spotAlone * ratio * (1 - share), 0)
    // Every id carries its kind's registered prefix and matches the published pattern.
    for (const r of together.recommendations) {
      expect(r.id.startsWith(`${recommenderRegistry[r.kind].idPrefix}-`), r.id).toBe(true)
      expect(r.id).toMatch(RECOMMENDATION_ID_PATTERN)
    }
    expect(new Set(together.recommendations.map((r) => r.kind))).toEqual(new Set(RECOMMENDATION_KINDS))
  })
})

describe('namespaceBatches', () => {
  it('groups whole namespaces up to the container budget, a big namespace on its own', () => {
    const w = (namespace: string, containers: number) =>
      workload({
        namespace,
        containers: Array.from({length: containers}, (_, i) => ({name: `c${i}`, requests: {}, limits: {}})),
      })
    const workloads = [w('b', 3), w('a', 2), w('c', 10), w('d', 1), w('a', 1)]
    expect(namespaceBatches(workloads, 6)).toEqual([['a', 'b'], ['c'], ['d']])
    expect(namespaceBatches(workloads, 5)).toEqual([['a'], ['b'], ['c'], ['d']])
    expect(namespaceBatches(workloads, 100)).toEqual([['a', 'b', 'c', 'd']])
    expect(namespaceBatches([], 5)).toEqual([])
  })
})
