import type {Db} from './open.js'

/** One resource's cost on one day, as a FOCUS export bills it (rolled up over the day's rows). */
export interface ResourceCostRow {
  source: string
  provider: string
  billingAccountId: string
  billingPeriodStart: string
  resourceId: string
  day: string
  serviceCategory: string
  unit: string
  currency: string
  quantity: number
  billedCost: number
  effectiveCost: number
  listCost: number
}

/**
 * The part of a ResourceId that a node's providerID or a disk id names: its last path segment, in
 * lower case (Azure ids are case-insensitive, and bills and the Kubernetes API spell them differently).
 */
export const resourceKey = (resourceId: string): string =>
  (resourceId.split('/').filter(Boolean).at(-1) ?? resourceId).toLowerCase()

/** A billing period whose resource rows an import replaces. */
export interface ResourceCostScope {
  source: string
  provider: string
  billingAccountId: string
  billingPeriodStart: string
}

/** Writes resource rows inside the caller's transaction, a row at a time (an import streams them). */
export interface ResourceCostWriter {
  /** Deletes what the store held for the billing period (a restated period replaces its rows). */
  clear(scope: ResourceCostScope): void
  /** Upserts one row (same resource, day, category, unit and currency: summed). */
  add(row: ResourceCostRow): void
}

export function openResourceCostWriter(db: Db): ResourceCostWriter {
  const del = db.prepare(
    'DELETE FROM cost_resource_daily WHERE source = ? AND provider = ? AND billing_account_id = ? AND billing_period_start = ?',
  )
  const upsert = db.prepare(`INSERT INTO cost_resource_daily
    (source, provider, billing_account_id, billing_period_start, resource_id, resource_key, day, service_category, unit, currency,
     quantity, billed_cost, effective_cost, list_cost)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (source, provider, billing_account_id, billing_period_start, resource_id, day, service_category, unit, currency)
    DO UPDATE SET quantity = quantity + excluded.quantity, billed_cost = billed_cost + excluded.billed_cost,
      effective_cost = effective_cost + excluded.effective_cost, list_cost = list_cost + excluded.list_cost`)
  return {
    clear: (s) => del.run(s.source, s.provider, s.billingAccountId, s.billingPeriodStart),
    add: (r) =>
      upsert.run(
        r.source,
        r.provider,
        r.billingAccountId,
        r.billingPeriodStart,
        r.resourceId,
        resourceKey(r.resourceId),
        r.day,
        r.serviceCategory,
        r.unit,
        r.currency,
        r.quantity,
        r.billedCost,
        r.effectiveCost,
        r.listCost,
      ),
  }
}

/** A resource's bill on one day: cost summed over its rows, and the quantity of one unit (hours for instances). */
export interface ResourceDayCost {
  resourceKey: string
  provider: string
  day: string
  effectiveCost: number
  listCost: number
  /** Σ quantity of rows whose unit is hours (instances), else 0. */
  hours: number
  currency: string
}

/**
 * The daily bill of the given resources (by key) over an inclusive day range, optionally one
 * service category, summed over accounts and sources. Hours count rows priced per hour.
 */
export function readResourceDayCosts(
  db: Db,
  query: {keys: readonly string[]; from: string; to: string; serviceCategory?: string},
): ResourceDayCost[] {
  if (query.keys.length === 0) return []
  const out: ResourceDayCost[] = []
  // Chunks keep the parameter list under SQLite's limit on big clusters.
  const wanted = [...new Set(query.keys.map((k) => k.toLowerCase()))]
  for (let i = 0; i < wanted.length; i += 500) {
    const keys = wanted.slice(i, i + 500)
    out.push(
      ...(db
        .prepare(
          `SELECT resource_key AS resourceKey, provider, day, currency,
          SUM(effective_cost) AS effectiveCost, SUM(list_cost) AS listCost,
          SUM(CASE WHEN lower(unit) IN ('hours', 'hour', 'hrs', 'hr', 'h') THEN quantity ELSE 0 END) AS hours
        FROM cost_resource_daily
        WHERE resource_key IN (${keys.map(() => '?').join(', ')}) AND day BETWEEN ? AND ?
          AND (? IS NULL OR service_category = ?)
        GROUP BY resource_key, provider, day, currency ORDER BY resource_key, day`,
        )
        .all(
          ...keys,
          query.from,
          query.to,
          query.serviceCategory ?? null,
          query.serviceCategory ?? null,
        ) as ResourceDayCost[]),
    )
  }
  return out
}
