import type {Migration} from './index.js'

/**
 * Commitments a user marked as purchased (`finops savings record`), so the savings ledger lists
 * them beside the applied actions: what was promised when buying, measured later from the bill.
 */
export const migration: Migration = {
  id: 'savings-commitments',
  up: `
CREATE TABLE savings_commitments (
  id TEXT PRIMARY KEY,                   -- the provider's id (Savings Plan ARN, reservation id, CUD name)
  provider TEXT NOT NULL,
  type TEXT NOT NULL,                    -- savings-plan | reservation | committed-use
  hourly_commitment REAL NOT NULL,
  term_months INTEGER NOT NULL,
  start_day TEXT NOT NULL,
  promised_monthly REAL,
  currency TEXT NOT NULL,
  note TEXT NOT NULL DEFAULT '',
  recorded_at TEXT NOT NULL
);
`,
}
