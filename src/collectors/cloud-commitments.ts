import type {DailyCostRow} from '../model/cost.js'
import type {CommitmentTerm} from '../store/commitment-terms.js'

/**
 * One day of commitment-relevant spend as a cloud API answered it, at the rollup's grain plus the
 * FOCUS pricing and commitment columns: eligible usage no commitment covered, usage a commitment
 * covered, a commitment's unused part, or its fee. Cloud APIs aggregate by day, so each becomes a
 * commitment_usage row covering 24 hours from the day's first hour.
 */
export interface FetchedCommitmentUsage extends Pick<
  DailyCostRow,
  | 'day'
  | 'billingPeriodStart'
  | 'subAccountId'
  | 'serviceName'
  | 'serviceCategory'
  | 'regionId'
  | 'chargeCategory'
  | 'chargeFrequency'
  | 'currency'
  | 'billedCost'
  | 'effectiveCost'
  | 'listCost'
  | 'contractedCost'
> {
  /** standard (on demand), committed, dynamic (spot), or '' when the API does not say. */
  pricingCategory: 'standard' | 'committed' | 'dynamic' | ''
  /** The commitment's id as the provider names it (Savings Plan ARN, reservation id, CUD id), '' for none. */
  commitmentId: string
  commitmentStatus: 'used' | 'unused' | ''
  /** Spend or Usage (FOCUS CommitmentDiscountCategory). */
  commitmentCategory: string
  /** The provider's label: Savings Plan (and its kind), Reservation, Committed Use Discount. */
  commitmentType: string
}

/** A day's cost shared among parts in proportion to weights (equal shares when every weight is zero). */
export function shareByWeight<T>(parts: readonly T[], weight: (p: T) => number): {part: T; share: number}[] {
  const total = parts.reduce((s, p) => s + Math.abs(weight(p)), 0)
  return parts.map((part) => ({part, share: total > 0 ? Math.abs(weight(part)) / total : 1 / parts.length}))
}

/** A commitment's term as a cloud API stated it; provider and billing account are the source's. */
export type FetchedCommitmentTerm = Omit<CommitmentTerm, 'provider' | 'billingAccountId'>
