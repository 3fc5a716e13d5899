import type {Migration} from './index.js'

/**
 * Cloud billing collectors: one watermark per source and scope (the last day a run
 * collected, so the next run asks only for what is new plus the restatement window), and the
 * price catalog the recommenders read spot/on-demand ratios from.
 */
export const migration: Migration = {
  id: '0100-cloud-collectors',
  up: `
CREATE TABLE collector_watermarks (
  source TEXT NOT NULL,                  -- aws-ce, azure, gcp
  scope TEXT NOT NULL,                   -- billing account / Azure scope / BigQuery table; never credentials
  collected_through TEXT NOT NULL,       -- YYYY-MM-DD: last day the latest successful run collected
  final_through TEXT NOT NULL,           -- YYYY-MM-DD: days up to here are outside the restatement window and the current month
  last_run_at TEXT NOT NULL,
  last_requests INTEGER NOT NULL,        -- API requests the latest successful run made (Cost Explorer bills each one)
  PRIMARY KEY (source, scope)
) WITHOUT ROWID;

CREATE TABLE prices (
  provider TEXT NOT NULL,                -- GCP (Cloud Billing Catalog)
  service_name TEXT NOT NULL,            -- e.g. Compute Engine
  sku_id TEXT NOT NULL,
  region TEXT NOT NULL,                  -- one row per region the SKU is sold in ('global' for global SKUs)
  description TEXT NOT NULL,
  resource_family TEXT NOT NULL DEFAULT '',
  resource_group TEXT NOT NULL DEFAULT '',
  usage_type TEXT NOT NULL DEFAULT '',   -- OnDemand, Preemptible (spot), Commit1Yr, Commit3Yr
  capacity TEXT NOT NULL,                -- on-demand, spot, commitment, other
  family_key TEXT NOT NULL,              -- description without the spot/preemptible words: pairs spot with on-demand
  unit TEXT NOT NULL DEFAULT '',         -- usage unit, e.g. h, GiBy.h
  unit_price REAL NOT NULL,              -- price of one unit at the first tier
  currency TEXT NOT NULL,
  effective_time TEXT NOT NULL DEFAULT '',
  collected_at TEXT NOT NULL,
  PRIMARY KEY (provider, sku_id, region)
) WITHOUT ROWID;
CREATE INDEX prices_pairing ON prices (provider, region, family_key);
`,
}
