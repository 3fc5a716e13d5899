import {commitmentProgram, normalizeProvider, normalizeService} from './programs.js'

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

/** The program covering a scope and the options it is priced with, or why no program covers it. */
export type ScopeRates = {program: string; rates: CommitmentRate[]} | {ineligible: string}

const key = (r: {termYears: number; payment: Payment}) => `${r.termYears}/${r.payment}`

/**
 * The options for a scope: the program covering its service (programs.ts), priced with its
 * documented defaults, replaced option by option by the configured rates of its provider (only
 * for the provider's flexible compute program) and of its service; each says where it came from.
 * A service no program covers is eligible only through an entry naming it.
 */
export function scopeRates(provider: string, service: string, configured: readonly ConfiguredRate[] = []): ScopeRates {
  const name = normalizeProvider(provider)
  const serviceKey = normalizeService(service)
  const mine = configured.filter((r) => normalizeProvider(r.provider) === name)
  const ownEntries = mine.filter((r) => r.service !== undefined && normalizeService(r.service) === serviceKey)
  const eligibility = commitmentProgram(provider, service)
  if ('ineligible' in eligibility && ownEntries.length === 0) return eligibility
  const program = 'program' in eligibility ? eligibility.program : undefined
  const chosen = new Map<string, CommitmentRate>((program?.defaults ?? []).map((r) => [key(r), r]))
  // A service-specific entry wins over a provider-wide one.
  const entries = [...(program?.providerWide ? mine.filter((r) => r.service === undefined) : []), ...ownEntries]
  for (const r of entries)
    chosen.set(key(r), {termYears: r.termYears, payment: r.payment, discount: r.discount, source: r.source})
  const rates = [...chosen.values()].sort(
    (a, b) => a.termYears - b.termYears || PAYMENTS.indexOf(a.payment) - PAYMENTS.indexOf(b.payment),
  )
  return {program: program?.name ?? `configured commitment for ${service}`, rates}
}

/** The options for a scope ([] when no program covers its service or no rate prices it). */
export function ratesFor(
  provider: string,
  service: string,
  configured: readonly ConfiguredRate[] = [],
): CommitmentRate[] {
  const result = scopeRates(provider, service, configured)
  return 'rates' in result ? result.rates : []
}
