import type {Migration} from './index.js'

/**
 * Service by region over most of the stored days, the report people ask for most, read in its own
 * order: cost_service_days by service, region, currency and day, covering the report metrics, so a
 * year is one pass of this index with no sort of ~40,000 rows (about half the query's work).
 */
export const migration: Migration = {
  id: 'cost-service-days-by-service',
  up: `
CREATE INDEX cost_service_days_by_service ON cost_service_days (service_name, region_id, currency, day,
  billed_units, billed_nanos, effective_units, effective_nanos, list_units, list_nanos);`,
}
