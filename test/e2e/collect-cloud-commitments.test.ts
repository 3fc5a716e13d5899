import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {commitmentsStatusSchema} from '../../src/commitments/schemas.js'
import {parseJson, runCli, tempDir} from '../helpers/cli.js'
import {isolatedCloudEnv} from '../helpers/cloud-env.js'
import {
  CE_ACCESS_KEY,
  type CeServer,
  commitmentLedger,
  PLAN_ARN,
  startCostExplorer,
} from '../servers/aws-cost-explorer.js'

/** The built CLI as users run it: collect aws from Cost Explorer, then read commitments from the store. */
const NOW = '2026-11-26'
let ce: CeServer
let tmp: {dir: string; cleanup: () => void}
let db: string
const env = () =>
  isolatedCloudEnv(tmp.dir, NOW, {
    AWS_ENDPOINT_URL_COST_EXPLORER: ce.url,
    AWS_ACCESS_KEY_ID: CE_ACCESS_KEY,
    AWS_SECRET_ACCESS_KEY: 'local-secret',
    AWS_REGION: 'us-east-1',
  })

beforeAll(async () => {
  tmp = tempDir('finops-e2e-cloud-commit-')
  db = path.join(tmp.dir, 'finops.db')
  ce = await startCostExplorer({pageDays: 31})
  ce.ledger = commitmentLedger('2026-08-01', '2026-11-25')
  ce.planAttributes = {[PLAN_ARN]: {SavingsPlansType: 'ComputeSavingsPlans'}}
  const collected = await runCli(['collect', 'aws', '--db', db, '--billing-account', '999999999999', '--json'], {
    env: env(),
  })
  expect(collected.code, collected.stderr).toBe(0)
})
afterAll(async () => {
  await ce.close()
  tmp.cleanup()
})

describe('finops collect aws, then commitments status and recommend --kind commitment (daily rows)', () => {
  it('commitments status --json follows its contract with the utilization and coverage Cost Explorer gives', async () => {
    const result = await runCli(
      ['commitments', 'status', '--db', db, '--from', '2026-11-01', '--to', '2026-11-25', '--json'],
      {env: env()},
    )
    expect(result.code, result.stderr).toBe(0)
    const status = commitmentsStatusSchema.parse(parseJson(result))
    expect(status.window).toEqual({from: '2026-11-01', to: '2026-11-25', hours: 600})
    const plan = status.commitments.find((c) => c.id === PLAN_ARN)!
    expect(plan).toMatchObject({usedCost: 787.5, unusedCost: 12.5, utilization: 31.5 / 32, netSavings: 325})
    // Per month at the usage seen: renewing costs 32/day, lapsing puts 45/day back on demand.
    expect(plan.renewal.renewMonthlyCost).toBeCloseTo((32 * 730) / 24, 2)
    expect(plan.renewal.notRenewingMonthlyCost).toBeCloseTo((45 * 730) / 24, 2)
    expect(status.totals[0]).toMatchObject({coverage: 60 / 76})
  })

  it('recommend --kind commitment sizes on the daily rows spread over their hours', async () => {
    const result = await runCli(['recommend', '--kind', 'commitment', '--db', db, '--json'], {env: env()})
    expect(result.code, result.stderr).toBe(0)
    const report = parseJson<{
      recommendations: {scope: {serviceName: string}; best: {hourlyCommitment: number} | null}[]
      skipped: {reason: string}[]
    }>(result)
    const ec2 = report.recommendations.find((r) => r.scope.serviceName === 'Amazon Elastic Compute Cloud - Compute')
    expect(ec2, JSON.stringify(report).slice(0, 2000)).toBeDefined()
    // Only the uncovered 10/day (0.42/h on demand, flat within each day) is there to commit, at a discount.
    expect(ec2!.best).not.toBeNull()
    expect(ec2!.best!.hourlyCommitment).toBeGreaterThan(0)
    expect(ec2!.best!.hourlyCommitment).toBeLessThanOrEqual(10 / 24)
  })
})
