import type {Migration} from './index.js'

/** The `finops run` lock: one row per lock name while a run holds it; stale rows expire. */
export const migration: Migration = {
  id: '0401-run-lock',
  up: `
CREATE TABLE run_locks (
  name TEXT PRIMARY KEY,
  run_id TEXT NOT NULL,
  holder TEXT NOT NULL,                  -- host and pid, for the operator reading a 'locked' error
  acquired_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
);
`,
}
