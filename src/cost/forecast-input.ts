import {addDays, monthStart, WINDOW_END, WINDOW_START} from '../dates.js'
import {inputError, notFoundError} from '../errors.js'
import type {CostFilter, GroupKey, Metric} from '../model/cost.js'
import {FILTER_INPUT} from './dimension-keys.js'
import {lastCostDays} from '../store/cost-history.js'
import {type CostSeriesPoint, queryDailyCosts} from '../store/costs.js'
import type {Db} from '../store/open.js'
import type {BillHistory, ChargeDay, CurrencyHistory} from '../../forecasters/types.js'

const DEFAULT_HISTORY_DAYS = 365
/**
 * Each recurring charge is classified on its own (a daily-spread commitment fee and a subscription
 * billed on the 24th can share a bill): these keys tell them apart.
 */
const CHARGE_KEYS: GroupKey[] = [
  {kind: 'dimension', name: 'charge-frequency'},
  {kind: 'dimension', name: 'charge-category'},
  {kind: 'dimension', name: 'service'},
  {kind: 'dimension', name: 'account'},
  {kind: 'dimension', name: 'sub-account'},
]
/** Filters that name an import scope: a day without any row in the scope is missing data, not zero cost. */
const SCOPE_DIMENSIONS = new Set(['provider', 'account', 'sub-account', 'currency'])
const scopeFilters = (filters: readonly CostFilter[]): CostFilter[] =>
  filters.filter((f) => f.key.kind === 'dimension' && SCOPE_DIMENSIONS.has(f.key.name))

/** Which history to read: the scope, the metric, and the window. */
export interface CostHistoryQuery {
  /** First history day (default: historyDays before `to`). */
  from?: string
  /** Last history day (default: the last day with cost data in the scope). */
  to?: string
  /** Most days of history when `from` is not given (default 365). */
  historyDays?: number
  metric: Metric
  groupBy: readonly GroupKey[]
  filters: readonly CostFilter[]
}

/**
 * Reads the scope's cost history from the store, per currency, as the forecasters take it: charges by
 * kind and source (and group), the days the import scope has data, each currency's own last day and
 * the actual cost of the month the forecast starts in. Throws a FinopsError when nothing matches.
 */
export function loadCostHistory(db: Db, query: CostHistoryQuery): BillHistory & {from: string} {
  const scope = scopeFilters(query.filters)
  // The last day the store has data for the scope: a filter to a fee billed on the 1st still forecasts from today's data.
  const lastByCurrency = lastCostDays(db, scope)
  const last = [...lastByCurrency.values()].sort().at(-1)
  if (!last)
    throw notFoundError(
      'no cost data in the store matches',
      'import billing data first, for example: finops collect focus ./export.csv',
    )
  if (query.to !== undefined && query.to > last) {
    throw inputError(
      (n) => `${n(WINDOW_END)} ${query.to} is after the last day with cost data (${last})`,
      (n) => `leave the ${n(WINDOW_END)} out, or choose ${last} or earlier`,
    )
  }
  const to = query.to ?? last
  const from = query.from ?? addDays(to, -((query.historyDays ?? DEFAULT_HISTORY_DAYS) - 1))
  if (from > to)
    throw inputError(
      (n) => `${n(WINDOW_START)} ${from} is after the last day with cost data (${to})`,
      (n) => `choose an earlier ${n(WINDOW_START)}`,
    )
  const read = (groupBy: readonly GroupKey[], filters: readonly CostFilter[], window = {from, to}) =>
    queryDailyCosts(db, {...window, groupBy, filters, metric: query.metric})

  const points = read(CHARGE_KEYS, query.filters)
  if (points.length === 0)
    throw notFoundError(
      `no cost data between ${from} and ${to} matches`,
      (n) => `check the ${n(WINDOW_START)} and ${n(FILTER_INPUT)}, or import billing data first`,
    )
  const n = query.groupBy.length
  const grouped = n > 0 ? read([...query.groupBy, ...CHARGE_KEYS], query.filters) : []
  const imported = read([], scope)

  const currencies = new Map<string, CurrencyHistory>()
  for (const p of points) {
    let h = currencies.get(p.currency)
    if (!h) {
      const own = lastByCurrency.get(p.currency) ?? to
      currencies.set(
        p.currency,
        (h = {
          currency: p.currency,
          charges: [],
          groupCharges: [],
          importedDays: new Set<string>(),
          lastDay: own < to ? own : to,
          monthToDate: 0,
        }),
      )
    }
    h.charges.push(toCharge(p, 0))
  }
  for (const p of grouped) currencies.get(p.currency)?.groupCharges.push(toCharge(p, n))
  for (const p of imported) (currencies.get(p.currency)?.importedDays as Set<string> | undefined)?.add(p.day)
  // The month the forecast starts in closes at all of its actual cost, also days before the history window.
  for (const h of currencies.values()) {
    const start = monthStart(addDays(h.lastDay, 1))
    if (start > h.lastDay) continue
    for (const p of read([], query.filters, {from: start, to: h.lastDay}))
      if (p.currency === h.currency) h.monthToDate += p.cost
  }
  return {from, to, currencies: [...currencies.values()]}
}

function toCharge(p: CostSeriesPoint, groupKeys: number): ChargeDay {
  const k = p.keys
  return {
    day: p.day,
    cost: p.cost,
    frequency: k[groupKeys]!,
    category: k[groupKeys + 1]!,
    source: k.slice(groupKeys + 2).join('\u0000'),
    ...(groupKeys > 0 ? {group: k.slice(0, groupKeys)} : {}),
  }
}
