import {describe, expect, it} from 'vitest'

import {athenaScanCost} from '../../../src/collectors/athena/index.js'
import {billingPeriods, rollupQuery} from '../../../src/collectors/athena/rollup-sql.js'

describe('the Athena rollup query', () => {
  it('names the billing periods of the window, across a year end', () => {
    expect(billingPeriods('2025-11-15', '2026-02-01')).toEqual(['2025-11', '2025-12', '2026-01', '2026-02'])
    expect(billingPeriods('2026-03-31', '2026-03-31')).toEqual(['2026-03'])
  })

  it('prunes to those partitions, bounds the charge period to the window and reads one payer', () => {
    const sql = rollupQuery({
      format: 'focus',
      table: 'db.t',
      billingAccountId: '123456789012',
      from: '2026-01-30',
      to: '2026-02-02',
    })
    expect(sql).toContain(`"billing_period" IN ('2026-01', '2026-02')`)
    expect(sql).toContain(
      `"chargeperiodstart" >= TIMESTAMP '2026-01-30 00:00:00' AND "chargeperiodstart" < TIMESTAMP '2026-02-03 00:00:00'`,
    )
    expect(sql).toContain(`"billingaccountid" = '123456789012'`)
    expect(sql).toContain('FROM "db"."t"')
    const unpruned = rollupQuery({
      format: 'cur2',
      table: 'db.t',
      billingAccountId: '1',
      from: '2026-01-30',
      to: '2026-02-02',
      prune: false,
    })
    expect(unpruned).not.toContain('"billing_period" IN')
    expect(unpruned).toContain(`"bill_payer_account_id" = '1'`)
  })

  it('quotes a payer value so it cannot end the string', () => {
    expect(
      rollupQuery({
        format: 'focus',
        table: 'db.t',
        billingAccountId: "1' OR '1'='1",
        from: '2026-01-01',
        to: '2026-01-01',
      }),
    ).toContain(`= '1'' OR ''1''=''1'`)
  })
})

describe("Athena's price for a scan", () => {
  it('is USD 5 per TB, each query rounded up to the MB with a 10 MB minimum', () => {
    expect(athenaScanCost([0])).toBeCloseTo((10 / 2 ** 20) * 5, 12)
    expect(athenaScanCost([2 ** 40])).toBeCloseTo(5, 12)
    expect(athenaScanCost([2 ** 40 + 1])).toBeCloseTo(((2 ** 20 + 1) / 2 ** 20) * 5, 12)
    expect(athenaScanCost([2 ** 40, 0])).toBeCloseTo(5 + (10 / 2 ** 20) * 5, 12)
  })
})
