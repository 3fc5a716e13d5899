import {migration as costs} from './0001-costs.js'
import {migration as cloudCollectors} from './0100-cloud-collectors.js'
import {migration as applyActions} from './0400-apply-actions.js'
import {migration as runLock} from './0401-run-lock.js'
import {migration as budgetsAlerts} from './0200-budgets-alerts.js'
import {migration as alertClaims} from './0201-alert-claims.js'
import {migration as k8s} from './0300-k8s.js'
import {migration as recommendations} from './0350-recommendations.js'
import {migration as costRollupNormalized} from './1100-cost-rollup-normalized.js'

/** A schema change applied once, in its own transaction, in id order. */
export interface Migration {
  /** Sort key and identity: 'NNNN-name'. Issues use their own number ranges so ids never collide. */
  id: string
  up: string
}

// Add new migrations here; never edit one that has shipped.
export const migrations: readonly Migration[] = [
  costs,
  cloudCollectors,
  budgetsAlerts,
  alertClaims,
  k8s,
  recommendations,
  applyActions,
  runLock,
  costRollupNormalized,
].sort((a, b) => a.id.localeCompare(b.id))
