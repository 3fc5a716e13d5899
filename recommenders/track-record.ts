import {roundMoney} from '../src/money.js'
import type {Recommendation, RecommendationKind, RiskLevel} from '../src/model/recommendation.js'
import type {RecommendSettings} from './settings.js'

/**
 * What finops's own applied actions of a kind realized against what they promised (the savings
 * ledger), handed to the recommenders as data: no store, no clock.
 */
export type RealizedRatios = Partial<Record<RecommendationKind, {ratio: number; actions: number}>>

const BUMP: Record<RiskLevel, RiskLevel> = {low: 'medium', medium: 'high', high: 'high'}

/**
 * A recommendation with its kind's track record: the saving to expect (promised x realized ratio,
 * never above the promise), and one risk level up when past actions of the kind delivered less than
 * `riskBelow` of their promise. The promise itself (monthlySavings) is left as it is: it is what an
 * apply records and the ledger later compares with, so discounting it would feed back on itself.
 */
export function withTrackRecord(
  rec: Recommendation,
  realized: RealizedRatios | undefined,
  settings: RecommendSettings['trackRecord'],
): Recommendation {
  const track = realized?.[rec.kind]
  if (!track || track.actions < settings.minActions || !Number.isFinite(track.ratio)) return rec
  const expected = roundMoney(rec.monthlySavings * Math.min(1, Math.max(0, track.ratio)))
  const out: Recommendation = {
    ...rec,
    trackRecord: {ratio: track.ratio, actions: track.actions, expectedMonthlySavings: expected},
  }
  if (track.ratio < settings.riskBelow && rec.monthlySavings > 0)
    out.risk = {
      level: BUMP[rec.risk.level],
      reasons: [
        ...rec.risk.reasons,
        `finops's measured ${rec.kind} actions realized ${Math.round(track.ratio * 100)}% of their promised savings (${track.actions} actions; finops savings)`,
      ],
    }
  return out
}
