import type {Migration} from './index.js'

/**
 * The daily cost rollup at the FOCUS grain. Grain columns hold '' for "not given" so the primary key
 * can enforce one row per grain; tags live in deduplicated tag sets with a (key, value) index, so any
 * tag key can be grouped on without parsing JSON at report time.
 */
export const migration: Migration = {
  id: '0001-costs',
  up: `
CREATE TABLE tag_sets (
  id INTEGER PRIMARY KEY,
  tags TEXT NOT NULL UNIQUE              -- canonical JSON object, keys sorted; '{}' when untagged
);
INSERT INTO tag_sets (id, tags) VALUES (0, '{}');

CREATE TABLE tag_values (
  key TEXT NOT NULL,
  tag_set_id INTEGER NOT NULL REFERENCES tag_sets(id),
  value TEXT NOT NULL,
  PRIMARY KEY (key, tag_set_id)
) WITHOUT ROWID;

CREATE TABLE cost_daily (
  source TEXT NOT NULL,                  -- which collector wrote the row: focus, aws-ce, azure, gcp
  billing_period_start TEXT NOT NULL,    -- YYYY-MM-DD; FOCUS restatements replace whole periods
  day TEXT NOT NULL,                     -- YYYY-MM-DD (UTC) of ChargePeriodStart
  provider TEXT NOT NULL,
  billing_account_id TEXT NOT NULL,
  sub_account_id TEXT NOT NULL DEFAULT '',
  service_name TEXT NOT NULL DEFAULT '',
  service_category TEXT NOT NULL DEFAULT '',
  region_id TEXT NOT NULL DEFAULT '',
  charge_category TEXT NOT NULL DEFAULT '',
  charge_frequency TEXT NOT NULL DEFAULT '',
  currency TEXT NOT NULL,
  tag_set_id INTEGER NOT NULL DEFAULT 0 REFERENCES tag_sets(id),
  billed_cost REAL NOT NULL DEFAULT 0,
  effective_cost REAL NOT NULL DEFAULT 0,
  list_cost REAL NOT NULL DEFAULT 0,
  contracted_cost REAL NOT NULL DEFAULT 0,
  PRIMARY KEY (source, provider, billing_account_id, billing_period_start, day, sub_account_id, service_name,
               service_category, region_id, charge_category, charge_frequency, currency, tag_set_id)
) WITHOUT ROWID;
CREATE INDEX cost_daily_day ON cost_daily (day);
CREATE INDEX cost_daily_scope_day ON cost_daily (source, provider, billing_account_id, day);

CREATE TABLE accounts (
  provider TEXT NOT NULL,
  account_id TEXT NOT NULL,
  name TEXT NOT NULL,
  PRIMARY KEY (provider, account_id)
) WITHOUT ROWID;

CREATE TABLE imports (
  id INTEGER PRIMARY KEY,
  source TEXT NOT NULL,
  location TEXT NOT NULL,                -- file path(s) or API scope; never credentials
  started_at TEXT NOT NULL,
  finished_at TEXT NOT NULL,
  rows_read INTEGER NOT NULL,
  rows_skipped INTEGER NOT NULL,
  rollup_rows INTEGER NOT NULL,
  scopes TEXT NOT NULL                   -- JSON: the partitions or day ranges this import replaced
);
`,
}
