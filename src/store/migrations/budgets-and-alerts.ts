import type {Migration} from './index.js'

/**
 * Budgets and the alert ledger. A budget's scope is stored as the user's own `--filter` strings so it
 * is re-parsed (and re-validated) with the report's keys each time it is used. `alerts.key` is the
 * dedup identity (budget + period + threshold, or series + day for anomalies): one row per alert
 * ever raised, `pending` until a post succeeds, so a failed post is retried on the next run.
 */
export const migration: Migration = {
  id: '0200-budgets-alerts',
  up: `
CREATE TABLE budgets (
  id INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused, so a re-created budget alerts afresh
  name TEXT NOT NULL UNIQUE,
  amount REAL NOT NULL CHECK (amount > 0),
  period TEXT NOT NULL CHECK (period IN ('monthly', 'quarterly', 'yearly')),
  currency TEXT,                         -- NULL: the scope's only currency
  metric TEXT NOT NULL DEFAULT 'billed',
  filters TEXT NOT NULL DEFAULT '[]',    -- JSON array of "key=value" strings, as given
  thresholds TEXT NOT NULL,              -- JSON array of {kind: actual|forecast, percent}
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

CREATE TABLE alerts (
  key TEXT PRIMARY KEY,                  -- dedup identity, see above
  kind TEXT NOT NULL,                    -- budget | anomaly
  subject TEXT NOT NULL,                 -- budget name or series label, for listings
  status TEXT NOT NULL CHECK (status IN ('pending', 'sent')),
  payload TEXT NOT NULL,                 -- the Slack message (JSON) as last built; never the webhook URL
  summary TEXT NOT NULL,                 -- one line for the CLI
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,                       -- redacted
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  sent_at TEXT
) WITHOUT ROWID;
CREATE INDEX alerts_status ON alerts (status);
`,
}
