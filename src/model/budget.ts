import type {Metric} from './cost.js'

/** Budget periods, as AWS Budgets names them; the calendar (UTC) defines each one. */
export const BUDGET_PERIODS = ['monthly', 'quarterly', 'yearly'] as const
export type BudgetPeriod = (typeof BUDGET_PERIODS)[number]

/** A threshold fires on actual spend to date, or on the forecast spend at period end. */
export interface BudgetThreshold {
  kind: 'actual' | 'forecast'
  /** Percent of the budget amount (80 means 80%). */
  percent: number
}

/** A budget as the user set it. `filters` are the `--filter key=value` strings, re-parsed on use. */
export interface Budget {
  id: number
  name: string
  amount: number
  period: BudgetPeriod
  /** undefined: the scope's only currency. */
  currency?: string
  metric: Metric
  filters: string[]
  thresholds: BudgetThreshold[]
  createdAt: string
  updatedAt: string
}

/** Thresholds used when `budget set` is given none: warn at 80% actual, alert at 100% actual and forecast. */
export const DEFAULT_THRESHOLDS: readonly BudgetThreshold[] = [
  {kind: 'actual', percent: 80},
  {kind: 'actual', percent: 100},
  {kind: 'forecast', percent: 100},
]

/** `budget set`: the budget as stored, and whether it is new. */
export interface BudgetSetResult {
  budget: Budget
  created: boolean
}
