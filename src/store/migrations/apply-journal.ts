import type {Migration} from './index.js'

/**
 * The apply journal: one row per change, written with its before-state BEFORE the cluster is
 * touched, then marked applied or failed. Rollback and the restore at the end of a downtime window
 * read the before-state from here. before/after are JSON field sets (only the fields the action
 * changes), so a rollback writes back exactly what was there.
 */
export const migration: Migration = {
  id: '0400-apply-actions',
  up: `
CREATE TABLE apply_actions (
  id TEXT PRIMARY KEY,                   -- act-<hex>
  run_id TEXT NOT NULL,                  -- run-<time>-<hex>: one apply or one finops run
  kind TEXT NOT NULL,                    -- scale-down, restore, rightsize, spot
  namespace TEXT NOT NULL,
  workload_kind TEXT NOT NULL,           -- Deployment, StatefulSet
  workload_name TEXT NOT NULL,
  container TEXT,                        -- rightsize only
  recommendation_id TEXT,
  restores_action_id TEXT,               -- restore: the scale-down it undoes (when known)
  schedule TEXT,                         -- scheduled scale-down: the window definition
  reason TEXT NOT NULL DEFAULT '',       -- what and why, for the audit trail
  identity TEXT NOT NULL,                -- who applied it: service account or kube user@context
  before_state TEXT NOT NULL,            -- JSON FieldSet
  after_state TEXT NOT NULL,             -- JSON FieldSet
  resource_version TEXT,                 -- the version the plan was made against
  status TEXT NOT NULL,                  -- pending, applied, failed, rolled-back
  error TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  monthly_savings REAL,
  currency TEXT,
  created_at TEXT NOT NULL,
  finished_at TEXT,
  rolled_back_at TEXT
);
CREATE INDEX apply_actions_run ON apply_actions (run_id);
CREATE INDEX apply_actions_target ON apply_actions (namespace, workload_kind, workload_name);
CREATE INDEX apply_actions_status ON apply_actions (status);
`,
}
