import {
  type CostImportRecord,
  type CostScope,
  type GrainDetail,
  replaceCosts,
  type ReplaceCostsResult,
} from './cost-writer.js'
import type {DailyCostRow} from '../model/cost.js'
import type {Db} from './open.js'
import {saveWatermark, type Watermark} from './watermarks.js'

/**
 * A cloud collection's write: the window's costs (and their usage types and resources) are replaced and the source's watermark advanced
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
): ReplaceCostsResult {
  return db
    .transaction((): ReplaceCostsResult => {
      const replaced = replaceCosts(db, scopes, rows, record, details)
      saveWatermark(db, watermark)
      return replaced
    })
    .immediate()
}
