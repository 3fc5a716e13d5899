import {addDays, boundWindow, resolveWindow, today} from '../dates.js'
import {notFoundError} from '../errors.js'
import type {Metric} from '../model/cost.js'
import {buildCostReportFromSeries, type CostReport, type Granularity, previousWindow} from './report-builder.js'
import {parseFilters, parseGroupKeys} from './dimension-keys.js'
import {groupKeyLabel, NONE_LABEL} from '../model/cost.js'
import {accountNames, costDataRange, queryDailyCostSeries} from '../store/costs.js'
import type {Db} from '../store/open.js'

/** Turns a stored key value into what a person reads (e.g. an account id with its name). */
export type KeyLabeler = (groupKeyIndex: number, value: string) => string

export interface CostReportRequest {
  from?: string
  to?: string
  groupBy: readonly string[]
  filters: readonly string[]
  metric: Metric
  granularity: Granularity
  top?: number
}

export interface CostReportOutcome {
  report: CostReport
  /** Renders stored key values for people (account ids with their names, '' as "(none)"). */
  label: KeyLabeler
  /** Something the user should know about the window (printed on stderr). */
  notice?: string
}

/**
 * Runs `cost report` against the store: resolves the window (falling back to the last 30 days
 * that have data when the default window is empty, so an old export still shows), queries both
 * windows and builds the report.
 */
export function runCostReport(db: Db, request: CostReportRequest, now = today()): CostReportOutcome {
  const groupKeys = parseGroupKeys(request.groupBy)
  const filters = parseFilters(request.filters)
  const range = costDataRange(db)
  if (!range)
    throw notFoundError(
      'the store has no costs yet',
      'import a FOCUS export with `finops collect focus FILE` or collect a cloud with `finops collect aws|azure|gcp`',
    )

  let window = resolveWindow(request.from, request.to, 30, now)
  let notice: string | undefined
  // A window of centuries is clamped to the stored days (or refused): the report enumerates every day of it.
  const bounded = boundWindow(window, {from: range.first, to: range.last}, {what: 'costs'})
  if (bounded.notice) {
    window = bounded.window
    notice = bounded.notice
  } else if (!request.from && !request.to && range.last < window.from) {
    window = {from: addDays(range.last, -29), to: range.last}
    notice = `no costs in the last 30 days; showing the 30 days to ${range.last}, the last day in the store (use --from/--to to choose)`
  } else if (window.to < range.first || window.from > range.last) {
    notice = `no costs between ${window.from} and ${window.to}; the store holds ${range.first} to ${range.last}`
  }

  const prev = previousWindow(window.from, window.to)
  const daily = queryDailyCostSeries(db, {
    from: prev.from,
    to: window.to,
    groupBy: groupKeys,
    filters,
    metric: request.metric,
  })
  const report = buildCostReportFromSeries(daily, {
    from: window.from,
    to: window.to,
    metric: request.metric,
    granularity: request.granularity,
    groupBy: groupKeys.map(groupKeyLabel),
    top: request.top,
  })
  if (!notice && report.rows.length === 0 && filters.length > 0) notice = 'no costs match the filters in this window'

  const names = accountNames(db)
  const label: KeyLabeler = (i, value) => {
    if (value === '') return NONE_LABEL
    const key = report.groupBy[i]
    if (key === 'account' || key === 'sub-account') {
      const name = names.get(value)
      return name && name !== value ? `${name} (${value})` : value
    }
    return value
  }
  return {report, label, notice}
}
