import {AMOUNT_SQL_COLUMNS} from '../amounts.js'
import type {Migration} from './index.js'

const amounts = AMOUNT_SQL_COLUMNS.map((c) => `  ${c} INTEGER NOT NULL DEFAULT 0`).join(',\n')

/**
 * One level below the rollup's grain, for explaining a change (an anomaly's root cause): each grain
 * key's daily cost by usage type (FOCUS SkuId, a cloud API's usage type, meter or SKU) and by
 * resource. Kept apart from cost_rollup so the rollup, its summaries and every report stay as they
 * are; without tags, so a resource appears once per key and day, not once per tag set. Writers keep
 * the largest values of a key and day and sum the rest under '' (cost-details.ts), so the table
 * grows with keys x days, not with resources. `label` is for display only (a SKU's description, a
 * resource's name).
 */
export const migration: Migration = {
  id: 'cost-details',
  up: `
CREATE TABLE cost_details (
  key_id INTEGER NOT NULL,               -- cost_keys id
  billing_period INTEGER NOT NULL,       -- day number of BillingPeriodStart
  day INTEGER NOT NULL,                  -- day number of ChargePeriodStart
  kind INTEGER NOT NULL,                 -- 0: usage type, 1: resource
  value TEXT NOT NULL,                   -- '' for the rest of the key's day
  label TEXT NOT NULL DEFAULT '',
${amounts},
  PRIMARY KEY (key_id, billing_period, day, kind, value)
) WITHOUT ROWID;
CREATE INDEX cost_details_day ON cost_details (day, kind);
`,
}
