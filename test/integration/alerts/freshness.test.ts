import {afterEach, beforeEach, describe, expect, test} from 'vitest'

import {forecastBudgetScope} from '../../../src/alerts/budget-forecast.js'
import {checkAlerts} from '../../../src/alerts/check.js'
import {parseConfig} from '../../../src/config/index.js'
import {replaceCosts} from '../../../src/store/cost-writer.js'
import type {DailyCostRow} from '../../../src/model/cost.js'
import {syntheticRows} from '../../helpers/cost-data.js'
import {tempStore, type TempStore} from '../../helpers/store.js'
import {type SlackReceiver, startSlackReceiver} from '../../servers/slack-receiver.js'

const config = parseConfig({}).alerts
const noWait = {sleep: async () => undefined}

function load(db: TempStore['db'], rows: DailyCostRow[]): void {
  replaceCosts(db, [], rows, {
    source: 'test',
    location: 'synthetic',
    startedAt: new Date().toISOString(),
    rowsRead: rows.length,
    rowsSkipped: 0,
  })
}

describe('alert check on billing data that stopped arriving', () => {
  let store: TempStore
  let slack: SlackReceiver
  beforeEach(async () => {
    store = tempStore()
    slack = await startSlackReceiver()
    // AWS delivered up to 2025-06-02; GCP is current.
    load(store.db, [
      ...syntheticRows([{account: '111', service: 'Amazon EC2', base: 300}], '2025-01-01', '2025-06-02'),
      ...syntheticRows([{account: 'p-1', service: 'BigQuery', base: 80}], '2026-08-01', '2026-11-28').map((r) => ({
        ...r,
        provider: 'Google Cloud',
      })),
    ])
  })
  afterEach(async () => {
    store.cleanup()
    await slack.close()
  })

  const run = (now: string, dryRun = false) =>
    checkAlerts(store.db, {
      config,
      forecaster: forecastBudgetScope,
      level: 80,
      dryRun,
      webhookUrl: slack.url,
      now,
      sendPolicy: noWait,
    })

  test('is a warning and one Slack message per provider and last day, never a silent "0 found"', async () => {
    const first = await run('2026-11-30')
    expect(first.stale).toEqual([{provider: 'AWS', lastDay: '2025-06-02', lagDays: 545, expectedLagDays: 2}])
    expect(first.warnings).toHaveLength(1)
    expect(first.warnings[0]).toMatch(/^billing data from AWS stops at 2025-06-02 \(545 days before yesterday/)
    expect(first.sent.filter((a) => a.kind === 'freshness')).toEqual([
      {
        key: 'freshness:"AWS":2025-06-02',
        kind: 'freshness',
        subject: 'AWS',
        summary: 'Billing data from AWS stops at 2025-06-02: 545 days old, usually within 2',
        attempts: 1,
      },
    ])
    expect(slack.delivered().map((p) => (p.body as {text: string}).text)).toContain(
      'Billing data from AWS stops at 2025-06-02: 545 days old, usually within 2',
    )
    expect(slack.posts.every((p) => p.problems.length === 0)).toBe(true)

    // The next day: still stale, still a warning, but not posted again.
    const second = await run('2026-12-01')
    expect(second.stale.map((s) => [s.provider, s.lagDays])).toEqual([['AWS', 546]])
    expect(second.warnings).toHaveLength(1)
    expect(second.sent.filter((a) => a.kind === 'freshness')).toEqual([])
    expect(slack.delivered().filter((p) => (p.body as {text: string}).text.startsWith('Billing data'))).toHaveLength(1)

    // Its export resumes, then stops again later: that is a new stop, said once more.
    load(store.db, syntheticRows([{account: '111', service: 'Amazon EC2', base: 300}], '2026-11-01', '2026-11-20'))
    const third = await run('2026-12-01')
    expect(third.sent.filter((a) => a.kind === 'freshness').map((a) => a.key)).toEqual(['freshness:"AWS":2026-11-20'])
  })

  test("data within each provider's usual lag raises nothing", async () => {
    const onTime = await run('2025-06-04', true)
    // On 2025-06-04 AWS (through 06-02) is 1 day behind yesterday; GCP has no data before that day yet.
    expect(onTime.stale).toEqual([])
    expect(onTime.warnings).toEqual([])
    expect((onTime.wouldPost ?? []).filter((a) => a.kind === 'freshness')).toEqual([])
  })
})
