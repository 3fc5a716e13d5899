import type {Db} from './open.js'

/** How a SKU is bought: the recommenders compare spot with on-demand within one family and region. */
export type Capacity = 'on-demand' | 'spot' | 'commitment' | 'other'

/** One catalog price: a SKU's first-tier unit price in one region. */
export interface PriceRow {
  provider: string
  serviceName: string
  skuId: string
  region: string
  description: string
  resourceFamily: string
  resourceGroup: string
  usageType: string
  capacity: Capacity
  /** The description without the spot/preemptible words, so a spot SKU pairs with its on-demand SKU. */
  familyKey: string
  unit: string
  unitPrice: number
  currency: string
  effectiveTime: string
}

/** Replaces a provider+service's catalog in one transaction (a failed fetch leaves the old one). */
export function replacePrices(
  db: Db,
  provider: string,
  serviceName: string,
  rows: readonly PriceRow[],
  collectedAt = new Date().toISOString(),
): number {
  const del = db.prepare('DELETE FROM prices WHERE provider = ? AND service_name = ?')
  const insert =
    db.prepare(`INSERT OR REPLACE INTO prices (provider, service_name, sku_id, region, description, resource_family,
      resource_group, usage_type, capacity, family_key, unit, unit_price, currency, effective_time, collected_at)
    VALUES (@provider, @serviceName, @skuId, @region, @description, @resourceFamily, @resourceGroup, @usageType, @capacity,
      @familyKey, @unit, @unitPrice, @currency, @effectiveTime, @collectedAt)`)
  return db.transaction(() => {
    del.run(provider, serviceName)
    for (const row of rows) insert.run({...row, collectedAt})
    return rows.length
  })()
}

export interface SpotPriceRatio {
  /** Median of spot unit price / on-demand unit price over the matched SKU pairs (e.g. 0.3 = 70% off). */
  ratio: number
  /** How many spot/on-demand SKU pairs the median is over. */
  pairs: number
  /** Smallest and largest ratio seen, to show how much it varies by machine family. */
  min: number
  max: number
}

/**
 * The typical spot discount a provider's catalog shows, optionally in one region: each spot
 * (preemptible) SKU is paired with the on-demand SKU of the same family and region, and the median
 * of their price ratios is returned. Undefined when no pair exists (no catalog collected yet).
 */
export function spotPriceRatio(db: Db, provider: string, region?: string): SpotPriceRatio | undefined {
  const rows = db
    .prepare(
      `
    SELECT s.unit_price / o.unit_price AS ratio
    FROM prices s JOIN prices o
      ON o.provider = s.provider AND o.region = s.region AND o.family_key = s.family_key AND o.unit = s.unit
         AND o.currency = s.currency AND o.capacity = 'on-demand'
    WHERE s.provider = ? AND s.capacity = 'spot' AND o.unit_price > 0 AND (? IS NULL OR s.region = ?)
    ORDER BY ratio`,
    )
    .pluck()
    .all(provider, region ?? null, region ?? null) as number[]
  if (rows.length === 0) return undefined
  const mid = Math.floor(rows.length / 2)
  const ratio = rows.length % 2 === 1 ? rows[mid]! : (rows[mid - 1]! + rows[mid]!) / 2
  return {ratio, pairs: rows.length, min: rows[0]!, max: rows.at(-1)!}
}

/** Catalog rows for a provider (optionally one region), for reports and recommenders. */
export function listPrices(db: Db, provider: string, region?: string): PriceRow[] {
  return db
    .prepare(
      `SELECT provider, service_name AS serviceName, sku_id AS skuId, region, description, resource_family AS resourceFamily,
      resource_group AS resourceGroup, usage_type AS usageType, capacity, family_key AS familyKey, unit, unit_price AS unitPrice,
      currency, effective_time AS effectiveTime
    FROM prices WHERE provider = ? AND (? IS NULL OR region = ?) ORDER BY region, family_key, capacity`,
    )
    .all(provider, region ?? null, region ?? null) as PriceRow[]
}

/** Per-core-hour and per-GiB-hour prices of a machine series in a region, from the catalog. */
export interface ComponentPrices {
  coreHour: number
  ramGiBHour: number
  /** The SKUs' descriptions, for the price source shown to users. */
  description: string
  currency: string
}

/**
 * The catalog's core and RAM prices for a machine series (GCP: `N2` for n2-standard-4) in one
 * region and capacity: the plain SKUs (not custom, sole-tenant or commitment ones), cheapest
 * description first. Undefined unless both are found.
 */
export function catalogComponentPrices(
  db: Db,
  query: {provider: string; region: string; series: string; capacity: 'on-demand' | 'spot'},
): ComponentPrices | undefined {
  const pick = (component: 'Core' | 'Ram') =>
    db
      .prepare(
        `SELECT unit_price AS price, description, currency FROM prices
      WHERE provider = ? AND region = ? AND capacity = ? AND upper(family_key) LIKE ? AND family_key LIKE ?
        AND family_key NOT LIKE '%Custom%' AND family_key NOT LIKE '%Sole Tenancy%' AND family_key NOT LIKE '%Commitment%'
        AND unit_price > 0
      ORDER BY length(family_key), unit_price LIMIT 1`,
      )
      .get(
        query.provider,
        query.region,
        query.capacity,
        `${query.series.toUpperCase()} %`,
        `%Instance ${component}%`,
      ) as {price: number; description: string; currency: string} | undefined
  const core = pick('Core')
  const ram = pick('Ram')
  if (!core || !ram) return undefined
  return {coreHour: core.price, ramGiBHour: ram.price, description: core.description, currency: core.currency}
}
