import type {DailyCostRow} from '../model/cost.js'
import type {CostDetailKind} from '../store/cost-details.js'
import type {GrainDetail} from '../store/cost-writer.js'

/** The grain values a provider answered a detail with (at most two groupings per request, so rarely all). */
export type DetailMatch = Partial<Pick<DailyCostRow, 'subAccountId' | 'serviceName' | 'regionId' | 'currency'>>

/** One usage type or resource of one day, as a cloud API answered it: below the grain, for root causes. */
export interface FetchedDetail {
  day: string
  kind: CostDetailKind
  /** Usage type, meter or SKU id; resource id. '' is the rest beyond what the provider named. */
  value: string
  /** Display only: a SKU's description, a resource's name. */
  label?: string
  match: DetailMatch
  billedCost: number
  effectiveCost: number
}

/** A detail placed on the grain row it belongs to, with its share of the detail's cost. */
export type AttachedDetail = GrainDetail

/**
 * Places each detail on the day's usage rows that agree with it on every grain value it carries.
 * When several do (a request grouped by service and usage type, rows split by service and region),
 * the detail is shared among them in proportion to their cost; a detail no row agrees with is dropped
 * (returned as `unplaced`), since a detail without its grain key explains nothing.
 */
export function attachDetails(
  rows: readonly DailyCostRow[],
  details: readonly FetchedDetail[],
): {attached: AttachedDetail[]; unplaced: number} {
  const byDay = new Map<string, DailyCostRow[]>()
  for (const row of rows) {
    if (row.chargeCategory !== 'Usage') continue
    const list = byDay.get(row.day)
    if (list) list.push(row)
    else byDay.set(row.day, [row])
  }
  const attached: AttachedDetail[] = []
  let unplaced = 0
  for (const d of details) {
    const candidates = (byDay.get(d.day) ?? []).filter(
      (r) =>
        (d.match.subAccountId === undefined || r.subAccountId === d.match.subAccountId) &&
        (d.match.serviceName === undefined || r.serviceName === d.match.serviceName) &&
        (d.match.regionId === undefined || r.regionId === d.match.regionId) &&
        (d.match.currency === undefined || r.currency === d.match.currency),
    )
    if (candidates.length === 0) {
      unplaced++
      continue
    }
    const weights = shareWeights(candidates.map((r) => [r.effectiveCost, r.billedCost]))
    candidates.forEach((row, i) => {
      const w = weights[i]!
      if (w === 0) return
      attached.push({
        row,
        kind: d.kind,
        value: d.value,
        label: d.label ?? '',
        billedCost: d.billedCost * w,
        effectiveCost: d.effectiveCost * w,
      })
    })
  }
  return {attached, unplaced}
}

/** Shares that sum to 1: by the first amount's magnitude, else the second's, else equal. */
function shareWeights(amounts: readonly (readonly [number, number])[]): number[] {
  if (amounts.length === 1) return [1]
  for (const at of [0, 1]) {
    const total = amounts.reduce((a, v) => a + Math.abs(v[at]!), 0)
    if (total > 0) return amounts.map((v) => Math.abs(v[at]!) / total)
  }
  return amounts.map(() => 1 / amounts.length)
}

/** One (day, usage type) cost as an API grouped it by one other dimension (account or service). */
export interface DetailCell {
  day: string
  /** The other grouping's value: an account id or a service name. */
  by: string
  value: string
  label?: string
  billedCost: number
  effectiveCost: number
}

/**
 * Usage types by account and service when the API groups by two dimensions only: from the same
 * window grouped by account x usage type and by service x usage type, each account's cost of a
 * usage type is shared among the services that billed that usage type that day, by their cost.
 * Exact when a usage type belongs to one service that day (most do: BoxUsage is EC2's) or to one
 * account; otherwise the services' split is assumed the same in every account.
 */
export function crossUsageTypes(byAccount: readonly DetailCell[], byService: readonly DetailCell[]): FetchedDetail[] {
  const services = new Map<string, DetailCell[]>()
  for (const c of byService) {
    const id = `${c.day}\u0000${c.value}`
    const list = services.get(id)
    if (list) list.push(c)
    else services.set(id, [c])
  }
  const out: FetchedDetail[] = []
  for (const a of byAccount) {
    const split = services.get(`${a.day}\u0000${a.value}`) ?? []
    if (split.length === 0) {
      // The service grouping did not see it (a page raced a restatement): keep it on the account alone.
      out.push({...toDetail(a), match: {subAccountId: a.by}})
      continue
    }
    const weights = shareWeights(split.map((s) => [s.effectiveCost, s.billedCost]))
    split.forEach((s, i) => {
      const w = weights[i]!
      if (w === 0) return
      out.push({
        day: a.day,
        kind: 'usage-type',
        value: a.value,
        label: a.label ?? s.label,
        match: {subAccountId: a.by, serviceName: s.by},
        billedCost: a.billedCost * w,
        effectiveCost: a.effectiveCost * w,
      })
    })
  }
  return out
}

const toDetail = (c: DetailCell): Omit<FetchedDetail, 'match'> => ({
  day: c.day,
  kind: 'usage-type',
  value: c.value,
  label: c.label,
  billedCost: c.billedCost,
  effectiveCost: c.effectiveCost,
})
