import type {CommitmentUsageRow} from '../store/commitment-usage.js'

/**
 * What a row's usage costs at the rate the account pays without a commitment: ContractedCost (the
 * agreed rate, negotiated discounts included, commitment discounts not) when the bill gives it,
 * else ListCost, else (uncovered usage) EffectiveCost. FOCUS 1.0 ListCost/ContractedCost semantics.
 */
export function onDemandEquivalent(
  row: Pick<CommitmentUsageRow, 'contractedCost' | 'listCost' | 'effectiveCost'>,
): number {
  if (row.contractedCost > 0) return row.contractedCost
  if (row.listCost > 0) return row.listCost
  return row.effectiveCost
}

/** Usage a commitment covered (its Used rows). */
export const isCovered = (row: CommitmentUsageRow): boolean =>
  row.chargeCategory === 'Usage' && row.commitmentId !== '' && row.commitmentStatus !== 'unused'

/** A commitment's unused part. */
export const isUnused = (row: CommitmentUsageRow): boolean =>
  row.chargeCategory === 'Usage' && row.commitmentId !== '' && row.commitmentStatus === 'unused'

/** Eligible usage no commitment covered (billed at the standard rate). */
export const isUncovered = (row: CommitmentUsageRow): boolean =>
  row.chargeCategory === 'Usage' && row.commitmentId === '' && row.pricingCategory !== 'dynamic'

/** The purchase of a commitment (upfront or recurring fee). */
export const isFee = (row: CommitmentUsageRow): boolean => row.chargeCategory === 'Purchase' && row.commitmentId !== ''

/** The family a row's usage belongs to: what one commitment scope can cover. */
export interface FamilyKey {
  provider: string
  serviceCategory: string
  serviceName: string
  regionId: string
  currency: string
}

export const familyKey = (r: FamilyKey): string =>
  [r.provider, r.serviceCategory, r.serviceName, r.regionId, r.currency].join('\u0000')

export const familyLabel = (r: Pick<FamilyKey, 'serviceName' | 'regionId'>): string =>
  `${r.serviceName || '(no service)'} ${r.regionId || '(no region)'}`
