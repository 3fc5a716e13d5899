import type {Migration} from './index.js'

/**
 * How much of each covered day Prometheus had no kube-state-metrics sample for (an outage, a scrape
 * gap, the edge of its retention): nodes and pods are charged only for the instants seen, so a
 * report over that day says how many hours are missing rather than passing the shortfall off as
 * the cluster's cost. 0 for days collected before this was measured.
 */
export const migration: Migration = {
  id: 'k8s-history-missing-seconds',
  up: `ALTER TABLE k8s_history_coverage ADD COLUMN missing_seconds INTEGER NOT NULL DEFAULT 0;`,
}
