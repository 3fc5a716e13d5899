import {AMOUNT_SQL_COLUMNS} from '../amounts.js'
import type {Migration} from './index.js'

const amounts = AMOUNT_SQL_COLUMNS.map((c) => `  ${c} INTEGER NOT NULL DEFAULT 0`).join(',\n')

/**
 * What commitment analysis needs from a bill and the daily rollup drops: spend eligible for a
 * commitment (compute, databases, machine learning usage, and anything a commitment covered) per
 * hour, with its FOCUS PricingCategory and CommitmentDiscount* columns, so coverage, utilization
 * and waste can be measured and a commitment sized on hourly usage. Keyed by the rollup's grain
 * (cost_keys) so provider, accounts, service and region are stored once. Kept apart from
 * cost_rollup so the rollup, its summaries and every report stay as they are. A row covers
 * `span_hours` hours from `hour` (1 for hourly exports, 24 for daily ones).
 */
export const migration: Migration = {
  id: 'commitment-usage',
  up: `
CREATE TABLE commitment_usage (
  key_id INTEGER NOT NULL,               -- cost_keys id
  billing_period INTEGER NOT NULL,       -- day number of BillingPeriodStart
  hour INTEGER NOT NULL,                 -- hours since 1970-01-01 UTC of ChargePeriodStart
  span_hours INTEGER NOT NULL,           -- hours the charge period covers
  pricing_category TEXT NOT NULL,        -- standard, committed, dynamic, other, or '' when not given
  commitment_id TEXT NOT NULL,           -- CommitmentDiscountId, '' for none
  commitment_status TEXT NOT NULL,       -- used, unused, or ''
  commitment_category TEXT NOT NULL DEFAULT '',  -- Spend or Usage
  commitment_type TEXT NOT NULL DEFAULT '',      -- the provider's label (Savings Plan, Reservation, ...)
${amounts},
  PRIMARY KEY (key_id, billing_period, hour, span_hours, pricing_category, commitment_id, commitment_status)
) WITHOUT ROWID;
CREATE INDEX commitment_usage_hour ON commitment_usage (hour);
`,
}
