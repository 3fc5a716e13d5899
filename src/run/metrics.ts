import type {ApplyReport} from '../apply/execute.js'
import {forecastBudgetScope} from '../alerts/budget-forecast.js'
import {budgetReport} from '../alerts/budget-status.js'
import {addDays, monthKey, monthStart, today} from '../dates.js'
import type {CostForecast} from '../../forecasters/types.js'
import type {KubernetesConfig} from '../config/sections/kubernetes.js'
import {buildSavingsLedger} from '../savings/from-store.js'
import type {SavingsGroup} from '../savings/schemas.js'
import {listBudgets} from '../store/budgets.js'
import {queryDailyCosts} from '../store/costs.js'
import type {Db} from '../store/open.js'
import {listRecommendations} from '../store/recommendations.js'
import {roundMoney, roundTo} from '../money.js'

/** One gauge sample; names follow Prometheus conventions (snake_case, unit suffix, finops_ prefix). */
export interface MetricSample {
  name: string
  help: string
  labels?: Record<string, string>
  value: number
}

export interface RunFacts {
  db: Db
  success: boolean
  durationSeconds: number
  finishedAt: Date
  forecast?: unknown
  apply?: ApplyReport
  /** Prices and allocation settings for the savings ledger; without them realized savings are not pushed. */
  kubernetes?: KubernetesConfig
}

/**
 * What a run pushes: spend this month to date and its projected close per currency, each budget's
 * used and forecast ratio (Prometheus naming: ratios in 0-1, not percents), savings available, savings
 * realized and promised per kind as the savings ledger measures them, actions applied/failed, duration and outcome.
 * Anything the store cannot answer yet (no billing, no budgets) is simply absent.
 */
export function collectRunMetrics(facts: RunFacts, now = today()): {samples: MetricSample[]; notes: string[]} {
  const samples: MetricSample[] = []
  const notes: string[] = []
  const attempt = (what: string, fn: () => void): void => {
    try {
      fn()
    } catch (error) {
      notes.push(`${what}: ${(error as Error).message}`)
    }
  }

  attempt('spend to date', () => {
    const yesterday = addDays(now, -1)
    const from = monthStart(yesterday)
    const totals = new Map<string, number>()
    for (const p of queryDailyCosts(facts.db, {from, to: yesterday, groupBy: [], filters: [], metric: 'effective'}))
      totals.set(p.currency, (totals.get(p.currency) ?? 0) + p.cost)
    for (const [currency, value] of totals)
      samples.push({
        name: 'finops_spend_to_date',
        help: 'Effective cost this calendar month through yesterday (UTC)',
        labels: {currency},
        value: roundMoney(value),
      })
  })

  const forecast = facts.forecast as CostForecast | undefined
  if (forecast?.currencies) {
    for (const c of forecast.currencies) {
      const month = c.monthEnds?.find((m) => m.month === monthKey(forecast.forecast.from)) ?? c.monthEnds?.[0]
      if (month)
        samples.push({
          name: 'finops_month_end_forecast',
          help: 'Projected month-end cost: actual to date plus the forecast mean',
          labels: {currency: c.currency, month: month.month},
          value: roundMoney(month.mean),
        })
    }
  }

  attempt('budgets', () => {
    for (const budget of listBudgets(facts.db)) {
      const {status} = budgetReport(facts.db, budget, forecastBudgetScope, {level: 80, now})
      samples.push({
        name: 'finops_budget_used_ratio',
        help: 'Budget used so far in its current period, as a ratio (1 = the whole budget)',
        labels: {budget: budget.name},
        value: roundTo(status.actualPercent / 100, 6),
      })
      if (status.forecast)
        samples.push({
          name: 'finops_budget_forecast_ratio',
          help: 'Forecast period-end spend as a ratio of the budget (1 = the whole budget)',
          labels: {budget: budget.name},
          value: roundTo(status.forecast.percent / 100, 6),
        })
    }
  })

  attempt('savings', () => {
    const byCurrency = new Map<string, number>()
    for (const r of listRecommendations(facts.db))
      byCurrency.set(r.currency, (byCurrency.get(r.currency) ?? 0) + r.monthlySavings)
    for (const [currency, value] of byCurrency)
      samples.push({
        name: 'finops_savings_available_monthly',
        help: 'Monthly savings of the latest recommendations',
        labels: {currency},
        value: roundMoney(value),
      })
  })

  const kubernetes = facts.kubernetes
  if (kubernetes) attempt('realized savings', () => samples.push(...realizedSavingsSamples(facts.db, kubernetes, now)))

  if (facts.apply) {
    samples.push({
      name: 'finops_actions_applied',
      help: 'Changes applied by this run',
      value: facts.apply.summary.applied,
    })
    samples.push({
      name: 'finops_actions_failed',
      help: 'Changes that failed in this run',
      value: facts.apply.summary.failed,
    })
    samples.push({
      name: 'finops_actions_skipped',
      help: 'Changes held back by guardrails in this run',
      value: facts.apply.skipped.filter((s) => s.code !== 'noop').length,
    })
  }
  samples.push({
    name: 'finops_run_duration_seconds',
    help: 'Wall time of the last finops run',
    value: roundTo(facts.durationSeconds, 3),
  })
  samples.push({
    name: 'finops_run_success',
    help: '1 when the last finops run succeeded, else 0',
    value: facts.success ? 1 : 0,
  })
  samples.push({
    name: 'finops_run_last_timestamp_seconds',
    help: 'When the last finops run finished (Unix time)',
    value: Math.floor(facts.finishedAt.getTime() / 1000),
  })
  return {samples, notes}
}

/**
 * The savings ledger with the defaults of `finops savings` (so dashboards, the digest and the command
 * agree), per kind and currency: realized over the measured actions, what those actions promised,
 * the ratio of the two, and how many actions are measured or not measurable yet. A promise is
 * never pushed as realized.
 */
export function realizedSavingsSamples(db: Db, kubernetes: KubernetesConfig, now = today()): MetricSample[] {
  const ledger = buildSavingsLedger(db, kubernetes, {}, now)
  const samples: MetricSample[] = []
  // Purchased commitments, measured on the bill, as one more kind.
  const commitments = new Map<string, SavingsGroup>()
  for (const c of ledger.commitments) {
    const g = commitments.get(c.currency) ?? {
      key: 'commitment',
      currency: c.currency,
      actions: 0,
      measured: 0,
      flagged: 0,
      promisedMonthly: 0,
      promisedMeasuredMonthly: 0,
      realizedMonthly: 0,
      ratio: null,
    }
    g.actions++
    g.promisedMonthly += c.promisedMonthly ?? 0
    if (c.realizedMonthly !== null) {
      g.measured++
      g.realizedMonthly = roundMoney(g.realizedMonthly + c.realizedMonthly)
      g.promisedMeasuredMonthly = roundMoney(g.promisedMeasuredMonthly + (c.promisedMonthly ?? 0))
    }
    g.ratio = g.promisedMeasuredMonthly > 0 ? roundTo(g.realizedMonthly / g.promisedMeasuredMonthly, 4) : null
    commitments.set(c.currency, g)
  }
  for (const g of [...ledger.byKind, ...commitments.values()]) {
    const labels = {kind: g.key, currency: g.currency}
    samples.push(
      {
        name: 'finops_savings_realized_monthly',
        help: 'Monthly savings realized by applied actions, measured by the savings ledger (finops savings) over its measured actions',
        labels,
        value: g.realizedMonthly,
      },
      {
        name: 'finops_savings_promised_monthly',
        help: 'Monthly savings the measured actions promised when applied (what realized compares with)',
        labels,
        value: g.promisedMeasuredMonthly,
      },
    )
    if (g.ratio !== null)
      samples.push({
        name: 'finops_savings_realized_ratio',
        help: 'Realized / promised monthly savings of the measured actions (1 = delivered as promised)',
        labels,
        value: g.ratio,
      })
    for (const [state, value] of [
      ['measured', g.measured],
      ['not_measurable_yet', g.actions - g.measured],
    ] as const)
      samples.push({
        name: 'finops_savings_actions',
        help: 'Applied actions (and purchased commitments, kind commitment) in the savings ledger, measured or not measurable yet',
        labels: {...labels, state},
        value,
      })
  }
  return samples
}

/** Prometheus text exposition format 0.0.4: HELP and TYPE once per metric name, then its samples. */
export function renderPrometheusText(samples: readonly MetricSample[]): string {
  const byName = new Map<string, MetricSample[]>()
  for (const s of samples) byName.set(s.name, [...(byName.get(s.name) ?? []), s])
  let out = ''
  for (const [name, group] of byName) {
    out += `# HELP ${name} ${group[0]!.help}\n# TYPE ${name} gauge\n`
    for (const s of group) {
      const labels = Object.entries(s.labels ?? {}).map(
        ([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`,
      )
      out += `${name}${labels.length > 0 ? `{${labels.join(',')}}` : ''} ${Number.isFinite(s.value) ? s.value : 'NaN'}\n`
    }
  }
  return out
}
