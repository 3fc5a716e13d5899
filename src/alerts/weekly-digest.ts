import {formatMoney} from '../money.js'
import type {SavingsGroup, SavingsTotals} from '../savings/schemas.js'
import {escapeMrkdwn, type SlackBlock, type SlackMessage} from './slack-blocks.js'

/** One currency's spend over the last 7 complete days and the 7 before (the same numbers as `cost report`). */
export interface DigestSpend {
  currency: string
  total: number
  previousTotal: number
}

/** A provider/service whose spend moved most between the two weeks. */
export interface DigestMover {
  provider: string
  service: string
  currency: string
  total: number
  previousTotal: number
  change: number
}

/** A budget's month-end (period-end) forecast, as `budget status` computes it. */
export interface DigestBudget {
  name: string
  period: string
  currency: string
  amount: number
  actual: number
  actualPercent: number
  forecast?: {mean: number; lower: number; upper: number; percent: number; level: number}
  forecastSkipped?: string
  breachDate?: string
  breachKind?: 'actual' | 'forecast'
}

/** Realized savings as the savings ledger measures them (the figures of `finops savings`). */
export interface DigestRealized {
  /** False when the journal holds no applied rightsize, scale-down or spot action and no commitment is recorded. */
  tracked: boolean
  /** The last day measured. */
  asOf: string
  method: string
  /** Per currency: realized vs what the measured actions promised; promised by all of them. */
  totals: SavingsTotals[]
  byKind: SavingsGroup[]
  /** How many actions carry each flag. */
  flagged: {notDelivered: number; reverted: number; fought: number; rolledBack: number; notMeasurableYet: number}
  /** Purchased commitments: realized null while not measurable. */
  commitments: {id: string; currency: string; promisedMonthly: number | null; realizedMonthly: number | null}[]
  warnings: string[]
  /** Why the ledger could not be measured (the rest of the digest still goes out). */
  error?: string
}

export interface DigestSavings {
  /** Open recommendations: monthly savings per currency. */
  available: {currency: string; monthly: number; recommendations: number}[]
  realized: DigestRealized
}

/** The weekly digest's content: plain data, the JSON contract of `alert digest`. */
export interface WeeklyDigest {
  /** ISO week the digest is for (the week it is sent in), e.g. 2026-W44. */
  week: string
  from: string
  to: string
  previousFrom: string
  previousTo: string
  spend: DigestSpend[]
  movers: DigestMover[]
  budgets: DigestBudget[]
  savings: DigestSavings
  reportUrl?: string
}

// Block Kit limits (api.slack.com/reference/block-kit): section text 3000 chars, 50 blocks, header 150.
export const SECTION_TEXT_MAX = 3000
export const MAX_BLOCKS = 50
const HEADER_MAX = 150
const MOVERS_SHOWN = 5
const BUDGETS_SHOWN = 10
const COMMITMENTS_SHOWN = 10

const clip = (text: string, max: number): string => (text.length <= max ? text : `${text.slice(0, max - 1)}…`)

const signedMoney = (n: number, currency: string): string =>
  `${n >= 0 ? '+' : '-'}${formatMoney(Math.abs(n), currency)}`

const changePercent = (total: number, previous: number): string =>
  previous === 0
    ? total === 0
      ? '0.0%'
      : 'new'
    : `${((total - previous) / Math.abs(previous)) * 100 >= 0 ? '+' : ''}${(((total - previous) / Math.abs(previous)) * 100).toFixed(1)}%`

/** Largest absolute changes first; ties by name, so the same data gives the same digest. */
export function topMovers(rows: readonly DigestMover[], count = MOVERS_SHOWN): DigestMover[] {
  return [...rows]
    .filter((r) => r.change !== 0)
    .sort(
      (a, b) =>
        Math.abs(b.change) - Math.abs(a.change) ||
        a.provider.localeCompare(b.provider) ||
        a.service.localeCompare(b.service),
    )
    .slice(0, count)
}

/** The lines of the digest, one list per section; shared by the Slack message and the text rendering. */
function sections(d: WeeklyDigest): {title: string; lines: string[]}[] {
  const spend = d.spend.length
    ? d.spend.map(
        (s) =>
          `${formatMoney(s.total, s.currency)} vs ${formatMoney(s.previousTotal, s.currency)} the week before ` +
          `(${signedMoney(s.total - s.previousTotal, s.currency)}, ${changePercent(s.total, s.previousTotal)})`,
      )
    : ['no costs in the store for these two weeks']
  const movers = d.movers.length
    ? d.movers.map(
        (m) =>
          `${m.provider} / ` +
          `${m.service}: ${signedMoney(m.change, m.currency)} (${formatMoney(m.previousTotal, m.currency)} → ${formatMoney(m.total, m.currency)})`,
      )
    : ['no change']
  const budgets = d.budgets.length
    ? d.budgets.slice(0, BUDGETS_SHOWN).map((b) => {
        const money = (n: number): string => formatMoney(n, b.currency)
        const forecast = b.forecast
          ? `forecast ${money(b.forecast.mean)} (${b.forecast.percent.toFixed(1)}%, ${b.forecast.level}% ` +
            `interval ${money(b.forecast.lower)} to ${money(b.forecast.upper)})`
          : `no forecast (${b.forecastSkipped ?? 'not available'})`
        const breach = b.breachDate
          ? `; ${b.breachKind === 'actual' ? 'reached' : 'projected to reach'} the budget on ${b.breachDate}`
          : ''
        return `${b.name} ${b.period}: ${money(b.actual)} of ${money(b.amount)} spent (${b.actualPercent.toFixed(1)}%), ${forecast}${breach}`
      })
    : ['no budgets (finops budget set)']
  if (d.budgets.length > BUDGETS_SHOWN) budgets.push(`and ${d.budgets.length - BUDGETS_SHOWN} more`)
  const available = d.savings.available.length
    ? d.savings.available.map(
        (a) =>
          `available: ${formatMoney(a.monthly, a.currency)}/month from ${a.recommendations} open recommendation${a.recommendations === 1 ? '' : 's'}`,
      )
    : ['available: no open recommendations']
  const realized = realizedLines(d.savings.realized)
  return [
    {title: `Spend ${d.from} to ${d.to}`, lines: spend},
    {title: 'Top movers (provider / service, vs the week before)', lines: movers},
    {title: 'Budgets: period-end forecast', lines: budgets},
    {title: 'Savings', lines: [...available, ...realized]},
  ]
}

const percent = (ratio: number): string => `${(ratio * 100).toFixed(0)}%`
const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`

/** The realized part of the savings section: measured figures next to promised, never promised as realized. */
function realizedLines(r: DigestRealized): string[] {
  if (r.error) return [`realized: not measured (${r.error})`]
  if (!r.tracked)
    return ['realized: nothing applied yet (finops savings measures applied rightsize, scale-down and spot actions)']
  const lines: string[] = []
  for (const t of r.totals) {
    const money = (n: number): string => formatMoney(n, t.currency)
    lines.push(
      t.measured > 0
        ? `realized: ${money(t.realizedMonthly)}/month measured ` +
            `on ${plural(t.measured, 'applied action')}, which ` +
            `promised ${money(t.promisedMeasuredMonthly)}/month${t.ratio === null ? '' : ` (${percent(t.ratio)} of promised)`}, through ${r.asOf}`
        : `realized: none measured yet through ${r.asOf}`,
    )
    const waiting = t.actions - t.measured
    if (waiting > 0)
      lines.push(
        `not measurable yet: ${plural(waiting, 'action')} promising ${money(t.promisedMonthly - t.promisedMeasuredMonthly)}/month (applied too ` +
          `recently, or no kube-state-metrics history)`,
      )
  }
  if (r.byKind.length > 1 || r.byKind.some((g) => g.measured < g.actions))
    for (const g of r.byKind)
      lines.push(
        `${g.key}: ${formatMoney(g.realizedMonthly, g.currency)}/month realized ` +
          `of ${formatMoney(g.promisedMeasuredMonthly, g.currency)} promised (${g.measured} of ${plural(g.actions, 'action')} measured)`,
      )
  const f = r.flagged
  const flags = [
    f.reverted > 0 ? `${f.reverted} reverted` : '',
    f.fought > 0 ? `${f.fought} fought by a controller (a GitOps sync undoing it)` : '',
    f.rolledBack > 0 ? `${f.rolledBack} rolled back` : '',
    f.notDelivered > 0 ? `${f.notDelivered} below half of promised` : '',
  ].filter(Boolean)
  if (flags.length > 0) lines.push(`flagged: ${flags.join(', ')} (finops savings lists them)`)
  for (const c of r.commitments.slice(0, COMMITMENTS_SHOWN))
    lines.push(
      c.realizedMonthly === null
        ? `commitment ${c.id}: not measurable yet${c.promisedMonthly === null ? '' : ` (promised ${formatMoney(c.promisedMonthly, c.currency)}/month)`}`
        : `commitment ${c.id}: ${formatMoney(c.realizedMonthly, c.currency)}/month ` +
            `realized${c.promisedMonthly === null ? '' : ` of ${formatMoney(c.promisedMonthly, c.currency)} promised`}`,
    )
  if (r.commitments.length > COMMITMENTS_SHOWN)
    lines.push(`and ${r.commitments.length - COMMITMENTS_SHOWN} more commitments (finops savings lists them)`)
  return lines
}

/** One line for notifications and the CLI. */
export function digestSummary(d: WeeklyDigest): string {
  const spend = d.spend
    .map((s) => `${formatMoney(s.total, s.currency)} (${changePercent(s.total, s.previousTotal)})`)
    .join(', ')
  return `Weekly cost digest ${d.week}: spend ${d.from} to ${d.to} ${spend || 'none'}`
}

/**
 * The digest as a Slack Block Kit message: a header, one section per part (each within Slack's 3000
 * characters), and a link to the report when one is configured. Names from billing data are escaped.
 */
export function digestMessage(d: WeeklyDigest): SlackMessage {
  const link = d.reportUrl ? ` <${d.reportUrl}|Open the report>` : ''
  const blocks: SlackBlock[] = [
    {type: 'header', text: {type: 'plain_text', text: clip(`Weekly cost digest ${d.week}`, HEADER_MAX), emoji: true}},
  ]
  for (const s of sections(d)) {
    const body = `*${s.title}*${link}\n${s.lines.map((l) => `• ${escapeMrkdwn(l)}`).join('\n')}`
    blocks.push({type: 'section', text: {type: 'mrkdwn', text: clip(body, SECTION_TEXT_MAX)}})
  }
  blocks.push({
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: `Effective cost, last complete days; compared with ${d.previousFrom} to ${d.previousTo}. Sent once per ISO week by finops.`,
      },
    ],
  })
  return {text: digestSummary(d), blocks: blocks.slice(0, MAX_BLOCKS)}
}

/** The digest as plain text, for the terminal. */
export function digestText(d: WeeklyDigest): string {
  const parts = sections(d).map((s) => `${s.title}\n${s.lines.map((l) => `  ${l}`).join('\n')}`)
  return [`Weekly cost digest ${d.week}`, ...parts, ...(d.reportUrl ? [`Report: ${d.reportUrl}`] : [])].join('\n\n')
}
