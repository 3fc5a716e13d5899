import type {Db} from '../store/open.js'
import {sumEffectiveAndListCost} from '../store/billing-rates.js'
import type {BillingCalibration} from './prices.js'
import {PROVIDER_NAMES} from '../model/provider-names.js'

/**
 * The discount billing shows on compute: Σ EffectiveCost / Σ ListCost of the provider's Compute
 * rows over the window (reservations, savings plans, negotiated rates). The default and configured
 * node prices are list prices, so multiplying on-demand nodes by this ratio prices them "at the
 * effective rate seen in billing" when the bill has no row for the node itself. Undefined when
 * billing has no compute rows for the provider.
 */
export function computeDiscountFromBilling(
  db: Db,
  provider: string,
  from: string,
  to: string,
): BillingCalibration | undefined {
  const names = PROVIDER_NAMES[provider]
  if (!names) return undefined
  const sums = sumEffectiveAndListCost(db, {providers: names, serviceCategory: 'Compute', from, to})
  return discountFromSums(sums, provider, from, to)
}

/** The effective/list ratio of cost sums, or undefined when they are not comparable. */
export function discountFromSums(
  sums: {effective: number; list: number; rows: number},
  provider: string,
  from: string,
  to: string,
): BillingCalibration | undefined {
  if (!sums.rows || !(sums.list > 0) || !(sums.effective > 0)) return undefined
  const factor = sums.effective / sums.list
  // A ratio outside this band means the rows are not comparable (credits, partial data): do not use it.
  if (!(factor > 0.05 && factor <= 1.5)) return undefined
  return {factor, source: `billing effective/list ${factor.toFixed(3)} (${provider} Compute, ${from} to ${to})`}
}
