import type {FetchedCommitmentTerm} from '../cloud-commitments.js'

/** The api-version both benefit providers document the tenant-wide lists under. */
export const AZURE_BENEFITS_API_VERSION = '2022-11-01'

/**
 * The two tenant-wide lists that state a commitment's term (GET, paged by nextLink): every
 * reservation the identity can read (Microsoft.Capacity Reservation_ListAll) and every savings plan
 * (Microsoft.BillingBenefits SavingsPlan_ListAll). Each names the built-in role that reads it, for
 * the one line printed when Azure refuses it.
 */
export const AZURE_TERM_LISTS = [
  {
    kind: 'reservations',
    path: '/providers/Microsoft.Capacity/reservations',
    role: 'Reservations Reader (tenant level: az role assignment create --assignee <id> --role "Reservations Reader" --scope /providers/Microsoft.Capacity)',
  },
  {
    kind: 'savings plans',
    path: '/providers/Microsoft.BillingBenefits/savingsPlans',
    role: 'Savings plan Reader (on the savings plans, or Reader on the billing scope)',
  },
] as const

export type AzureTermList = (typeof AZURE_TERM_LISTS)[number]

/** One element of either list, as the 2022-11-01 specs give it (only the fields read here). */
export interface AzureBenefit {
  id?: string
  sku?: {name?: string}
  properties?: {
    displayName?: string
    reservedResourceType?: string
    appliedScopeType?: string
    quantity?: number
    term?: string
    billingPlan?: string
    benefitStartTime?: string
    effectiveDateTime?: string
    purchaseDateTime?: string
    expiryDate?: string
    expiryDateTime?: string
    provisioningState?: string
    commitment?: {amount?: number; currencyCode?: string; grain?: string}
  }
}

export interface AzureBenefitPage {
  value?: AzureBenefit[]
  nextLink?: string | null
}

const dayOf = (value: string | undefined): string => (value && /^\d{4}-\d\d-\d\d/.test(value) ? value.slice(0, 10) : '')

/** ISO 8601 durations as people read them: P1Y is 1 year, P3Y 3 years. */
export function termOfDuration(term: string | undefined): string {
  const m = /^P(\d+)Y$/i.exec(term ?? '')
  if (!m) return term ?? ''
  return `${m[1]} year${m[1] === '1' ? '' : 's'}`
}

/** Savings plans state their billing plan as a duration (P1M: paid monthly); reservations as Upfront or Monthly. */
const paymentOf = (plan: string | undefined): string => (plan?.toUpperCase() === 'P1M' ? 'Monthly' : (plan ?? ''))

/**
 * A reservation's term: its end (expiryDateTime, else expiryDate), start, term and billing plan. A
 * reservation states no price (only its order's billing plan does, as totals), so its hourly cost is
 * left to the bill, whose amortized cost of the reservation is what it costs each day.
 */
export function reservationTerm(r: AzureBenefit, seenDay: string, currency: string): FetchedCommitmentTerm | undefined {
  const p = r.properties ?? {}
  if (!r.id) return undefined
  const what = [
    p.reservedResourceType,
    r.sku?.name,
    p.quantity !== undefined ? `x ${p.quantity}` : undefined,
    p.appliedScopeType ? `${p.appliedScopeType} scope` : undefined,
  ]
    .filter(Boolean)
    .join(' ')
  return {
    commitmentId: r.id,
    startDay: dayOf(p.benefitStartTime ?? p.effectiveDateTime ?? p.purchaseDateTime),
    endDay: dayOf(p.expiryDateTime ?? p.expiryDate),
    hourlyCommitment: null,
    upfrontFee: null,
    recurringHourlyFee: null,
    term: termOfDuration(p.term),
    payment: paymentOf(p.billingPlan),
    currency,
    source: `Azure Microsoft.Capacity reservations list${what ? ` (${what})` : ''}: expiryDateTime, term, billingPlan`,
    seenDay,
  }
}

/**
 * A savings plan's term: its end, start, term, billing plan and hourly commitment
 * (commitment.amount when its grain is Hourly, the only grain the spec names), which is what it
 * costs each hour whether used or not.
 */
export function savingsPlanTerm(s: AzureBenefit, seenDay: string): FetchedCommitmentTerm | undefined {
  const p = s.properties ?? {}
  if (!s.id) return undefined
  const c = p.commitment
  const hourly =
    c && (c.grain ?? 'Hourly').toLowerCase() === 'hourly' && Number.isFinite(Number(c.amount)) ? Number(c.amount) : null
  const monthly = paymentOf(p.billingPlan) === 'Monthly'
  const what = [s.sku?.name, p.appliedScopeType ? `${p.appliedScopeType} scope` : undefined].filter(Boolean).join(' ')
  return {
    commitmentId: s.id,
    startDay: dayOf(p.benefitStartTime ?? p.effectiveDateTime ?? p.purchaseDateTime),
    endDay: dayOf(p.expiryDateTime),
    hourlyCommitment: hourly,
    upfrontFee: null,
    recurringHourlyFee: monthly ? hourly : null,
    term: termOfDuration(p.term),
    payment: paymentOf(p.billingPlan),
    currency: (c?.currencyCode ?? 'USD').toUpperCase(),
    source:
      `Azure Microsoft.BillingBenefits savingsPlans list${what ? ` (${what})` : ''}: expiryDateTime, ` +
      `commitment${hourly !== null ? ` ${hourly} ${(c?.currencyCode ?? 'USD').toUpperCase()}/hour` : ''}, term, billingPlan`,
    seenDay,
  }
}

/**
 * The terms a page of either list states. A reservation's currency is not in it: the bill's
 * currency for that benefit (`currencyOf`, by id in any case) stands in, else USD.
 */
export function azureTerms(
  list: AzureTermList,
  page: AzureBenefitPage,
  seenDay: string,
  currencyOf: (id: string) => string | undefined,
): FetchedCommitmentTerm[] {
  return (page.value ?? [])
    .map((b) =>
      list.kind === 'reservations'
        ? reservationTerm(b, seenDay, currencyOf(b.id ?? '') ?? 'USD')
        : savingsPlanTerm(b, seenDay),
    )
    .filter((t): t is FetchedCommitmentTerm => t !== undefined)
}
