import {describe, expect, it} from 'vitest'

import {withTrackRecord} from '../../../recommenders/track-record.js'
import {defaultRecommendSettings} from '../../../recommenders/settings.js'
import type {Recommendation} from '../../../src/model/recommendation.js'

const rec = (over: Partial<Recommendation> = {}): Recommendation => ({
  id: 'rs-0123456789',
  kind: 'rightsize',
  target: {cluster: 'c1', namespace: 'shop', kind: 'Deployment', name: 'api', container: 'app'},
  current: {cpuRequest: 1},
  proposed: {cpuRequest: 0.5},
  monthlySavings: 100,
  currency: 'USD',
  risk: {level: 'low', reasons: ['steady usage']},
  evidence: {},
  ...over,
})
const settings = defaultRecommendSettings().trackRecord

describe("recommendations and finops's own track record", () => {
  it('leaves a recommendation alone without enough measured actions of its kind', () => {
    expect(withTrackRecord(rec(), undefined, settings)).toEqual(rec())
    expect(withTrackRecord(rec(), {rightsize: {ratio: 0.2, actions: 2}}, settings)).toEqual(rec())
    expect(withTrackRecord(rec(), {spot: {ratio: 0.2, actions: 9}}, settings)).toEqual(rec())
  })

  it('expects the promise times the realized ratio, never more than the promise, and keeps the promise', () => {
    const r = withTrackRecord(rec(), {rightsize: {ratio: 0.8, actions: 5}}, settings)
    expect(r.monthlySavings).toBe(100)
    expect(r.trackRecord).toEqual({ratio: 0.8, actions: 5, expectedMonthlySavings: 80})
    expect(r.risk).toEqual(rec().risk)
    expect(
      withTrackRecord(rec(), {rightsize: {ratio: 1.3, actions: 5}}, settings).trackRecord!.expectedMonthlySavings,
    ).toBe(100)
    expect(
      withTrackRecord(rec(), {rightsize: {ratio: -0.4, actions: 5}}, settings).trackRecord!.expectedMonthlySavings,
    ).toBe(0)
  })

  it('grades one level riskier when the kind delivered less than half of its promise, and says why', () => {
    const low = withTrackRecord(rec(), {rightsize: {ratio: 0.3, actions: 4}}, settings)
    expect(low.risk.level).toBe('medium')
    expect(low.risk.reasons.at(-1)).toMatch(/realized 30% of their promised savings \(4 actions/)
    expect(
      withTrackRecord(rec({risk: {level: 'high', reasons: ['x']}}), {rightsize: {ratio: 0.3, actions: 4}}, settings)
        .risk.level,
    ).toBe('high')
    // An increase (negative saving) is not made riskier by the ledger.
    expect(
      withTrackRecord(rec({monthlySavings: -20}), {rightsize: {ratio: 0.3, actions: 4}}, settings).risk.level,
    ).toBe('low')
  })
})
