import type {Migration} from './index.js'

/**
 * What a commitment's provider says about it beyond its daily usage: start and end, the hourly
 * commitment and the fees, as the source that answered last stated them (AWS Cost Explorer's
 * per-plan and per-reservation attributes). FOCUS 1.0 bills carry none of it, so `commitments
 * status` reads it here to say when each commitment ends and what renewing it would cost.
 */
export const migration: Migration = {
  id: 'commitment-terms',
  up: `
CREATE TABLE commitment_terms (
  provider TEXT NOT NULL,
  commitment_id TEXT NOT NULL,           -- CommitmentDiscountId as billed (Savings Plan ARN, reservation id)
  billing_account_id TEXT NOT NULL,
  start_day TEXT NOT NULL DEFAULT '',    -- YYYY-MM-DD, '' when not stated
  end_day TEXT NOT NULL DEFAULT '',      -- YYYY-MM-DD, '' when not stated
  hourly_commitment REAL,                -- what the commitment costs per hour (fees included), in currency
  upfront_fee REAL,
  recurring_hourly_fee REAL,
  term TEXT NOT NULL DEFAULT '',         -- as stated (1 year, 3 years)
  payment TEXT NOT NULL DEFAULT '',      -- as stated (No Upfront, Partial Upfront, All Upfront)
  currency TEXT NOT NULL,
  source TEXT NOT NULL,                  -- the API and fields the figures came from
  seen_day TEXT NOT NULL,                -- the last day the source stated them for
  PRIMARY KEY (provider, commitment_id)
) WITHOUT ROWID;
`,
}
