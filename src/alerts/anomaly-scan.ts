import {addDays} from '../dates.js'
import type {AnomalyConfig, AnomalyGroupSettings} from '../config/sections/alerts.js'
import type {GroupKey} from '../model/cost.js'
import {parseGroupKey, parseGroupKeys} from '../cost/dimension-keys.js'
import {type CostFilter, groupKeyLabel, NONE_LABEL} from '../model/cost.js'
import {lastCostDay, providerDataDays} from '../store/cost-presence.js'
import {queryDailyCosts} from '../store/costs.js'
import type {Db} from '../store/open.js'
import {type Anomaly, type AnomalySeries, detectAnomalies} from './anomalies.js'
import type {Contributor} from './slack-blocks.js'
import {roundMoney} from '../money.js'
import {anomalyId} from './anomaly-id.js'

/** Usage charges only: recurring fees land on their billing day and one-time purchases/credits are expected jumps. */
const USAGE_ONLY: CostFilter[] = [
  {key: {kind: 'dimension', name: 'charge-category'}, values: ['Usage']},
  {key: {kind: 'dimension', name: 'charge-frequency'}, values: ['Usage-Based', NONE_LABEL]},
]

const scopeFilters = (config: AnomalyConfig): CostFilter[] => (config.usageOnly ? USAGE_ONLY : [])

/** An anomaly found by a scan of the store: the detector's finding, its stable id and its series' providers. */
export interface ScannedAnomaly extends Anomaly {
  /** Stable: derived from the series and the day, so the same anomaly found again has the same id. */
  id: string
  providers: string[]
}

export interface AnomalyScan {
  groupBy: string[]
  /** The last day judged (the last day with cost data, at most yesterday). */
  through?: string
  anomalies: ScannedAnomaly[]
  /** Ids of anomalies on series muted in finops.yaml (alerts.anomalies.groups[].mute): listed, never alerted. */
  mutedByConfig: Set<string>
}

const PROVIDER: GroupKey = {kind: 'dimension', name: 'provider'}

/** Reads the watched series from the store and runs the pure detector over their last days. */
export function scanAnomalies(db: Db, config: AnomalyConfig, asOf: string): AnomalyScan {
  const groupKeys = parseGroupKeys(config.groupBy)
  const groupBy = groupKeys.map(groupKeyLabel)
  // "Data present" is judged on all charges, so a day with only fees still counts as a day with data.
  const last = lastCostDay(db, asOf)
  if (!last) return {groupBy, anomalies: [], mutedByConfig: new Set()}
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
  // Series are judged together when they share their last delivered day and their settings.
  const batches = new Map<string, {through: string; settings: GroupOverrides; entries: typeof entries}>()
  const mutedSeries = new Set<string>()
  for (const e of entries) {
    e.series.points = [...e.costs].map(([day, cost]) => ({day, cost}))
    // Days its providers delivered before the series' first cost count as zero spend: a new service.
    e.series.since = [...e.providers].map(firstDay).reduce((m, d) => (d < m ? d : m))
    const through = [...e.providers].map(lastDay).reduce((m, d) => (d < m ? d : m))
    const {mute, ...settings} = groupOverrides(config.groups, groupBy, e.series.keys, e.providers)
    if (mute) mutedSeries.add(JSON.stringify([e.series.keys, e.series.currency]))
    const batchId = JSON.stringify([through, settings])
    const batch = batches.get(batchId)
    if (batch) batch.entries.push(e)
    else batches.set(batchId, {through, settings, entries: [e]})
  }
  const mutedByConfig = new Set<string>()
  const anomalies = [...batches.values()]
    .flatMap(({through, settings, entries: batch}) => {
      const judged = new Map(batch.map((e) => [JSON.stringify([e.series.keys, e.series.currency]), e.providers]))
      return detectAnomalies(
        batch.map((e) => e.series),
        {
          level: settings.level ?? config.level,
          trainingDays: config.trainingDays,
          minHistoryDays: config.minHistoryDays,
          lookbackDays: config.lookbackDays,
          through,
          minImpact: settings.minImpact ?? config.minImpact,
          minRelative: settings.minRelative ?? config.minRelative,
          minScopeShare: settings.minAccountShare ?? config.minAccountShare,
        },
      ).flatMap((a): ScannedAnomaly[] => {
        const series = JSON.stringify([a.keys, a.currency])
        const providers = [...judged.get(series)!].sort()
        if (!providers.every((provider) => present.get(provider)!.has(a.day))) return []
        const scanned = {...a, id: anomalyId(groupBy, a.keys, a.currency, a.day), providers}
        if (mutedSeries.has(series)) mutedByConfig.add(scanned.id)
        return [scanned]
      })
    })
    .sort((a, b) => Math.abs(b.impact) - Math.abs(a.impact))
  return {groupBy, through: last, anomalies, mutedByConfig}
}

type GroupOverrides = Omit<AnomalyGroupSettings, 'match'>

/**
 * The settings finops.yaml gives one series (alerts.anomalies.groups): every group whose match names
 * only values the series has applies, a later one over an earlier one.
 */
export function groupOverrides(
  groups: readonly AnomalyGroupSettings[],
  groupBy: readonly string[],
  keys: readonly string[],
  providers: ReadonlySet<string>,
): GroupOverrides {
  const labels = groupBy.map((k) => groupKeyLabel(parseGroupKey(k)))
  const settings: GroupOverrides = {}
  for (const {match, ...overrides} of groups) {
    const matches = Object.entries(match).every(([key, value]) => {
      if (key.trim() === 'provider' && !labels.includes('provider')) return providers.has(value)
      const index = labels.indexOf(groupKeyLabel(parseGroupKey(key)))
      return index >= 0 && keys[index] === value
    })
    if (matches) Object.assign(settings, overrides)
  }
  return settings
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
 * What moved inside an anomalous series, one level down: the day's cost by region and by sub-account
 * (whichever the series is not already split by) against the average of the 7 days before. The level
 * that concentrates the change most is named (one region, or one sub-account, carrying most of it),
 * largest changes in the anomaly's direction first, each with its share of the change in that direction.
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
  const sign = anomaly.direction === 'spike' ? 1 : -1
  const levels = (['region', 'sub-account'] as const).filter((name) => !groupBy.includes(name))
  let best: {dimension: GroupKey; moved: [string, number][]; total: number} | undefined
  for (const name of levels) {
    const dimension: GroupKey = {kind: 'dimension', name}
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
      const label = r.keys[0] || NONE_LABEL
      change.set(label, (change.get(label) ?? 0) + (r.day === anomaly.day ? r.cost : -r.cost / 7))
    }
    // A level where no row has a value (no sub-accounts in this bill) names nothing.
    if (change.size === 1 && change.has(NONE_LABEL)) continue
    const moved = [...change.entries()].filter(([, d]) => d * sign > 0).sort((a, b) => (b[1] - a[1]) * sign)
    const total = moved.reduce((a, [, d]) => a + d, 0)
    if (moved.length === 0 || total === 0) continue
    const concentration = (d: {moved: [string, number][]; total: number}): number => d.moved[0]![1] / d.total
    const candidate = {dimension, moved, total}
    if (!best || concentration(candidate) > concentration(best) + 1e-9) best = candidate
  }
  if (!best) return []
  const {dimension, moved, total} = best
  return moved.slice(0, 3).map(([label, amount]) => ({
    label: `${groupKeyLabel(dimension)} ${label}`,
    amount: roundMoney(amount),
    share: Math.round((amount / total) * 1000) / 10,
  }))
}
