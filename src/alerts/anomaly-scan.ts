import {addDays} from '../dates.js'
import type {AnomalyConfig} from '../config/sections/alerts.js'
import type {GroupKey} from '../model.js'
import {type CostFilter, groupKeyLabel, NONE_LABEL, parseGroupKeys} from '../store/cost-dimensions.js'
import {queryDailyCosts} from '../store/costs.js'
import type {Db} from '../store/open.js'
import {type Anomaly, type AnomalySeries, detectAnomalies} from './anomalies.js'
import type {Contributor} from './slack-blocks.js'

/** Usage charges only: recurring fees land on their billing day and one-time purchases/credits are expected jumps. */
const USAGE_ONLY: CostFilter[] = [
  {key: {kind: 'dimension', name: 'charge-category'}, values: ['Usage']},
  {key: {kind: 'dimension', name: 'charge-frequency'}, values: ['Usage-Based', NONE_LABEL]},
]

const scopeFilters = (config: AnomalyConfig): CostFilter[] => (config.usageOnly ? USAGE_ONLY : [])

export interface AnomalyScan {
  groupBy: string[]
  /** The last day judged (the last day with cost data, at most yesterday). */
  through?: string
  anomalies: Anomaly[]
}

/** Reads the watched series from the store and runs the pure detector over their last days. */
export function scanAnomalies(db: Db, config: AnomalyConfig, asOf: string): AnomalyScan {
  const groupKeys = parseGroupKeys(config.groupBy)
  const groupBy = groupKeys.map(groupKeyLabel)
  // "Data present" is judged on all charges, so a day with only fees still counts as a day with data.
  const last = db.prepare('SELECT MAX(day) FROM cost_daily WHERE day <= ?').pluck().get(asOf) as string | null
  if (!last) return {groupBy, anomalies: []}
  const from = addDays(last, -(config.trainingDays + config.lookbackDays))
  const points = queryDailyCosts(db, {from, to: last, groupBy: groupKeys, filters: scopeFilters(config), metric: config.metric})
  // A day with no cost rows at all is missing data, not a drop to zero everywhere.
  const present = new Set(db.prepare('SELECT DISTINCT day FROM cost_daily WHERE day BETWEEN ? AND ?').pluck().all(from, last) as string[])
  const bySeries = new Map<string, AnomalySeries>()
  for (const p of points) {
    const id = JSON.stringify([p.keys, p.currency])
    let s = bySeries.get(id)
    if (!s) bySeries.set(id, (s = {keys: p.keys, currency: p.currency, points: []}))
    s.points.push({day: p.day, cost: p.cost})
  }
  const anomalies = detectAnomalies([...bySeries.values()], {
    level: config.level, trainingDays: config.trainingDays, minHistoryDays: config.minHistoryDays,
    lookbackDays: config.lookbackDays, through: last, minImpact: config.minImpact,
  }).filter((a) => present.has(a.day))
  return {groupBy, through: last, anomalies}
}

/**
 * What moved inside an anomalous series: the day's cost by region (or sub-account) against the
 * average of the 7 days before, largest changes in the anomaly's direction first.
 */
export function anomalyContributors(db: Db, anomaly: Anomaly, groupBy: readonly string[], config: AnomalyConfig): Contributor[] {
  const keys = parseGroupKeys(groupBy)
  const filters: CostFilter[] = [...keys.map((key, i) => ({key, values: [anomaly.keys[i] ?? '']})), ...scopeFilters(config)]
  const dimension: GroupKey = {kind: 'dimension', name: groupBy.includes('region') ? 'sub-account' : 'region'}
  const rows = queryDailyCosts(db, {from: addDays(anomaly.day, -7), to: anomaly.day, groupBy: [dimension], filters, metric: config.metric})
  const change = new Map<string, number>()
  for (const r of rows) {
    if (r.currency !== anomaly.currency) continue
    const label = r.keys[0] || '(none)'
    change.set(label, (change.get(label) ?? 0) + (r.day === anomaly.day ? r.cost : -r.cost / 7))
  }
  const sign = anomaly.direction === 'spike' ? 1 : -1
  return [...change.entries()].filter(([, d]) => d * sign > 0).sort((a, b) => (b[1] - a[1]) * sign).slice(0, 3)
    .map(([label, amount]) => ({label: `${groupKeyLabel(dimension)} ${label}`, amount: Math.round(amount * 100) / 100}))
}
