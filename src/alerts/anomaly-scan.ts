import {addDays} from '../dates.js'
import type {AnomalyConfig, AnomalyGroupSettings} from '../config/sections/alerts.js'
import type {GroupKey} from '../model/cost.js'
import {parseGroupKey, parseGroupKeys} from '../cost/dimension-keys.js'
import {type CostFilter, groupKeyLabel, NONE_LABEL, UNTAGGED_LABEL} from '../model/cost.js'
import {lastCostDay, providerDataDays} from '../store/cost-presence.js'
import {queryCostDetails} from '../store/cost-details.js'
import {queryDailyCosts} from '../store/costs.js'
import {tagKeysInScope} from '../store/tag-keys-in-scope.js'
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

/** Most tag keys looked at for a root cause: the ones the series' rows carry most. */
const ROOT_CAUSE_TAG_KEYS = 12

/** One level a root cause can look at: its name and the series' daily cost by its values. */
interface RootCauseLevel {
  name: string
  rows: () => {label: string; day: string; cost: number; currency: string}[] | undefined
}

/** Labels of details: a usage type with its description when the source gave one; '' is everything else. */
const detailLabel = (value: string, label: string): string =>
  value === ''
    ? NONE_LABEL
    : label && label !== value
      ? `${value} (${label.length > 60 ? `${label.slice(0, 59)}…` : label})`
      : value

/**
 * What moved inside an anomalous series, one level down: the day's cost by region, by sub-account,
 * by usage type (SKU), by resource (where the source records them) and by each tag key the series'
 * rows carry (whichever the series is not already split by) against the average of the 7 days
 * before. The level named is the one that explains the change best: the one whose top value carries
 * a larger share of the change than of the usual cost by the widest margin (a region that usually
 * costs 20% and took 95% of the jump); a level with one value (every row in one region) explains
 * nothing unless no level does. The top 3 values in the anomaly's direction are shown, each with its
 * share of the change in that direction.
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
  const from = addDays(anomaly.day, -7)
  const tagLevels: GroupKey[] = tagKeysInScope(db, {from, to: anomaly.day, filters}, ROOT_CAUSE_TAG_KEYS).map(
    (key) => ({kind: 'tag', key}),
  )
  const levelOf = (dimension: GroupKey): RootCauseLevel => ({
    name: groupKeyLabel(dimension),
    rows: () =>
      queryDailyCosts(db, {from, to: anomaly.day, groupBy: [dimension], filters, metric: config.metric}).map((r) => ({
        label: r.keys[0] || NONE_LABEL,
        day: r.day,
        cost: r.cost,
        currency: r.currency,
      })),
  })
  const detailLevels: RootCauseLevel[] = (['usage-type', 'resource'] as const).map((kind) => ({
    name: kind === 'usage-type' ? 'usage type' : 'resource',
    rows: () =>
      queryCostDetails(db, {from, to: anomaly.day, kind, filters, metric: config.metric})?.map((r) => ({
        label: detailLabel(r.value, r.label),
        day: r.day,
        cost: r.cost,
        currency: r.currency,
      })),
  }))
  interface Level {
    name: string
    moved: [string, number][]
    total: number
    /** Share of the change carried by the top value, less its share of the days before. */
    lift: number
    concentration: number
  }
  let best: Level | undefined
  let bestFallback: Level | undefined
  const dimensions = (keys: GroupKey[]): RootCauseLevel[] =>
    keys.filter((k) => !groupBy.includes(groupKeyLabel(k))).map(levelOf)
  // Ties go to the earlier level: a resource before a tag that names only it (a per-resource Name tag).
  const levels = [
    ...dimensions((['region', 'sub-account'] as const).map((name): GroupKey => ({kind: 'dimension', name}))),
    ...detailLevels,
    ...dimensions(tagLevels),
  ]
  for (const {name, rows} of levels) {
    const change = new Map<string, number>()
    const before = new Map<string, number>()
    for (const r of rows() ?? []) {
      if (r.currency !== anomaly.currency) continue
      change.set(r.label, (change.get(r.label) ?? 0) + (r.day === anomaly.day ? r.cost : -r.cost / 7))
      if (r.day !== anomaly.day) before.set(r.label, (before.get(r.label) ?? 0) + r.cost / 7)
    }
    // A level where no row has a value (no sub-accounts in this bill, a tag no row carries) names nothing.
    if (change.size === 1 && (change.has(NONE_LABEL) || change.has(UNTAGGED_LABEL))) continue
    const moved = [...change.entries()].filter(([, d]) => d * sign > 0).sort((a, b) => (b[1] - a[1]) * sign)
    const total = moved.reduce((a, [, d]) => a + d, 0)
    if (moved.length === 0 || total === 0) continue
    const usual = [...before.values()].reduce((a, v) => a + v, 0)
    const concentration = moved[0]![1] / total
    const lift = concentration - (usual > 0 ? (before.get(moved[0]![0]) ?? 0) / usual : 0)
    const level = {name, moved, total, lift, concentration}
    if (change.size > 1 && lift > 0.05 && (!best || lift > best.lift + 1e-9)) best = level
    if (!bestFallback || concentration > bestFallback.concentration + 1e-9) bestFallback = level
  }
  const chosen = best ?? bestFallback
  if (!chosen) return []
  const {name, moved, total} = chosen
  return moved.slice(0, 3).map(([label, amount]) => ({
    label: `${name} ${label}`,
    amount: roundMoney(amount),
    share: Math.round((amount / total) * 1000) / 10,
  }))
}
