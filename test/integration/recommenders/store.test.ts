import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {recommendationIdFor} from '../../../recommenders/registry.js'
import type {Recommendation, RecommendationKind} from '../../../src/model/recommendation.js'
import type {Db} from '../../../src/store/open.js'
import {
  getRecommendation,
  lastRecommendationRun,
  listRecommendations,
  listSkipped,
  saveRecommendations,
} from '../../../src/store/recommendations.js'
import {tempStore} from '../../helpers/index.js'

const rec = (kind: RecommendationKind, namespace: string, name: string, monthlySavings: number): Recommendation => {
  const target = {cluster: 'c1', namespace, kind: 'Deployment', name}
  return {
    id: recommendationIdFor(kind, target),
    kind,
    target,
    current: {replicas: 2},
    proposed: {replicas: 0},
    monthlySavings,
    currency: 'USD',
    risk: {level: 'low', reasons: ['r']},
    evidence: {},
  }
}

let db: Db
let cleanup: () => void
beforeEach(() => {
  ;({db, cleanup} = tempStore({name: 'store.db'}))
})
afterEach(() => cleanup())

describe('recommendations store', () => {
  it('keeps the latest set per kind and namespace scope, largest savings first', () => {
    saveRecommendations(db, {
      kinds: ['spot', 'scale-down'],
      namespaces: [],
      currency: 'USD',
      createdAt: '2024-03-15T00:00:00Z',
      recommendations: [rec('spot', 'a', 'x', 5), rec('scale-down', 'a', 'y', 50), rec('spot', 'b', 'z', 20)],
      skipped: [
        {kind: 'spot', target: {namespace: 'a', kind: 'StatefulSet', name: 'db'}, reason: 'not eligible: controller'},
      ],
    })
    expect(listRecommendations(db).map((r) => [r.target.name, r.monthlySavings])).toEqual([
      ['y', 50],
      ['z', 20],
      ['x', 5],
    ])

    // A later spot run limited to namespace a replaces only spot rows in a.
    const runId = saveRecommendations(db, {
      kinds: ['spot'],
      namespaces: ['a'],
      currency: 'USD',
      createdAt: '2024-03-16T00:00:00Z',
      recommendations: [rec('spot', 'a', 'w', 7)],
      skipped: [],
    })
    expect(listRecommendations(db).map((r) => r.target.name)).toEqual(['y', 'z', 'w'])
    expect(listRecommendations(db, {kinds: ['spot'], namespaces: ['a']}).map((r) => r.target.name)).toEqual(['w'])
    expect(listSkipped(db)).toEqual([]) // the spot skip in namespace a was replaced too
    expect(lastRecommendationRun(db)).toMatchObject({id: runId, createdAt: '2024-03-16T00:00:00Z'})

    const y = rec('scale-down', 'a', 'y', 50)
    expect(getRecommendation(db, y.id)).toEqual(y)
    expect(getRecommendation(db, 'sd-0000000000')).toBeUndefined()
  })

  it('leaves the previous set in place when a save fails', () => {
    saveRecommendations(db, {
      kinds: ['spot'],
      namespaces: [],
      currency: 'USD',
      recommendations: [rec('spot', 'a', 'x', 5)],
      skipped: [],
    })
    const broken = {...rec('spot', 'a', 'y', 1), monthlySavings: null as unknown as number}
    expect(() =>
      saveRecommendations(db, {
        kinds: ['spot'],
        namespaces: [],
        currency: 'USD',
        recommendations: [broken],
        skipped: [],
      }),
    ).toThrow()
    expect(listRecommendations(db).map((r) => r.target.name)).toEqual(['x'])
  })
})
