import type {Migration} from './index.js'

/**
 * The latest recommendations, so `finops apply` plans from what `finops recommend` showed. Each run
 * replaces the rows of the kinds (and namespaces) it computed; ids are stable per kind and target,
 * so the same recommendation keeps its id across runs. Rows are JSON documents (the Recommendation
 * contract in src/model/recommendation.ts) under indexed keys.
 */
export const migration: Migration = {
  id: '0350-recommendations',
  up: `
CREATE TABLE recommendation_runs (
  id INTEGER PRIMARY KEY,
  created_at TEXT NOT NULL,
  kinds TEXT NOT NULL,                   -- JSON array of the kinds computed
  namespaces TEXT NOT NULL DEFAULT '[]', -- JSON array; [] = every namespace
  window_start TEXT,                     -- YYYY-MM-DD of the usage window, when there was usage
  window_end TEXT,
  recommendations INTEGER NOT NULL,
  skipped INTEGER NOT NULL,
  total_monthly_savings REAL NOT NULL,
  currency TEXT NOT NULL
);

CREATE TABLE recommendations (
  id TEXT PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES recommendation_runs(id),
  kind TEXT NOT NULL,
  cluster TEXT NOT NULL DEFAULT '',
  namespace TEXT NOT NULL,
  target_kind TEXT NOT NULL,
  name TEXT NOT NULL,
  container TEXT NOT NULL DEFAULT '',
  monthly_savings REAL NOT NULL,
  risk TEXT NOT NULL,
  doc TEXT NOT NULL                      -- JSON Recommendation
);
CREATE INDEX recommendations_kind ON recommendations (kind, namespace);

CREATE TABLE recommendation_skips (
  run_id INTEGER NOT NULL REFERENCES recommendation_runs(id),
  kind TEXT NOT NULL,
  cluster TEXT NOT NULL DEFAULT '',
  namespace TEXT NOT NULL,
  target_kind TEXT NOT NULL,
  name TEXT NOT NULL,
  container TEXT NOT NULL DEFAULT '',
  reason TEXT NOT NULL
);
CREATE INDEX recommendation_skips_kind ON recommendation_skips (kind, namespace);
`,
}
