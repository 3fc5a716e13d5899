import {addDays} from '../../src/dates.js'

/**
 * A bill shaped for root causes, in cloud-neutral terms each cloud's stand-in ledger is built from:
 * two accounts, a compute service of 24 instances billed for hours and egress, and a storage service
 * of 10 buckets billed for storage and requests, with about ±4% deterministic day-to-day noise.
 * On the last day two spikes are planted: egress on every instance (a usage type spread over all
 * resources) and one bucket (a resource, inside one usage type).
 */
export interface BillFact {
  day: string
  /** 0 or 1: the cloud maps it to an account, subscription or project. */
  account: number
  service: 'compute' | 'storage'
  usageType: 'hours' | 'egress' | 'storage' | 'requests'
  /** Instance or bucket number, 0-based. */
  resource: number
  cost: number
}

export const FIRST_DAY = '2026-07-01'
export const LAST_DAY = '2026-11-25'
/** The bucket whose cost jumps on the last day, in account 1. */
export const HOT_BUCKET = 7
export const EGRESS_JUMP_PER_INSTANCE = 12
export const BUCKET_JUMP = 300

export function rootCauseBill(): BillFact[] {
  let state = 424242
  const noise = (): number => {
    state = (state * 1103515245 + 12345) % 2 ** 31
    return 0.96 + (state / 2 ** 31) * 0.08
  }
  const facts: BillFact[] = []
  for (let day = FIRST_DAY; day <= LAST_DAY; day = addDays(day, 1)) {
    const last = day === LAST_DAY
    for (let i = 0; i < 24; i++) {
      const account = i < 12 ? 0 : 1
      facts.push({day, account, service: 'compute', usageType: 'hours', resource: i, cost: 4.6 * noise()})
      facts.push({
        day,
        account,
        service: 'compute',
        usageType: 'egress',
        resource: i,
        cost: 1.5 * noise() + (last ? EGRESS_JUMP_PER_INSTANCE : 0),
      })
    }
    for (let b = 0; b < 10; b++) {
      const account = b < 5 ? 0 : 1
      facts.push({
        day,
        account,
        service: 'storage',
        usageType: 'storage',
        resource: b,
        cost: 4 * noise() + (last && b === HOT_BUCKET ? BUCKET_JUMP : 0),
      })
      facts.push({day, account, service: 'storage', usageType: 'requests', resource: b, cost: 1 * noise()})
    }
  }
  return facts
}
