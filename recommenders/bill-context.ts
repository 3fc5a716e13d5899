import type {CommitmentScopeInput, CommitmentSettings} from './commitment/recommend.js'
import type {CommitmentRecommendation, CommitmentSkip} from './commitment/schema.js'

/**
 * What a kind sized on the bill reads: per eligible billing scope, its uncovered hourly spend, the
 * forecast of it, what pending cluster changes take off it, and the rates on offer. Pure data.
 */
export interface BillRecommenderInput {
  scopes: readonly CommitmentScopeInput[]
  settings: CommitmentSettings
}

export interface BillRecommenderResult {
  /** Largest expected monthly savings first. */
  recommendations: CommitmentRecommendation[]
  skipped: CommitmentSkip[]
}

export type BillRecommender = (input: BillRecommenderInput) => BillRecommenderResult
