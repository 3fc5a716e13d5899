import type {Db} from './open.js'

/** A commitment's term as its provider states it: when it ends and what it costs per hour. */
export interface CommitmentTerm {
  provider: string
  commitmentId: string
  billingAccountId: string
  /** YYYY-MM-DD, '' when the source does not say. */
  startDay: string
  endDay: string
  /** What the commitment costs per hour, recurring and amortized upfront fees together; null when not stated. */
  hourlyCommitment: number | null
  upfrontFee: number | null
  recurringHourlyFee: number | null
  term: string
  payment: string
  currency: string
  /** The API and fields the figures came from, printed next to them. */
  source: string
  /** The last day the source stated them for: a later statement replaces an earlier one. */
  seenDay: string
}

/** Records what a source stated about commitments; a statement for an earlier day never replaces a later one. */
export function upsertCommitmentTerms(db: Db, terms: readonly CommitmentTerm[]): void {
  const upsert = db.prepare(`INSERT INTO commitment_terms
    (provider, commitment_id, billing_account_id, start_day, end_day, hourly_commitment, upfront_fee,
     recurring_hourly_fee, term, payment, currency, source, seen_day)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (provider, commitment_id) DO UPDATE SET
      billing_account_id = excluded.billing_account_id, start_day = excluded.start_day, end_day = excluded.end_day,
      hourly_commitment = excluded.hourly_commitment, upfront_fee = excluded.upfront_fee,
      recurring_hourly_fee = excluded.recurring_hourly_fee, term = excluded.term, payment = excluded.payment,
      currency = excluded.currency, source = excluded.source, seen_day = excluded.seen_day
    WHERE excluded.seen_day >= commitment_terms.seen_day`)
  for (const t of terms)
    upsert.run(
      t.provider,
      t.commitmentId,
      t.billingAccountId,
      t.startDay,
      t.endDay,
      t.hourlyCommitment,
      t.upfrontFee,
      t.recurringHourlyFee,
      t.term,
      t.payment,
      t.currency,
      t.source,
      t.seenDay,
    )
}

interface TermRow {
  provider: string
  commitment_id: string
  billing_account_id: string
  start_day: string
  end_day: string
  hourly_commitment: number | null
  upfront_fee: number | null
  recurring_hourly_fee: number | null
  term: string
  payment: string
  currency: string
  source: string
  seen_day: string
}

export function listCommitmentTerms(db: Db): CommitmentTerm[] {
  return (db.prepare('SELECT * FROM commitment_terms ORDER BY provider, commitment_id').all() as TermRow[]).map(
    (r) => ({
      provider: r.provider,
      commitmentId: r.commitment_id,
      billingAccountId: r.billing_account_id,
      startDay: r.start_day,
      endDay: r.end_day,
      hourlyCommitment: r.hourly_commitment,
      upfrontFee: r.upfront_fee,
      recurringHourlyFee: r.recurring_hourly_fee,
      term: r.term,
      payment: r.payment,
      currency: r.currency,
      source: r.source,
      seenDay: r.seen_day,
    }),
  )
}
