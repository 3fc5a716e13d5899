import {
  type CostImportRecord,
  type CostScope,
  type DayCommitmentUsage,
  type GrainDetail,
  replaceCosts,
  type ReplaceCostsResult,
} from './cost-writer.js'
import type {DailyCostRow} from '../model/cost.js'
import type {Db} from './open.js'
import {type CommitmentTerm, upsertCommitmentTerms} from './commitment-terms.js'
import {saveWatermark, type Watermark} from './watermarks.js'

/**
 * A cloud collection's write: the window's costs (their usage types and resources, its commitment usage
 * and the commitments' terms) are replaced and the source's watermark advanced
 * in one IMMEDIATE transaction, so a failure leaves both as they were and a retried run re-collects
 * the same window rather than skipping it.
 */
export function replaceCollectedWindow(
  db: Db,
  scopes: readonly CostScope[],
  rows: Iterable<DailyCostRow>,
  record: CostImportRecord,
  watermark: Watermark,
  details: Iterable<GrainDetail> = [],
  commitments: Iterable<DayCommitmentUsage> = [],
  terms: readonly CommitmentTerm[] = [],
): ReplaceCostsResult {
  return db
    .transaction((): ReplaceCostsResult => {
      const replaced = replaceCosts(db, scopes, rows, record, details, commitments)
      upsertCommitmentTerms(db, terms)
      saveWatermark(db, watermark)
      return replaced
    })
    .immediate()
}
