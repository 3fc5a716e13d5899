import type {Migration} from './index.js'

/**
 * What people said about anomalies: the anomalies detected (under their stable id, so a re-detection
 * maps to the same row), which were acknowledged, and the series muted until a day or for good
 * (optionally only below an amount).
 */
export const migration: Migration = {
  id: 'anomaly-feedback',
  up: `
CREATE TABLE anomalies (
  id TEXT PRIMARY KEY,
  series TEXT NOT NULL,
  group_by TEXT NOT NULL,
  keys TEXT NOT NULL,
  currency TEXT NOT NULL,
  providers TEXT NOT NULL,
  day TEXT NOT NULL,
  direction TEXT NOT NULL CHECK (direction IN ('spike', 'drop')),
  actual REAL NOT NULL,
  expected REAL NOT NULL,
  impact REAL NOT NULL,
  first_seen TEXT NOT NULL,
  last_seen TEXT NOT NULL,
  acked_at TEXT,
  ack_note TEXT
);
CREATE INDEX anomalies_day ON anomalies (day);
CREATE TABLE anomaly_mutes (
  series TEXT PRIMARY KEY,
  group_by TEXT NOT NULL,
  keys TEXT NOT NULL,
  below REAL,
  until TEXT,
  note TEXT,
  created_at TEXT NOT NULL
);
`,
}
