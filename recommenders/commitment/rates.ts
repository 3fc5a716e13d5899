/** How a commitment is paid: nothing, part or all of the term's cost upfront. */
export const PAYMENTS = ['none', 'partial', 'all'] as const
export type Payment = (typeof PAYMENTS)[number]

/** One purchasable option and its discount off the on-demand-equivalent rate, with where the rate came from. */
export interface CommitmentRate {
  termYears: 1 | 3
  payment: Payment
  /** Share off the on-demand-equivalent rate, 0..1. */
  discount: number
  source: string
}

/** A rate table entry as configured: provider (as billed, case-insensitive), optionally a service name, and where it is configured. */
export interface ConfiguredRate extends CommitmentRate {
  provider: string
  service?: string
}

const aws =
  'default: AWS Compute Savings Plans, approximate discounts for general-purpose Linux instances in us-east-1 (AWS Savings Plans pricing page); configure commitments.rates for yours'
const azure =
  'default: Azure savings plan for compute, approximate discounts for general-purpose VMs (Azure pricing calculator); Azure charges the same monthly or upfront; configure commitments.rates for yours'
const gcp =
  'default: GCP resource-based committed use discounts for general-purpose machine types, 37% (1 year) and 55% (3 years) as documented on the GCP committed use discounts page; no upfront option'
const other = 'default: a conservative generic discount (no catalog for this provider); configure commitments.rates'

/** Default discounts per provider (lower-cased as billed): estimates to start from, each saying where it comes from. */
export const DEFAULT_RATES: Record<string, readonly CommitmentRate[]> = {
  aws: [
    {termYears: 1, payment: 'none', discount: 0.27, source: aws},
    {termYears: 1, payment: 'partial', discount: 0.3, source: aws},
    {termYears: 1, payment: 'all', discount: 0.32, source: aws},
    {termYears: 3, payment: 'none', discount: 0.46, source: aws},
    {termYears: 3, payment: 'partial', discount: 0.5, source: aws},
    {termYears: 3, payment: 'all', discount: 0.52, source: aws},
  ],
  microsoft: [
    {termYears: 1, payment: 'none', discount: 0.28, source: azure},
    {termYears: 1, payment: 'all', discount: 0.28, source: azure},
    {termYears: 3, payment: 'none', discount: 0.48, source: azure},
    {termYears: 3, payment: 'all', discount: 0.48, source: azure},
  ],
  'google cloud': [
    {termYears: 1, payment: 'none', discount: 0.37, source: gcp},
    {termYears: 3, payment: 'none', discount: 0.55, source: gcp},
  ],
  other: [
    {termYears: 1, payment: 'none', discount: 0.2, source: other},
    {termYears: 3, payment: 'none', discount: 0.35, source: other},
  ],
}

const PROVIDER_ALIASES: Record<string, string> = {
  aws: 'aws',
  'amazon web services': 'aws',
  microsoft: 'microsoft',
  azure: 'microsoft',
  'microsoft azure': 'microsoft',
  gcp: 'google cloud',
  google: 'google cloud',
  'google cloud': 'google cloud',
  'google cloud platform': 'google cloud',
}

/**
 * The options for a scope: the configured rates of its provider (and service, when an entry names
 * one) replace the defaults option by option; each says where it came from.
 */
export function ratesFor(
  provider: string,
  service: string,
  configured: readonly ConfiguredRate[] = [],
): CommitmentRate[] {
  const name = PROVIDER_ALIASES[provider.trim().toLowerCase()] ?? provider.trim().toLowerCase()
  const defaults = DEFAULT_RATES[name] ?? DEFAULT_RATES.other!
  const mine = configured.filter(
    (r) =>
      (PROVIDER_ALIASES[r.provider.trim().toLowerCase()] ?? r.provider.trim().toLowerCase()) === name &&
      (r.service === undefined || r.service.toLowerCase() === service.toLowerCase()),
  )
  const key = (r: {termYears: number; payment: Payment}) => `${r.termYears}/${r.payment}`
  const chosen = new Map<string, CommitmentRate>(defaults.map((r) => [key(r), r]))
  // A service-specific entry wins over a provider-wide one.
  for (const r of [...mine].sort((a, b) => Number(a.service !== undefined) - Number(b.service !== undefined)))
    chosen.set(key(r), {
      termYears: r.termYears,
      payment: r.payment,
      discount: r.discount,
      source: r.source,
    })
  return [...chosen.values()].sort(
    (a, b) => a.termYears - b.termYears || PAYMENTS.indexOf(a.payment) - PAYMENTS.indexOf(b.payment),
  )
}
