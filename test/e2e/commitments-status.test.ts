import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'

import {commitmentsStatusSchema} from '../../src/commitments/schemas.js'
import {writeCommitmentBill} from '../helpers/commitment-bill.js'
import {parseJson, runCli, tempDir} from '../helpers/cli.js'

const tmp = tempDir('finops-commitments-e2e-')
const db = path.join(tmp.dir, 'finops.db')
const cli = (...args: string[]) => runCli(args, {env: {FINOPS_DB: db}, cwd: tmp.dir})
const hash = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex')

// Thirty days of a daily cycle around 10/h on demand with a 5/h Savings Plan at 30% off (it covers
// up to 7.14/h on demand, so nights leave part of it unused), plus storage and spot rows.
let truth: ReturnType<typeof writeCommitmentBill>
beforeAll(async () => {
  const dir = path.join(tmp.dir, 'bills')
  fs.mkdirSync(dir)
  const bill = path.join(dir, 'bill.csv')
  // Two EKS control planes at 0.10/h: billed as Compute, yet no Savings Plan or reservation covers them.
  writeCommitmentBill(path.join(dir, 'eks.csv'), {
    start: '2026-04-01',
    hours: 30 * 24,
    service: 'Amazon Elastic Kubernetes Service',
    onDemand: () => 0.2,
  })
  truth = writeCommitmentBill(bill, {
    start: '2026-04-01',
    hours: 30 * 24,
    onDemand: (h) => 10 + 6 * Math.sin((2 * Math.PI * h) / 24),
    commitment: {id: 'arn:aws:savingsplans::111122223333:savingsplan/sp-1', hourly: 5, discount: 0.3},
    noise: true,
  })
  const imported = await cli('collect', 'focus', dir)
  expect(imported.code, imported.stderr).toBe(0)
})
afterAll(() => tmp.cleanup())

describe('finops commitments status', () => {
  test('--json follows its contract and states utilization, coverage and the cost of renewing, as billed', async () => {
    const result = await cli('commitments', 'status', '--json')
    expect(result.code, result.stderr).toBe(0)
    const status = commitmentsStatusSchema.parse(parseJson(result))
    expect(status.window).toEqual({from: '2026-04-01', to: '2026-04-30', hours: 720})
    expect(status.commitments).toHaveLength(1)
    const [sp] = status.commitments
    expect(sp).toMatchObject({type: 'Savings Plan', category: 'Spend', currency: 'USD', expiry: 'unknown'})
    expect(sp!.usedCost).toBeCloseTo(truth.used, 1)
    expect(sp!.unusedCost).toBeCloseTo(truth.unused, 1)
    expect(sp!.utilization!).toBeCloseTo(truth.used / (truth.used + truth.unused), 3)
    expect(sp!.netSavings).toBeCloseTo(truth.covered - truth.used - truth.unused, 1)
    expect(sp!.fees).toBeCloseTo(5 * 720, 1)
    // A 720-hour window is 730/720 of a month.
    expect(sp!.renewal.renewMonthlyCost).toBeCloseTo(5 * 730, 0)
    expect(sp!.renewal.notRenewingMonthlyCost).toBeCloseTo((truth.covered * 730) / 720, 0)
    const [family] = status.families
    expect(family).toMatchObject({serviceName: 'Amazon Elastic Compute Cloud', regionId: 'us-east-1'})
    expect(family!.eligibleOnDemandCost).toBeCloseTo(truth.onDemand, 1)
    expect(family!.coverage!).toBeCloseTo(truth.covered / truth.onDemand, 3)
    expect(status.families.some((f) => f.serviceCategory === 'Storage')).toBe(false)
    // The EKS control-plane fee is not eligible spend: no family, and the coverage is EC2's alone.
    expect(status.families.map((f) => f.serviceName)).toEqual(['Amazon Elastic Compute Cloud'])
    expect(status.totals[0]!.eligibleOnDemandCost).toBeCloseTo(truth.onDemand, 1)
    expect(status.totals[0]!.coverage!).toBeCloseTo(truth.covered / truth.onDemand, 3)
  })

  test('table and markdown draw the same figures; a narrower window reads only its days', async () => {
    const table = await cli('commitments', 'status')
    expect(table.code, table.stderr).toBe(0)
    expect(table.stdout).toMatch(/Per commitment/)
    expect(table.stdout).toMatch(/unknown/)
    const markdown = await cli('commitments', 'status', '--markdown')
    expect(markdown.code, markdown.stderr).toBe(0)
    expect(markdown.stdout).toMatch(/\| Commitment \|/)
    const week = await cli('commitments', 'status', '--from', '2026-04-01', '--to', '2026-04-07', '--json')
    const status = commitmentsStatusSchema.parse(parseJson(week))
    expect(status.window.hours).toBe(7 * 24)
    expect(status.commitments[0]!.fees).toBeCloseTo(5 * 7 * 24, 1)
  })

  test('commitments.inventory in finops.yaml gives what the bill does not: the end date, days left and the cost of renewing, with its source', async () => {
    const config = path.join(tmp.dir, 'held.yaml')
    fs.writeFileSync(
      config,
      'commitments:\n  inventory:\n' +
        // Named as the console shows it (the ARN's last segment); 5.5/h is the plan's stated commitment, not the 5/h billed.
        '    - {id: sp-1, end: 2026-06-30, hourlyCommitment: 5.5, source: console 2026-04-30}\n' +
        '    - {id: sp-gone, end: 2027-01-31}\n',
    )
    const result = await runCli(['commitments', 'status', '--json', '--config', config], {
      env: {FINOPS_DB: db, FINOPS_NOW: '2026-05-01T12:00:00Z'},
      cwd: tmp.dir,
    })
    expect(result.code, result.stderr).toBe(0)
    const status = commitmentsStatusSchema.parse(parseJson(result))
    const [sp] = status.commitments
    expect(sp).toMatchObject({expiry: '2026-06-30', daysLeft: 60, hourlyCommitment: 5.5})
    expect(sp!.expirySource).toBe(`${config} commitments.inventory[0]: console 2026-04-30`)
    expect(sp!.renewal.renewMonthlyCost).toBeCloseTo(5.5 * 730, 2)
    expect(sp!.renewal.renewSource).toMatch(/^hourly commitment x 730 h: .*commitments\.inventory\[0\]/)
    expect(sp!.renewal.monthlyDifference).toBeCloseTo(sp!.renewal.notRenewingMonthlyCost - 5.5 * 730, 1)
    expect(status.notes).toContainEqual(expect.stringMatching(/ends 2026-06-30 \(in 60 days\)/))
    expect(status.notes).toContainEqual(expect.stringMatching(/commitments\.inventory names sp-gone, not in the bill/))
    const table = await runCli(['commitments', 'status', '--config', config], {
      env: {FINOPS_DB: db, FINOPS_NOW: '2026-05-01T12:00:00Z'},
      cwd: tmp.dir,
    })
    expect(table.stdout).toMatch(/2026-06-30 \(60 d\)/)
    expect(table.stdout).toMatch(/Where each commitment figure comes from/)
    // An end that is not a day is refused with the field named, before the store is read.
    fs.writeFileSync(config, 'commitments:\n  inventory:\n    - {id: sp-1, end: 2026-13-01}\n')
    const bad = await runCli(['commitments', 'status', '--config', config], {env: {FINOPS_DB: db}, cwd: tmp.dir})
    expect(bad.code).not.toBe(0)
    expect(bad.stderr.trim().split('\n')).toHaveLength(1)
    expect(bad.stderr).toMatch(/commitments\.inventory\.0\.end|inventory\[0\]\.end|inventory.*end/)
  })

  test('bad input is one line and a non-zero exit; the store is left as it was', async () => {
    const before = hash(db)
    const reversed = await cli('commitments', 'status', '--from', '2026-04-10', '--to', '2026-04-01')
    expect(reversed.code).toBe(2)
    expect(reversed.stderr.trim().split('\n')[0]).toMatch(/after/)
    const notADate = await cli('commitments', 'status', '--from', "2026-04-01'; DROP TABLE cost_keys;--")
    expect(notADate.code).toBe(2)
    expect(notADate.stderr).not.toMatch(/\n\s+at /)
    const missing = await cli('commitments', 'status', '--db', path.join(tmp.dir, 'none.db'))
    expect(missing.code).not.toBe(0)
    expect(fs.existsSync(path.join(tmp.dir, 'none.db'))).toBe(false)
    expect(hash(db)).toBe(before)
  })

  test('a store without commitment-eligible usage says so and how to get it', async () => {
    const other = tempDir('finops-commitments-empty-')
    try {
      const csv = path.join(other.dir, 'storage.csv')
      fs.writeFileSync(
        csv,
        'BilledCost,EffectiveCost,BillingAccountId,BillingCurrency,BillingPeriodStart,ChargeCategory,ChargePeriodStart,ProviderName,ServiceCategory,' +
          'ServiceName\n' +
          '5,5,a,USD,2026-04-01,Usage,2026-04-01T00:00:00Z,AWS,Storage,Amazon S3\n',
      )
      const store = path.join(other.dir, 'f.db')
      expect((await runCli(['collect', 'focus', csv, '--db', store])).code).toBe(0)
      const result = await runCli(['commitments', 'status', '--db', store])
      expect(result.code).toBe(3)
      expect(result.stderr).toMatch(/no commitment-eligible usage/)
      expect(result.stderr).toMatch(/collect focus/)
    } finally {
      other.cleanup()
    }
  })
})
