import {addDays} from '../dates.js'
import type {FieldSet} from '../model/action.js'
import {
  containerRequests,
  type LedgerKind,
  type ObservedShape,
  type ObservedState,
  observedState,
} from './action-state.js'
import {roundMoney, roundTo} from '../money.js'

/**
 * The realized-savings ledger's maths (pure). An applied action promised a monthly saving when it
 * was applied; what it realized is measured afterwards on the workload's allocated cost, day by
 * day, against a counterfactual: what the same days would have cost without the change.
 *
 * - rightsize (`requests-repriced`): the after days' own pod-hours and usage with the journal's
 *   before-requests, charged as allocation charges (max of request and usage) at the same day's
 *   rates. A load change after the apply (more pods, more usage) moves the counterfactual with it.
 * - spot (`before-rates`): the after days' own charged quantities at the before period's mean rates
 *   (cost per charged core-hour and GiB-hour): usage changes are carried, only the price changes.
 * - scale-down (`before-average`): the before period's mean daily cost. Its usage is not a load
 *   measure here (removing pods removes it), so it is not normalized; its noise widens the interval.
 *
 * Realized monthly = mean daily (counterfactual - actual) over the after days x days per month.
 */

export const DAYS_PER_MONTH = 730 / 24

/** One day of the action's scope: history (pods, requests, usage) and its allocated cost. */
export interface LedgerDay extends ObservedShape {
  day: string
  cpuUsageCoreHours: number
  memoryUsageGiBHours: number
  cpuCost: number
  memoryCost: number
  gpuCost: number
  /** Storage, load balancers, network: not changed by these actions, carried as they were. */
  otherCost: number
  /** Charged (max of request and usage) core-hours and GiB-hours, as allocation charged them. */
  cpuCoreHours: number
  memoryGiBHours: number
}

export interface LedgerAction {
  id: string
  kind: LedgerKind
  before: FieldSet
  after: FieldSet
  /** The day the change was applied (a partial day: neither before nor after). */
  appliedDay: string
  /** The last day the action can be credited with: the day before a rollback or the next change of the same target. */
  lastDay?: string
  /** The first after day measured (later than the day after the apply when only the most recent days are). */
  measureFrom?: string
  /** Why it ends at lastDay (rolled back, superseded). */
  endedBy?: 'rolled-back' | 'superseded' | 'restored'
  /** The earliest day a before period may start (the day after an earlier change of the same target). */
  firstDay?: string
  promisedMonthly: number | null
}

export interface LedgerSettings {
  /** Days before the apply that make the before period (at most). */
  beforeDays: number
  /** Realized below this share of promised is "did not deliver". */
  notDeliveredBelow: number
  /** After-to-before flips at or above this count: fought by a controller (GitOps re-applying its manifest). */
  foughtReverts: number
}

export const DEFAULT_LEDGER_SETTINGS: LedgerSettings = {beforeDays: 14, notDeliveredBelow: 0.5, foughtReverts: 2}

export type LedgerMethod = 'requests-repriced' | 'before-rates' | 'before-average'
export type ConfidenceGrade = 'high' | 'medium' | 'low' | 'none'
export type LedgerFlag = 'not-delivered' | 'reverted' | 'fought' | 'rolled-back' | 'not-measurable-yet'

export interface Measurement {
  realizedMonthly: number | null
  /** 95% interval of realizedMonthly (after-day spread, plus the before period's when the counterfactual rests on it). */
  interval: {low: number; high: number} | null
  ratio: number | null
  method: LedgerMethod
  confidence: {
    grade: ConfidenceGrade
    daysBefore: number
    daysAfter: number
    /** Coefficient of variation of the before period's daily cost; null with fewer than 2 days. */
    beforeNoise: number | null
  }
  /** Mean daily cost before, and after with its counterfactual. */
  daily: {before: number | null; after: number | null; counterfactual: number | null}
  flags: LedgerFlag[]
  /** After-to-before flips observed since the apply (history and snapshot). */
  reverts: number
  /** The first after day that showed the before-state again. */
  revertedOn?: string
  notes: string[]
}

const METHOD_OF: Record<LedgerKind, LedgerMethod> = {
  rightsize: 'requests-repriced',
  spot: 'before-rates',
  'scale-down': 'before-average',
}

const mean = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length
const sd = (xs: readonly number[]): number => {
  if (xs.length < 2) return 0
  const m = mean(xs)
  return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1))
}
const costOf = (d: LedgerDay): number => d.cpuCost + d.memoryCost + d.gpuCost + d.otherCost
const rate = (cost: number, quantity: number): number | undefined => (quantity > 0 ? cost / quantity : undefined)

/** Counterfactual cost of one after day, or undefined when it cannot be formed. */
function counterfactualDay(
  action: LedgerAction,
  day: LedgerDay,
  before: {cost: number; cpuRate?: number; memoryRate?: number},
): number | undefined {
  switch (action.kind) {
    case 'rightsize': {
      const requests = containerRequests(action.before)
      const cpuRate = rate(day.cpuCost, day.cpuCoreHours) ?? before.cpuRate
      const memoryRate = rate(day.memoryCost, day.memoryGiBHours) ?? before.memoryRate
      if (cpuRate === undefined || memoryRate === undefined) return undefined
      const cpu = Math.max((requests.cpu ?? 0) * day.podHours, day.cpuUsageCoreHours)
      const memory = Math.max((requests.memoryGiB ?? 0) * day.podHours, day.memoryUsageGiBHours)
      return cpu * cpuRate + memory * memoryRate + day.gpuCost + day.otherCost
    }
    case 'spot': {
      if (before.cpuRate === undefined || before.memoryRate === undefined) return undefined
      return day.cpuCoreHours * before.cpuRate + day.memoryGiBHours * before.memoryRate + day.gpuCost + day.otherCost
    }
    case 'scale-down':
      return before.cost
  }
}

/**
 * Measures one applied action from its days (sorted; they may run past lastDay: later days still
 * show reverts) and the state the inventory snapshot shows now.
 */
export function measureAction(
  action: LedgerAction,
  days: readonly LedgerDay[],
  snapshot: ObservedState,
  settings: LedgerSettings = DEFAULT_LEDGER_SETTINGS,
): Measurement {
  const notes: string[] = []
  const flags: LedgerFlag[] = []
  const beforeStart = [action.firstDay, addDays(action.appliedDay, -settings.beforeDays)]
    .filter((d): d is string => Boolean(d))
    .sort()
    .at(-1)!
  const beforeDays = days.filter((d) => d.day >= beforeStart && d.day < action.appliedDay && d.podHours > 0)
  const laterDays = days.filter((d) => d.day > action.appliedDay)
  const afterDays = laterDays.filter(
    (d) =>
      (action.lastDay === undefined || d.day <= action.lastDay) &&
      (action.measureFrom === undefined || d.day >= action.measureFrom),
  )

  // Reverts: every flip back to the before-state after the apply, over all later days and the snapshot.
  const states = laterDays.map((d) => ({day: d.day, state: observedState(action.kind, action, d)}))
  let reverts = 0
  let previous: ObservedState = 'after'
  let revertedOn: string | undefined
  for (const s of states) {
    if (s.state === 'before' && previous !== 'before') {
      reverts++
      revertedOn ??= s.day
    }
    if (s.state === 'before' || s.state === 'after') previous = s.state
  }
  if (snapshot === 'before' && previous !== 'before') reverts++
  const lastSeen = snapshot === 'before' || snapshot === 'after' ? snapshot : previous
  if (action.endedBy === 'rolled-back') flags.push('rolled-back')
  else if (lastSeen === 'before' && reverts > 0) flags.push('reverted')
  if (reverts >= settings.foughtReverts) flags.push('fought')
  if (snapshot === 'other') notes.push('the snapshot shows a value that is neither the before nor the after state')

  const beforeCosts = beforeDays.map(costOf)
  const beforeMean = beforeCosts.length > 0 ? mean(beforeCosts) : null
  const beforeNoise =
    beforeCosts.length >= 2 && beforeMean !== null && beforeMean > 0 ? sd(beforeCosts) / beforeMean : null
  const sum = (f: (d: LedgerDay) => number) => beforeDays.reduce((s, d) => s + f(d), 0)
  const before = {
    cost: beforeMean ?? 0,
    cpuRate: rate(
      sum((d) => d.cpuCost),
      sum((d) => d.cpuCoreHours),
    ),
    memoryRate: rate(
      sum((d) => d.memoryCost),
      sum((d) => d.memoryGiBHours),
    ),
  }
  const needsBefore = action.kind !== 'rightsize'
  const measured: {actual: number; counterfactual: number}[] = []
  for (const d of afterDays) {
    if (needsBefore && beforeDays.length === 0) break
    const counterfactual = counterfactualDay(action, d, before)
    if (counterfactual !== undefined) measured.push({actual: costOf(d), counterfactual})
  }
  const method = METHOD_OF[action.kind]
  const confidence = {
    grade: 'none' as ConfidenceGrade,
    daysBefore: beforeDays.length,
    daysAfter: measured.length,
    beforeNoise: beforeNoise === null ? null : roundTo(beforeNoise, 4),
  }
  if (measured.length === 0) {
    flags.push('not-measurable-yet')
    notes.push(
      afterDays.length === 0
        ? 'no history after the apply day yet (collect usage with kube-state-metrics)'
        : 'no history before the apply day to form the counterfactual from',
    )
    return {
      realizedMonthly: null,
      interval: null,
      ratio: null,
      method,
      confidence,
      daily: {before: beforeMean === null ? null : roundTo(beforeMean, 4), after: null, counterfactual: null},
      flags,
      reverts,
      ...(revertedOn ? {revertedOn} : {}),
      notes,
    }
  }

  const saved = measured.map((m) => m.counterfactual - m.actual)
  const realizedDaily = mean(saved)
  const realizedMonthly = realizedDaily * DAYS_PER_MONTH
  // Standard error of the mean daily saving, plus the before mean's when the counterfactual rests on it.
  const seAfter = measured.length >= 2 ? sd(saved) / Math.sqrt(measured.length) : Math.abs(realizedDaily)
  const seBefore =
    needsBefore && beforeCosts.length >= 2
      ? (sd(beforeCosts) / Math.sqrt(beforeCosts.length)) *
        (action.kind === 'spot' && beforeMean ? mean(measured.map((m) => m.counterfactual)) / beforeMean : 1)
      : needsBefore
        ? (beforeMean ?? 0)
        : 0
  const halfWidth = 1.96 * Math.sqrt(seAfter ** 2 + seBefore ** 2) * DAYS_PER_MONTH
  const relative = Math.abs(realizedMonthly) > 0 ? halfWidth / Math.abs(realizedMonthly) : Infinity
  confidence.grade =
    measured.length < 3 || (needsBefore && beforeDays.length < 3) || relative > 0.5
      ? 'low'
      : measured.length < 7 || relative > 0.2
        ? 'medium'
        : 'high'
  const promised = action.promisedMonthly
  const ratio = promised !== null && promised > 0 ? realizedMonthly / promised : null
  if (
    !flags.includes('reverted') &&
    !flags.includes('rolled-back') &&
    (ratio !== null ? ratio < settings.notDeliveredBelow : realizedMonthly <= 0)
  )
    flags.push('not-delivered')
  return {
    realizedMonthly: roundMoney(realizedMonthly),
    interval: {low: roundMoney(realizedMonthly - halfWidth), high: roundMoney(realizedMonthly + halfWidth)},
    ratio: ratio === null ? null : roundTo(ratio, 4),
    method,
    confidence,
    daily: {
      before: beforeMean === null ? null : roundTo(beforeMean, 4),
      after: roundTo(mean(measured.map((m) => m.actual)), 4),
      counterfactual: roundTo(mean(measured.map((m) => m.counterfactual)), 4),
    },
    flags,
    reverts,
    ...(revertedOn ? {revertedOn} : {}),
    notes,
  }
}
