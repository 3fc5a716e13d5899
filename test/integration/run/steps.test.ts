import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {parseConfig} from '../../../src/config/index.js'
import {eachDay} from '../../../src/dates.js'
import type {CliInvoker} from '../../../src/run/cli-invoker.js'
import {runSteps, type StepContext} from '../../../src/run/steps.js'
import {replaceCosts} from '../../../src/store/cost-writer.js'
import type {Db} from '../../../src/store/open.js'
import {tempStore} from '../../helpers/index.js'

/** A build of finops with only some commands: the registry must treat the rest as absent. */
function partialBuild(
  commands: Record<string, {code: number; json?: unknown; message?: string}>,
): CliInvoker & {calls: string[][]} {
  const calls: string[][] = []
  return {
    calls,
    available: (id) => id in commands,
    run: async (argv) => {
      calls.push([...argv])
      return commands[argv.slice(0, argv[0] === 'forecast' ? 1 : 2).join(':')] ?? {code: 1}
    },
  }
}

describe('run steps and missing capabilities', () => {
  let db: Db
  let cleanup: () => void
  beforeEach(() => {
    ;({db, cleanup} = tempStore())
    const days = eachDay('2024-08-01', '2024-09-03')
    replaceCosts(
      db,
      [{kind: 'days', source: 'focus', provider: 'AWS', billingAccountId: '1', from: days[0]!, to: days.at(-1)!}],
      days.map((day) => ({
        day,
        billingPeriodStart: `${day.slice(0, 7)}-01`,
        provider: 'AWS',
        billingAccountId: '1',
        subAccountId: '',
        serviceName: 'EC2',
        serviceCategory: 'Compute',
        regionId: '',
        chargeCategory: 'Usage',
        chargeFrequency: 'Usage-Based',
        currency: 'USD',
        tags: {},
        billedCost: 10,
        effectiveCost: 10,
        listCost: 10,
        contractedCost: 0,
      })),
      {source: 'focus', location: 'test', startedAt: '2024-09-04T00:00:00Z', rowsRead: days.length, rowsSkipped: 0},
    )
  })
  afterEach(() => cleanup())

  const ctx = (cli: CliInvoker, raw: Record<string, unknown> = {}): StepContext => ({
    runId: 'run-x',
    config: parseConfig(raw),
    db,
    cli,
    outputs: {},
  })

  it('skips a step whose command is not in this build, with the reason, without calling it', async () => {
    const cli = partialBuild({})
    expect(await runSteps.forecast.run(ctx(cli))).toEqual({
      status: 'skipped',
      reason: 'finops forecast is not in this build',
    })
    expect(cli.calls).toEqual([])
  })

  it('passes run.args to the step and keeps its JSON for the metrics; a non-zero exit is a failure with the message', async () => {
    const ok = partialBuild({forecast: {code: 0, json: {currencies: []}}})
    const context = ctx(ok, {run: {args: {forecast: ['--horizon', '30']}}})
    expect(await runSteps.forecast.run(context)).toEqual({status: 'ok'})
    expect(ok.calls).toEqual([['forecast', '--horizon', '30']])
    expect(context.outputs.forecast).toEqual({currencies: []})
    const failing = partialBuild({forecast: {code: 3, message: 'bad data'}})
    expect(await runSteps.forecast.run(ctx(failing))).toEqual({
      status: 'failed',
      reason: 'finops forecast exited 3: bad data',
    })
  })

  it('skips forecasting while the history is shorter than forecast.minHistoryDays', async () => {
    const cli = partialBuild({forecast: {code: 0}})
    expect(await runSteps.forecast.run(ctx(cli, {forecast: {minHistoryDays: 60}}))).toEqual({
      status: 'skipped',
      reason: '34 days of cost data; forecasting needs 60 (forecast.minHistoryDays)',
    })
    expect(cli.calls).toEqual([])
  })
  it('without a webhook the alerts step is skipped, unless billing data is late: then it is partial and says so', async () => {
    const saved = {now: process.env.FINOPS_NOW, url: process.env.FINOPS_SLACK_WEBHOOK_URL}
    delete process.env.FINOPS_SLACK_WEBHOOK_URL
    try {
      const cli = partialBuild({'alert:check': {code: 0}})
      // Data through 2024-09-03: on 2024-09-05 AWS is one day behind yesterday, within its usual lag.
      process.env.FINOPS_NOW = '2024-09-05T06:00:00Z'
      expect(await runSteps.alerts.run(ctx(cli))).toEqual({
        status: 'skipped',
        reason: 'no Slack webhook configured (FINOPS_SLACK_WEBHOOK_URL or alerts.slack)',
      })
      process.env.FINOPS_NOW = '2024-10-15T06:00:00Z'
      expect(await runSteps.alerts.run(ctx(cli))).toEqual({
        status: 'partial',
        reason:
          'billing data from AWS stops at 2024-09-03 (41 days before yesterday; expected within 2): alerts and forecasts after that day are not ' +
          'judged; check that its export or collect still runs (no Slack webhook configured (FINOPS_SLACK_WEBHOOK_URL or alerts.slack))',
      })
      // Switched off in finops.yaml for a source that is no longer collected: skipped again.
      expect(await runSteps.alerts.run(ctx(cli, {alerts: {freshness: {ignore: ['AWS']}}}))).toMatchObject({
        status: 'skipped',
      })
      expect(cli.calls).toEqual([])
    } finally {
      for (const [key, value] of [
        ['FINOPS_NOW', saved.now],
        ['FINOPS_SLACK_WEBHOOK_URL', saved.url],
      ] as const)
        if (value === undefined) delete process.env[key]
        else process.env[key] = value
    }
  })
})
