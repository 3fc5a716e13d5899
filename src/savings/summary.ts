import type {LedgerKind} from './action-state.js'
import type {LedgerEntry, SavingsGroup, SavingsTotals} from './schemas.js'
import {roundMoney, roundTo} from '../money.js'

/**
 * Totals of the ledger (pure): promised and realized per group and currency. Realized is compared
 * with what the measured actions promised, so an action too recent to measure does not drag the
 * ratio down.
 */

function totalsOf(entries: readonly LedgerEntry[], currency: string): SavingsTotals {
  const measured = entries.filter((e) => e.realizedMonthly !== null)
  const promisedMeasured = measured.reduce((s, e) => s + (e.promisedMonthly ?? 0), 0)
  const realized = measured.reduce((s, e) => s + (e.realizedMonthly ?? 0), 0)
  return {
    currency,
    actions: entries.length,
    measured: measured.length,
    flagged: entries.filter((e) => e.flags.some((f) => f !== 'not-measurable-yet')).length,
    promisedMonthly: roundMoney(entries.reduce((s, e) => s + (e.promisedMonthly ?? 0), 0)),
    promisedMeasuredMonthly: roundMoney(promisedMeasured),
    realizedMonthly: roundMoney(realized),
    ratio: promisedMeasured > 0 ? roundTo(realized / promisedMeasured, 4) : null,
  }
}

/** Groups by a key and currency, largest promised first. */
export function groupLedger(entries: readonly LedgerEntry[], keyOf: (e: LedgerEntry) => string): SavingsGroup[] {
  const groups = new Map<string, {key: string; currency: string; entries: LedgerEntry[]}>()
  for (const e of entries) {
    const key = keyOf(e)
    const id = `${key}\u0000${e.currency}`
    const g = groups.get(id) ?? {key, currency: e.currency, entries: []}
    g.entries.push(e)
    groups.set(id, g)
  }
  return [...groups.values()]
    .map((g) => ({key: g.key, ...totalsOf(g.entries, g.currency)}))
    .sort((a, b) => b.promisedMonthly - a.promisedMonthly || a.key.localeCompare(b.key))
}

/** One total per currency. */
export const ledgerTotals = (entries: readonly LedgerEntry[]): SavingsTotals[] =>
  groupLedger(entries, () => '').map(({key: _key, ...totals}) => totals)

/**
 * What recommenders take from the ledger: realized / promised per kind over the measured actions
 * (currencies pooled, as a ratio has none), and how many actions it rests on.
 */
export interface RealizedRatio {
  ratio: number
  actions: number
}

export function realizedRatios(entries: readonly LedgerEntry[]): Partial<Record<LedgerKind, RealizedRatio>> {
  const out: Partial<Record<LedgerKind, RealizedRatio>> = {}
  const byKind = new Map<LedgerKind, {promised: number; realized: number; actions: number}>()
  for (const e of entries) {
    if (e.realizedMonthly === null || e.promisedMonthly === null || !(e.promisedMonthly > 0)) continue
    const k = byKind.get(e.kind) ?? {promised: 0, realized: 0, actions: 0}
    k.promised += e.promisedMonthly
    k.realized += e.realizedMonthly
    k.actions++
    byKind.set(e.kind, k)
  }
  for (const [kind, k] of byKind) out[kind] = {ratio: roundTo(k.realized / k.promised, 4), actions: k.actions}
  return out
}
