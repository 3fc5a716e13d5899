import type {AnomalyConfig} from '../config/sections/alerts.js'
import {parseFilters, parseGroupKeys} from '../cost/dimension-keys.js'
import {addDays, daysBetween, reversedWindowError} from '../dates.js'
import {notFoundError, usageError} from '../errors.js'
import {groupKeyLabel} from '../model/cost.js'
import {alertStatuses} from '../store/alerts.js'
import {
  acknowledgedIds,
  acknowledgeAnomaly,
  findAnomaly,
  listMutes,
  listRecordedAnomalies,
  muteSeries,
  type RecordedAnomaly,
  recordAnomalies,
  type SeriesMute,
  seriesIdentity,
  unacknowledgeAnomaly,
  unmuteSeries,
} from '../store/anomaly-feedback.js'
import {lastCostDay} from '../store/cost-presence.js'
import {queryDailyCosts} from '../store/costs.js'
import type {Db} from '../store/open.js'
import {ANOMALY_ID_PATTERN, anomalyAlertKey} from './anomaly-id.js'
import {anomalyContributors, type AnomalyScan, type ScannedAnomaly, scanAnomalies} from './anomaly-scan.js'
import type {Contributor} from './slack-blocks.js'

/** Where an anomaly stands: alerting (new, pending delivery or sent), acknowledged, or on a muted series. */
export type AnomalyStatus = 'new' | 'pending' | 'sent' | 'acknowledged' | 'muted'
export const ANOMALY_STATUSES: readonly AnomalyStatus[] = ['new', 'pending', 'sent', 'acknowledged', 'muted']

/** Whether a mute covers an anomaly: on or before its last day, and smaller than its threshold if it has one. */
export const muteCovers = (mute: Pick<SeriesMute, 'until' | 'below'>, a: {day: string; impact: number}): boolean =>
  (mute.until === undefined || a.day <= mute.until) && (mute.below === undefined || Math.abs(a.impact) < mute.below)

/**
 * Which of a scan's anomalies people already handled: acknowledged (by id), or on a series muted in
 * the store (`finops anomaly mute`) or in finops.yaml. Those raise no alert.
 */
export function anomalyFeedback(db: Db, scan: AnomalyScan): Map<string, 'acknowledged' | 'muted'> {
  const acked = acknowledgedIds(
    db,
    scan.anomalies.map((a) => a.id),
  )
  const mutes = new Map(listMutes(db).map((m) => [seriesIdentity(m.groupBy, m.keys), m]))
  const result = new Map<string, 'acknowledged' | 'muted'>()
  for (const a of scan.anomalies) {
    const mute = mutes.get(seriesIdentity(scan.groupBy, a.keys))
    if (acked.has(a.id)) result.set(a.id, 'acknowledged')
    else if (scan.mutedByConfig.has(a.id) || (mute && muteCovers(mute, a))) result.set(a.id, 'muted')
  }
  return result
}

/** One row of `finops anomaly list`: the anomaly as recorded, with where its feedback stands. */
export interface AnomalyListEntry extends Omit<RecordedAnomaly, 'firstSeen' | 'lastSeen' | 'ackedAt' | 'ackNote'> {
  status: AnomalyStatus
  acknowledgedAt?: string
  note?: string
  /** What drove it, one level down (as in its alert); only for anomalies judged in this run. */
  rootCause?: Contributor[]
}

export interface AnomalyListQuery {
  from?: string
  to?: string
  providers?: string[]
  services?: string[]
  statuses?: AnomalyStatus[]
}

export interface AnomalyListResult {
  groupBy: string[]
  from?: string
  to?: string
  anomalies: AnomalyListEntry[]
  mutes: SeriesMute[]
}

/** Longest window `anomaly list` judges afresh: older anomalies are listed from the store's record. */
export const MAX_LIST_DAYS = 92

/**
 * The anomalies of a window, newest day first: those the detector finds now (every day judged, as in
 * `alert check`) and those the store recorded earlier, each once under its id, with its status.
 */
export function listAnomalies(db: Db, config: AnomalyConfig, query: AnomalyListQuery, asOf: string): AnomalyListResult {
  const last = lastCostDay(db, asOf)
  const to = query.to ?? last
  const from = query.from ?? (to ? addDays(to, -29) : undefined)
  const mutes = listMutes(db)
  if (!to || !from) return {groupBy: [], anomalies: [], mutes}
  if (from > to) throw reversedWindowError(from, to)
  const days = daysBetween(from, to) + 1
  const scan = scanAnomalies(db, {...config, lookbackDays: Math.min(days, MAX_LIST_DAYS)}, addDays(to, 1))
  const feedback = anomalyFeedback(db, scan)
  const byId = new Map<string, AnomalyListEntry>()
  const recorded = new Map(listRecordedAnomalies(db, {from, to}).map((r) => [r.id, r]))
  const alerts = alertStatuses(
    db,
    [...scan.anomalies.map((a) => ({...a, groupBy: scan.groupBy})), ...recorded.values()].map((a) =>
      anomalyAlertKey(a.groupBy, a),
    ),
  )
  const statusOf = (a: RecordedAnomaly | (ScannedAnomaly & {groupBy: string[]})): AnomalyStatus => {
    const said = feedback.get(a.id) ?? (recorded.get(a.id)?.ackedAt ? 'acknowledged' : undefined)
    if (said) return said
    const mute = mutes.find((m) => seriesIdentity(m.groupBy, m.keys) === seriesIdentity(a.groupBy, a.keys))
    if (mute && muteCovers(mute, a)) return 'muted'
    return alerts.get(anomalyAlertKey(a.groupBy, a)) ?? 'new'
  }
  for (const a of scan.anomalies) {
    if (a.day < from || a.day > to) continue
    const r = recorded.get(a.id)
    const entry = {...a, groupBy: scan.groupBy}
    byId.set(a.id, {
      id: a.id,
      status: statusOf(entry),
      groupBy: scan.groupBy,
      keys: a.keys,
      currency: a.currency,
      providers: a.providers,
      day: a.day,
      direction: a.direction,
      actual: a.actual,
      expected: a.expected,
      impact: a.impact,
      rootCause: anomalyContributors(db, a, scan.groupBy, config),
      ...(r?.ackedAt ? {acknowledgedAt: r.ackedAt} : {}),
      ...(r?.ackNote ? {note: r.ackNote} : {}),
    })
  }
  for (const r of recorded.values()) if (!byId.has(r.id)) byId.set(r.id, toEntry(r, statusOf(r)))
  const serviceIndex = scan.groupBy.indexOf('service')
  if (query.services && serviceIndex < 0)
    throw usageError(
      `--service: the watched series are not split by service (alerts.anomalies.groupBy: ${scan.groupBy.join(', ')})`,
      'add service to alerts.anomalies.groupBy in finops.yaml, or leave --service out',
    )
  const anomalies = [...byId.values()]
    .filter(
      (a) =>
        (!query.providers || a.providers.some((p) => query.providers!.includes(p))) &&
        (!query.services || query.services.includes(a.keys[a.groupBy.indexOf('service')] ?? '')) &&
        (!query.statuses || query.statuses.includes(a.status)),
    )
    .sort((a, b) => b.day.localeCompare(a.day) || Math.abs(b.impact) - Math.abs(a.impact) || a.id.localeCompare(b.id))
  return {groupBy: scan.groupBy, from, to, anomalies, mutes}
}

/** Checks an anomaly id typed by a person before any lookup. */
export function checkAnomalyId(id: string): string {
  const trimmed = id.trim()
  if (!ANOMALY_ID_PATTERN.test(trimmed))
    throw usageError(`"${id}" is not an anomaly id`, 'ids look like an-1a2b3c4d5e6f: see finops anomaly list')
  return trimmed
}

/** Longest look-back when an id is not in the store yet: the anomaly is searched among the days judged now. */
const RESOLVE_DAYS = 31

/**
 * The anomaly with this id: from the store, or found again among the last RESOLVE_DAYS judged days
 * (then recorded, so it keeps its id and acknowledgement). Not found is a not-found error.
 */
export function resolveAnomaly(
  db: Db,
  config: AnomalyConfig,
  id: string,
  asOf: string,
  options: {record: boolean} = {record: true},
): RecordedAnomaly {
  const known = findAnomaly(db, id)
  if (known) return known
  const scan = scanAnomalies(db, {...config, lookbackDays: RESOLVE_DAYS}, asOf)
  const found = scan.anomalies.find((a) => a.id === id)
  if (!found)
    throw notFoundError(
      `no anomaly with id ${id}`,
      'see finops anomaly list (ids of the last days judged, and of anomalies recorded by alert check)',
    )
  const anomaly = {...found, groupBy: scan.groupBy}
  if (!options.record) return {...anomaly, firstSeen: asOf, lastSeen: asOf}
  recordAnomalies(db, [anomaly])
  return findAnomaly(db, id)!
}

const toEntry = (r: RecordedAnomaly, status: AnomalyStatus): AnomalyListEntry => ({
  id: r.id,
  status,
  groupBy: r.groupBy,
  keys: r.keys,
  currency: r.currency,
  providers: r.providers,
  day: r.day,
  direction: r.direction,
  actual: r.actual,
  expected: r.expected,
  impact: r.impact,
  ...(r.ackedAt ? {acknowledgedAt: r.ackedAt} : {}),
  ...(r.ackNote ? {note: r.ackNote} : {}),
})

export interface AckResult {
  acknowledged: AnomalyListEntry
  /** False when it had been acknowledged before (the first acknowledgement is kept). */
  changed: boolean
}

/** `finops anomaly ack`: the anomaly raises no alert from now on (a pending one is dropped). */
export function ackAnomaly(
  db: Db,
  config: AnomalyConfig,
  id: string,
  note: string | undefined,
  asOf: string,
): AckResult {
  const anomaly = resolveAnomaly(db, config, checkAnomalyId(id), asOf)
  acknowledgeAnomaly(db, anomaly.id, anomalyAlertKey(anomaly.groupBy, anomaly), note)
  return {
    acknowledged: toEntry(findAnomaly(db, anomaly.id)!, 'acknowledged'),
    changed: anomaly.ackedAt === undefined,
  }
}

export interface UnackResult {
  /** The anomaly with its status now: new, pending or sent (its alert as it stands), or muted. */
  unacknowledged: AnomalyListEntry
}

/**
 * `finops anomaly unack`: takes an acknowledgement back. The anomaly raises an alert again in the next
 * `alert check` that judges its day unless its alert was delivered before the acknowledgement (an alert
 * is posted once). An id that is not acknowledged is not found: nothing changes.
 */
export function unackAnomaly(db: Db, id: string): UnackResult {
  const checked = checkAnomalyId(id)
  const known = findAnomaly(db, checked)
  if (!known?.ackedAt)
    throw notFoundError(
      known ? `anomaly ${checked} is not acknowledged` : `no acknowledged anomaly with id ${checked}`,
      'see finops anomaly list --status acknowledged',
    )
  unacknowledgeAnomaly(db, checked)
  const anomaly = findAnomaly(db, checked)!
  const mute = listMutes(db).find(
    (m) => seriesIdentity(m.groupBy, m.keys) === seriesIdentity(anomaly.groupBy, anomaly.keys),
  )
  const key = anomalyAlertKey(anomaly.groupBy, anomaly)
  const status: AnomalyStatus =
    mute && muteCovers(mute, anomaly) ? 'muted' : (alertStatuses(db, [key]).get(key) ?? 'new')
  return {unacknowledged: toEntry(anomaly, status)}
}

/** Which series a mute or unmute names: the series of an anomaly id, or every key of the watched series given as key=value. */
export type SeriesTarget = {id: string} | {series: string[]}

/**
 * The series a target names, in the watched grouping. `--series` must give one value for each key of
 * the grouping (a series is a combination of them all; a partial one would mute more than asked), and
 * the series must have cost in the store.
 */
export function resolveSeries(
  db: Db,
  config: AnomalyConfig,
  target: SeriesTarget,
  asOf: string,
): {groupBy: string[]; keys: string[]} {
  if ('id' in target) {
    // Naming a series by an anomaly of it changes nothing about the anomaly.
    const a = resolveAnomaly(db, config, checkAnomalyId(target.id), asOf, {record: false})
    return {groupBy: a.groupBy, keys: a.keys}
  }
  const {groupBy, keys} = parseSeries(config, target.series)
  const groupKeys = parseGroupKeys(groupBy)
  const last = lastCostDay(db, asOf)
  const rows = last
    ? queryDailyCosts(db, {
        from: addDays(last, -(config.trainingDays + RESOLVE_DAYS)),
        to: last,
        groupBy: groupKeys,
        filters: groupKeys.map((key, i) => ({key, values: [keys[i]!]})),
        metric: config.metric,
      })
    : []
  if (rows.length === 0)
    throw notFoundError(
      `no cost in the store for the series ${groupBy.map((l, i) => `${l}=${keys[i]}`).join(', ')}`,
      'see finops anomaly list, or finops cost report --group-by ' + groupBy.join(','),
    )
  return {groupBy, keys}
}

export interface MuteOptions {
  until?: string
  below?: number
  note?: string
}

/** `finops anomaly mute`: the series raises no alert through `until` (for good without), or none below `below`. */
export function muteAnomalySeries(
  db: Db,
  config: AnomalyConfig,
  target: SeriesTarget,
  options: MuteOptions,
  asOf: string,
): {muted: SeriesMute} {
  const series = resolveSeries(db, config, target, asOf)
  return {muted: muteSeries(db, {...series, ...options})}
}

/** `finops anomaly unmute`: removes the series' mute; a series that was not muted is not found. */
export function unmuteAnomalySeries(
  db: Db,
  config: AnomalyConfig,
  target: SeriesTarget,
  asOf: string,
): {unmuted: {groupBy: string[]; keys: string[]}} {
  const series = 'id' in target ? resolveSeries(db, config, target, asOf) : parseSeries(config, target.series)
  if (!unmuteSeries(db, series.groupBy, series.keys)) {
    const muted = listMutes(db)
    throw notFoundError(
      `the series ${series.groupBy.map((l, i) => `${l}=${series.keys[i]}`).join(', ')} is not muted`,
      muted.length > 0 ? `muted: ${muted.map((m) => m.keys.join('/')).join('; ')}` : 'no series is muted',
    )
  }
  return {unmuted: series}
}

/** A --series selector: one value for each key of the watched series' grouping. */
function parseSeries(config: AnomalyConfig, series: readonly string[]): {groupBy: string[]; keys: string[]} {
  const filters = parseFilters(series, {key: 'series', label: 'series'})
  const groupBy = parseGroupKeys(config.groupBy).map(groupKeyLabel)
  const given = new Map(filters.map((f) => [groupKeyLabel(f.key), f.values]))
  // A partial series would mute more than one series: never.
  if (
    groupBy.some((l) => !given.has(l)) ||
    given.size !== groupBy.length ||
    [...given.values()].some((v) => v.length !== 1)
  )
    throw usageError(
      `--series ${series.join(' ')}: a series is one value for each of ${groupBy.join(', ')}`,
      `for example ${groupBy.map((l) => `--series ${l}=VALUE`).join(' ')} (or give an anomaly id)`,
    )
  return {groupBy, keys: groupBy.map((l) => given.get(l)![0]!)}
}

export type {SeriesMute}

/** The series a command line names: an anomaly id or --series, exactly one of them. */
export function seriesTarget(id: string | undefined, series: string[] | undefined): SeriesTarget {
  if (id !== undefined && series !== undefined)
    throw usageError('give an anomaly id or --series, not both', 'the id names its series already')
  if (id !== undefined) return {id}
  if (series !== undefined && series.length > 0) return {series}
  throw usageError('name the series: an anomaly id, or --series key=value for each key', 'see finops anomaly list')
}
