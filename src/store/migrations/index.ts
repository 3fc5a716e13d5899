import {migration as alertClaims} from './alert-claims.js'
import {migration as anomalyFeedback} from './anomaly-feedback.js'
import {migration as applyJournal} from './apply-journal.js'
import {migration as budgetsAndAlerts} from './budgets-and-alerts.js'
import {migration as collectorWatermarksAndPrices} from './collector-watermarks-and-prices.js'
import {migration as costRollup} from './cost-rollup.js'
import {migration as costRollupNormalized} from './cost-rollup-normalized.js'
import {migration as k8sHistory} from './k8s-history.js'
import {migration as costResources} from './cost-resources.js'
import {migration as costDetails} from './cost-details.js'
import {migration as commitmentUsage} from './commitment-usage.js'
import {migration as k8sInventoryAndUsage} from './k8s-inventory-and-usage.js'
import {migration as recommendations} from './recommendations.js'
import {migration as runLock} from './run-lock.js'
import {migration as savingsCommitments} from './savings-commitments.js'
import {migration as costResourceKeys} from './cost-resource-keys.js'
import {migration as costServiceDays} from './cost-service-days.js'
import {migration as costServiceDaysByService} from './cost-service-days-by-service.js'
import {migration as storeMeta} from './store-meta.js'
import {migration as commitmentTerms} from './commitment-terms.js'
import {migration as k8sUsageHourly} from './k8s-usage-hourly.js'
import {migration as k8sUsageHourlyRowid} from './k8s-usage-hourly-rowid.js'
import {migration as k8sHistoryMissingSeconds} from './k8s-history-missing-seconds.js'

/** A schema change applied once, in its own transaction. */
export interface Migration {
  /**
   * What a store records once the migration is applied. Stores in use hold these ids, so an id never
   * changes; the numbered ones come from an earlier layout. A new migration takes a descriptive id.
   */
  id: string
  up: string
}

/**
 * Every migration, in the order they apply: append new ones at the end, never reorder, edit or
 * remove one that has shipped. The order is this list's, not the ids'.
 */
export const migrations: readonly Migration[] = [
  costRollup,
  collectorWatermarksAndPrices,
  budgetsAndAlerts,
  alertClaims,
  k8sInventoryAndUsage,
  recommendations,
  applyJournal,
  runLock,
  k8sHistory,
  costResources,
  costRollupNormalized,
  storeMeta,
  anomalyFeedback,
  costDetails,
  commitmentUsage,
  savingsCommitments,
  costResourceKeys,
  costServiceDays,
  commitmentTerms,
  costServiceDaysByService,
  k8sUsageHourly,
  k8sUsageHourlyRowid,
  k8sHistoryMissingSeconds,
]
