import {inputError} from '../../errors.js'
import type {ExactTotal, ScopeRestatement} from '../../store/cost-writer.js'
import {ALLOW_SHRINK_INPUT} from './inputs.js'

/**
 * A restated export replaces whole billing periods. Providers restate by small amounts (late usage,
 * credits, refunds); a period that loses days it had, or more than this share of its billed total,
 * is far more often a partial file (a 3-day extract, one part of a multi-part export) than a
 * restatement, so it is refused unless the user says it is meant.
 */
export const MAX_SHRINK_SHARE = 0.05

const amount = (t: ExactTotal | undefined): number => (t ? t.units + t.nanos / 1e9 : 0)

const money = (value: number, currency: string): string =>
  `${value.toLocaleString('en-US', {minimumFractionDigits: 2, maximumFractionDigits: 2})} ${currency}`

/** A short description of days removed: "27 days (2024-11-04 to 2024-11-30)". */
function describeDays(days: readonly string[]): string {
  if (days.length === 1) return `1 day (${days[0]})`
  return `${days.length} days (${days[0]} to ${days.at(-1)})`
}

/** Refuses (input error, nothing written) when a replaced billing period would shrink; lists every such period. */
export function checkRestatements(restatements: readonly ScopeRestatement[]): void {
  const problems: string[] = []
  for (const r of restatements) {
    // A period the store did not hold is new, not restated.
    if (r.scope.kind !== 'billing-period' || r.before.length === 0) continue
    const name = `${r.scope.provider} ${r.scope.billingAccountId} ${r.scope.billingPeriodStart.slice(0, 7)}`
    const currencies = [...new Set([...r.before, ...r.after].map((t) => t.currency))].sort()
    const totals = currencies.map((currency) => ({
      currency,
      before: amount(r.before.find((t) => t.currency === currency)),
      after: amount(r.after.find((t) => t.currency === currency)),
    }))
    const shrunk = totals.filter((t) => t.after < t.before - MAX_SHRINK_SHARE * Math.abs(t.before))
    if (r.removedDays.length === 0 && shrunk.length === 0) continue
    const change = (shrunk.length > 0 ? shrunk : totals)
      .map((t) => `from ${money(t.before, t.currency)} to ${money(t.after, t.currency)}`)
      .join(', ')
    problems.push(
      r.removedDays.length > 0
        ? `${name} would lose ${describeDays(r.removedDays)} it holds, billed total ${change}`
        : `${name} billed total would fall ${change}`,
    )
  }
  if (problems.length === 0) return
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more period${problems.length > 2 ? 's' : ''})` : ''
  throw inputError(
    `refusing to replace a billing period with a smaller one: ${problems[0]}${more}; nothing was imported`,
    (n) =>
      `import every part of the export together (or its directory); if the restatement is meant, allow it with ${n(ALLOW_SHRINK_INPUT)}`,
  )
}
