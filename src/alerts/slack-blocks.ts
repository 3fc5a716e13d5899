import type {Anomaly} from './anomalies.js'
import type {BudgetStatus, ThresholdStatus} from './budget-rules.js'
import {formatPercent, formatScope} from './format.js'
import {formatMoney} from '../money.js'
import type {StaleSource} from './freshness.js'

/** The subset of a Slack incoming-webhook message we send: fallback text plus Block Kit blocks. */
export interface SlackMessage {
  text: string
  blocks: SlackBlock[]
}

type TextObject = {type: 'plain_text'; text: string; emoji?: boolean} | {type: 'mrkdwn'; text: string}
export type SlackBlock =
  | {type: 'header'; text: {type: 'plain_text'; text: string; emoji?: boolean}}
  | {type: 'section'; text?: TextObject; fields?: TextObject[]}
  | {type: 'context'; elements: TextObject[]}
  | {type: 'divider'}

/** A line of "top contributors": what drove the spend (or the change) and how much. */
export interface Contributor {
  label: string
  amount: number
  /** Share of the total in percent, when it is a share. */
  share?: number
}

// Block Kit limits: header text 150 chars, section text 3000, each field 2000, at most 10 fields.
const HEADER_MAX = 150
const TEXT_MAX = 3000
const FIELD_MAX = 2000

const clip = (text: string, max: number): string => (text.length <= max ? text : `${text.slice(0, max - 1)}…`)
/** Slack mrkdwn treats &, < and > as control characters; names from billing data must not. */
export const escapeMrkdwn = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
const mrkdwn = (text: string, max = TEXT_MAX): TextObject => ({type: 'mrkdwn', text: clip(text, max)})
const field = (title: string, value: string): TextObject => mrkdwn(`*${title}*\n${value}`, FIELD_MAX)
const header = (text: string): SlackBlock => ({
  type: 'header',
  text: {type: 'plain_text', text: clip(text, HEADER_MAX), emoji: true},
})

function contributorsBlock(title: string, contributors: readonly Contributor[], currency: string): SlackBlock[] {
  if (contributors.length === 0) return []
  const lines = contributors.map(
    (c) =>
      `• ${escapeMrkdwn(c.label)}: ${formatMoney(c.amount, currency)}${c.share === undefined ? '' : ` (${formatPercent(c.share)})`}`,
  )
  return [{type: 'section', text: mrkdwn(`*${title}*\n${lines.join('\n')}`)}]
}

const thresholdLabel = (t: Pick<ThresholdStatus, 'kind' | 'percent'>): string =>
  `${t.kind === 'actual' ? 'actual' : 'forecast'} ${t.percent}%`

/** The one-line summary of a crossed budget threshold, used as the fallback text and in the CLI. */
export function budgetAlertSummary(status: BudgetStatus, threshold: ThresholdStatus): string {
  const what = threshold.kind === 'actual' ? 'actual spend' : 'forecast period-end spend'
  return (
    `Budget "${status.name}" ${status.periodLabel}: ${what} ${formatMoney(threshold.value ?? 0, status.currency)} crossed ${threshold.percent}% of ` +
    `${formatMoney(status.amount, status.currency)} (${formatMoney(threshold.limit, status.currency)}) by ${formatMoney(threshold.over ?? 0, status.currency)}`
  )
}

/** The Slack message for one crossed budget threshold: what crossed, by how much, the forecast, the top contributors. */
export function budgetAlertMessage(
  status: BudgetStatus,
  threshold: ThresholdStatus,
  contributors: readonly Contributor[],
): SlackMessage {
  const money = (n: number): string => formatMoney(n, status.currency)
  const icon = threshold.percent >= 100 ? ':rotating_light:' : ':warning:'
  const forecast = status.forecast
    ? `${money(status.forecast.mean)} (${formatPercent(status.forecast.percent)})\n${status.forecast.level}% ` +
      `interval ${money(status.forecast.lower)} to ${money(status.forecast.upper)}`
    : `no forecast: ${status.forecastSkipped ?? 'not available'}`
  const breach = status.breachDate
    ? `${status.breachKind === 'actual' ? 'reached on' : 'projected for'} ${status.breachDate}`
    : 'not expected this period'
  const fields = [
    field('Crossed', `${thresholdLabel(threshold)} (${money(threshold.limit)}) by *${money(threshold.over ?? 0)}*`),
    field(
      'Budget',
      `${money(status.amount)} ${status.period}, ${status.periodLabel}\n${escapeMrkdwn(formatScope(status.filters))}`,
    ),
    field(
      'Spend to date',
      `${money(status.actual)} (${formatPercent(status.actualPercent)})${status.dataThrough ? `\nthrough ${status.dataThrough}` : ''}`,
    ),
    field(`Forecast at ${status.periodEnd}`, forecast),
    field('Budget breach', breach),
  ]
  return {
    // The fallback text (notifications, clients without blocks) is mrkdwn too: names are escaped there as well.
    text: escapeMrkdwn(budgetAlertSummary(status, threshold)),
    blocks: [
      header(`${icon} Budget "${status.name}" crossed ${thresholdLabel(threshold)}`),
      {type: 'section', fields},
      ...contributorsBlock('Top contributors this period', contributors, status.currency),
      {
        type: 'context',
        elements: [
          mrkdwn(`finops alert check · period ${status.periodStart} to ${status.periodEnd} · as of ${status.asOf}`),
        ],
      },
    ],
  }
}

/** "account=123, service=Amazon EC2" for an anomaly's series. */
export const seriesLabel = (groupBy: readonly string[], keys: readonly string[]): string =>
  groupBy.map((g, i) => `${g}=${keys[i] ?? ''}`).join(', ')

export function anomalySummary(anomaly: Anomaly, groupBy: readonly string[]): string {
  const money = (n: number): string => formatMoney(n, anomaly.currency)
  return (
    `Spend ${anomaly.direction} on ${anomaly.day} for ${seriesLabel(groupBy, anomaly.keys)}: ${money(anomaly.actual)} against ` +
    `${money(anomaly.expected)} expected (${anomaly.impact >= 0 ? '+' : ''}${money(anomaly.impact)})`
  )
}

/** The Slack message for one anomaly: the day's spend against its expected interval and the size in money. */
export function anomalyMessage(
  anomaly: Anomaly,
  groupBy: readonly string[],
  contributors: readonly Contributor[],
): SlackMessage {
  const money = (n: number): string => formatMoney(n, anomaly.currency)
  const label = seriesLabel(groupBy, anomaly.keys)
  return {
    text: escapeMrkdwn(anomalySummary(anomaly, groupBy)),
    blocks: [
      header(
        `${anomaly.direction === 'spike' ? ':chart_with_upwards_trend:' : ':chart_with_downwards_trend:'} Spend ` +
          `${anomaly.direction}: ${label} on ${anomaly.day}`,
      ),
      {
        type: 'section',
        fields: [
          field('Spend', money(anomaly.actual)),
          field(
            'Expected',
            `${money(anomaly.expected)}\n${anomaly.level}% interval ${money(anomaly.lower)} to ${money(anomaly.upper)}`,
          ),
          field(
            'Size',
            `*${anomaly.impact >= 0 ? '+' : ''}${money(anomaly.impact)}* against expected, ${money(anomaly.beyondInterval)} outside the interval`,
          ),
          field('Series', escapeMrkdwn(label)),
        ],
      },
      ...contributorsBlock(
        anomaly.direction === 'spike' ? 'Top contributors to the change' : 'Largest drops',
        contributors,
        anomaly.currency,
      ),
      {
        type: 'context',
        elements: [
          mrkdwn("finops alert check · expected interval from the series' own weekly model and its recent errors"),
        ],
      },
    ],
  }
}

/** The one-line summary of a billing source that stopped delivering. */
export const staleSourceSummary = (s: StaleSource): string =>
  `Billing data from ${s.provider} stops at ${s.lastDay}: ${s.lagDays} days old, usually within ${s.expectedLagDays}`

/** The Slack message for a stale billing source: alerts are blind after its last day, so it is said once. */
export function staleSourceMessage(s: StaleSource): SlackMessage {
  return {
    text: escapeMrkdwn(staleSourceSummary(s)),
    blocks: [
      header(`:warning: Billing data from ${s.provider} stopped at ${s.lastDay}`),
      {
        type: 'section',
        fields: [
          field('Newest day', s.lastDay),
          field('Age', `${s.lagDays} days before yesterday (usually within ${s.expectedLagDays})`),
        ],
      },
      {
        type: 'section',
        text: mrkdwn(
          `Budgets and anomalies for ${escapeMrkdwn(s.provider)} are not judged ` +
            `after ${s.lastDay}. Check that its billing export or \`finops collect\` still runs.`,
        ),
      },
      {type: 'context', elements: [mrkdwn('finops alert check · alerts.freshness in finops.yaml')]},
    ],
  }
}
