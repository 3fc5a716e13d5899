import {addDays, isoWeek, today} from '../dates.js'
import {runCostReport} from '../cost/report.js'
import {roundMoney} from '../money.js'
import {claimAlert, getAlert, markAlertFailed, markAlertSent, queueAlerts} from '../store/alerts.js'
import {listActions} from '../store/actions.js'
import {listBudgets} from '../store/budgets.js'
import {costDataRange} from '../store/costs.js'
import type {Db} from '../store/open.js'
import {listRecommendations} from '../store/recommendations.js'
import {type BudgetForecaster, budgetReport} from './budget-status.js'
import type {SlackMessage} from './slack-blocks.js'
import {postToSlack, type SendPolicy} from './slack-sender.js'
import {
  type DigestBudget,
  type DigestMover,
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
    savings: gatherSavings(db),
    ...(options.reportUrl ? {reportUrl: options.reportUrl} : {}),
  }
}

function gatherSavings(db: Db): DigestSavings {
  const available = new Map<string, {monthly: number; recommendations: number}>()
  for (const r of listRecommendations(db)) {
    const entry = available.get(r.currency) ?? {monthly: 0, recommendations: 0}
    entry.monthly += r.monthlySavings
    entry.recommendations++
    available.set(r.currency, entry)
  }
  // An applied action that records its saving counts as realized until it is rolled back (its status changes).
  const applied = listActions(db, {status: 'applied'}).filter((a) => a.monthlySavings !== undefined)
  const currency = applied.find((a) => a.currency)?.currency
  return {
    available: [...available].map(([c, v]) => ({
      currency: c,
      monthly: roundMoney(v.monthly),
      recommendations: v.recommendations,
    })),
    realized: {
      tracked: applied.length > 0,
      ...(currency ? {currency} : {}),
      monthly: roundMoney(applied.reduce((s, a) => s + (a.monthlySavings ?? 0), 0)),
      actions: applied.length,
    },
  }
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
