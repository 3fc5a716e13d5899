import {addDays, daysBetween, eachDay, monthKey, weekStart} from '../dates.js'
import type {Metric} from '../model/cost.js'
import type {CostSeries, CostSeriesPoint} from '../store/costs.js'
import {dayNumber} from '../store/day-numbers.js'

export type Granularity = 'day' | 'week' | 'month' | 'total'
export const GRANULARITIES: readonly Granularity[] = ['day', 'week', 'month', 'total']

/** Label of the row that gathers everything past `--top N`. */
export const OTHER_LABEL = 'Other'

export interface CostReportSettings {
  from: string
  to: string
  metric: Metric
  granularity: Granularity
  /** Group key labels, in order (`service`, `tag:team`). */
  groupBy: string[]
  /** Keep the N largest rows (by absolute cost), fold the rest into "Other" per currency. */
  top?: number
}

export interface CostReportRow {
  /** One value per group key ('(none)' for empty). */
  keys: string[]
  currency: string
  /** Cost per period, aligned with `CostReport.periods`. */
  periods: number[]
  total: number
  /** Same rows over the previous window of equal length. */
  previousTotal: number
  /** (total - previous) / |previous|; null when the previous total is 0. */
  change: number | null
  /** Share of this currency's total, 0..1. */
  share: number
  /** Daily costs over the window, for a trend sparkline. */
  daily: number[]
  /** True for the "Other" row that gathers the rows past --top. */
  other?: boolean
}

export interface CostReportTotal {
  currency: string
  periods: number[]
  total: number
  previousTotal: number
  change: number | null
}

/** The report's JSON contract (docs/schemas/cost-report.json). */
export interface CostReport {
  from: string
  to: string
  previousFrom: string
  previousTo: string
  metric: Metric
  granularity: Granularity
  groupBy: string[]
  /** Period start days (YYYY-MM-DD; months as YYYY-MM) or ['total']. */
  periods: string[]
  currencies: string[]
  rows: CostReportRow[]
  /** One per currency: amounts in different currencies are never added together. */
  totals: CostReportTotal[]
}

/** The previous window of equal length that the change column compares against. */
export function previousWindow(from: string, to: string): {from: string; to: string} {
  const length = daysBetween(from, to) + 1
  return {from: addDays(from, -length), to: addDays(from, -1)}
}

export function periodOf(day: string, granularity: Granularity): string {
  switch (granularity) {
    case 'day':
      return day
    case 'week':
      return weekStart(day)
    case 'month':
      return monthKey(day)
    case 'total':
      return 'total'
  }
}

const change = (total: number, previous: number): number | null =>
  previous === 0 ? null : (total - previous) / Math.abs(previous)

/**
 * Builds the report from daily points of the window and of the previous window (pure). Rows are
 * sorted by cost, largest first; `--top` folds the tail into "Other" so totals still reconcile.
 */
export function buildCostReport(
  current: readonly CostSeriesPoint[],
  previous: readonly CostSeriesPoint[],
  settings: CostReportSettings,
): CostReport {
  const acc = reportAccumulator(settings)
  for (const point of current) {
    const d = acc.dayIndex.get(point.day)
    if (d !== undefined) acc.add(acc.rowFor(point.keys, point.currency), d, point.cost)
  }
  for (const point of previous) {
    if (point.day < acc.prev.from || point.day > acc.prev.to) continue
    // A row that existed only in the previous window still shows (its cost fell to 0).
    acc.rowFor(point.keys, point.currency).previousTotal += point.cost
  }
  return finishReport(acc, settings)
}

/**
 * The same report from the store's series (one per group and currency, days ascending; both windows
 * in one series), with no object per point. Each row adds its window's days in day order, then its
 * previous window's, and rows are made in the order a scan's rows would first reach them (window
 * first), as buildCostReport does: the same sums in the same order, so the very same numbers.
 */
export function buildCostReportFromSeries(series: readonly CostSeries[], settings: CostReportSettings): CostReport {
  const acc = reportAccumulator(settings)
  const first = dayNumber(settings.from)
  const last = dayNumber(settings.to)
  const prevFirst = dayNumber(acc.prev.from)
  const prevLast = dayNumber(acc.prev.to)
  // Each series' days in [lo, hi], its row made at the first of them.
  const addPointsIn = (lo: number, hi: number, add: (row: CostReportRow, day: number, cost: number) => void): void => {
    for (const {keys, currency, points} of series) {
      let row: CostReportRow | undefined
      for (let i = 0; i < points.length; i += 2) {
        const day = points[i]!
        if (day < lo || day > hi) continue
        row ??= acc.rowFor(keys, currency)
        add(row, day, points[i + 1]!)
      }
    }
  }
  addPointsIn(first, last, (row, day, cost) => acc.add(row, day - first, cost))
  addPointsIn(prevFirst, prevLast, (row, _day, cost) => (row.previousTotal += cost))
  return finishReport(acc, settings)
}

interface ReportAccumulator {
  days: string[]
  dayIndex: Map<string, number>
  periods: string[]
  prev: {from: string; to: string}
  /** Rows in the order they were first seen. */
  found: CostReportRow[]
  /** The row of these key values and currency; its keys array is copied only for a new row. */
  rowFor(keys: readonly string[], currency: string): CostReportRow
  add(row: CostReportRow, dayIndex: number, cost: number): void
}

function reportAccumulator(settings: CostReportSettings): ReportAccumulator {
  const days = eachDay(settings.from, settings.to)
  const dayIndex = new Map(days.map((d, i) => [d, i]))
  const periods = [...new Set(days.map((d) => periodOf(d, settings.granularity)))]
  const periodIndex = new Map(periods.map((p, i) => [p, i]))
  const periodOfDay = days.map((d) => periodIndex.get(periodOf(d, settings.granularity))!)

  // Rows found through one map level per key (then the currency): no id string built per point,
  // which is what a year of daily points for hundreds of groups would otherwise spend its time on.
  const found: CostReportRow[] = []
  const index = new Map<string, unknown>()
  const rowFor = (keys: readonly string[], currency: string): CostReportRow => {
    let level = index
    for (const key of keys) {
      let next = level.get(key) as Map<string, unknown> | undefined
      if (!next) level.set(key, (next = new Map()))
      level = next
    }
    let row = level.get(currency) as CostReportRow | undefined
    if (!row) {
      row = {
        keys: [...keys],
        currency,
        periods: periods.map(() => 0),
        total: 0,
        previousTotal: 0,
        change: null,
        share: 0,
        daily: days.map(() => 0),
      }
      level.set(currency, row)
      found.push(row)
    }
    return row
  }
  const add = (row: CostReportRow, d: number, cost: number): void => {
    row.periods[periodOfDay[d]!]! += cost
    row.daily[d]! += cost
    row.total += cost
  }
  return {days, dayIndex, periods, prev: previousWindow(settings.from, settings.to), found, rowFor, add}
}

function finishReport(acc: ReportAccumulator, settings: CostReportSettings): CostReport {
  const {periods, prev} = acc
  let list = acc.found.sort(
    (a, b) =>
      Math.abs(b.total) - Math.abs(a.total) ||
      Math.abs(b.previousTotal) - Math.abs(a.previousTotal) ||
      a.keys.join('\u0000').localeCompare(b.keys.join('\u0000')),
  )
  if (settings.top !== undefined && list.length > settings.top)
    list = foldTail(list, settings.top, periods.length, acc.days.length, settings.groupBy.length)

  const currencies = [...new Set(list.map((r) => r.currency))].sort()
  const totals = currencies.map((currency): CostReportTotal => {
    const inCurrency = list.filter((r) => r.currency === currency)
    const total = sum(inCurrency.map((r) => r.total))
    const previousTotal = sum(inCurrency.map((r) => r.previousTotal))
    return {
      currency,
      periods: periods.map((_, i) => sum(inCurrency.map((r) => r.periods[i]!))),
      total,
      previousTotal,
      change: change(total, previousTotal),
    }
  })
  const totalBy = new Map(totals.map((t) => [t.currency, t.total]))
  for (const row of list) {
    row.change = change(row.total, row.previousTotal)
    const denominator = totalBy.get(row.currency) ?? 0
    row.share = denominator === 0 ? 0 : row.total / denominator
  }
  return {
    from: settings.from,
    to: settings.to,
    previousFrom: prev.from,
    previousTo: prev.to,
    metric: settings.metric,
    granularity: settings.granularity,
    groupBy: settings.groupBy,
    periods,
    currencies,
    rows: list,
    totals,
  }
}

function foldTail(
  sorted: CostReportRow[],
  top: number,
  periodCount: number,
  dayCount: number,
  keyCount: number,
): CostReportRow[] {
  const kept = sorted.slice(0, top)
  const others = new Map<string, CostReportRow>()
  for (const row of sorted.slice(top)) {
    let other = others.get(row.currency)
    if (!other) {
      other = {
        other: true,
        keys: Array.from({length: Math.max(keyCount, 1)}, (_, i) => (i === 0 ? OTHER_LABEL : '')),
        currency: row.currency,
        periods: Array.from({length: periodCount}, () => 0),
        total: 0,
        previousTotal: 0,
        change: null,
        share: 0,
        daily: Array.from({length: dayCount}, () => 0),
      }
      others.set(row.currency, other)
    }
    other.total += row.total
    other.previousTotal += row.previousTotal
    row.periods.forEach((v, i) => (other!.periods[i]! += v))
    row.daily.forEach((v, i) => (other!.daily[i]! += v))
  }
  return [...kept, ...others.values()]
}

const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0)
