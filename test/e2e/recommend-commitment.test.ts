import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'

import {commandContracts} from '../../src/output/contracts.js'
import {ExitCode} from '../../src/exit-codes.js'
import {type CommitmentRecommendation, commitmentRecommendReportSchema} from '../../recommenders/commitment/schema.js'
import {writeCommitmentBill} from '../helpers/commitment-bill.js'
import {parseJson, runCli, tempDir} from '../helpers/cli.js'

/**
 * `finops recommend --kind commitment` as users run it: a FOCUS bill with commitment rows imported
 * through the built CLI, then the JSON contract, the sizing against what the bill holds, the skips
 * with their reasons, configured rates and hostile configurations.
 */
const tmp = tempDir('finops-recommend-commitment-e2e-')
const db = path.join(tmp.dir, 'finops.db')
const cli = (args: string[], env: Record<string, string> = {}) =>
  runCli(args, {env: {FINOPS_DB: db, ...env}, cwd: tmp.dir})
const hash = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex')

const DAYS = 75
const HOURS = DAYS * 24
const START = '2026-03-01'
// A daily cycle between 14 and 26 per hour on demand, a weekly dip, and a Savings Plan of 7/h at 30% off
// (it covers 10/h on demand): what is left to commit is the uncovered 4..16 per hour.
const steady = (h: number) =>
  20 + 6 * Math.sin((2 * Math.PI * h) / 24) - (Math.floor(h / 24) % 7 >= 5 ? 3 : 0) + ((h * 7919) % 13) / 13

let bills: Record<string, ReturnType<typeof writeCommitmentBill>>

beforeAll(async () => {
  const dir = path.join(tmp.dir, 'bills')
  fs.mkdirSync(dir)
  bills = {
    ec2: writeCommitmentBill(path.join(dir, 'ec2.csv'), {
      start: START,
      hours: HOURS,
      onDemand: steady,
      commitment: {id: 'arn:aws:savingsplans::111122223333:savingsplan/sp-1', hourly: 7, discount: 0.3},
      noise: true,
    }),
    // Declining: RDS at 12/h, stepping down to 4/h for the last ten days (a database moved away).
    rds: writeCommitmentBill(path.join(dir, 'rds.csv'), {
      start: START,
      hours: HOURS,
      service: 'Amazon Relational Database Service',
      serviceCategory: 'Databases',
      onDemand: (h) => (h < HOURS - 10 * 24 ? 12 : 4) + ((h * 31) % 7) / 10,
    }),
    // Two EKS control planes (0.10/h each): Compute in the bill, yet no Savings Plan or reservation covers them.
    eks: writeCommitmentBill(path.join(dir, 'eks.csv'), {
      start: START,
      hours: HOURS,
      service: 'Amazon Elastic Kubernetes Service',
      onDemand: () => 0.2,
    }),
    // Short history: SageMaker usage that started five days before the end.
    sagemaker: writeCommitmentBill(path.join(dir, 'sagemaker.csv'), {
      start: START,
      hours: HOURS,
      service: 'Amazon SageMaker',
      serviceCategory: 'AI and Machine Learning',
      onDemand: (h) => (h >= HOURS - 5 * 24 ? 9 : 0),
    }),
    // No eligible spend left: a commitment that covers every hour of this scope.
    covered: writeCommitmentBill(path.join(dir, 'covered.csv'), {
      start: START,
      hours: HOURS,
      region: 'eu-west-1',
      onDemand: () => 3,
      commitment: {id: 'arn:aws:savingsplans::111122223333:savingsplan/sp-2', hourly: 5, discount: 0.3},
    }),
  }
  const imported = await cli(['collect', 'focus', dir])
  expect(imported.code, imported.stderr).toBe(0)
}, 240_000)
afterAll(() => tmp.cleanup())

const scopeOf = (recs: readonly CommitmentRecommendation[], service: string, region = 'us-east-1') =>
  recs.find((r) => r.scope.serviceName === service && r.scope.regionId === region)

describe('finops recommend --kind commitment', () => {
  test('--json follows its published contract: options side by side, sized on what no commitment covers', async () => {
    const result = await cli(['recommend', '--kind', 'commitment', '--json'])
    expect(result.code, result.stderr).toBe(0)
    const json = parseJson(result)
    // The command's one published contract accepts it, and so does the commitment report schema itself.
    commandContracts.recommend.parse(json)
    const report = commitmentRecommendReportSchema.parse(json)

    const ec2 = scopeOf(report.recommendations, 'Amazon Elastic Compute Cloud')
    expect(ec2, JSON.stringify(report)).toBeDefined()
    expect(ec2!.options.map((o) => `${o.termYears}/${o.payment}`)).toEqual([
      '1/none',
      '1/partial',
      '1/all',
      '3/none',
      '3/partial',
      '3/all',
    ])
    // The Savings Plan in force covers 10/h on demand: what is left averages about 10.5/h.
    const uncoveredMean = (bills.ec2!.onDemand - bills.ec2!.covered) / HOURS
    expect(ec2!.recentOnDemandPerHour).toBeGreaterThan(uncoveredMean * 0.85)
    expect(ec2!.recentOnDemandPerHour).toBeLessThan(uncoveredMean * 1.15)
    for (const o of ec2!.options) {
      // Never more than the uncovered peak, and something on a steady profile.
      expect(o.coveredOnDemandPerHour).toBeGreaterThan(0)
      expect(o.coveredOnDemandPerHour).toBeLessThan(17.5)
      expect(o.hourlyCommitment).toBeCloseTo(o.coveredOnDemandPerHour * (1 - o.discount), 3)
      expect(o.expectedMonthlySavings).toBeGreaterThan(0)
      expect(o.rateSource).toMatch(/^default: AWS/)
      // Worth buying only when used more than it costs per dollar covered: utilization above 1 - discount.
      expect(o.expectedUtilization!).toBeGreaterThan(1 - o.discount)
      expect(o.expectedUtilization!).toBeLessThanOrEqual(1)
      expect(o.lossIfUsageFallsBy!).toBeGreaterThan(0)
    }
    // All upfront pays the whole term at purchase and breaks even later than no upfront.
    const oneAll = ec2!.options.find((o) => o.termYears === 1 && o.payment === 'all')!
    const oneNone = ec2!.options.find((o) => o.termYears === 1 && o.payment === 'none')!
    expect(oneAll.monthlyPayment).toBe(0)
    expect(oneAll.upfront).toBeGreaterThan(0)
    expect(oneAll.breakEvenMonth!).toBeGreaterThan(oneNone.breakEvenMonth!)
    expect(ec2!.best).not.toBeNull()
    expect(ec2!.best!.expectedMonthlySavings).toBe(Math.max(...ec2!.options.map((o) => o.expectedMonthlySavings)))

    expect(ec2!.program).toBe('AWS Compute Savings Plans')

    // Short history and a fully covered scope are skipped with their reasons, not given made-up numbers.
    const reasons = new Map(report.skipped.map((s) => [`${s.scope.serviceName} ${s.scope.regionId}`, s.reason]))
    // RDS is never priced at the Compute Savings Plan rate: without a reservation rate it is skipped, naming the entry.
    expect(scopeOf(report.recommendations, 'Amazon Relational Database Service')).toBeUndefined()
    expect(reasons.get('Amazon Relational Database Service us-east-1')).toMatch(
      /^no rate for Amazon RDS reserved instances: add a commitments\.rates entry with provider: AWS, service: Amazon Relational Database Service/,
    )
    // The EKS control-plane fee is listed as not eligible, with the reason.
    expect(reasons.get('Amazon Elastic Kubernetes Service us-east-1')).toMatch(
      /^not commitment-eligible: Amazon EKS cluster \(control plane\) fees/,
    )
    expect(reasons.get('Amazon SageMaker us-east-1')).toMatch(/short history: 5 days/)
    expect(reasons.get('Amazon Elastic Compute Cloud eu-west-1')).toMatch(/no uncovered eligible on-demand spend/)
    // Storage and spot are never eligible.
    const all = [...report.recommendations.map((r) => r.scope), ...report.skipped.map((s) => s.scope)]
    expect(all.some((s) => s.serviceCategory === 'Storage')).toBe(false)
    expect(report.totalExpectedMonthlySavings).toEqual([
      {
        currency: 'USD',
        amount: expect.closeTo(
          report.recommendations.reduce((t, r) => t + (r.best?.expectedMonthlySavings ?? 0), 0),
          1,
        ),
      },
    ])
  })

  test('the table and markdown print the options and where each rate came from', async () => {
    const [table, markdown] = await Promise.all([
      cli(['recommend', '--kind', 'commitment']),
      cli(['recommend', '--kind', 'commitment', '--markdown']),
    ])
    expect(table.code, table.stderr).toBe(0)
    expect(table.stdout).toMatch(/Amazon Elastic Compute Cloud us-east-1 .*commit \$[\d.]+\/h for/)
    expect(table.stdout).toMatch(/Rates: default: AWS/)
    expect(table.stdout).toMatch(/short history/)
    expect(markdown.code, markdown.stderr).toBe(0)
    expect(markdown.stdout).toMatch(/\| Term \| Upfront \|/)
  })

  test('configured rates replace the defaults and name the file and entry they came from', async () => {
    const config = path.join(tmp.dir, 'rates.yaml')
    fs.writeFileSync(
      config,
      [
        'commitments:',
        '  rates:',
        '    - {provider: AWS, termYears: 1, payment: none, discount: 0.35, source: "our EDP quote"}',
        '    - {provider: aws, service: Amazon Relational Database Service, termYears: 3, payment: all, discount: 0.6}',
        '',
      ].join('\n'),
    )
    const result = await cli(['recommend', '--kind', 'commitment', '--json', '--config', config])
    expect(result.code, result.stderr).toBe(0)
    const report = commitmentRecommendReportSchema.parse(parseJson(result))
    const ec2 = scopeOf(report.recommendations, 'Amazon Elastic Compute Cloud')!
    const oneNone = ec2.options.find((o) => o.termYears === 1 && o.payment === 'none')!
    expect(oneNone.discount).toBe(0.35)
    expect(oneNone.rateSource).toBe(`${config} commitments.rates[0] (AWS): our EDP quote`)
    expect(ec2.options.find((o) => o.termYears === 3 && o.payment === 'all')!.rateSource).toMatch(/^default: AWS/)
    // RDS is priced with its own reservation rate only (the provider-wide entry is the Savings Plan's).
    const rds = scopeOf(report.recommendations, 'Amazon Relational Database Service')!
    expect(rds.program).toBe('Amazon RDS reserved instances')
    expect(rds.options).toHaveLength(1)
    expect(rds.options[0]).toMatchObject({
      termYears: 3,
      payment: 'all',
      discount: 0.6,
      rateSource: `${config} commitments.rates[1] (aws, Amazon Relational Database Service)`,
    })
    // Declining usage: sized at most on the last week's level, and it says so.
    expect(rds.notes.join(' ')).toMatch(/usage is falling/)
    for (const o of rds.options) expect(o.coveredOnDemandPerHour).toBeLessThanOrEqual(4.7)
  })

  test('a cost of capital sizes upfront options on present values; a rate outside 0..1 is one line, exit 3', async () => {
    const config = path.join(tmp.dir, 'capital.yaml')
    const allUpfront = async (rate: string) => {
      fs.writeFileSync(config, `commitments:\n  costOfCapital: ${rate}\n`)
      const result = await cli(['recommend', '--kind', 'commitment', '--json', '--config', config])
      expect(result.code, result.stderr).toBe(0)
      const ec2 = scopeOf(
        commitmentRecommendReportSchema.parse(parseJson(result)).recommendations,
        'Amazon Elastic Compute Cloud',
      )!
      return ec2.options.find((o) => o.termYears === 3 && o.payment === 'all')!
    }
    // Three years paid at purchase against savings that come month by month: at 30% a year, less is worth buying.
    expect((await allUpfront('0.3')).coveredOnDemandPerHour).toBeLessThan(
      (await allUpfront('0')).coveredOnDemandPerHour,
    )
    fs.writeFileSync(config, 'commitments:\n  costOfCapital: -0.05\n')
    const before = hash(db)
    const refused = await cli(['recommend', '--kind', 'commitment', '--config', config])
    expect(refused.code).toBe(ExitCode.invalidInput)
    expect(refused.stderr.trim().split('\n')).toHaveLength(1)
    expect(refused.stderr).toMatch(/commitments\.costOfCapital: a yearly rate from 0 to 1/)
    expect(hash(db)).toBe(before)
  })

  test.each([
    ['a negative discount', '-0.2', /commitments\.rates\.0\.discount: .*above 0 and below 1/],
    ['NaN', '.nan', /commitments\.rates\.0\.discount/],
    ['a discount above 1', '1.5', /commitments\.rates\.0\.discount: .*above 0 and below 1/],
    ['a percentage string', '"30%"', /commitments\.rates\.0\.discount/],
    ['infinity', '.inf', /commitments\.rates\.0\.discount/],
  ])('a configured rate with %s is one line, exit 3, and the store is unchanged', async (_, discount, message) => {
    const config = path.join(tmp.dir, `hostile-${crypto.randomUUID()}.yaml`)
    fs.writeFileSync(
      config,
      `commitments:\n  rates:\n    - {provider: AWS, termYears: 1, payment: none, discount: ${discount}}\n`,
    )
    const before = hash(db)
    const result = await cli(['recommend', '--kind', 'commitment', '--config', config])
    expect(result.code).toBe(ExitCode.invalidInput)
    expect(result.stdout).toBe('')
    const lines = result.stderr.trim().split('\n')
    expect(lines, result.stderr).toHaveLength(1)
    expect(lines[0]).toMatch(message)
    expect(hash(db)).toBe(before)
  })

  test('duplicate or unknown rate entries are refused too', async () => {
    const config = path.join(tmp.dir, 'duplicate.yaml')
    fs.writeFileSync(
      config,
      [
        'commitments:',
        '  rates:',
        '    - {provider: AWS, termYears: 1, payment: none, discount: 0.3}',
        '    - {provider: aws, termYears: 1, payment: none, discount: 0.4}',
        '',
      ].join('\n'),
    )
    const duplicate = await cli(['recommend', '--kind', 'commitment', '--config', config])
    expect(duplicate.code).toBe(ExitCode.invalidInput)
    expect(duplicate.stderr).toMatch(/commitments\.rates\.1: the same provider, service, term and payment as entry 0/)
    fs.writeFileSync(
      config,
      'commitments:\n  rates:\n    - {provider: AWS, termYears: 2, payment: none, discount: 0.3}\n',
    )
    const term = await cli(['recommend', '--kind', 'commitment', '--config', config])
    expect(term.code).toBe(ExitCode.invalidInput)
    expect(term.stderr).toMatch(/commitments\.rates\.0\.termYears/)
  })

  test('cluster kinds and workload filters do not mix with commitments: one line, exit 2', async () => {
    const before = hash(db)
    const mixed = await cli(['recommend', '--kind', 'commitment,rightsize'])
    expect(mixed.code).toBe(ExitCode.usage)
    expect(mixed.stderr.trim()).toMatch(/^Error: commitment is sized on the bill and rightsize on the cluster/)
    const filtered = await cli(['recommend', '--kind', 'commitment', '--namespace', 'shop'])
    expect(filtered.code).toBe(ExitCode.usage)
    expect(filtered.stderr.trim()).toMatch(/^Error: --namespace selects workloads/)
    expect(hash(db)).toBe(before)
  })

  test('a --db path that does not exist is one line, exit 4, and nothing is created', async () => {
    const missing = path.join(tmp.dir, 'typo', 'finops.db')
    for (const argv of [
      ['recommend', '--kind', 'commitment'],
      ['commitments', 'status'],
    ]) {
      const result = await runCli([...argv, '--db', missing], {cwd: tmp.dir})
      expect(result.code, result.stderr).toBe(ExitCode.store)
      expect(result.stdout).toBe('')
      const lines = result.stderr.trim().split('\n')
      expect(lines).toHaveLength(1)
      expect(lines[0]).toContain(`no finops store at ${missing}`)
      expect(lines[0]).toMatch(/a store is created by finops collect/)
    }
    expect(fs.existsSync(path.join(tmp.dir, 'typo'))).toBe(false)
  })

  test('a store without commitment-eligible usage says what to import', async () => {
    const empty = path.join(tmp.dir, 'storage-only.db')
    const bill = path.join(tmp.dir, 'storage.csv')
    writeCommitmentBill(bill, {
      start: START,
      hours: 48,
      service: 'Amazon Simple Storage Service',
      serviceCategory: 'Storage',
      onDemand: () => 2,
    })
    const imported = await runCli(['collect', 'focus', bill, '--db', empty], {cwd: tmp.dir})
    expect(imported.code, imported.stderr).toBe(0)
    const result = await runCli(['recommend', '--kind', 'commitment', '--db', empty], {cwd: tmp.dir})
    expect(result.code).toBe(ExitCode.invalidInput)
    expect(result.stderr.trim()).toMatch(/^Error: the store holds no commitment-eligible usage.*finops collect focus/)
  })
})
