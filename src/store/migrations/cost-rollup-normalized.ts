import {AMOUNT_SQL_COLUMNS} from '../amounts.js'
import {buildSummariesSql} from '../cost-summaries.js'
import type {Migration} from './index.js'

const amounts = AMOUNT_SQL_COLUMNS.map((c) => `  ${c} INTEGER NOT NULL DEFAULT 0`).join(',\n')
// Summaries count the rollup rows they stand for: a group whose amounts sum to zero still exists.
const counted = `${amounts},\n  row_count INTEGER NOT NULL`
const split = (column: string): string =>
  `CAST(${column} AS INTEGER), CAST(round((${column} - CAST(${column} AS INTEGER)) * 1e9) AS INTEGER)`

/**
 * The daily cost rollup, normalized so a year of per-resource tags stays small and reports read
 * summaries instead of every row:
 * - the grain's low-cardinality text (source, provider, accounts, service, region, charge kind,
 *   currency) is stored once per combination in cost_keys, the rollup holds its id;
 * - days and billing periods are day numbers; amounts are exact fixed-point (units + nanos);
 * - a tag set is stored once, as ids of (key, value) pairs;
 * - cost_summary drops the tag keys with many values (per-resource names); cost_day_keys drops
 *   tags, cost_by_key holds one dimension or summarized tag key per row. All three are kept in step
 *   by the one cost writer (see cost-summaries.ts).
 * `cost_daily` and `tag_values` stay as views with their old columns.
 */
export const migration: Migration = {
  id: 'cost-rollup-normalized',
  up: `
CREATE TABLE cost_keys (
  id INTEGER PRIMARY KEY,
  source TEXT NOT NULL,                  -- which collector wrote the rows: focus, aws-ce, azure, gcp
  provider TEXT NOT NULL,
  billing_account_id TEXT NOT NULL,
  sub_account_id TEXT NOT NULL,
  service_name TEXT NOT NULL,
  service_category TEXT NOT NULL,
  region_id TEXT NOT NULL,
  charge_category TEXT NOT NULL,
  charge_frequency TEXT NOT NULL,
  currency TEXT NOT NULL,
  UNIQUE (source, provider, billing_account_id, sub_account_id, service_name, service_category, region_id,
          charge_category, charge_frequency, currency)
);

CREATE TABLE tag_keys (
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE,
  summarized INTEGER NOT NULL DEFAULT 1  -- 0 once the key has too many values to be kept in cost_summary
);
CREATE TABLE tag_pairs (
  id INTEGER PRIMARY KEY,
  key_id INTEGER NOT NULL,
  value TEXT NOT NULL,
  UNIQUE (key_id, value)
);
CREATE TABLE cost_tag_sets (
  id INTEGER PRIMARY KEY,                -- 0: untagged
  pairs TEXT NOT NULL UNIQUE,            -- the set's tag_pairs ids, ascending, comma-separated
  summary_set_id INTEGER NOT NULL        -- the same set without the keys that are not summarized
);
INSERT INTO cost_tag_sets (id, pairs, summary_set_id) VALUES (0, '', 0);
CREATE TABLE tag_set_pairs (
  tag_set_id INTEGER NOT NULL,
  key_id INTEGER NOT NULL,
  pair_id INTEGER NOT NULL,
  PRIMARY KEY (tag_set_id, key_id)
) WITHOUT ROWID;

CREATE TABLE cost_rollup (
  key_id INTEGER NOT NULL,
  billing_period INTEGER NOT NULL,       -- day number of BillingPeriodStart
  day INTEGER NOT NULL,                  -- day number (UTC) of ChargePeriodStart
  tag_set_id INTEGER NOT NULL,
${amounts},
  PRIMARY KEY (key_id, billing_period, day, tag_set_id)
) WITHOUT ROWID;

CREATE TABLE cost_summary (
  key_id INTEGER NOT NULL,
  billing_period INTEGER NOT NULL,
  day INTEGER NOT NULL,
  summary_set_id INTEGER NOT NULL,
${counted},
  PRIMARY KEY (key_id, billing_period, day, summary_set_id)
) WITHOUT ROWID;
CREATE INDEX cost_summary_day ON cost_summary (day);

CREATE TABLE cost_day_keys (
  key_id INTEGER NOT NULL,
  billing_period INTEGER NOT NULL,
  day INTEGER NOT NULL,
${counted},
  PRIMARY KEY (key_id, billing_period, day)
) WITHOUT ROWID;
CREATE INDEX cost_day_keys_day ON cost_day_keys (day);

CREATE TABLE cost_by_key (
  dimension TEXT NOT NULL,               -- a built-in dimension (service, region...) or tag:<key>
  day INTEGER NOT NULL,
  value TEXT NOT NULL,                   -- '' when the dimension is empty; tags: rows without the key are absent
  currency TEXT NOT NULL,
${counted},
  PRIMARY KEY (dimension, day, value, currency)
) WITHOUT ROWID;

-- Existing rows move over: keys, tag pairs and sets keep their meaning, amounts become fixed-point.
INSERT INTO cost_keys (source, provider, billing_account_id, sub_account_id, service_name, service_category, region_id,
    charge_category, charge_frequency, currency)
  SELECT DISTINCT source, provider, billing_account_id, sub_account_id, service_name, service_category, region_id,
    charge_category, charge_frequency, currency FROM cost_daily;
INSERT INTO tag_keys (key) SELECT DISTINCT key FROM tag_values ORDER BY key;
INSERT INTO tag_pairs (key_id, value)
  SELECT DISTINCT k.id, v.value FROM tag_values v JOIN tag_keys k ON k.key = v.key ORDER BY k.id, v.value;
INSERT INTO tag_set_pairs (tag_set_id, key_id, pair_id)
  SELECT v.tag_set_id, k.id, p.id FROM tag_values v JOIN tag_keys k ON k.key = v.key
  JOIN tag_pairs p ON p.key_id = k.id AND p.value = v.value;
INSERT INTO cost_tag_sets (id, pairs, summary_set_id)
  SELECT tag_set_id, group_concat(pair_id, ',' ORDER BY pair_id), tag_set_id FROM tag_set_pairs
  GROUP BY tag_set_id HAVING tag_set_id <> 0;
INSERT INTO cost_rollup (key_id, billing_period, day, tag_set_id, ${AMOUNT_SQL_COLUMNS.join(', ')})
  SELECT k.id, CAST(julianday(c.billing_period_start) - 2440587.5 AS INTEGER), CAST(julianday(c.day) - 2440587.5 AS INTEGER),
    c.tag_set_id, ${split('c.billed_cost')}, ${split('c.effective_cost')}, ${split('c.list_cost')}, ${split('c.contracted_cost')}
  FROM cost_daily c JOIN cost_keys k ON k.source = c.source AND k.provider = c.provider
    AND k.billing_account_id = c.billing_account_id AND k.sub_account_id = c.sub_account_id
    AND k.service_name = c.service_name AND k.service_category = c.service_category AND k.region_id = c.region_id
    AND k.charge_category = c.charge_category AND k.charge_frequency = c.charge_frequency AND k.currency = c.currency;

DROP TABLE cost_daily;
DROP TABLE tag_values;
DROP TABLE tag_sets;
${buildSummariesSql()}

-- The old shapes, for readers that predate the normalized tables (slower: each row is decoded).
CREATE VIEW cost_daily AS
  SELECT k.source, date(r.billing_period * 86400, 'unixepoch') AS billing_period_start,
    date(r.day * 86400, 'unixepoch') AS day, k.provider, k.billing_account_id, k.sub_account_id, k.service_name,
    k.service_category, k.region_id, k.charge_category, k.charge_frequency, k.currency, r.tag_set_id,
    r.billed_units + r.billed_nanos / 1e9 AS billed_cost, r.effective_units + r.effective_nanos / 1e9 AS effective_cost,
    r.list_units + r.list_nanos / 1e9 AS list_cost, r.contracted_units + r.contracted_nanos / 1e9 AS contracted_cost
  FROM cost_rollup r JOIN cost_keys k ON k.id = r.key_id;
CREATE VIEW tag_values AS
  SELECT k.key AS key, s.tag_set_id AS tag_set_id, p.value AS value
  FROM tag_set_pairs s JOIN tag_keys k ON k.id = s.key_id JOIN tag_pairs p ON p.id = s.pair_id;
`,
}
