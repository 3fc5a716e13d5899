import {isEligibleService} from '../../recommenders/commitment/programs.js'
import {HOURS_PER_MONTH, roundMoney} from '../money.js'
import type {CommitmentUsageRow} from '../store/commitment-usage.js'
import type {CommitmentFamily, CommitmentsStatus, CommitmentStatusEntry} from './schemas.js'
import {familyKey, familyLabel, isCovered, isFee, isUncovered, isUnused, onDemandEquivalent} from './usage.js'

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
): CommitmentsStatus {
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
        renewal: {renewMonthlyCost: 0, notRenewingMonthlyCost: 0, monthlyDifference: 0},
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
    const renew = cost * perMonth
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
      renewal: {
        renewMonthlyCost: roundMoney(renew),
        notRenewingMonthlyCost: roundMoney(lapse),
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
  if (entries.length > 0)
    notes.push(
      'expiry is unknown: FOCUS 1.0 exports do not carry commitment end dates; renewal figures are per month at the usage seen',
    )
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
