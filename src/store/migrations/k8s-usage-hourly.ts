import type {Migration} from './index.js'

/**
 * CPU usage by UTC hour of day, one row per container-day beside its day digest: 24 small sketches
 * in one blob, so a daily pattern (a batch hour, a day/night cycle) can be sized hour by hour. The
 * day digests cannot tell when in the day the load came. Bounded per container-day whatever the
 * scrape interval (an hour's sketch has at most a few dozen buckets).
 */
export const migration: Migration = {
  id: 'k8s-usage-hourly',
  up: `
CREATE TABLE k8s_usage_hourly (
  cluster TEXT NOT NULL,
  namespace TEXT NOT NULL,
  kind TEXT NOT NULL,
  workload TEXT NOT NULL,
  container TEXT NOT NULL,
  day TEXT NOT NULL,                     -- YYYY-MM-DD (UTC)
  cpu_by_hour TEXT NOT NULL,             -- JSON array of 24 compact CPU sketches (cores), hour 0 UTC first
  updated_at TEXT NOT NULL,
  PRIMARY KEY (cluster, namespace, kind, workload, container, day)
) WITHOUT ROWID;
CREATE INDEX k8s_usage_hourly_day ON k8s_usage_hourly (day);
`,
}
