import type {Migration} from './index.js'

/**
 * Resource-level daily costs from FOCUS exports, kept only for the resources Kubernetes allocation
 * prices one by one (compute instances and disks: ServiceCategory Compute or Storage with a
 * ResourceId). Rows grow with resources x days, not with line items. `resource_key` is the last
 * path segment of the ResourceId (an ARN's `instance/i-0abc` gives `i-0abc`), which is what a
 * node's providerID or a volume's disk id names.
 */
export const migration: Migration = {
  id: 'cost-resources',
  up: `
CREATE TABLE cost_resource_daily (
  source TEXT NOT NULL,
  provider TEXT NOT NULL,
  billing_account_id TEXT NOT NULL,
  billing_period_start TEXT NOT NULL,
  resource_id TEXT NOT NULL,
  resource_key TEXT NOT NULL,
  day TEXT NOT NULL,
  service_category TEXT NOT NULL,
  unit TEXT NOT NULL DEFAULT '',          -- PricingUnit, else ConsumedUnit (Hours, GB-Mo, GB...)
  currency TEXT NOT NULL,
  quantity REAL NOT NULL DEFAULT 0,       -- Σ PricingQuantity, else ConsumedQuantity
  billed_cost REAL NOT NULL DEFAULT 0,
  effective_cost REAL NOT NULL DEFAULT 0,
  list_cost REAL NOT NULL DEFAULT 0,
  PRIMARY KEY (source, provider, billing_account_id, billing_period_start, resource_id, day, service_category, unit, currency)
) WITHOUT ROWID;
CREATE INDEX cost_resource_key_day ON cost_resource_daily (resource_key, day);
`,
}
