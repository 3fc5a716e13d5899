import type {FetchedCommitmentTerm} from '../cloud-commitments.js'
import {cudId} from './commitments.js'

/** Compute Engine's API root when no endpoint is configured. */
export const COMPUTE_ROOT = 'https://compute.googleapis.com'

/** The permission (and a predefined role holding it) that regionCommitments.aggregatedList needs. */
export const CUD_PERMISSION = 'compute.commitments.list on the project (roles/compute.viewer has it)'

/** A Commitment resource of the Compute Engine v1 API (only the fields read here). */
export interface GcpCommitment {
  id?: string
  name?: string
  region?: string
  selfLink?: string
  status?: string
  plan?: string
  type?: string
  category?: string
  startTimestamp?: string
  endTimestamp?: string
  autoRenew?: boolean
  resources?: {type?: string; amount?: string; acceleratorType?: string}[]
}

/** One page of regionCommitments.aggregatedList: commitments keyed by scope (`regions/us-central1`). */
export interface GcpCommitmentPage {
  items?: Record<string, {commitments?: GcpCommitment[]; warning?: unknown}>
  nextPageToken?: string
}

/** The aggregated list URL of one project's commitments, one page. */
export function commitmentsUrl(root: string, project: string, pageToken?: string): string {
  const url = new URL(
    `${root.replace(/\/+$/, '')}/compute/v1/projects/${encodeURIComponent(project)}/aggregated/commitments`,
  )
  url.searchParams.set('maxResults', '500')
  if (pageToken) url.searchParams.set('pageToken', pageToken)
  return url.toString()
}

const dayOf = (value: string | undefined): string => (value && /^\d{4}-\d\d-\d\d/.test(value) ? value.slice(0, 10) : '')
const regionOf = (c: GcpCommitment, scope: string): string =>
  (c.region ?? scope).split('/').filter(Boolean).at(-1) ?? ''

const PLANS: Record<string, string> = {TWELVE_MONTH: '1 year', THIRTY_SIX_MONTH: '3 years'}

/** What a commitment commits to, as people read it: 16 vCPU, 64 GB memory (the API states memory in MB). */
function amounts(c: GcpCommitment): string {
  return (c.resources ?? [])
    .map((r) => {
      const n = Number(r.amount ?? 0)
      if (r.type === 'VCPU') return `${n} vCPU`
      if (r.type === 'MEMORY') return `${Math.round((n / 1024) * 100) / 100} GB memory`
      if (r.type === 'ACCELERATOR') return `${n} ${r.acceleratorType?.split('/').at(-1) ?? 'accelerator'}`
      if (r.type === 'LOCAL_SSD') return `${Math.round((n / 1024) * 100) / 100} GB local SSD`
      return `${n} ${r.type ?? ''}`.trim()
    })
    .join(', ')
}

export interface ListedCommitment {
  project: string
  region: string
  commitment: GcpCommitment
}

/** The commitments of a page, with the project they were listed in and their region. */
export function listedCommitments(project: string, page: GcpCommitmentPage): ListedCommitment[] {
  return Object.entries(page.items ?? {}).flatMap(([scope, scoped]) =>
    (scoped.commitments ?? []).map((commitment) => ({project, region: regionOf(commitment, scope), commitment})),
  )
}

/**
 * Terms from the listed commitments: one per commitment (its id as a FOCUS export may bill it,
 * projects/P/regions/R/commitments/NAME), and one per region's pool of ACTIVE machine commitments,
 * under the id the BigQuery export's CUD rows carry (`resource-based CUD Compute Engine REGION`: the
 * export credits a region's CUDs together). A pool ends, for renewal purposes, when its first
 * commitment ends: from then on less of the usage is covered. Resource-based CUDs commit to
 * resources, not money, so no hourly cost is stated: the bill's daily fee is it.
 */
export function cudTerms(
  listed: readonly ListedCommitment[],
  seenDay: string,
  currency: string,
): FetchedCommitmentTerm[] {
  const terms: FetchedCommitmentTerm[] = []
  const pools = new Map<string, ListedCommitment[]>()
  for (const l of listed) {
    const c = l.commitment
    if (!c.name || !l.region) continue
    const what = [c.type, amounts(c), c.autoRenew ? 'autoRenew on' : undefined].filter(Boolean).join(', ')
    terms.push({
      commitmentId: `projects/${l.project}/regions/${l.region}/commitments/${c.name}`,
      startDay: dayOf(c.startTimestamp),
      endDay: dayOf(c.endTimestamp),
      hourlyCommitment: null,
      upfrontFee: null,
      recurringHourlyFee: null,
      term: PLANS[c.plan ?? ''] ?? c.plan ?? '',
      payment: '',
      currency,
      source: `GCP Compute Engine regionCommitments.aggregatedList (${c.status ?? 'status not stated'}${what ? `; ${what}` : ''}): endTimestamp, plan`,
      seenDay,
    })
    if (c.status === 'ACTIVE' && (c.category ?? 'MACHINE') === 'MACHINE' && c.endTimestamp)
      pools.set(l.region, [...(pools.get(l.region) ?? []), l])
  }
  for (const [region, members] of pools) {
    const byEnd = [...members].sort((a, b) =>
      dayOf(a.commitment.endTimestamp).localeCompare(dayOf(b.commitment.endTimestamp)),
    )
    const first = byEnd[0]!.commitment
    const plans = [...new Set(members.map((m) => PLANS[m.commitment.plan ?? ''] ?? m.commitment.plan ?? ''))]
    const starts = members
      .map((m) => dayOf(m.commitment.startTimestamp))
      .filter(Boolean)
      .sort()
    const list = byEnd
      .map(
        (m) =>
          `${m.project}/${m.commitment.name} ends ${dayOf(m.commitment.endTimestamp)}${m.commitment.autoRenew ? ' (autoRenew)' : ''}`,
      )
      .join(', ')
    terms.push({
      commitmentId: cudId('resource', 'Compute Engine', region),
      startDay: starts[0] ?? '',
      endDay: dayOf(first.endTimestamp),
      hourlyCommitment: null,
      upfrontFee: null,
      recurringHourlyFee: null,
      term: plans.join(', '),
      payment: '',
      currency,
      source:
        `GCP Compute Engine regionCommitments.aggregatedList: the first endTimestamp of the ${members.length} ACTIVE ` +
        `commitment${members.length === 1 ? '' : 's'} in ${region} (${list})`,
      seenDay,
    })
  }
  return terms
}
