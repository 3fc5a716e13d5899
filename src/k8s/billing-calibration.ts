import type {Db} from '../store/open.js'
import type {BillingCalibration} from './prices.js'

/** FOCUS ProviderName spellings per provider key (billing rows and the price catalog use them). */
export const PROVIDER_NAMES: Record<string, string[]> = {
  aws: ['AWS', 'Amazon Web Services'],
  gcp: ['Google Cloud', 'Google Cloud Platform', 'GCP'],
  azure: ['Microsoft', 'Microsoft Azure', 'Azure'],
}

/**
 * The discount billing shows on compute: Σ EffectiveCost / Σ ListCost of the provider's Compute
 * rows over the window (reservations, savings plans, negotiated rates). The default and configured
 * node prices are list prices, so multiplying on-demand nodes by this ratio prices them "at the
 * effective rate seen in billing". The store keeps daily rollups without resource ids, so nodes
 * cannot be matched one by one; undefined when billing has no compute rows for the provider.
 */
export function computeDiscountFromBilling(
  db: Db,
  provider: string,
  from: string,
  to: string,
): BillingCalibration | undefined {
  const names = PROVIDER_NAMES[provider]
  if (!names) return undefined
  const row = db
    .prepare(
      `SELECT SUM(effective_cost) AS effective, SUM(list_cost) AS list, COUNT(*) AS n FROM cost_daily
    WHERE provider IN (${names.map(() => '?').join(', ')}) AND service_category = 'Compute' AND day BETWEEN ? AND ? AND list_cost > 0`,
    )
    .get(...names, from, to) as {effective: number | null; list: number | null; n: number}
  if (!row.n || !row.list || !row.effective || row.list <= 0) return undefined
  const factor = row.effective / row.list
  // A ratio outside this band means the rows are not comparable (credits, partial data): do not use it.
  if (!(factor > 0.05 && factor <= 1.5)) return undefined
  return {factor, source: `billing effective/list ${factor.toFixed(3)} (${provider} Compute, ${from} to ${to})`}
}
