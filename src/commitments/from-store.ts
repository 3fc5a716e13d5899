import type {CommitmentsConfig} from '../config/sections/commitments.js'
import {addDays, boundWindow, type DayWindow, daysBetween, reversedWindowError} from '../dates.js'
import {inputError} from '../errors.js'
import {listCommitmentTerms} from '../store/commitment-terms.js'
import {commitmentUsageExtent, readCommitmentUsageTotals} from '../store/commitment-usage.js'
import type {Db} from '../store/open.js'
import {listCommitments} from '../store/savings.js'
import {billedAs} from './billed-id.js'
import type {CommitmentsStatus} from './schemas.js'
import {commitmentStatus, type HeldCommitment} from './status.js'

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

/** Where `commitments status` learns each commitment's end and hourly commitment, and from which file. */
export interface HeldCommitmentSources {
  config?: Pick<CommitmentsConfig, 'inventory'>
  configFile?: string
  /** "Today" (UTC day) the days left are counted from. */
  today?: string
}

/**
 * Every source of commitment terms, best first: the configured inventory (the user's word), what a
 * collector stated (AWS Cost Explorer), then commitments recorded as purchased (`finops savings
 * record`: start + term), each matched to the bill's ids.
 */
export function heldCommitments(
  db: Db,
  billedIds: readonly string[],
  sources: HeldCommitmentSources,
): HeldCommitment[] {
  const file = sources.configFile ?? 'finops.yaml'
  const configured = (sources.config?.inventory ?? []).map((e, i): HeldCommitment => ({
    commitmentId: e.id,
    endDay: e.end,
    hourlyCommitment: e.hourlyCommitment ?? null,
    source: `${file} commitments.inventory[${i}]${e.source ? `: ${e.source}` : ''}`,
  }))
  // A provider's own API may spell an id in another case than its bill (Azure's resource ids do).
  const collected = listCommitmentTerms(db).flatMap((t) =>
    billedAs(t.commitmentId, billedIds).map((id): HeldCommitment => ({
      commitmentId: id,
      endDay: t.endDay,
      hourlyCommitment: t.hourlyCommitment,
      source: `${t.source}, as of ${t.seenDay}`,
    })),
  )
  const recorded = listCommitments(db).flatMap((c) =>
    billedAs(c.id, billedIds).map((id): HeldCommitment => ({
      commitmentId: id,
      // The last day of a term that starts on startDay.
      endDay: addDays(addMonths(c.startDay, c.termMonths), -1),
      hourlyCommitment: c.hourlyCommitment,
      source: `finops savings record ${c.id} (start ${c.startDay}, ${c.termMonths} months)`,
    })),
  )
  const resolved = configured.flatMap((h) =>
    billedAs(h.commitmentId, billedIds).map((id) => ({...h, commitmentId: id})),
  )
  return [...resolved, ...collected, ...recorded]
}

const addMonths = (day: string, months: number): string => {
  const d = new Date(`${day}T00:00:00Z`)
  d.setUTCMonth(d.getUTCMonth() + months)
  return d.toISOString().slice(0, 10)
}

/** `finops commitments status`: the window's commitment rows, judged, with each commitment's term where a source states it. */
export function commitmentsStatusFromStore(
  db: Db,
  asked: {from?: string; to?: string},
  sources: HeldCommitmentSources = {},
): CommitmentsStatus {
  const {window, notice} = resolveCommitmentWindow(db, asked)
  const hours = (daysBetween(window.from, window.to) + 1) * 24
  const rows = readCommitmentUsageTotals(db, window)
  const billedIds = [...new Set(rows.map((r) => r.commitmentId).filter((id) => id !== ''))]
  const held = heldCommitments(db, billedIds, sources)
  const status = commitmentStatus(rows, {...window, hours}, {today: sources.today ?? window.to, held})
  const inventory = sources.config?.inventory ?? []
  const unmatched = inventory.filter((e) => billedAs(e.id, billedIds).length === 0).map((e) => e.id)
  if (unmatched.length > 0)
    status.notes.push(
      `commitments.inventory names ${unmatched.join(', ')}, not in the bill in this window: check the id (as billed) or the window`,
    )
  if (notice) status.notes.unshift(notice)
  return status
}
