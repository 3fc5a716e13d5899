import {addDays, boundWindow, type DayWindow, daysBetween, reversedWindowError} from '../dates.js'
import {inputError} from '../errors.js'
import {commitmentUsageExtent, readCommitmentUsageTotals} from '../store/commitment-usage.js'
import type {Db} from '../store/open.js'
import type {CommitmentsStatus} from './schemas.js'
import {commitmentStatus} from './status.js'

const hourDay = (hour: number): string => new Date(hour * 3_600_000).toISOString().slice(0, 10)

/** The days the store holds commitment usage for, or undefined. */
export function commitmentDataDays(db: Db): DayWindow | undefined {
  const extent = commitmentUsageExtent(db)
  return extent ? {from: hourDay(extent.first), to: hourDay(extent.last)} : undefined
}

/** The error when the store holds no commitment usage at all. */
export const noCommitmentData = () =>
  inputError(
    'the store holds no commitment-eligible usage (compute, database or machine-learning usage, or commitment rows)',
    'import a FOCUS export with finops collect focus (it keeps PricingCategory and the CommitmentDiscount columns)',
  )

/**
 * The status window: as given; the end defaults to the last day of commitment data and the start
 * to `days` days before the end (default 30). A window wider than finops reads at once is clamped to the data.
 */
export function resolveCommitmentWindow(
  db: Db,
  asked: {from?: string; to?: string},
  days = 30,
): {window: DayWindow; notice?: string} {
  const data = commitmentDataDays(db)
  if (!data) throw noCommitmentData()
  const to = asked.to ?? data.to
  const from = asked.from ?? addDays(to, -(days - 1))
  if (from > to) throw reversedWindowError(from, to)
  return boundWindow({from, to}, data, {what: 'commitment usage'})
}

/** `finops commitments status`: the window's commitment rows, judged. */
export function commitmentsStatusFromStore(db: Db, asked: {from?: string; to?: string}): CommitmentsStatus {
  const {window, notice} = resolveCommitmentWindow(db, asked)
  const hours = (daysBetween(window.from, window.to) + 1) * 24
  const status = commitmentStatus(readCommitmentUsageTotals(db, window), {...window, hours})
  if (notice) status.notes.unshift(notice)
  return status
}
