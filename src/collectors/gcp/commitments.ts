import {type FetchedCommitmentUsage, shareByWeight} from '../cloud-commitments.js'
import {CUD_SERVICES} from './export-query.js'

/** One row of exportCommitmentQuery's answer. */
export interface CommitmentExportRow {
  day: string
  invoice_month: string
  project_id: string
  service: string
  region: string
  currency: string
  commitment_kind: string
  cost: number
  resource_cud: number
  spend_cud: number
  credits: number
}

const KINDS = {
  resource: {commitmentCategory: 'Usage', commitmentType: 'Committed Use Discount (resource-based)'},
  spend: {commitmentCategory: 'Spend', commitmentType: 'Committed Use Discount (spend-based)'},
} as const
type CudKind = keyof typeof KINDS

/** The pooled commitment a CUD credit or fee belongs to: GCP applies CUDs per region and service. */
export const cudId = (kind: CudKind, service: string, region: string): string =>
  `${kind}-based CUD ${service} ${region || 'global'}`

const billingPeriod = (r: CommitmentExportRow): string => {
  const month = String(r.invoice_month)
  return /^\d{6}$/.test(month) ? `${month.slice(0, 4)}-${month.slice(4)}-01` : `${r.day.slice(0, 7)}-01`
}

/**
 * Commitment usage from the export's answer. Uncovered eligible usage is the cost the CUD credits
 * did not cancel (Spot and preemptible usage left out: no CUD covers it). The covered part is the
 * CUD credits (the on-demand cost covered). GCP bills a CUD's fee whole, per day, and says which
 * usage it covered but not how much of the commitment went unused within a day: the fee of a
 * region and service's CUDs is shared among that day's covered usage by its on-demand cost, and is
 * unused on a day with no covered usage. Utilization is therefore per day (an upper bound within a
 * day); net savings (covered on-demand cost - fee) and coverage are exact.
 */
export function gcpCommitmentUsage(rows: readonly CommitmentExportRow[]): FetchedCommitmentUsage[] {
  const out: FetchedCommitmentUsage[] = []
  const pools = new Map<string, {fees: CommitmentExportRow[]; covered: {row: CommitmentExportRow; amount: number}[]}>()
  const poolOf = (r: CommitmentExportRow, kind: CudKind) => {
    const key = JSON.stringify([r.day, kind, r.service, r.region, r.currency])
    let pool = pools.get(key)
    if (!pool) pools.set(key, (pool = {fees: [], covered: []}))
    return pool
  }
  const base = (r: CommitmentExportRow) => ({
    day: r.day,
    billingPeriodStart: billingPeriod(r),
    subAccountId: r.project_id,
    serviceName: r.service,
    serviceCategory: CUD_SERVICES[r.service] ?? '',
    regionId: r.region,
    chargeCategory: 'Usage',
    chargeFrequency: 'Usage-Based',
    currency: String(r.currency || 'USD').toUpperCase(),
  })
  for (const r of rows) {
    const cost = Number(r.cost)
    if (r.commitment_kind === 'fee-resource' || r.commitment_kind === 'fee-spend') {
      poolOf(r, r.commitment_kind === 'fee-resource' ? 'resource' : 'spend').fees.push(r)
      continue
    }
    if (r.commitment_kind !== 'usage') continue
    const resource = -Number(r.resource_cud)
    const spend = -Number(r.spend_cud)
    if (resource > 0) poolOf(r, 'resource').covered.push({row: r, amount: resource})
    if (spend > 0) poolOf(r, 'spend').covered.push({row: r, amount: spend})
    const onDemand = cost - resource - spend
    if (onDemand <= 0) continue
    // Other credits (sustained use, promotions) apply to what the CUDs left on demand.
    const otherCredits = Number(r.credits) + resource + spend
    out.push({
      ...base(r),
      pricingCategory: 'standard',
      commitmentId: '',
      commitmentStatus: '',
      commitmentCategory: '',
      commitmentType: '',
      billedCost: onDemand,
      effectiveCost: onDemand + otherCredits,
      listCost: onDemand,
      contractedCost: 0,
    })
  }
  for (const [key, pool] of pools) {
    const kind = JSON.parse(key)[1] as CudKind
    const fee = pool.fees.reduce((s, r) => s + Number(r.cost), 0)
    const labels = {...KINDS[kind], pricingCategory: 'committed' as const}
    const sample = pool.covered[0]?.row ?? pool.fees[0]!
    const commitmentId = cudId(kind, sample.service, sample.region)
    if (pool.covered.length === 0) {
      for (const r of pool.fees)
        out.push({
          ...base(r),
          ...labels,
          commitmentId,
          commitmentStatus: 'unused',
          billedCost: Number(r.cost),
          effectiveCost: Number(r.cost),
          listCost: 0,
          contractedCost: 0,
        })
      continue
    }
    for (const {part, share} of shareByWeight(pool.covered, (c) => c.amount))
      out.push({
        ...base(part.row),
        ...labels,
        commitmentId,
        commitmentStatus: 'used',
        billedCost: 0,
        effectiveCost: fee * share,
        listCost: part.amount,
        contractedCost: part.amount,
      })
  }
  return out
}
