import type {KubernetesConfig} from '../config/sections/kubernetes.js'
import {addDays, isoWeek, today} from '../dates.js'
import {isFinopsError} from '../errors.js'
import {runCostReport} from '../cost/report.js'
import {roundMoney} from '../money.js'
import {claimAlert, getAlert, markAlertFailed, markAlertSent, queueAlerts} from '../store/alerts.js'
import {listBudgets} from '../store/budgets.js'
import {costDataRange} from '../store/costs.js'
import type {Db} from '../store/open.js'
import {listRecommendations} from '../store/recommendations.js'
import {buildSavingsLedger, SAVINGS_METHOD} from '../savings/from-store.js'
import type {LedgerEntry} from '../savings/schemas.js'
import {type BudgetForecaster, budgetReport} from './budget-status.js'
import type {SlackMessage} from './slack-blocks.js'
import {postToSlack, type SendPolicy} from './slack-sender.js'
import {
  type DigestBudget,
  type DigestMover,
  type DigestRealized,
  type DigestSavings,
  digestMessage,
  digestSummary,
  digestText,
  topMovers,
  type WeeklyDigest,
} from './weekly-digest.js'

export interface DigestOptions {
  forecaster: BudgetForecaster
  /** Forecast interval level, percent. */
  level: number
  /** Prices and allocation settings the savings ledger measures realized savings with (as `finops savings`). */
  kubernetes: KubernetesConfig
  /** Today (UTC); the digest covers the 7 complete days before it. */
  now?: string
  reportUrl?: string
}

/**
 * Gathers the digest from the store with the very code behind `cost report` (provider x service,
 * effective cost, the last 7 complete days vs the 7 before) and `budget status`, so its numbers are
 * theirs. The one impure edge of the digest.
 */
export function gatherDigest(db: Db, options: DigestOptions): WeeklyDigest {
  const now = options.now ?? today()
  const to = addDays(now, -1)
  const from = addDays(to, -6)
  let spend: WeeklyDigest['spend'] = []
  let movers: DigestMover[] = []
  let previousFrom = addDays(from, -7)
  let previousTo = addDays(from, -1)
  if (costDataRange(db)) {
    const {report} = runCostReport(
      db,
      {from, to, groupBy: ['provider', 'service'], filters: [], metric: 'effective', granularity: 'total'},
      now,
    )
    previousFrom = report.previousFrom
    previousTo = report.previousTo
    spend = report.totals.map((t) => ({currency: t.currency, total: t.total, previousTotal: t.previousTotal}))
    movers = topMovers(
      report.rows.map((r) => ({
        provider: r.keys[0] ?? '',
        service: r.keys[1] ?? '',
        currency: r.currency,
        total: r.total,
        previousTotal: r.previousTotal,
        change: roundMoney(r.total - r.previousTotal),
      })),
    )
  }
  const budgets: DigestBudget[] = listBudgets(db).map((budget) => {
    const {status} = budgetReport(db, budget, options.forecaster, {level: options.level, now})
    return {
      name: status.name,
      period: status.periodLabel,
      currency: status.currency,
      amount: status.amount,
      actual: status.actual,
      actualPercent: status.actualPercent,
      ...(status.forecast
        ? {
            forecast: {
              mean: status.forecast.mean,
              lower: status.forecast.lower,
              upper: status.forecast.upper,
              percent: status.forecast.percent,
              level: status.forecast.level,
            },
          }
        : {}),
      ...(status.forecastSkipped ? {forecastSkipped: status.forecastSkipped} : {}),
      ...(status.breachDate ? {breachDate: status.breachDate, breachKind: status.breachKind} : {}),
    }
  })
  return {
    week: isoWeek(now),
    from,
    to,
    previousFrom,
    previousTo,
    spend,
    movers,
    budgets,
    savings: gatherSavings(db, options.kubernetes, now),
    ...(options.reportUrl ? {reportUrl: options.reportUrl} : {}),
  }
}

function gatherSavings(db: Db, kubernetes: KubernetesConfig, now: string): DigestSavings {
  const available = new Map<string, {monthly: number; recommendations: number}>()
  for (const r of listRecommendations(db)) {
    const entry = available.get(r.currency) ?? {monthly: 0, recommendations: 0}
    entry.monthly += r.monthlySavings
    entry.recommendations++
    available.set(r.currency, entry)
  }
  return {
    available: [...available].map(([c, v]) => ({
      currency: c,
      monthly: roundMoney(v.monthly),
      recommendations: v.recommendations,
    })),
    realized: gatherRealized(db, kubernetes, now),
  }
}

/**
 * Realized savings as the ledger measures them, with `finops savings`'s defaults (every applied
 * action through yesterday), so the digest and the command show the same figures. A promised
 * saving is never counted as realized: an action not measurable yet is counted apart.
 */
function gatherRealized(db: Db, kubernetes: KubernetesConfig, now: string): DigestRealized {
  const asOf = addDays(now, -1)
  try {
    const ledger = buildSavingsLedger(db, kubernetes, {}, now)
    const count = (flag: LedgerEntry['flags'][number]): number =>
      ledger.actions.filter((a) => a.flags.includes(flag)).length
    return {
      tracked: ledger.actions.length > 0 || ledger.commitments.length > 0,
      asOf: ledger.asOf,
      method: ledger.method,
      totals: ledger.totals,
      byKind: ledger.byKind,
      flagged: {
        notDelivered: count('not-delivered'),
        reverted: count('reverted'),
        fought: count('fought'),
        rolledBack: count('rolled-back'),
        notMeasurableYet: count('not-measurable-yet'),
      },
      commitments: ledger.commitments.map((c) => ({
        id: c.id,
        currency: c.currency,
        promisedMonthly: c.promisedMonthly,
        realizedMonthly: c.realizedMonthly,
      })),
      warnings: ledger.warnings,
    }
  } catch (error) {
    // The digest's other parts still go out; the reason the ledger could not be measured goes with them.
    if (!isFinopsError(error)) throw error
    return {...EMPTY_REALIZED, asOf, error: error.message}
  }
}

const EMPTY_REALIZED: Omit<DigestRealized, 'asOf'> = {
  tracked: false,
  method: SAVINGS_METHOD,
  totals: [],
  byKind: [],
  flagged: {notDelivered: 0, reverted: 0, fought: 0, rolledBack: 0, notMeasurableYet: 0},
  commitments: [],
  warnings: [],
}

/** What `alert digest` did: the JSON contract. */
export interface DigestResult {
  digest: WeeklyDigest
  dryRun: boolean
  /** sent: delivered now; already-sent: delivered earlier this ISO week (nothing posted); would-send: dry run; failed: stays pending. */
  status: 'sent' | 'already-sent' | 'would-send' | 'failed' | 'posted-elsewhere'
  key: string
  attempts?: number
  error?: string
  sentAt?: string
  message: SlackMessage
  text: string
}

export interface SendDigestOptions extends DigestOptions {
  dryRun: boolean
  /** Needed unless dryRun. */
  webhookUrl?: string
  policy: SendPolicy
}

/**
 * `finops alert digest`: builds this week's digest and posts it at most once per ISO week. The
 * digest goes through the alerts' queue: recorded pending before it is posted, claimed while one run
 * posts it, marked sent once Slack answered 200, so a re-run, a concurrent run or a crash after the
 * post never sends it twice, and a failed post is retried by the next run of the same week.
 */
export async function sendWeeklyDigest(db: Db, options: SendDigestOptions): Promise<DigestResult> {
  const digest = gatherDigest(db, options)
  const key = `digest:${digest.week}`
  const message = digestMessage(digest)
  const base = {digest, dryRun: options.dryRun, key, message, text: digestText(digest)}
  const stored = getAlert(db, key)
  if (stored?.status === 'sent') return {...base, status: 'already-sent', sentAt: stored.sentAt}
  if (options.dryRun) return {...base, status: 'would-send'}
  if (!options.webhookUrl) throw new Error('sendWeeklyDigest: webhookUrl is required unless dryRun')
  queueAlerts(db, [{key, kind: 'digest', subject: digest.week, summary: digestSummary(digest), payload: message}])
  const {policy} = options
  const claimMs = (policy.retries + 1) * (policy.timeoutSeconds + policy.maxRetryAfterSeconds + 8) * 1000
  if (!claimAlert(db, key, new Date(Date.now() + claimMs).toISOString())) return {...base, status: 'posted-elsewhere'}
  const outcome = await postToSlack(options.webhookUrl, message, policy)
  if (outcome.ok) {
    markAlertSent(db, key, outcome.attempts)
    return {...base, status: 'sent', attempts: outcome.attempts, sentAt: getAlert(db, key)?.sentAt}
  }
  markAlertFailed(db, key, outcome.attempts, outcome.error)
  return {...base, status: 'failed', attempts: outcome.attempts, error: outcome.error}
}
