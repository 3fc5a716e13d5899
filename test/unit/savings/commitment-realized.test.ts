import {describe, expect, it} from 'vitest'

import type {CommitmentStatusEntry} from '../../../src/commitments/schemas.js'
import {billedAs} from '../../../src/commitments/billed-id.js'
import {commitmentWindow, measureCommitment} from '../../../src/savings/commitment-realized.js'

const entry = (id: string, over: Partial<CommitmentStatusEntry> = {}): CommitmentStatusEntry => ({
  id,
  provider: 'AWS',
  billingAccountId: '111122223333',
  type: 'Savings Plan',
  category: 'Spend',
  currency: 'USD',
  usedCost: 600,
  unusedCost: 120,
  utilization: 600 / 720,
  coveredOnDemandCost: 900,
  netSavings: 180,
  fees: 720,
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
  ...over,
})

describe('a purchased commitment measured on the bill', () => {
  it('finds it by its full id in any case, or by the last segment of an ARN or path, never by a fragment', () => {
    const ids = ['arn:aws:savingsplans::1:savingsplan/sp-1', 'arn:aws:savingsplans::1:savingsplan/sp-11', 'RI-9']
    expect(billedAs('sp-1', ids)).toEqual(['arn:aws:savingsplans::1:savingsplan/sp-1'])
    expect(billedAs('ri-9', ids)).toEqual(['RI-9'])
    expect(billedAs('sp', ids)).toEqual([])
    expect(billedAs('savingsplan/sp-1', ids)).toEqual([])
    expect(billedAs('ARN:AWS:SAVINGSPLANS::1:SAVINGSPLAN/SP-11', ids)).toEqual([ids[1]])
  })

  it('realized = covered on demand minus used and unused, per month; waste counts against it', () => {
    const m = measureCommitment({id: 'sp-1', currency: 'USD', promisedMonthly: 300}, [entry('x/sp-1')], {
      from: '2026-04-01',
      to: '2026-04-30',
      hours: 720,
    })
    expect(m.measurable).toBe(true)
    expect(m.realizedMonthly).toBeCloseTo((180 * 730) / 720, 2)
    expect(m.unusedMonthly).toBeCloseTo((120 * 730) / 720, 2)
    expect(m.ratio).toBeCloseTo((180 * 730) / 720 / 300, 4)
    const loss = measureCommitment(
      {id: 'sp-1', currency: 'USD', promisedMonthly: null},
      [entry('sp-1', {coveredOnDemandCost: 500})],
      {from: '2026-04-01', to: '2026-04-30', hours: 720},
    )
    expect(loss.realizedMonthly!).toBeLessThan(0)
    expect(loss.ratio).toBeNull()
  })

  it('is not measurable when absent, ambiguous or billed in another currency, and says why', () => {
    const w = {from: '2026-04-01', to: '2026-04-30', hours: 720}
    const c = {id: 'sp-1', currency: 'USD', promisedMonthly: 300}
    expect(measureCommitment(c, [], w)).toMatchObject({measurable: false, realizedMonthly: null})
    expect(measureCommitment(c, [entry('a/sp-1'), entry('b/sp-1')], w).note).toMatch(/2 commitments in the bill/)
    expect(measureCommitment(c, [entry('sp-1', {currency: 'EUR'})], w).note).toMatch(/in EUR.*recorded in USD/)
  })

  it('measures from the later of its start and the bill, over the last days, up to yesterday', () => {
    const data = {from: '2026-01-01', to: '2026-04-30'}
    expect(commitmentWindow({startDay: '2026-04-10'}, data, '2026-05-10', 60)).toEqual({
      from: '2026-04-10',
      to: '2026-04-30',
    })
    expect(commitmentWindow({startDay: '2025-01-01'}, data, '2026-04-20', 60)).toEqual({
      from: '2026-02-20',
      to: '2026-04-20',
    })
    expect(commitmentWindow({startDay: '2026-06-01'}, data, '2026-07-01', 60)).toEqual({
      reason: expect.stringMatching(/ends 2026-04-30, before the commitment started/),
    })
  })
})
