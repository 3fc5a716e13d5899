import {describe, expect, it} from 'vitest'

import {recommendSpot} from '../../../recommenders/spot/recommend.js'
import {createPriceLookup} from '../../../recommenders/pricing.js'
import {defaultRecommendSettings} from '../../../recommenders/settings.js'
import type {Workload} from '../../../src/model/k8s.js'
import {GIB, input, node, workload, DEFAULT_RATES} from '../../helpers/workload-builders.js'

const settings = defaultRecommendSettings()
const pdb = {name: 'api', minAvailable: 2, disruptionsAllowed: 1, selector: {app: 'api'}}
const eligible = (over: Partial<Workload> = {}) => workload({pdbs: [pdb], ...over})

describe('recommendSpot', () => {
  it('recommends a replicated stateless Deployment on on-demand nodes and prices it at the spot ratio', () => {
    const result = recommendSpot(input([eligible()]))
    expect(result.skipped).toEqual([])
    const [rec] = result.recommendations
    const onDemand = (1 * DEFAULT_RATES.cpuCoreHour + 1 * DEFAULT_RATES.memoryGiBHour) * 730 * 3
    expect(rec!.monthlySavings).toBeCloseTo(onDemand * (1 - settings.spot.defaultPriceRatio.aws), 1)
    expect(rec!.current).toMatchObject({capacityType: 'on-demand', replicas: 3})
    expect(rec!.proposed).toMatchObject({capacityType: 'spot', replicas: 3})
    expect(rec!.risk.level).toBe('low')
    expect(rec!.evidence.notes!.join('\n')).toMatch(/default aws spot ratio/)
  })

  it.each<[string, Partial<Workload>, string | undefined, RegExp]>([
    ['a StatefulSet', {kind: 'StatefulSet'}, undefined, /controller \(StatefulSet pods are not interchangeable/],
    ['a single replica', {replicas: 1}, undefined, /replicas \(1 replica\(s\)\)/],
    [
      'an HPA that may go to one replica',
      {hpa: {name: 'h', minReplicas: 1, maxReplicas: 5, targets: []}},
      undefined,
      /replicas \(HPA minReplicas 1/,
    ],
    [
      'a persistent volume',
      {volumes: [{name: 'data', kind: 'persistentVolumeClaim', claimName: 'data'}]},
      undefined,
      /volumes \(uses persistentVolumeClaim data\)/,
    ],
    [
      'a hostPath volume',
      {volumes: [{name: 'sock', kind: 'hostPath', path: '/var/run'}]},
      undefined,
      /uses hostPath sock/,
    ],
    [
      'a grace period beyond the AWS notice',
      {terminationGracePeriodSeconds: 300},
      undefined,
      /grace-period \(terminationGracePeriodSeconds 300s vs aws notice 120s\)/,
    ],
    ['a grace period beyond the GCP notice', {terminationGracePeriodSeconds: 60}, 'gcp', /60s vs gcp notice 30s/],
    [
      'a PDB allowing no disruption',
      {pdbs: [{...pdb, disruptionsAllowed: 0}]},
      undefined,
      /pdb \(PDB api allows no disruption now\)/,
    ],
    [
      'a PDB with minAvailable 100%',
      {pdbs: [{name: 'all', minAvailable: '100%', selector: {}}]},
      undefined,
      /minAvailable 100% leaves no room/,
    ],
    [
      'a singleton marker',
      {labels: {'finops.io/singleton': 'true'}},
      undefined,
      /not-singleton \(marked finops.io\/singleton\)/,
    ],
  ])('rejects %s with the failed check', (_name, over, provider, reason) => {
    const nodes = provider ? [node('n1', {provider}), node('n2', {provider})] : undefined
    const result = recommendSpot(input([eligible(over)], [], {nodes}))
    expect(result.recommendations).toEqual([])
    expect(result.skipped).toHaveLength(1)
    expect(result.skipped[0]!.reason).toMatch(reason)
  })

  it('leaves workloads already on spot alone', () => {
    const result = recommendSpot(
      input([eligible()], [], {nodes: [node('n1', {capacityType: 'spot'}), node('n2', {capacityType: 'spot'})]}),
    )
    expect(result.skipped[0]!.reason).toMatch(/not-on-spot \(already on spot nodes\)/)
  })

  it('grades restarts, two replicas and a missing PDB as risk', () => {
    const [unstable] = recommendSpot(input([eligible({restarts: 12})])).recommendations
    expect(unstable!.risk.level).toBe('high')
    const [two] = recommendSpot(input([workload({replicas: 2})])).recommendations
    expect(two!.risk.level).toBe('medium')
    expect(two!.risk.reasons).toEqual(
      expect.arrayContaining([expect.stringMatching(/2 replicas/), expect.stringMatching(/no PodDisruptionBudget/)]),
    )
  })

  it('flags a nodeSelector that pins the workload to on-demand nodes', () => {
    const pinned = eligible({
      placement: {
        nodeSelector: {'karpenter.sh/capacity-type': 'on-demand'},
        tolerations: [],
        requiredNodeAffinity: [],
        nodes: ['n1', 'n2'],
      },
    })
    const [rec] = recommendSpot(input([pinned])).recommendations
    expect(rec!.risk).toEqual({
      level: 'medium',
      reasons: [
        'pinned to on-demand nodes by nodeSelector karpenter.sh/capacity-type=on-demand: the move must change it',
      ],
    })
  })

  it('uses the catalog spot ratio from the store when there is one', () => {
    const base = input([eligible()])
    const nodes = base.inventory.nodes
    const prices = createPriceLookup(
      nodes,
      {currency: 'USD', cpuCoreHour: 0.04, memoryGiBHour: 0.005, defaultSpotRatio: settings.spot.defaultPriceRatio},
      undefined,
      (provider) => (provider === 'aws' ? {ratio: 0.2, pairs: 14} : undefined),
    )
    const [rec] = recommendSpot({...base, prices}).recommendations
    const onDemand = (1 * 0.04 + (GIB / GIB) * 0.005) * 730 * 3
    expect(rec!.monthlySavings).toBeCloseTo(onDemand * 0.8, 1)
    expect(rec!.evidence.notes!.join('\n')).toMatch(/catalog \(14 spot\/on-demand SKU pairs\)/)
  })
})
