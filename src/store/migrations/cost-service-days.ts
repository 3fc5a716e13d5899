import {AMOUNT_SQL_COLUMNS} from '../amounts.js'
import {buildServiceDaysSql} from '../cost-summaries.js'
import type {Migration} from './index.js'

const amounts = AMOUNT_SQL_COLUMNS.map((c) => `  ${c} INTEGER NOT NULL DEFAULT 0`).join(',\n')

/**
 * A summary for reports that combine built-in dimensions (service by region, service filtered by
 * provider or account): cost_day_keys without sub-account, service category, charge kind, billing
 * period and source, so a year of it is read in a third of the rows and without a join. Kept in step
 * by the cost writer like the other summaries; built here from cost_day_keys for existing stores.
 */
export const migration: Migration = {
  id: 'cost-service-days',
  up: `
CREATE TABLE cost_service_days (
  day INTEGER NOT NULL,
  provider TEXT NOT NULL,
  billing_account_id TEXT NOT NULL,
  service_name TEXT NOT NULL,
  region_id TEXT NOT NULL,
  currency TEXT NOT NULL,
${amounts},
  row_count INTEGER NOT NULL,
  PRIMARY KEY (day, provider, billing_account_id, service_name, region_id, currency)
) WITHOUT ROWID;
${buildServiceDaysSql()}`,
}
