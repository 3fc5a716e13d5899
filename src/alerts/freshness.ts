import type {FreshnessConfig} from '../config/sections/alerts.js'
import {daysBetween} from '../dates.js'

/** A billing source whose newest day is older than its provider's usual export lag allows. */
export interface StaleSource {
  provider: string
  /** The newest day with cost rows from this provider. */
  lastDay: string
  /** Days from that day to the day judged (yesterday). */
  lagDays: number
  /** The most days this provider's data is expected to lag. */
  expectedLagDays: number
}

/**
 * How many days each provider's billing data usually lags behind yesterday: Cost Explorer refreshes at
 * least daily, Azure Cost Management and the GCP billing export can take up to about three days to
 * settle. Matched on the provider's name, so every FOCUS spelling ("AWS", "Amazon Web Services") counts.
 */
const USUAL_LAG: readonly [RegExp, number][] = [
  [/^(aws|amazon)/i, 2],
  [/^(microsoft|azure)/i, 3],
  [/^(google|gcp)/i, 3],
]

export function expectedLagDays(provider: string, config: FreshnessConfig): number {
  const configured = Object.entries(config.lagDays).find(([name]) => name.toLowerCase() === provider.toLowerCase())
  if (configured) return configured[1]
  return USUAL_LAG.find(([pattern]) => pattern.test(provider))?.[1] ?? config.defaultLagDays
}

/**
 * The providers whose newest day is older than their expected lag, as of `yesterday` (the last day a
 * run can expect data for). An export that stopped arriving is then said, not judged as "nothing
 * found". Pure.
 */
export function staleSources(
  lastDays: ReadonlyMap<string, string>,
  yesterday: string,
  config: FreshnessConfig,
): StaleSource[] {
  if (!config.enabled) return []
  const ignored = new Set(config.ignore.map((p) => p.toLowerCase()))
  const stale: StaleSource[] = []
  for (const [provider, lastDay] of lastDays) {
    if (ignored.has(provider.toLowerCase())) continue
    const lagDays = daysBetween(lastDay, yesterday)
    const expected = expectedLagDays(provider, config)
    if (lagDays > expected) stale.push({provider, lastDay, lagDays, expectedLagDays: expected})
  }
  return stale.sort((a, b) => b.lagDays - a.lagDays || a.provider.localeCompare(b.provider))
}

/** One line for a stale source: what is old and what to do. */
export const staleSourceWarning = (s: StaleSource): string =>
  `billing data from ${s.provider} stops at ${s.lastDay} (${s.lagDays} days before yesterday; expected within ${s.expectedLagDays}): ` +
  `alerts and forecasts after that day are not judged; check that its export or collect still runs`
