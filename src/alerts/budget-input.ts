import {type UserInput, usageError} from '../errors.js'
import {METRICS, type Metric} from '../model/cost.js'
import {parseFilters} from '../cost/dimension-keys.js'
import type {BudgetInput} from '../store/budgets.js'
import {
  type Budget,
  BUDGET_PERIODS,
  type BudgetPeriod,
  type BudgetThreshold,
  DEFAULT_THRESHOLDS,
} from '../model/budget.js'

/** The budget settings a user gives, by the name a command's flags use. */
const input = (key: string, label = key): UserInput => ({key, label})
const AMOUNT = input('amount')
const PERIOD = input('period')
const METRIC = input('metric')
const CURRENCY = input('currency')
const threshold = (kind: BudgetThreshold['kind']): UserInput => input(`${kind}-threshold`, `${kind} threshold`)

/** A budget's settings as given; undefined means "keep the current value" for an existing budget. */
export interface BudgetFlags {
  name: string
  amount?: number
  period?: string
  currency?: string
  metric?: string
  filters?: string[]
  actualThresholds?: number[]
  forecastThresholds?: number[]
}

/**
 * Validates a budget's settings into what the store writes, before anything is written. A new budget
 * needs an amount; an existing one keeps every setting not given. Filters are checked with the
 * report's keys, so a typo fails here rather than silently matching nothing.
 */
export function buildBudgetInput(flags: BudgetFlags, existing?: Budget): BudgetInput {
  const name = flags.name.trim()
  if (!/^[\w.@:/+-]{1,64}$/.test(name)) {
    throw usageError(
      `budget name "${flags.name}": use 1 to 64 letters, digits and . _ - : / + @`,
      'for example prod-aws',
    )
  }
  const amount = flags.amount ?? existing?.amount
  if (amount === undefined)
    throw usageError(
      (n) => `budget "${name}" is new: ${n(AMOUNT)} is required`,
      (n) => `for example ${n(AMOUNT)} 10000 ${n(PERIOD)} monthly`,
    )
  if (!Number.isFinite(amount) || amount <= 0)
    throw usageError((n) => `${n(AMOUNT)} ${amount}: must be a positive number`)

  const period = (flags.period ?? existing?.period ?? 'monthly') as BudgetPeriod
  if (!BUDGET_PERIODS.includes(period))
    throw usageError((n) => `${n(PERIOD)} ${flags.period}: expected one of ${BUDGET_PERIODS.join(', ')}`)

  const metric = (flags.metric ?? existing?.metric ?? 'billed') as Metric
  if (!(metric in METRICS))
    throw usageError((n) => `${n(METRIC)} ${flags.metric}: expected one of ${Object.keys(METRICS).join(', ')}`)

  let currency = flags.currency ?? existing?.currency
  if (currency !== undefined) {
    currency = currency.trim().toUpperCase()
    if (!/^[A-Z]{3}$/.test(currency))
      throw usageError(
        (n) => `${n(CURRENCY)} ${flags.currency}: expected a 3-letter ISO 4217 code`,
        (n) => `for example ${n(CURRENCY)} USD`,
      )
  }

  const filters = flags.filters ?? existing?.filters ?? []
  parseFilters(filters) // throws a one-line usage error naming the valid keys

  let thresholds: BudgetThreshold[]
  if (flags.actualThresholds === undefined && flags.forecastThresholds === undefined) {
    thresholds = existing?.thresholds ?? [...DEFAULT_THRESHOLDS]
  } else {
    thresholds = [
      ...(flags.actualThresholds ?? []).map((percent) => ({kind: 'actual' as const, percent})),
      ...(flags.forecastThresholds ?? []).map((percent) => ({kind: 'forecast' as const, percent})),
    ]
  }
  for (const t of thresholds) {
    if (!Number.isFinite(t.percent) || t.percent <= 0 || t.percent > 1000) {
      throw usageError(
        (n) => `${n(threshold(t.kind))} ${t.percent}: expected a percent of the budget above 0 and at most 1000`,
        (n) => `for example ${n(threshold(t.kind))} 80`,
      )
    }
  }
  const seen = new Set<string>()
  thresholds = thresholds
    .filter((t) => !seen.has(`${t.kind}:${t.percent}`) && seen.add(`${t.kind}:${t.percent}`))
    .sort((a, b) => a.kind.localeCompare(b.kind) || a.percent - b.percent)

  return {name, amount, period, currency, metric, filters, thresholds}
}

/** "actual 80%, 100%; forecast 100%" */
export function describeThresholds(thresholds: readonly BudgetThreshold[]): string {
  const part = (kind: BudgetThreshold['kind']): string | undefined => {
    const ps = thresholds.filter((t) => t.kind === kind).map((t) => `${t.percent}%`)
    return ps.length > 0 ? `${kind} ${ps.join(', ')}` : undefined
  }
  return [part('actual'), part('forecast')].filter(Boolean).join('; ') || 'none'
}
