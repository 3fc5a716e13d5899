import type {Db} from './open.js'

/**
 * Which days each billing source has delivered: the anomaly scan tells a day a provider has not
 * delivered yet from a day it spent nothing, and freshness checks compare each source's newest day
 * with its expected lag.
 */

/** The last day with any cost rows up to `asOf` (every charge counts: a day with only fees is a day with data). */
export function lastCostDay(db: Db, asOf: string): string | undefined {
  const last = db.prepare('SELECT MAX(day) FROM cost_daily WHERE day <= ?').pluck().get(asOf) as string | null
  return last ?? undefined
}

/** The days in [from, to] on which each provider has cost rows, by provider name. */
export function providerDataDays(db: Db, from: string, to: string): Map<string, Set<string>> {
  const present = new Map<string, Set<string>>()
  const rows = db
    .prepare('SELECT DISTINCT provider, day FROM cost_daily WHERE day BETWEEN ? AND ?')
    .raw()
    .all(from, to) as [string, string][]
  for (const [provider, day] of rows) {
    let days = present.get(provider)
    if (!days) present.set(provider, (days = new Set()))
    days.add(day)
  }
  return present
}

/** Each provider's newest day with cost rows (any charge), by provider name. */
export function providerLastDays(db: Db): Map<string, string> {
  const rows = db.prepare('SELECT provider, MAX(day) FROM cost_daily GROUP BY provider').raw().all() as [
    string,
    string,
  ][]
  return new Map(rows)
}
