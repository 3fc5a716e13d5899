import type {AlertsConfig} from '../config/sections/alerts.js'
import {addDays, today} from '../dates.js'
import {
  claimAlert,
  type RaisedAlert,
  markAlertFailed,
  markAlertSent,
  pendingAlerts,
  queueAlerts,
  sentKeys,
} from '../store/alerts.js'
import {listBudgets} from '../store/budgets.js'
import {providerLastDays} from '../store/cost-presence.js'
import type {Db} from '../store/open.js'
import {type AnomalyToRecord, recordAnomalies} from '../store/anomaly-feedback.js'
import {anomalyAlertKey} from './anomaly-id.js'
import {anomalyFeedback} from './anomaly-feedback.js'
import {anomalyContributors, type ScannedAnomaly, scanAnomalies} from './anomaly-scan.js'
import type {BudgetStatus} from './budget-rules.js'
import {type StaleSource, staleSources, staleSourceWarning} from './freshness.js'
import {type BudgetForecaster, budgetReport} from './budget-status.js'
import {
  anomalyMessage,
  anomalySummary,
  budgetAlertMessage,
  budgetAlertSummary,
  seriesLabel,
  type SlackMessage,
  staleSourceMessage,
  staleSourceSummary,
} from './slack-blocks.js'
import {postToSlack, type SendPolicy} from './slack-sender.js'

/** The kinds `alert check` raises and posts; the weekly digest is posted by `alert digest` only. */
const CHECKED_KINDS = ['budget', 'anomaly', 'freshness'] as const

/** One alert in the check's result (the JSON contract of `finops alert check`). */
export interface AlertOutcome {
  key: string
  kind: 'budget' | 'anomaly' | 'freshness'
  subject: string
  summary: string
  attempts?: number
  error?: string
}

export interface AlertCheckResult {
  asOf: string
  dryRun: boolean
  budgets: {
    name: string
    period: string
    actualPercent: number
    forecastPercent?: number
    crossed: string[]
    forecastSkipped?: string
  }[]
  anomalies: {
    groupBy: string[]
    through?: string
    /** Anomalies that alert: neither acknowledged nor on a muted series. */
    found: ScannedAnomaly[]
    /** Anomalies found again that raise no alert, and why. */
    silenced: {id: string; reason: 'acknowledged' | 'muted'}[]
  }
  /**
   * Alerts that could not be evaluated this run: a budget whose forecast cannot be computed has its
   * forecast thresholds switched off until the data allows it, and that is never silent.
   */
  warnings: string[]
  /** Providers whose newest billing day is older than their usual lag: judged days stop there. */
  stale: StaleSource[]
  /** Crossings seen this run that had already been delivered (the dedup). */
  alreadySent: string[]
  /** Delivered this run. */
  sent: AlertOutcome[]
  /** Posted and failed: they stay pending for the next run. */
  failed: AlertOutcome[]
  /** Not attempted this run because Slack kept throttling or failing an earlier post (they stay pending). */
  deferred: AlertOutcome[]
  /** Being posted by another run at the same moment (or already delivered by it). */
  postedElsewhere?: AlertOutcome[]
  /** With --dry-run: what would be posted, in order, and the messages themselves. */
  wouldPost?: AlertOutcome[]
  messages?: SlackMessage[]
  pendingAfter: number
}

export interface AlertCheckOptions {
  config: AlertsConfig
  forecaster: BudgetForecaster
  level: number
  dryRun: boolean
  /** Needed unless dryRun. */
  webhookUrl?: string
  now?: string
  sendPolicy?: Partial<SendPolicy>
}

/** Evaluates budgets and anomalies into alerts, each with the key that makes it sent at most once. */
export function raiseAlerts(
  db: Db,
  options: Pick<AlertCheckOptions, 'config' | 'forecaster' | 'level' | 'now'>,
): {
  alerts: RaisedAlert[]
  budgets: AlertCheckResult['budgets']
  anomalies: AlertCheckResult['anomalies']
  /** Anomalies found again that were already delivered. */
  anomaliesSent: string[]
  warnings: string[]
  stale: StaleSource[]
  /** Every anomaly found (silenced ones included), for the store's record under its id. */
  recorded: AnomalyToRecord[]
} {
  const now = options.now ?? today()
  let recorded: AnomalyToRecord[] = []
  const alerts: RaisedAlert[] = []
  const budgets: AlertCheckResult['budgets'] = []
  // An export that stopped arriving is said before anything is judged on its old data, and posted
  // once per provider and last day: a scheduled job never reports "0 found" on a frozen store unsaid.
  const stale = staleSources(providerLastDays(db), addDays(now, -1), options.config.freshness)
  const warnings: string[] = stale.map(staleSourceWarning)
  for (const s of stale)
    alerts.push({
      key: `freshness:${JSON.stringify(s.provider)}:${s.lastDay}`,
      kind: 'freshness',
      subject: s.provider,
      summary: staleSourceSummary(s),
      payload: staleSourceMessage(s),
    })
  for (const budget of listBudgets(db)) {
    const report = budgetReport(db, budget, options.forecaster, {level: options.level, now})
    const status: BudgetStatus = report.status
    const crossed = status.thresholds.filter((t) => t.crossed)
    budgets.push({
      name: budget.name,
      period: status.periodLabel,
      actualPercent: status.actualPercent,
      forecastPercent: status.forecast?.percent,
      crossed: crossed.map((t) => `${t.kind} ${t.percent}%`),
      forecastSkipped: status.forecastSkipped,
    })
    const forecastThresholds = status.thresholds.filter((t) => t.kind === 'forecast')
    if (status.forecastSkipped && forecastThresholds.length > 0)
      warnings.push(
        `budget ${budget.name}: forecast ` +
          `threshold${forecastThresholds.length === 1 ? '' : 's'} ${forecastThresholds.map((t) => `${t.percent}%`).join(', ')} not evaluated: no forecast ` +
          `(${status.forecastSkipped})`,
      )
    for (const t of crossed) {
      alerts.push({
        key: `budget:${budget.id}:${status.periodLabel}:${t.kind}:${t.percent}`,
        kind: 'budget',
        subject: budget.name,
        summary: budgetAlertSummary(status, t),
        payload: budgetAlertMessage(status, t, report.contributors),
      })
    }
  }

  let anomalies: AlertCheckResult['anomalies'] = {groupBy: [], found: [], silenced: []}
  let anomaliesSent: string[] = []
  if (options.config.anomalies.enabled) {
    const scan = scanAnomalies(db, options.config.anomalies, addDays(now, -1))
    // Acknowledged anomalies and muted series are known already: they never alert (again).
    const feedback = anomalyFeedback(db, scan)
    const alerting = scan.anomalies.filter((a) => !feedback.has(a.id))
    anomalies = {
      groupBy: scan.groupBy,
      through: scan.through,
      found: alerting,
      silenced: scan.anomalies.flatMap((a) => {
        const reason = feedback.get(a.id)
        return reason ? [{id: a.id, reason}] : []
      }),
    }
    recorded = scan.anomalies.map((a) => ({...a, groupBy: scan.groupBy}))
    const candidates = alerting.map((a) => ({a, key: anomalyAlertKey(scan.groupBy, a)}))
    const sent = sentKeys(
      db,
      candidates.map((c) => c.key),
    )
    anomaliesSent = [...sent]
    // The per-run cap applies to alerts not yet delivered, largest first, so old ones never crowd out new ones.
    for (const {a, key} of candidates.filter((c) => !sent.has(c.key)).slice(0, options.config.anomalies.maxPerRun)) {
      alerts.push({
        key,
        kind: 'anomaly',
        subject: seriesLabel(scan.groupBy, a.keys),
        summary: anomalySummary(a, scan.groupBy),
        payload: anomalyMessage(a, scan.groupBy, anomalyContributors(db, a, scan.groupBy, options.config.anomalies)),
      })
    }
  }
  return {alerts, budgets, anomalies, anomaliesSent, warnings, stale, recorded}
}

/**
 * `finops alert check`: raise alerts, record the new ones as pending, then post every pending alert
 * (this run's and earlier runs' undelivered ones). A post that still fails after its retries stays
 * pending; after a 429/5xx failure the rest wait for the next run too, so nothing is lost and a
 * throttled webhook is not hammered. With dryRun nothing is recorded or posted.
 */
export async function checkAlerts(db: Db, options: AlertCheckOptions): Promise<AlertCheckResult> {
  const now = options.now ?? today()
  const {alerts, budgets, anomalies, anomaliesSent, warnings, stale, recorded} = raiseAlerts(db, options)
  const already = sentKeys(
    db,
    alerts.map((a) => a.key),
  )
  const base = {
    asOf: addDays(now, -1),
    dryRun: Boolean(options.dryRun),
    budgets,
    anomalies,
    warnings,
    stale,
    alreadySent: [...already, ...anomaliesSent],
  }
  const fresh = alerts.filter((a) => !already.has(a.key))

  if (options.dryRun) {
    const queued = new Set(fresh.map((a) => a.key))
    const waiting = [...pendingAlerts(db, CHECKED_KINDS).filter((p) => !queued.has(p.key)), ...fresh]
    return {
      ...base,
      sent: [],
      failed: [],
      deferred: [],
      wouldPost: waiting.map(outcome),
      messages: waiting.map((a) => a.payload as SlackMessage),
      pendingAfter: waiting.length,
    }
  }
  if (!options.webhookUrl) throw new Error('checkAlerts: webhookUrl is required unless dryRun')

  recordAnomalies(db, recorded)
  queueAlerts(db, fresh)
  const policy: SendPolicy = {
    retries: options.config.slack.retries,
    maxRetryAfterSeconds: options.config.slack.maxRetryAfterSeconds,
    timeoutSeconds: options.config.slack.timeoutSeconds,
    ...options.sendPolicy,
  }
  const sent: AlertOutcome[] = []
  const failed: AlertOutcome[] = []
  const deferred: AlertOutcome[] = []
  const busy: AlertOutcome[] = []
  let throttled = false
  for (const alert of pendingAlerts(db, CHECKED_KINDS)) {
    if (throttled) {
      deferred.push(outcome(alert))
      continue
    }
    // Long enough for every retry and Retry-After wait; a crashed run's claim lapses after it.
    const claimMs = (policy.retries + 1) * (policy.timeoutSeconds + policy.maxRetryAfterSeconds + 8) * 1000
    if (!claimAlert(db, alert.key, new Date(Date.now() + claimMs).toISOString())) {
      busy.push(outcome(alert))
      continue
    }
    const result = await postToSlack(options.webhookUrl, alert.payload, policy)
    if (result.ok) {
      markAlertSent(db, alert.key, result.attempts)
      sent.push({...outcome(alert), attempts: result.attempts})
    } else {
      markAlertFailed(db, alert.key, result.attempts, result.error)
      failed.push({...outcome(alert), attempts: result.attempts, error: result.error})
      // Slack down or throttling: stop for this run. A refused message (4xx) does not block the others.
      throttled = result.retryable
    }
  }
  return {
    ...base,
    sent,
    failed,
    deferred,
    ...(busy.length > 0 ? {postedElsewhere: busy} : {}),
    pendingAfter: pendingAlerts(db, CHECKED_KINDS).length,
  }
}

const outcome = (a: RaisedAlert): AlertOutcome => ({
  key: a.key,
  // Only the checked kinds are pending here (see CHECKED_KINDS).
  kind: a.kind as AlertOutcome['kind'],
  subject: a.subject,
  summary: a.summary,
})
