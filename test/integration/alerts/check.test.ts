import path from 'node:path'
import {afterEach, beforeEach, describe, expect, test} from 'vitest'

import {forecastBudgetScope} from '../../../src/alerts/budget-forecast.js'
import {checkAlerts} from '../../../src/alerts/check.js'
import {parseConfig} from '../../../src/config/index.js'
import {listAlerts, pendingAlerts} from '../../../src/store/alerts.js'
import {removeBudget, upsertBudget} from '../../../src/store/budgets.js'
import {replaceCosts} from '../../../src/store/cost-writer.js'
import {type Db, openStore} from '../../../src/store/open.js'
import {tempDir} from '../../helpers/cli.js'
import {type SlackReceiver, startSlackReceiver} from '../../servers/slack-receiver.js'
import {syntheticRows} from '../../helpers/cost-data.js'

const NOW = '2024-09-25'
const config = parseConfig({}).alerts
const noWait = {sleep: async () => undefined}

describe('checkAlerts with a real store and a local Slack receiver', () => {
  let db: Db
  let dbFile: string
  let slack: SlackReceiver
  let cleanup: () => void
  beforeEach(async () => {
    const tmp = tempDir()
    cleanup = tmp.cleanup
    dbFile = path.join(tmp.dir, 'finops.db')
    db = openStore(dbFile)
    const rows = syntheticRows(
      [
        {account: '111', service: 'Amazon EC2', base: 300},
        {account: '222', service: 'Amazon RDS', base: 120, spikes: {'2024-09-24': 900}},
      ],
      '2024-06-01',
      '2024-09-24',
    )
    replaceCosts(
      db,
      [
        {kind: 'days', source: 'test', provider: 'AWS', billingAccountId: '111', from: '2024-06-01', to: '2024-09-24'},
        {kind: 'days', source: 'test', provider: 'AWS', billingAccountId: '222', from: '2024-06-01', to: '2024-09-24'},
      ],
      rows,
      {
        source: 'test',
        location: 'synthetic',
        startedAt: new Date().toISOString(),
        rowsRead: rows.length,
        rowsSkipped: 0,
      },
    )
    upsertBudget(db, {
      name: 'all',
      amount: 12000,
      period: 'monthly',
      metric: 'billed',
      filters: [],
      thresholds: [
        {kind: 'actual', percent: 80},
        {kind: 'forecast', percent: 100},
      ],
    })
    upsertBudget(db, {
      name: 'ec2',
      amount: 50000,
      period: 'monthly',
      metric: 'billed',
      filters: ['service=Amazon EC2'],
      thresholds: [{kind: 'actual', percent: 80}],
    })
    slack = await startSlackReceiver()
  })
  afterEach(async () => {
    db.close()
    await slack.close()
    cleanup()
  })

  const run = (over: {dryRun?: boolean; retries?: number; store?: Db} = {}) =>
    checkAlerts(over.store ?? db, {
      config: {...config, slack: {...config.slack, retries: over.retries ?? 3}},
      forecaster: forecastBudgetScope,
      level: 80,
      dryRun: over.dryRun ?? false,
      webhookUrl: slack.url,
      now: NOW,
      sendPolicy: noWait,
    })

  test('posts each crossed threshold and the anomaly once; a second run posts nothing', async () => {
    const first = await run()
    expect(first.sent.map((a) => a.key).sort()).toEqual([
      'anomaly:[["account","service"],["222","Amazon RDS"],"USD"]:2024-09-24:spike',
      'budget:1:2024-09:actual:80',
      'budget:1:2024-09:forecast:100',
    ])
    expect(first.failed).toEqual([])
    expect(slack.delivered()).toHaveLength(3)
    expect(slack.posts.every((p) => p.problems.length === 0)).toBe(true)
    expect(first.budgets.find((b) => b.name === 'ec2')!.crossed).toEqual([])

    const second = await run()
    expect(second.sent).toEqual([])
    expect(second.alreadySent.sort()).toEqual(first.sent.map((a) => a.key).sort())
    expect(slack.posts).toHaveLength(3)
    expect(listAlerts(db).every((a) => a.status === 'sent' && a.sentAt !== undefined)).toBe(true)
  })

  test('Slack failing until the retries run out: alerts stay pending and the next run delivers them', async () => {
    slack.script(...Array.from({length: 3}, () => ({status: 503, body: 'service_unavailable'})))
    const failed = await run({retries: 2})
    expect(failed.sent).toEqual([])
    expect(failed.failed).toHaveLength(1)
    expect(failed.failed[0]).toMatchObject({attempts: 3, error: 'Slack answered 503 service_unavailable'})
    // After Slack kept failing, the others were not tried in this run.
    expect(failed.deferred).toHaveLength(2)
    expect(failed.pendingAfter).toBe(3)
    expect(
      pendingAlerts(db)
        .map((a) => a.attempts)
        .sort(),
    ).toEqual([0, 0, 3])
    expect(slack.delivered()).toEqual([])

    const next = await run()
    expect(next.sent).toHaveLength(3)
    expect(next.pendingAfter).toBe(0)
    expect(slack.delivered()).toHaveLength(3)
  })

  test('--dry-run returns the messages and records nothing', async () => {
    const dry = await run({dryRun: true})
    expect(dry.messages).toHaveLength(3)
    expect(dry.wouldPost).toHaveLength(3)
    expect(listAlerts(db)).toEqual([])
    expect(slack.posts).toEqual([])
    expect((await run()).sent).toHaveLength(3)
  })

  test('removing a budget drops its pending alerts; re-creating it alerts afresh', async () => {
    slack.script(...Array.from({length: 4}, () => ({status: 500})))
    await run({retries: 0})
    expect(pendingAlerts(db).length).toBe(3)
    removeBudget(db, 'all')
    expect(pendingAlerts(db).map((a) => a.kind)).toEqual(['anomaly'])
    upsertBudget(db, {
      name: 'all',
      amount: 12000,
      period: 'monthly',
      metric: 'billed',
      filters: [],
      thresholds: [{kind: 'actual', percent: 80}],
    })
    const next = await run()
    expect(next.sent.map((a) => a.key).sort()).toEqual([
      'anomaly:[["account","service"],["222","Amazon RDS"],"USD"]:2024-09-24:spike',
      'budget:3:2024-09:actual:80',
    ])
  })

  test('two runs at the same moment (CronJob and a manual check) post each alert once between them', async () => {
    const other = openStore(dbFile)
    try {
      const [a, b] = await Promise.all([run(), run({store: other})])
      const delivered = slack.delivered().map((p) => (p.body as {text: string}).text)
      expect(delivered).toHaveLength(3)
      expect(new Set(delivered).size).toBe(3)
      expect(a.sent.length + b.sent.length).toBe(3)
      expect((a.postedElsewhere?.length ?? 0) + (b.postedElsewhere?.length ?? 0)).toBeGreaterThan(0)
      expect(pendingAlerts(db)).toEqual([])
    } finally {
      other.close()
    }
  })
})
