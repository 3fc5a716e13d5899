import {billedAs} from '../commitments/billed-id.js'
import type {CommitmentStatusEntry} from '../commitments/schemas.js'
import {addDays} from '../dates.js'
import {HOURS_PER_MONTH, roundMoney, roundTo} from '../money.js'
import type {PurchasedCommitment} from '../store/savings.js'

/**
 * A purchased commitment's realized saving at the bill level (pure): over the days the bill in the
 * store covers since it started, the usage it covered priced at the rate paid without it, minus what
 * it cost (used and unused parts, as the bill's effective cost amortizes them), per month. The
 * commitment is found in the bill by its id (the ARN, reservation or commitment id as billed, or
 * the id's last path segment), in its recorded currency.
 */

export interface CommitmentMeasure {
  realizedMonthly: number | null
  measurable: boolean
  note: string
  /** The days measured; null when not measurable. */
  window: {from: string; to: string} | null
  /** Per month over the window: covered usage at the on-demand-equivalent rate, and the commitment's cost. */
  coveredOnDemandMonthly: number | null
  commitmentCostMonthly: number | null
  unusedMonthly: number | null
  utilization: number | null
  ratio: number | null
}

/** A commitment that cannot be measured (yet), and the note that says why. */
export const commitmentNotMeasured = (note: string) =>
  ({
    realizedMonthly: null,
    measurable: false,
    note,
    window: null,
    coveredOnDemandMonthly: null,
    commitmentCostMonthly: null,
    unusedMonthly: null,
    utilization: null,
    ratio: null,
  }) as const

/** The measure window: from the later of the start and the bill's first day, over the last `days` days. */
export function commitmentWindow(
  c: Pick<PurchasedCommitment, 'startDay'>,
  data: {from: string; to: string},
  asOf: string,
  days: number,
): {from: string; to: string} | {reason: string} {
  const to = data.to < asOf ? data.to : asOf
  const earliest = addDays(to, -(days - 1))
  const from = [c.startDay, data.from, earliest].sort().at(-1)!
  if (from > to)
    return {
      reason:
        c.startDay > to
          ? `not measurable yet: the bill in the store ends ${data.to}, before the commitment started (${c.startDay})`
          : `not measurable yet: the bill in the store has no days between ${c.startDay} and ${asOf}`,
    }
  return {from, to}
}

export function measureCommitment(
  c: Pick<PurchasedCommitment, 'id' | 'currency' | 'promisedMonthly'>,
  billed: readonly CommitmentStatusEntry[],
  window: {from: string; to: string; hours: number},
): CommitmentMeasure {
  const ids = billedAs(
    c.id,
    billed.map((b) => b.id),
  )
  if (ids.length === 0)
    return commitmentNotMeasured(
      `not measurable yet: the bill in the store shows no usage of this commitment ` +
        `from ${window.from} to ${window.to} (its CommitmentDiscountId must match the recorded id)`,
    )
  if (ids.length > 1)
    return commitmentNotMeasured(
      `not measurable: ${ids.length} commitments in the bill end with this id (${ids.slice(0, 3).join(', ')}); record it with the full id`,
    )
  const rows = billed.filter((b) => b.id === ids[0])
  const same = rows.filter((b) => b.currency === c.currency)
  if (same.length === 0)
    return commitmentNotMeasured(
      `not measurable: the bill states this commitment ` +
        `in ${[...new Set(rows.map((r) => r.currency))].join(', ')}, it was recorded in ${c.currency}; record it again with that --currency`,
    )
  const covered = same.reduce((s, r) => s + r.coveredOnDemandCost, 0)
  const used = same.reduce((s, r) => s + r.usedCost, 0)
  const unused = same.reduce((s, r) => s + r.unusedCost, 0)
  const perMonth = HOURS_PER_MONTH / window.hours
  const realized = (covered - used - unused) * perMonth
  return {
    realizedMonthly: roundMoney(realized),
    measurable: true,
    note: `measured on the bill from ${window.from} to ${window.to}: covered usage at the rate paid without it, minus its used and unused cost`,
    window: {from: window.from, to: window.to},
    coveredOnDemandMonthly: roundMoney(covered * perMonth),
    commitmentCostMonthly: roundMoney((used + unused) * perMonth),
    unusedMonthly: roundMoney(unused * perMonth),
    utilization: used + unused > 0 ? roundTo(used / (used + unused), 4) : null,
    ratio: c.promisedMonthly !== null && c.promisedMonthly > 0 ? roundTo(realized / c.promisedMonthly, 4) : null,
  }
}
