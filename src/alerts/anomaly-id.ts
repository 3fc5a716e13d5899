import {createHash} from 'node:crypto'

/** What an anomaly id looks like: `an-` and 12 hex digits. */
export const ANOMALY_ID_PATTERN = /^an-[0-9a-f]{12}$/

/**
 * The stable id of an anomaly: derived from its series (grouping, keys, currency) and its day only,
 * so the same anomaly found by a later run (with fresher figures) keeps its id. A series has one
 * anomaly per day at most.
 */
export function anomalyId(groupBy: readonly string[], keys: readonly string[], currency: string, day: string): string {
  const digest = createHash('sha256')
    .update(JSON.stringify([groupBy, keys, currency, day]))
    .digest('hex')
  return `an-${digest.slice(0, 12)}`
}

/** The dedup key of an anomaly's Slack alert (one per series, day and direction). */
export const anomalyAlertKey = (
  groupBy: readonly string[],
  a: {keys: readonly string[]; currency: string; day: string; direction: string},
): string => `anomaly:${JSON.stringify([groupBy, a.keys, a.currency])}:${a.day}:${a.direction}`
