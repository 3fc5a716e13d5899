import {forecastBudgetScope} from '../../alerts/budget-forecast.js'
import {renderBudgetStatus} from '../../output/budget-format.js'
import {budgetReport} from '../../alerts/budget-status.js'
import {checkAlerts} from '../../alerts/check.js'
import type {SlackMessage} from '../../alerts/slack-blocks.js'
import {parseConfig} from '../../config/index.js'
import {addDays, monthStart} from '../../dates.js'
import {upsertBudget} from '../../store/budgets.js'
import {parseFilters} from '../../cost/dimension-keys.js'
import {type CostFilter} from '../../model/cost.js'
import {queryDailyCosts} from '../../store/costs.js'
import type {Db} from '../../store/open.js'
import type {DemoStep} from '../steps.js'

/** Last complete month's billed cost for the given filters, rounded: a budget that is plausible for the data. */
function lastMonthSpend(db: Db, today: string, filters: CostFilter[]): number {
  const end = addDays(monthStart(addDays(today, -1)), -1)
  const rows = queryDailyCosts(db, {from: monthStart(end), to: end, groupBy: [], filters, metric: 'billed'})
  return rows.reduce((a, r) => a + r.cost, 0)
}

/** Budgets over the demo bill, their status against actual and forecast spend, and the Slack alerts a check would post. */
export const budgetsStep: DemoStep = {
  title: 'Budgets and alerts: status against actual and forecast spend, Slack messages (dry run)',
  async run({db, dbPath, today, print}) {
    const round = (n: number): number => Math.max(100, Math.round(n / 100) * 100)
    // A company budget a little under last month's spend, so this month's forecast crosses it.
    const total = round(lastMonthSpend(db, today, []) * 0.97)
    const awsFilters = ['provider=AWS', 'tag:env=prod']
    const aws = round(lastMonthSpend(db, today, parseFilters(awsFilters)) * 1.1)
    const company = upsertBudget(db, {
      name: 'company',
      amount: total,
      period: 'monthly',
      metric: 'billed',
      filters: [],
      thresholds: [
        {kind: 'actual', percent: 80},
        {kind: 'forecast', percent: 100},
      ],
    })
    const awsProd = upsertBudget(db, {
      name: 'aws-prod',
      amount: aws,
      period: 'monthly',
      metric: 'billed',
      filters: awsFilters,
      thresholds: [
        {kind: 'actual', percent: 50},
        {kind: 'forecast', percent: 100},
      ],
    })
    print(
      `$ finops budget set company --amount ${total} --period monthly --actual-threshold 80 --forecast-threshold 100`,
    )
    print(
      `$ finops budget set aws-prod --amount ${aws} --filter provider=AWS --filter tag:env=prod --actual-threshold 50 --forecast-threshold 100`,
    )

    print('\n$ finops budget status')
    const reports = [company.budget, awsProd.budget].map((b) =>
      budgetReport(db, b, forecastBudgetScope, {level: 80, now: today}),
    )
    print(renderBudgetStatus(reports))

    print('\n$ finops alert check --dry-run')
    const result = await checkAlerts(db, {
      config: parseConfig({}).alerts,
      forecaster: forecastBudgetScope,
      level: 80,
      dryRun: true,
      now: today,
    })
    const {found, groupBy, through} = result.anomalies
    print(
      `anomalies by ${groupBy.join(' + ')} in the ${parseConfig({}).alerts.anomalies.lookbackDays} days up to ${through ?? '-'}: ${found.length}`,
    )
    for (const a of result.wouldPost ?? []) print(`would post: ${a.summary}`)
    const first = result.messages?.[0] as SlackMessage | undefined
    if (first) print(`first Slack message (Block Kit):\n${JSON.stringify(first.blocks.slice(0, 2), null, 1)}`)
    print(
      `\nTo post for real: FINOPS_SLACK_WEBHOOK_URL=https://hooks.slack.com/services/... finops alert check --db ${dbPath}`,
    )
  },
}
