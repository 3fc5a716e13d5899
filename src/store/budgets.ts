import type {Budget, BudgetPeriod, BudgetThreshold} from '../model/budget.js'
import type {Metric} from '../model/cost.js'
import type {Db} from './open.js'

/** What `budget set` writes; the store fills id and timestamps. */
export type BudgetInput = Omit<Budget, 'id' | 'createdAt' | 'updatedAt'>

interface BudgetRow {
  id: number
  name: string
  amount: number
  period: BudgetPeriod
  currency: string | null
  metric: Metric
  filters: string
  thresholds: string
  created_at: string
  updated_at: string
}

const fromRow = (row: BudgetRow): Budget => ({
  id: row.id,
  name: row.name,
  amount: row.amount,
  period: row.period,
  currency: row.currency ?? undefined,
  metric: row.metric,
  filters: JSON.parse(row.filters) as string[],
  thresholds: JSON.parse(row.thresholds) as BudgetThreshold[],
  createdAt: row.created_at,
  updatedAt: row.updated_at,
})

/** Creates the budget, or replaces the settings of the one with the same name (keeping its id). */
export function upsertBudget(
  db: Db,
  input: BudgetInput,
  now = new Date().toISOString(),
): {budget: Budget; created: boolean} {
  return db
    .transaction(() => {
      const existing = db.prepare('SELECT id FROM budgets WHERE name = ?').pluck().get(input.name) as number | undefined
      const values = [
        input.amount,
        input.period,
        input.currency ?? null,
        input.metric,
        JSON.stringify(input.filters),
        JSON.stringify(input.thresholds),
        now,
      ]
      if (existing === undefined) {
        db.prepare(
          `INSERT INTO budgets (name, amount, period, currency, metric, filters, thresholds, updated_at, created_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(input.name, ...values, now)
      } else {
        db.prepare(
          `UPDATE budgets SET amount = ?, period = ?, currency = ?, metric = ?, filters = ?, thresholds = ?, updated_at = ?
        WHERE id = ?`,
        ).run(...values, existing)
      }
      return {budget: getBudget(db, input.name)!, created: existing === undefined}
    })
    .immediate()
}

export function getBudget(db: Db, name: string): Budget | undefined {
  const row = db.prepare('SELECT * FROM budgets WHERE name = ?').get(name) as BudgetRow | undefined
  return row && fromRow(row)
}

export function listBudgets(db: Db): Budget[] {
  return (db.prepare('SELECT * FROM budgets ORDER BY name').all() as BudgetRow[]).map(fromRow)
}

/** Removes the budget and its still-pending alerts (they describe a budget that no longer exists). */
export function removeBudget(db: Db, name: string): boolean {
  return db
    .transaction(() => {
      const budget = getBudget(db, name)
      if (!budget) return false
      db.prepare("DELETE FROM alerts WHERE status = 'pending' AND key LIKE ?").run(`budget:${budget.id}:%`)
      db.prepare('DELETE FROM budgets WHERE id = ?').run(budget.id)
      return true
    })
    .immediate()
}
