import {addDays} from '../dates.js'
import type {AnomalyConfig} from '../config/sections/alerts.js'
import type {GroupKey} from '../model/cost.js'
import {parseGroupKeys} from '../cost/dimension-keys.js'
import {type CostFilter, groupKeyLabel, NONE_LABEL} from '../model/cost.js'
import {lastCostDay, providerDataDays} from '../store/cost-presence.js'
import {queryDailyCosts} from '../store/costs.js'
import type {Db} from '../store/open.js'
import {type Anomaly, type AnomalySeries, detectAnomalies} from './anomalies.js'
import type {Contributor} from './slack-blocks.js'
import {roundMoney} from '../money.js'

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

const PROVIDER: GroupKey = {kind: 'dimension', name: 'provider'}

/** Reads the watched series from the store and runs the pure detector over their last days. */
export function scanAnomalies(db: Db, config: AnomalyConfig, asOf: string): AnomalyScan {
  const groupKeys = parseGroupKeys(config.groupBy)
  const groupBy = groupKeys.map(groupKeyLabel)
  // "Data present" is judged on all charges, so a day with only fees still counts as a day with data.
  const last = lastCostDay(db, asOf)
  if (!last) return {groupBy, anomalies: []}
  const from = addDays(last, -(config.trainingDays + config.lookbackDays))
  const n = groupKeys.length
  const points = queryDailyCosts(db, {
    from,
    to: last,
    groupBy: [...groupKeys, PROVIDER],
    filters: scopeFilters(config),
    metric: config.metric,
  })
  // A day a provider has no cost rows at all is missing data, not a drop to zero: billing exports lag by
  // different amounts (a day or two for GCP), so presence and the last judged day are per provider.
  const present = providerDataDays(db, from, last)
  const firstDay = (provider: string): string =>
    [...(present.get(provider) ?? [])].reduce((m, d) => (d < m ? d : m), '9999-12-31')
  const lastDay = (provider: string): string => [...(present.get(provider) ?? [])].reduce((m, d) => (d > m ? d : m), '')
  const bySeries = new Map<string, {series: AnomalySeries; costs: Map<string, number>; providers: Set<string>}>()
  for (const p of points) {
    const keys = p.keys.slice(0, n)
    const id = JSON.stringify([keys, p.currency])
    let entry = bySeries.get(id)
    if (!entry)
      bySeries.set(
        id,
        (entry = {series: {keys, currency: p.currency, points: []}, costs: new Map(), providers: new Set()}),
      )
    entry.providers.add(p.keys[n]!)
    entry.costs.set(p.day, (entry.costs.get(p.day) ?? 0) + p.cost)
  }
  const entries = [...bySeries.values()]
  setScopeDaily(
    entries.map((e) => e.series),
    groupBy.indexOf('account'),
    last,
  )
  const byThrough = new Map<string, typeof entries>()
  for (const e of entries) {
    e.series.points = [...e.costs].map(([day, cost]) => ({day, cost}))
    // Days its providers delivered before the series' first cost count as zero spend: a new service.
    e.series.since = [...e.providers].map(firstDay).reduce((m, d) => (d < m ? d : m))
    const through = [...e.providers].map(lastDay).reduce((m, d) => (d < m ? d : m))
    byThrough.set(through, [...(byThrough.get(through) ?? []), e])
  }
  const anomalies = [...byThrough]
    .flatMap(([through, group]) => {
      const judged = new Map(group.map((e) => [JSON.stringify([e.series.keys, e.series.currency]), e.providers]))
      return detectAnomalies(
        group.map((e) => e.series),
        {
          level: config.level,
          trainingDays: config.trainingDays,
          minHistoryDays: config.minHistoryDays,
          lookbackDays: config.lookbackDays,
          through,
          minImpact: config.minImpact,
          minRelative: config.minRelative,
          minScopeShare: config.minAccountShare,
        },
      ).filter((a) =>
        [...judged.get(JSON.stringify([a.keys, a.currency]))!].every((provider) => present.get(provider)!.has(a.day)),
      )
    })
    .sort((a, b) => Math.abs(b.impact) - Math.abs(a.impact))
  return {groupBy, through: last, anomalies}
}

/**
 * Each series' scope for materiality: its account (when the series are split by account), else all
 * watched series in its currency. The scope's typical day is the median of its last 28 daily totals.
 */
function setScopeDaily(series: AnomalySeries[], accountIndex: number, last: string): void {
  const from = addDays(last, -27)
  const totals = new Map<string, Map<string, number>>()
  const scopeOf = (s: AnomalySeries): string =>
    JSON.stringify([accountIndex >= 0 ? s.keys[accountIndex] : '', s.currency])
  for (const s of series) {
    let days = totals.get(scopeOf(s))
    if (!days) totals.set(scopeOf(s), (days = new Map()))
    for (const p of s.points) if (p.day >= from) days.set(p.day, (days.get(p.day) ?? 0) + p.cost)
  }
  const typical = new Map(
    [...totals].map(([scope, days]) => {
      const values = [...days.values()].sort((a, b) => a - b)
      return [scope, values.length > 0 ? values[values.length >> 1]! : 0]
    }),
  )
  for (const s of series) s.scopeDaily = typical.get(scopeOf(s))
}

/**
 * What moved inside an anomalous series: the day's cost by region (or sub-account) against the
 * average of the 7 days before, largest changes in the anomaly's direction first.
 */
export function anomalyContributors(
  db: Db,
  anomaly: Anomaly,
  groupBy: readonly string[],
  config: AnomalyConfig,
): Contributor[] {
  const keys = parseGroupKeys(groupBy)
  const filters: CostFilter[] = [
    ...keys.map((key, i) => ({key, values: [anomaly.keys[i] ?? '']})),
    ...scopeFilters(config),
  ]
  const dimension: GroupKey = {kind: 'dimension', name: groupBy.includes('region') ? 'sub-account' : 'region'}
  const rows = queryDailyCosts(db, {
    from: addDays(anomaly.day, -7),
    to: anomaly.day,
    groupBy: [dimension],
    filters,
    metric: config.metric,
  })
  const change = new Map<string, number>()
  for (const r of rows) {
    if (r.currency !== anomaly.currency) continue
    const label = r.keys[0] || '(none)'
    change.set(label, (change.get(label) ?? 0) + (r.day === anomaly.day ? r.cost : -r.cost / 7))
  }
  const sign = anomaly.direction === 'spike' ? 1 : -1
  return [...change.entries()]
    .filter(([, d]) => d * sign > 0)
    .sort((a, b) => (b[1] - a[1]) * sign)
    .slice(0, 3)
    .map(([label, amount]) => ({label: `${groupKeyLabel(dimension)} ${label}`, amount: roundMoney(amount)}))
}
