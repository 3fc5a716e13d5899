import {GIB, parseQuantity} from '../k8s/quantity.js'
import type {FieldSet} from '../model/action.js'

/**
 * Which side of an applied change a workload was on, read from what was observed (a day of
 * kube-state-metrics history, or the inventory snapshot): the journal's before-state, its
 * after-state, something else (a third value someone set), or unknown (nothing to compare).
 */
export type ObservedState = 'before' | 'after' | 'other' | 'unknown'

/** The kinds of applied action the ledger measures. */
export const LEDGER_KINDS = ['rightsize', 'scale-down', 'spot'] as const
export type LedgerKind = (typeof LEDGER_KINDS)[number]

/** What one day (or the snapshot) showed of the action's scope, as the state comparison needs it. */
export interface ObservedShape {
  /** Pod-hours of the scope that day (the container's for rightsizing, the workload's otherwise). */
  podHours: number
  cpuRequestCoreHours: number
  memoryRequestGiBHours: number
  /** Share of the scope's charged core-hours on spot nodes (0-1); null when not known. */
  spotShare: number | null
}

/** Per-pod requests within this relative distance of a journal state are that state (quantities are rounded). */
const REQUEST_TOLERANCE = 0.05

/** A container's requested cores and GiB in one journal state (undefined: not set). */
export function containerRequests(fields: FieldSet): {cpu?: number; memoryGiB?: number} {
  const requests = fields.container?.requests ?? {}
  const memory = parseQuantity(requests.memory)
  return {cpu: parseQuantity(requests.cpu), memoryGiB: memory === undefined ? undefined : memory / GIB}
}

const near = (value: number, target: number): boolean =>
  Math.abs(value - target) <= REQUEST_TOLERANCE * Math.max(Math.abs(target), 1e-9)

/** Compares observed values with the before and after values of the fields that changed. */
function compare(pairs: readonly {observed: number; before: number; after: number}[]): ObservedState {
  const changed = pairs.filter((p) => !near(p.before, p.after))
  if (changed.length === 0) return 'unknown'
  if (changed.every((p) => near(p.observed, p.after))) return 'after'
  if (changed.every((p) => near(p.observed, p.before))) return 'before'
  return 'other'
}

/** The state one observation shows, for an action of this kind with these journal states. */
export function observedState(
  kind: LedgerKind,
  change: {before: FieldSet; after: FieldSet},
  seen: ObservedShape,
): ObservedState {
  switch (kind) {
    case 'rightsize': {
      if (!(seen.podHours > 0)) return 'unknown'
      const before = containerRequests(change.before)
      const after = containerRequests(change.after)
      return compare([
        {observed: seen.cpuRequestCoreHours / seen.podHours, before: before.cpu ?? 0, after: after.cpu ?? 0},
        {
          observed: seen.memoryRequestGiBHours / seen.podHours,
          before: before.memoryGiB ?? 0,
          after: after.memoryGiB ?? 0,
        },
      ])
    }
    case 'scale-down': {
      const before = change.before.replicas
      const after = change.after.replicas
      if (before === undefined || after === undefined || before === after) return 'unknown'
      // Replicas over the day (a part-time scale-down shows between the two): the nearer one wins, ties to after.
      const replicas = seen.podHours / 24
      return Math.abs(replicas - after) <= Math.abs(replicas - before) ? 'after' : 'before'
    }
    case 'spot':
      if (seen.spotShare === null || !(seen.podHours > 0)) return 'unknown'
      return seen.spotShare >= 0.5 ? 'after' : 'before'
  }
}

const sameRecord = (a: Record<string, string> = {}, b: Record<string, string> = {}): boolean => {
  const ka = Object.keys(a).sort()
  const kb = Object.keys(b).sort()
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && a[k] === b[k])
}

/** What the inventory snapshot shows of the workload now, as the fields an action changes. */
export interface SnapshotFields {
  replicas?: number
  /** The action's container's requests in cores and GiB (undefined: container not found). */
  container?: {cpu?: number; memoryGiB?: number}
  nodeSelector?: Record<string, string>
}

/** The state the snapshot shows, for an action of this kind. */
export function snapshotState(
  kind: LedgerKind,
  change: {before: FieldSet; after: FieldSet},
  now: SnapshotFields,
): ObservedState {
  switch (kind) {
    case 'rightsize': {
      if (!now.container) return 'unknown'
      const before = containerRequests(change.before)
      const after = containerRequests(change.after)
      return compare([
        {observed: now.container.cpu ?? 0, before: before.cpu ?? 0, after: after.cpu ?? 0},
        {observed: now.container.memoryGiB ?? 0, before: before.memoryGiB ?? 0, after: after.memoryGiB ?? 0},
      ])
    }
    case 'scale-down': {
      const {before, after} = {before: change.before.replicas, after: change.after.replicas}
      if (now.replicas === undefined || before === undefined || after === undefined || before === after)
        return 'unknown'
      return now.replicas === after ? 'after' : now.replicas === before ? 'before' : 'other'
    }
    case 'spot':
      if (!now.nodeSelector || !change.after.nodeSelector) return 'unknown'
      if (sameRecord(now.nodeSelector, change.after.nodeSelector)) return 'after'
      if (sameRecord(now.nodeSelector, change.before.nodeSelector)) return 'before'
      return 'other'
  }
}
