import {isEligibleService} from '../../recommenders/commitment/programs.js'
import {HOURS_PER_MONTH, roundMoney} from '../money.js'
import type {CommitmentUsageRow} from '../store/commitment-usage.js'
import type {CommitmentFamily, CommitmentsStatus, CommitmentStatusEntry} from './schemas.js'
import {familyKey, familyLabel, isCovered, isFee, isUncovered, isUnused, onDemandEquivalent} from './usage.js'

/** What a source states about one commitment's term: its end and hourly commitment, and where that comes from. */
export interface HeldCommitment {
  commitmentId: string
  /** YYYY-MM-DD, '' when the source does not say. */
  endDay: string
  hourlyCommitment: number | null
  source: string
}

/** The day `today` falls on and the commitments' terms, best source first for each id (the first one with an end wins). */
export interface CommitmentTermsInput {
  today: string
  held: readonly HeldCommitment[]
}

const dayMs = (day: string): number => Date.parse(`${day}T00:00:00Z`)

const share = (part: number, whole: number): number | null =>
  whole > 0 ? Math.min(1, Math.max(0, part / whole)) : null

/**
 * Coverage and utilization over a window, from the bill's own commitment rows: per commitment the
 * cost used and wasted, the on-demand cost it replaced, the fees, and what renewing or letting it
 * lapse would cost per month at the usage seen; per family (service and region) the share of
 * eligible spend covered. Pure: rows in, status out.
 */
export function commitmentStatus(
  rows: readonly CommitmentUsageRow[],
  window: {from: string; to: string; hours: number},
  terms: CommitmentTermsInput = {today: window.to, held: []},
): CommitmentsStatus {
  const heldOf = (id: string) => {
    const all = terms.held.filter((h) => h.commitmentId === id)
    return {
      end: all.find((h) => h.endDay !== ''),
      hourly: all.find((h) => h.hourlyCommitment !== null && h.hourlyCommitment > 0),
    }
  }
  const commitments = new Map<string, CommitmentStatusEntry & {familySet: Set<string>}>()
  const families = new Map<string, CommitmentFamily>()
  const perMonth = HOURS_PER_MONTH / window.hours
  const commitmentOf = (r: CommitmentUsageRow) => {
    const key = `${r.provider}\u0000${r.commitmentId}\u0000${r.currency}`
    let c = commitments.get(key)
    if (!c) {
      c = {
        id: r.commitmentId,
        provider: r.provider,
        billingAccountId: r.billingAccountId,
        type: r.commitmentType,
        category: r.commitmentCategory,
        currency: r.currency,
        usedCost: 0,
        unusedCost: 0,
        utilization: null,
        coveredOnDemandCost: 0,
        netSavings: 0,
        fees: 0,
        families: [],
        expiry: 'unknown',
        daysLeft: null,
        expirySource: null,
        hourlyCommitment: null,
        renewal: {
          renewMonthlyCost: 0,
          renewSource: '',
          notRenewingMonthlyCost: 0,
          notRenewingSource: '',
          monthlyDifference: 0,
        },
        familySet: new Set(),
      }
      commitments.set(key, c)
    }
    if (!c.type && r.commitmentType) c.type = r.commitmentType
    if (!c.category && r.commitmentCategory) c.category = r.commitmentCategory
    return c
  }
  const familyOf = (r: CommitmentUsageRow): CommitmentFamily => {
    const key = familyKey(r)
    let f = families.get(key)
    if (!f) {
      f = {
        provider: r.provider,
        serviceCategory: r.serviceCategory,
        serviceName: r.serviceName,
        regionId: r.regionId,
        currency: r.currency,
        eligibleOnDemandCost: 0,
        coveredOnDemandCost: 0,
        onDemandCost: 0,
        commitmentCost: 0,
        coverage: null,
      }
      families.set(key, f)
    }
    return f
  }
  for (const r of rows) {
    if (isCovered(r)) {
      const c = commitmentOf(r)
      const onDemand = onDemandEquivalent({...r, effectiveCost: 0})
      c.usedCost += r.effectiveCost
      c.coveredOnDemandCost += onDemand
      c.familySet.add(familyLabel(r))
      const f = familyOf(r)
      f.coveredOnDemandCost += onDemand
      f.eligibleOnDemandCost += onDemand
      f.commitmentCost += r.effectiveCost
    } else if (isUnused(r)) commitmentOf(r).unusedCost += r.effectiveCost
    else if (isFee(r)) commitmentOf(r).fees += r.billedCost
    // Uncovered spend counts as eligible only when a program covers its service: a control-plane fee never is.
    else if (isUncovered(r) && isEligibleService(r.provider, r.serviceName)) {
      const f = familyOf(r)
      f.onDemandCost += r.effectiveCost
      f.eligibleOnDemandCost += onDemandEquivalent(r)
    }
  }
  const entries = [...commitments.values()].map(({familySet, ...c}): CommitmentStatusEntry => {
    const cost = c.usedCost + c.unusedCost
    const {end, hourly} = heldOf(c.id)
    // Renewing buys the same commitment: its stated hourly cost when a source gives it, else what it cost in the window.
    const renew = hourly ? hourly.hourlyCommitment! * HOURS_PER_MONTH : cost * perMonth
    const lapse = c.coveredOnDemandCost * perMonth
    return {
      ...c,
      usedCost: roundMoney(c.usedCost),
      unusedCost: roundMoney(c.unusedCost),
      utilization: share(c.usedCost, cost),
      coveredOnDemandCost: roundMoney(c.coveredOnDemandCost),
      netSavings: roundMoney(c.coveredOnDemandCost - cost),
      fees: roundMoney(c.fees),
      families: [...familySet].sort(),
      expiry: end ? end.endDay : 'unknown',
      daysLeft: end ? Math.round((dayMs(end.endDay) - dayMs(terms.today)) / 86_400_000) : null,
      expirySource: end ? end.source : null,
      hourlyCommitment: hourly ? hourly.hourlyCommitment : null,
      renewal: {
        renewMonthlyCost: roundMoney(renew),
        renewSource: hourly
          ? `hourly commitment x ${HOURS_PER_MONTH} h: ${hourly.source}`
          : `the bill: its used + unused cost over the window, per month`,
        notRenewingMonthlyCost: roundMoney(lapse),
        notRenewingSource: 'the bill: the on-demand equivalent of the usage it covered over the window, per month',
        monthlyDifference: roundMoney(lapse - renew),
      },
    }
  })
  const rawCommitments = [...commitments.values()]
  const familyList = [...families.values()].map((f) => ({
    ...f,
    coverage: share(f.coveredOnDemandCost, f.eligibleOnDemandCost),
    eligibleOnDemandCost: roundMoney(f.eligibleOnDemandCost),
    coveredOnDemandCost: roundMoney(f.coveredOnDemandCost),
    onDemandCost: roundMoney(f.onDemandCost),
    commitmentCost: roundMoney(f.commitmentCost),
  }))
  const currencies = [...new Set([...families.values(), ...rawCommitments].map((x) => x.currency))].sort()
  const totals = currencies.map((currency) => {
    const fs = [...families.values()].filter((f) => f.currency === currency)
    const cs = rawCommitments.filter((c) => c.currency === currency)
    const eligible = fs.reduce((s, f) => s + f.eligibleOnDemandCost, 0)
    const covered = fs.reduce((s, f) => s + f.coveredOnDemandCost, 0)
    const used = cs.reduce((s, c) => s + c.usedCost, 0)
    const unused = cs.reduce((s, c) => s + c.unusedCost, 0)
    return {
      currency,
      eligibleOnDemandCost: roundMoney(eligible),
      coveredOnDemandCost: roundMoney(covered),
      coverage: share(covered, eligible),
      usedCost: roundMoney(used),
      unusedCost: roundMoney(unused),
      utilization: share(used, used + unused),
      netSavings: roundMoney(covered - used - unused),
    }
  })
  const notes: string[] = []
  if (entries.length === 0)
    notes.push('no commitment (Savings Plan, reservation, CUD) appears in the bill in this window')
  const unknown = entries.filter((e) => e.daysLeft === null)
  if (unknown.length > 0)
    notes.push(
      `expiry is unknown for ${unknown.length} of ${entries.length} commitment(s): FOCUS 1.0 exports do not carry end dates; ` +
        'add them to commitments.inventory in finops.yaml (id, end, hourlyCommitment), or collect them from the clouds: ' +
        'finops collect aws, collect azure with commitments: true (Reservations Reader, Savings plan Reader), ' +
        'collect gcp (Compute Engine CUDs: compute.commitments.list)',
    )
  for (const e of entries)
    if (e.daysLeft !== null && e.daysLeft >= 0 && e.daysLeft <= 90)
      notes.push(
        `${e.id} ends ${e.expiry} (in ${e.daysLeft} days): renewing costs ${e.renewal.renewMonthlyCost} ${e.currency} a month, ` +
          `letting it lapse ${e.renewal.notRenewingMonthlyCost} ${e.currency} at the usage seen`,
      )
  if (entries.length > 0) notes.push('renewal figures are per month at the usage seen in the window')
  return {
    window,
    commitments: entries.sort(
      (a, b) => b.usedCost + b.unusedCost - (a.usedCost + a.unusedCost) || a.id.localeCompare(b.id),
    ),
    families: familyList.sort(
      (a, b) => b.eligibleOnDemandCost - a.eligibleOnDemandCost || familyKey(a).localeCompare(familyKey(b)),
    ),
    totals,
    notes,
  }
}
