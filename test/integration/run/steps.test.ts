import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {parseConfig} from '../../../src/config/index.js'
import {eachDay} from '../../../src/dates.js'
import type {CliInvoker} from '../../../src/run/cli-invoker.js'
import {runSteps, type StepContext} from '../../../src/run/steps.js'
import {replaceCosts} from '../../../src/store/costs.js'
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
})
