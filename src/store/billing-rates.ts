import type {Db} from './open.js'

/** Σ EffectiveCost and Σ ListCost of billing rows, and how many rows they are over. */
export interface CostSums {
  effective: number
  list: number
  rows: number
}

/**
 * Sums effective and list cost of one service category's rows (rows with a list cost only) for
 * the given provider spellings over an inclusive day range: the basis of "the discount billing
 * shows" on, say, compute.
 */
export function sumEffectiveAndListCost(
  db: Db,
  query: {providers: readonly string[]; serviceCategory: string; from: string; to: string},
): CostSums {
  if (query.providers.length === 0) return {effective: 0, list: 0, rows: 0}
  const row = db
    .prepare(
      `SELECT COALESCE(SUM(effective_cost), 0) AS effective, COALESCE(SUM(list_cost), 0) AS list, COUNT(*) AS rows
    FROM cost_daily
    WHERE provider IN (${query.providers.map(() => '?').join(', ')}) AND service_category = ? AND day BETWEEN ? AND ?
      AND list_cost > 0`,
    )
    .get(...query.providers, query.serviceCategory, query.from, query.to) as CostSums
  return row
}
