import type {KubernetesConfig} from '../config/sections/kubernetes.js'
import {commitmentDataDays} from '../commitments/from-store.js'
import type {CommitmentStatusEntry} from '../commitments/schemas.js'
import {commitmentStatus} from '../commitments/status.js'
import {addDays, daysBetween, today} from '../dates.js'
import {isFinopsError, notFoundError} from '../errors.js'
import {runAllocation} from '../k8s/allocation-report.js'
import type {AllocationAmounts} from '../k8s/allocation-model.js'
import {GIB} from '../k8s/quantity.js'
import {describeFilter, type WorkloadFilter, workloadSelected} from '../k8s/workload-filter.js'
import type {ActionRecord} from '../model/action.js'
import type {Workload} from '../model/k8s.js'
import {listActions} from '../store/actions.js'
import {readCommitmentUsageTotals} from '../store/commitment-usage.js'
import {readInventory} from '../store/k8s-inventory.js'
import type {Db} from '../store/open.js'
import {listCommitments, readCoveredDays, readWorkloadDays, type WorkloadContainerDay} from '../store/savings.js'
import {LEDGER_KINDS, type LedgerKind, type ObservedState, snapshotState} from './action-state.js'
import {
  DEFAULT_LEDGER_SETTINGS,
  type LedgerAction,
  type LedgerDay,
  type LedgerSettings,
  measureAction,
} from './ledger.js'
import type {CommitmentEntry, LedgerEntry, SavingsReport} from './schemas.js'
import {commitmentNotMeasured, commitmentWindow, measureCommitment} from './commitment-realized.js'
import {groupLedger, ledgerTotals, realizedRatios} from './summary.js'
import type {RealizedRatios} from '../../recommenders/track-record.js'

/**
 * The ledger's one impure edge: reads the apply journal, the kube-state-metrics history and the
 * snapshot, allocates each day the measurement needs with the history-aware allocation (the same
 * charges `cost allocation` shows), and hands each action's days to the pure maths.
 */

export interface SavingsOptions {
  /** Only actions applied on or after this day. */
  since?: string
  /** The last day measured (default: yesterday). */
  to?: string
  /** Only these journal ids (each must be an applied rightsize, scale-down or spot action). */
  ids?: readonly string[]
  kinds?: readonly LedgerKind[]
  filter?: WorkloadFilter
  /** The label naming a workload's team (on the workload, else its namespace). */
  teamLabel?: string
  /** Days after the apply measured at most (the most recent ones). */
  afterDays?: number
  settings?: LedgerSettings
}

export const SAVINGS_METHOD =
  "realized = the workload's allocated cost after the apply vs a counterfactual without it: rightsize re-prices the after days' pods and usage at " +
  "the before-requests; spot re-prices the after days' charges at the before period's rates; scale-down compares with the before period's mean daily cost"

const DEFAULT_AFTER_DAYS = 60
const MEASURED_STATUSES = new Set(['applied', 'rolled-back'])

const workloadKey = (t: {namespace: string; kind: string; name: string}): string => `${t.namespace}/${t.kind}/${t.name}`
const sequenceKey = (a: ActionRecord): string =>
  `${a.kind}|${workloadKey(a.target)}|${a.kind === 'rightsize' ? (a.target.container ?? '') : ''}`
const dayOf = (a: ActionRecord): string => (a.finishedAt ?? a.createdAt).slice(0, 10)

/** Allocated amounts of one day: workload key -> container -> capacity type -> amounts. */
type DayAllocation = Map<string, Map<string, Map<string, AllocationAmounts>>>

export function buildSavingsLedger(
  db: Db,
  k8s: KubernetesConfig,
  options: SavingsOptions = {},
  now = today(),
): SavingsReport {
  const settings = options.settings ?? DEFAULT_LEDGER_SETTINGS
  const asOf = options.to ?? addDays(now, -1)
  const afterDays = options.afterDays ?? DEFAULT_AFTER_DAYS
  const teamLabel = options.teamLabel ?? 'team'
  const journal = listActions(db).reverse()
  const inventory = readInventory(db)
  const workloads = new Map((inventory?.workloads ?? []).map((w) => [workloadKey(w), w]))
  const namespaceLabels = new Map((inventory?.namespaces ?? []).map((n) => [n.name, n.labels]))
  const warnings: string[] = []

  if (options.ids) {
    const byId = new Map(journal.map((a) => [a.id, a]))
    for (const id of options.ids) {
      const a = byId.get(id)
      if (!a) throw notFoundError(`no action ${id} in the apply journal`, 'list them with finops actions list')
      if (!(LEDGER_KINDS as readonly string[]).includes(a.kind) || !MEASURED_STATUSES.has(a.status))
        throw notFoundError(
          `action ${id} is a ${a.status} ${a.kind}: the ledger measures applied rightsize, scale-down and spot actions`,
          'list them with finops actions list --status applied',
        )
    }
  }
  const wanted = journal.filter(
    (a) =>
      (LEDGER_KINDS as readonly string[]).includes(a.kind) &&
      MEASURED_STATUSES.has(a.status) &&
      dayOf(a) <= asOf &&
      (!options.since || dayOf(a) >= options.since) &&
      (!options.ids || options.ids.includes(a.id)) &&
      (!options.kinds || options.kinds.includes(a.kind as LedgerKind)) &&
      workloadSelected(options.filter, {
        namespace: a.target.namespace,
        labels: labelsOf(workloads.get(workloadKey(a.target))),
      }),
  )

  // Each action's span: from the day after the previous change of the same fields to the day before the next one.
  const plans = wanted.map((a) => planAction(a, journal, asOf, afterDays, settings))
  const days = new Set<string>()
  for (const p of plans) {
    for (const d of readCoveredDays(db, {
      namespace: p.record.target.namespace,
      from: p.allocateFrom,
      to: p.allocateTo,
    }))
      days.add(d)
  }
  const allocations = allocateDays(db, k8s, [...days].sort(), warnings)

  const entries: LedgerEntry[] = plans.map((p) => {
    const a = p.record
    const covered = readCoveredDays(db, {namespace: a.target.namespace, from: p.allocateFrom, to: asOf})
    const history = readWorkloadDays(db, {...a.target, from: p.allocateFrom, to: asOf})
    const ledgerDays = covered.map((day) => ledgerDay(a, day, history, allocations.get(day)))
    const workload = workloads.get(workloadKey(a.target))
    const snapshot: ObservedState =
      inventory && workload && inventory.collectedAt > (a.finishedAt ?? a.createdAt)
        ? snapshotState(a.kind as LedgerKind, a, snapshotFields(workload, a.target.container))
        : 'unknown'
    const m = measureAction(p.action, ledgerDays, snapshot, settings)
    if (p.action.endedBy === 'superseded') m.notes.push('measured until the next change of the same fields')
    if (p.action.endedBy === 'restored') m.notes.push('measured until the scale-down was restored')
    if (p.truncated) m.notes.push(`measured over the last ${afterDays} days of its span`)
    return {
      actionId: a.id,
      kind: a.kind as LedgerKind,
      namespace: a.target.namespace,
      workloadKind: a.target.kind,
      workload: a.target.name,
      ...(a.target.container ? {container: a.target.container} : {}),
      team: teamOf(workload, namespaceLabels.get(a.target.namespace), teamLabel),
      status: a.status as 'applied' | 'rolled-back',
      appliedAt: a.finishedAt ?? a.createdAt,
      currency: a.currency ?? k8s.prices.currency,
      promisedMonthly: a.monthlySavings ?? null,
      ...m,
    }
  })

  // A controller fighting the change shows over the whole sequence of re-applies: its first action saw every flip.
  const sequences = new Map<string, LedgerEntry[]>()
  plans.forEach((p, i) =>
    sequences.set(sequenceKey(p.record), [...(sequences.get(sequenceKey(p.record)) ?? []), entries[i]!]),
  )
  for (const group of sequences.values())
    if (group.some((e) => e.flags.includes('fought')))
      for (const e of group) if (!e.flags.includes('fought')) e.flags.push('fought')

  if (entries.length > 0 && days.size === 0)
    warnings.push(
      'no kube-state-metrics history around these actions: realized savings need `finops collect usage` with kube-state-metrics scraped',
    )
  return {
    asOf,
    since: options.since ?? null,
    filter: describeFilter(options.filter),
    method: SAVINGS_METHOD,
    actions: entries,
    byKind: groupLedger(entries, (e) => e.kind),
    byNamespace: groupLedger(entries, (e) => e.namespace),
    byTeam: groupLedger(entries, (e) => e.team),
    totals: ledgerTotals(entries),
    commitments: options.ids || options.kinds || options.filter ? [] : commitmentEntries(db, asOf),
    warnings,
  }
}

interface ActionPlan {
  record: ActionRecord
  action: LedgerAction
  allocateFrom: string
  allocateTo: string
  truncated: boolean
}

function planAction(
  a: ActionRecord,
  journal: readonly ActionRecord[],
  asOf: string,
  afterDays: number,
  settings: LedgerSettings,
): ActionPlan {
  const appliedDay = dayOf(a)
  const key = sequenceKey(a)
  const same = journal.filter((o) => o.id !== a.id && o.status !== 'failed' && o.status !== 'pending')
  const previous = same.filter((o) => sequenceKey(o) === key && dayOf(o) < appliedDay).at(-1)
  const ends: {day: string; by: LedgerAction['endedBy']}[] = []
  if (a.rolledBackAt) ends.push({day: addDays(a.rolledBackAt.slice(0, 10), -1), by: 'rolled-back'})
  const next = same.find((o) => sequenceKey(o) === key && o.createdAt > a.createdAt)
  if (next) ends.push({day: addDays(dayOf(next), -1), by: 'superseded'})
  if (a.kind === 'scale-down') {
    const restore = same.find(
      (o) =>
        o.kind === 'restore' &&
        workloadKey(o.target) === workloadKey(a.target) &&
        (o.restoresActionId === a.id || o.createdAt > a.createdAt),
    )
    if (restore) ends.push({day: addDays(dayOf(restore), -1), by: 'restored'})
  }
  ends.sort((x, y) => x.day.localeCompare(y.day))
  const end = ends[0] && ends[0].day < asOf ? ends[0] : undefined
  const lastDay = end?.day ?? asOf
  const firstAfter = addDays(appliedDay, 1)
  const windowStart = addDays(lastDay, -(afterDays - 1))
  const measureFrom = windowStart > firstAfter ? windowStart : firstAfter
  const firstDay = previous ? addDays(dayOf(previous), 1) : undefined
  const beforeStart = addDays(appliedDay, -settings.beforeDays)
  return {
    record: a,
    action: {
      id: a.id,
      kind: a.kind as LedgerKind,
      before: a.before,
      after: a.after,
      appliedDay,
      lastDay,
      measureFrom,
      ...(end ? {endedBy: end.by} : {}),
      ...(firstDay ? {firstDay} : {}),
      promisedMonthly: a.monthlySavings ?? null,
    },
    allocateFrom: firstDay && firstDay > beforeStart ? firstDay : beforeStart,
    allocateTo: lastDay,
    truncated: measureFrom > firstAfter,
  }
}

/** Allocates each day on its own (idle kept apart, nothing shared), grouped by workload, container and capacity type. */
function allocateDays(
  db: Db,
  k8s: KubernetesConfig,
  days: readonly string[],
  warnings: string[],
): Map<string, DayAllocation> {
  const out = new Map<string, DayAllocation>()
  for (const day of days) {
    let report
    try {
      report = runAllocation(db, k8s, {
        from: day,
        to: day,
        groupBy: ['workload', 'container', 'capacity-type'],
        idle: 'separate',
        share: [],
      })
    } catch (error) {
      if (isFinopsError(error) && error.code === 'NOT_FOUND') continue
      throw error
    }
    const byWorkload: DayAllocation = new Map()
    for (const row of report.rows) {
      const [workload, containerKey, capacity] = row.keys as [string, string, string]
      const [namespace, , name] = workload.split('/')
      const prefix = `${namespace}/${name}/`
      const container = containerKey.startsWith(prefix) ? containerKey.slice(prefix.length) : ''
      const containers = byWorkload.get(workload) ?? new Map<string, Map<string, AllocationAmounts>>()
      const capacities = containers.get(container) ?? new Map<string, AllocationAmounts>()
      capacities.set(capacity, row)
      containers.set(container, capacities)
      byWorkload.set(workload, containers)
    }
    out.set(day, byWorkload)
    for (const w of report.warnings)
      if (!warnings.includes(w) && !w.includes('kube-state-metrics history')) warnings.push(w)
  }
  return out
}

/** One day of the action's scope: the container for rightsizing, the whole workload otherwise. */
function ledgerDay(
  a: ActionRecord,
  day: string,
  history: readonly WorkloadContainerDay[],
  allocation: DayAllocation | undefined,
): LedgerDay {
  const scoped = a.kind === 'rightsize' && a.target.container
  const rows = history.filter((h) => h.day === day && (!scoped || h.container === a.target.container))
  const out: LedgerDay = {
    day,
    podHours: rows.reduce((m, r) => Math.max(m, r.runningHours), 0),
    cpuRequestCoreHours: rows.reduce((s, r) => s + r.cpuRequestCoreHours, 0),
    memoryRequestGiBHours: rows.reduce((s, r) => s + r.memoryRequestGiBHours, 0),
    cpuUsageCoreHours: rows.reduce((s, r) => s + r.cpuUsageCoreHours, 0),
    memoryUsageGiBHours: rows.reduce((s, r) => s + r.memoryUsageGiBHours, 0),
    cpuCost: 0,
    memoryCost: 0,
    gpuCost: 0,
    otherCost: 0,
    cpuCoreHours: 0,
    memoryGiBHours: 0,
    spotShare: null,
  }
  const containers = allocation?.get(workloadKey(a.target))
  let spotCoreHours = 0
  for (const [container, capacities] of containers ?? []) {
    if (scoped && container !== a.target.container) continue
    for (const [capacity, amounts] of capacities) {
      out.cpuCost += amounts.cpuCost
      out.memoryCost += amounts.memoryCost
      out.gpuCost += amounts.gpuCost
      out.otherCost += amounts.storageCost + amounts.loadBalancerCost + amounts.networkCost
      out.cpuCoreHours += amounts.cpuCoreHours
      out.memoryGiBHours += amounts.memoryGiBHours
      if (capacity === 'spot') spotCoreHours += amounts.cpuCoreHours
    }
  }
  if (out.cpuCoreHours > 0) out.spotShare = spotCoreHours / out.cpuCoreHours
  return out
}

const labelsOf = (w: Workload | undefined): Record<string, string> => ({...w?.labels, ...w?.podLabels})

function teamOf(w: Workload | undefined, namespace: Record<string, string> | undefined, label: string): string {
  return labelsOf(w)[label] ?? namespace?.[label] ?? '(no team)'
}

function snapshotFields(w: Workload, container: string | undefined) {
  const c = container ? w.containers.find((x) => x.name === container) : undefined
  return {
    replicas: w.replicas,
    ...(c
      ? {
          container: {
            cpu: c.requests.cpu,
            memoryGiB: c.requests.memory === undefined ? undefined : c.requests.memory / GIB,
          },
        }
      : {}),
    nodeSelector: w.placement?.nodeSelector ?? {},
  }
}

/**
 * Purchased commitments, measured at the bill level on the commitment usage the FOCUS import keeps
 * (the rows `commitments status` reads), over the last DEFAULT_AFTER_DAYS days of bill since each
 * started; not measurable yet where the store holds no such bill.
 */
function commitmentEntries(db: Db, asOf: string): CommitmentEntry[] {
  const purchased = listCommitments(db)
  if (purchased.length === 0) return []
  const data = commitmentDataDays(db)
  const statuses = new Map<string, CommitmentStatusEntry[]>()
  return purchased.map((c) => {
    const base = {
      id: c.id,
      provider: c.provider,
      type: c.type,
      hourlyCommitment: c.hourlyCommitment,
      termMonths: c.termMonths,
      startDay: c.startDay,
      currency: c.currency,
      promisedMonthly: c.promisedMonthly,
    }
    if (!data)
      return {
        ...base,
        ...commitmentNotMeasured(
          'not measurable yet: the store holds no commitment usage from the bill (import a FOCUS export with finops collect focus)',
        ),
      }
    const window = commitmentWindow(c, data, asOf, DEFAULT_AFTER_DAYS)
    if ('reason' in window) return {...base, ...commitmentNotMeasured(window.reason)}
    const key = `${window.from}|${window.to}`
    const hours = (daysBetween(window.from, window.to) + 1) * 24
    let billed = statuses.get(key)
    if (!billed) {
      billed = commitmentStatus(readCommitmentUsageTotals(db, window), {...window, hours}).commitments
      statuses.set(key, billed)
    }
    return {...base, ...measureCommitment(c, billed, {...window, hours})}
  })
}

/** How far back the track record the recommenders get reaches: recent behaviour, bounded work. */
export const TRACK_RECORD_DAYS = 90

/**
 * Realized / promised per kind over the actions applied in the last TRACK_RECORD_DAYS days, for the
 * recommenders and the run's metrics; empty (and no allocation run) when the journal has none.
 */
export function realizedRatiosFromStore(db: Db, k8s: KubernetesConfig, now = today()): RealizedRatios {
  const since = addDays(now, -TRACK_RECORD_DAYS)
  const any = listActions(db, {status: 'applied'}).some(
    (a) => (LEDGER_KINDS as readonly string[]).includes(a.kind) && dayOf(a) >= since,
  )
  if (!any) return {}
  return realizedRatios(buildSavingsLedger(db, k8s, {since}, now).actions)
}
