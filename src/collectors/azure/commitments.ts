import {monthStart} from '../../dates.js'
import {type FetchedCommitmentUsage, shareByWeight} from '../cloud-commitments.js'
import type {DetailCell} from '../cloud-details.js'
import type {AzureCall} from './plan.js'

/**
 * The two AmortizedCost queries behind commitment usage (the Query API groups by two dimensions):
 * usage by service and PricingModel (OnDemand, Reservation, SavingsPlan, Spot), and the
 * commitments' own days by BenefitId and ChargeType (Usage: the benefit's cost applied to usage;
 * UnusedReservation / UnusedSavingsPlan: what went unused), filtered to those pricing models.
 */
export function planAzureCommitmentCalls(): AzureCall[] {
  return [
    {
      label: 'commitment usage by service',
      grouping: [
        {type: 'Dimension', name: 'ServiceName'},
        {type: 'Dimension', name: 'PricingModel'},
      ],
      filter: {dimensions: {name: 'ChargeType', operator: 'In', values: ['Usage']}},
    },
    {
      label: 'commitment benefits',
      grouping: [
        {type: 'Dimension', name: 'BenefitId'},
        {type: 'Dimension', name: 'ChargeType'},
      ],
      filter: {dimensions: {name: 'PricingModel', operator: 'In', values: ['Reservation', 'SavingsPlan']}},
    },
  ]
}

/** A benefit id's kind, from its resource path (reservation orders vs savings plan orders). */
const kindOf = (benefitId: string): 'Reservation' | 'SavingsPlan' =>
  /microsoft\.billingbenefits\/savingsplanorders/i.test(benefitId) ? 'SavingsPlan' : 'Reservation'

const LABELS = {
  Reservation: {commitmentCategory: 'Usage', commitmentType: 'Reservation'},
  SavingsPlan: {commitmentCategory: 'Spend', commitmentType: 'Savings Plan'},
} as const

/**
 * Commitment usage from the two answers (cells carry the currency in `label`, the amortized cost in
 * effectiveCost). On-demand usage per service is uncovered eligible usage (Spot is left out). Each
 * benefit's used cost is shared among the services its pricing model covered that day by their
 * cost. The Query API has no pay-as-you-go equivalent of covered usage, so covered rows carry the
 * benefit's own cost as their on-demand equivalent: coverage is measured at the commitment's price
 * and savings are not stated (an Azure FOCUS cost export has ListCost/ContractedCost for that).
 */
export function azureCommitmentUsage(
  byService: readonly DetailCell[],
  byBenefit: readonly DetailCell[],
  subscription: string,
): FetchedCommitmentUsage[] {
  const out: FetchedCommitmentUsage[] = []
  const base = (day: string, service: string, currency: string) => ({
    day,
    billingPeriodStart: monthStart(day),
    subAccountId: subscription,
    serviceName: service,
    serviceCategory: '',
    regionId: '',
    chargeCategory: 'Usage',
    chargeFrequency: 'Usage-Based',
    currency,
  })
  const covered = new Map<string, DetailCell[]>()
  for (const c of byService) {
    const model = c.value.toLowerCase()
    if (model === 'ondemand')
      out.push({
        ...base(c.day, c.by, c.label ?? 'USD'),
        pricingCategory: 'standard',
        commitmentId: '',
        commitmentStatus: '',
        commitmentCategory: '',
        commitmentType: '',
        billedCost: c.effectiveCost,
        effectiveCost: c.effectiveCost,
        listCost: 0,
        contractedCost: 0,
      })
    if (model === 'reservation' || model === 'savingsplan') {
      const key = `${c.day}\u0000${model}`
      covered.set(key, [...(covered.get(key) ?? []), c])
    }
  }
  for (const b of byBenefit) {
    if (!b.by) continue
    const kind = kindOf(b.by)
    const labels = {...LABELS[kind], pricingCategory: 'committed' as const, commitmentId: b.by}
    const currency = b.label ?? 'USD'
    if (b.value.toLowerCase().startsWith('unused')) {
      out.push({
        ...base(b.day, '', currency),
        ...labels,
        commitmentStatus: 'unused',
        billedCost: 0,
        effectiveCost: b.effectiveCost,
        listCost: 0,
        contractedCost: 0,
      })
      continue
    }
    const services = covered.get(`${b.day}\u0000${kind.toLowerCase()}`) ?? []
    const targets = services.length > 0 ? services : [{by: '', effectiveCost: 1}]
    for (const {part, share} of shareByWeight(targets, (t) => t.effectiveCost))
      out.push({
        ...base(b.day, part.by, currency),
        ...labels,
        commitmentStatus: 'used',
        billedCost: 0,
        effectiveCost: b.effectiveCost * share,
        listCost: b.effectiveCost * share,
        contractedCost: 0,
      })
  }
  return out
}
