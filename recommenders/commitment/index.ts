import type {BillRecommenderEntry} from '../entry.js'
import type {CommitmentRecommendation, CommitmentScope, CommitmentSkip} from './schema.js'
import {recommendCommitment} from './recommend.js'

const scopeKey = (s: CommitmentScope): string =>
  [s.provider, s.billingAccountId, s.serviceCategory, s.serviceName, s.regionId, s.currency].join('\u0000')

/** Savings Plans, reservations and committed-use discounts: per billing scope, every term and payment side by side. */
export const commitment: BillRecommenderEntry = {
  reads: 'bill',
  summary:
    'Savings Plans, reservations and committed-use discounts per billing scope, sized on the lower forecast, every term and payment side by side',
  applies: false,
  recommend: ({scopes, settings}) => {
    const recommendations: CommitmentRecommendation[] = []
    const skipped: CommitmentSkip[] = []
    for (const scope of scopes) {
      const result = recommendCommitment(scope, settings)
      if ('skip' in result) skipped.push(result.skip)
      else recommendations.push(result.recommendation)
    }
    recommendations.sort(
      (a, b) =>
        (b.best?.expectedMonthlySavings ?? 0) - (a.best?.expectedMonthlySavings ?? 0) ||
        scopeKey(a.scope).localeCompare(scopeKey(b.scope)),
    )
    skipped.sort((a, b) => scopeKey(a.scope).localeCompare(scopeKey(b.scope)))
    return {recommendations, skipped}
  },
}
