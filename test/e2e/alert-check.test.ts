import fs from 'node:fs'
import path from 'node:path'
import {afterAll, afterEach, beforeAll, beforeEach, describe, expect, test} from 'vitest'

import {alertCheckSchema, budgetStatusSchema} from '../../src/alerts/schemas.js'
import {syntheticRows} from '../helpers/cost-data.js'
import {writeFocusCsv} from '../helpers/focus-csv.js'
import {type CliResult, parseJson, runCli, tempDir} from '../helpers/cli.js'
import {type SlackReceiver, startSlackReceiver} from '../servers/slack-receiver.js'

const NOW = '2024-09-25'
const seed = tempDir('finops-alert-e2e-')
const seedDb = path.join(seed.dir, 'seed.db')

// One store with history, a budget over its threshold and an anomaly; each test gets a copy.
beforeAll(async () => {
  writeFocusCsv(
    path.join(seed.dir, 'focus.csv'),
    syntheticRows(
      [
        {account: '111', service: 'Amazon EC2', base: 300},
        {account: '222', service: 'Amazon RDS', base: 120, spikes: {'2024-09-24': 900}},
      ],
      '2024-06-01',
      '2024-09-24',
    ),
  )
  const env = {FINOPS_DB: seedDb, FINOPS_NOW: NOW}
  expect((await runCli(['collect', 'focus', path.join(seed.dir, 'focus.csv')], {env})).code).toBe(0)
  const set = await runCli(
    ['budget', 'set', 'all', '--amount', '12000', '--actual-threshold', '80', '--forecast-threshold', '100'],
    {env},
  )
  expect(set.code, set.stderr).toBe(0)
})
afterAll(() => seed.cleanup())

/** The command's --json output, validated against its published schema. */
const check = (r: CliResult) => alertCheckSchema.parse(parseJson(r))

describe('finops alert check', () => {
  let slack: SlackReceiver
  let work: {dir: string; cleanup: () => void}
  let env: Record<string, string | undefined>
  beforeEach(async () => {
    slack = await startSlackReceiver()
    work = tempDir('finops-alert-run-')
    const db = path.join(work.dir, 'finops.db')
    fs.copyFileSync(seedDb, db)
    // Fewer retries than the default keep the failure paths short; the policy itself is unit-tested.
    fs.writeFileSync(path.join(work.dir, 'finops.yaml'), 'alerts:\n  slack:\n    retries: 1\n')
    env = {FINOPS_DB: db, FINOPS_NOW: NOW, FINOPS_SLACK_WEBHOOK_URL: slack.url}
  })
  afterEach(async () => {
    await slack.close()
    work.cleanup()
  })
  const cli = (...args: string[]): Promise<CliResult> => runCli(['alert', 'check', ...args], {env, cwd: work.dir})
  const noSecret = (r: CliResult): void => {
    expect(r.stdout).not.toContain(slack.secret)
    expect(r.stderr).not.toContain(slack.secret)
  }

  test('posts valid Block Kit messages for the crossed thresholds and the anomaly, once', async () => {
    const first = await cli()
    expect(first.code, first.stderr).toBe(0)
    noSecret(first)
    expect(first.stdout).toMatch(
      /Budget all 2024-09: [\d.]+% spent, forecast [\d.]+%; crossed actual 80%, forecast 100%/,
    )
    expect(first.stdout).toContain('Posted 3 alerts to Slack (webhook from $FINOPS_SLACK_WEBHOOK_URL)')
    expect(slack.posts).toHaveLength(3)
    expect(slack.posts.map((p) => p.problems)).toEqual([[], [], []])
    const texts = slack.posts.map((p) => (p.body as {text: string}).text)
    expect(texts.filter((t) => t.startsWith('Budget "all" 2024-09: actual spend'))).toHaveLength(1)
    expect(texts.filter((t) => t.startsWith('Budget "all" 2024-09: forecast period-end spend'))).toHaveLength(1)
    expect(
      texts.filter((t) => t.startsWith('Spend spike on 2024-09-24 for account=222, service=Amazon RDS')),
    ).toHaveLength(1)

    const second = await cli('--json')
    expect(second.code).toBe(0)
    const result = check(second)
    expect(result.sent).toEqual([])
    expect(result.alreadySent).toHaveLength(3)
    expect(slack.posts).toHaveLength(3)
  })

  test('429 with Retry-After, then success: delivered in the same run', async () => {
    slack.script({status: 429, body: 'rate_limited', headers: {'Retry-After': '1'}})
    const r = await cli('--json', '--no-anomalies')
    expect(r.code, r.stderr).toBe(0)
    const result = check(r)
    expect(result.sent.map((a) => a.attempts)).toEqual([2, 1])
    expect(slack.posts.map((p) => p.status)).toEqual([429, 200, 200])
  })

  test('Slack failing until retries run out: exit 6, alerts pending, the next run delivers them', async () => {
    slack.script(...Array.from({length: 2}, () => ({status: 500, body: 'internal_error'})))
    const failed = await cli()
    expect(failed.code).toBe(6)
    noSecret(failed)
    expect(failed.stderr.trim()).toBe(
      'Error: 1 alert could not be posted (Slack answered 500 internal_error); 3 pending, retried on the next run',
    )
    expect(slack.delivered()).toEqual([])
    // The pending alerts and their last errors are in the store; the webhook URL is not (WAL included).
    for (const file of [env.FINOPS_DB!, `${env.FINOPS_DB!}-wal`].filter((f) => fs.existsSync(f))) {
      expect(fs.readFileSync(file).includes(slack.secret), file).toBe(false)
    }

    const next = await cli('--json')
    expect(next.code, next.stderr).toBe(0)
    expect(check(next)).toMatchObject({failed: [], pendingAfter: 0})
    expect(slack.delivered()).toHaveLength(3)
  })

  test('some delivered, then Slack fails: exit 7 (partial)', async () => {
    slack.script({status: 200, body: 'ok'}, {status: 502}, {status: 502})
    const r = await cli('--json')
    expect(r.code).toBe(7)
    const result = check(r)
    expect(result.sent).toHaveLength(1)
    expect(result.failed).toHaveLength(1)
    expect(result.deferred).toHaveLength(1)
    expect(result.pendingAfter).toBe(2)
  })

  test('--dry-run prints the payloads and records nothing', async () => {
    const dry = await cli('--dry-run')
    expect(dry.code, dry.stderr).toBe(0)
    expect(dry.stdout).toContain('Dry run: 3 message(s) would be posted:')
    expect(dry.stdout).toContain('"type": "header"')
    expect(slack.posts).toEqual([])
    expect((await cli()).code).toBe(0)
    expect(slack.delivered()).toHaveLength(3)
  })

  test('no webhook: one line saying how to set one, exit 3, nothing recorded', async () => {
    const missing = await runCli(['alert', 'check'], {
      env: {...env, FINOPS_SLACK_WEBHOOK_URL: undefined},
      cwd: work.dir,
    })
    expect(missing.code).toBe(3)
    expect(missing.stderr.trim().split('\n')).toHaveLength(1)
    expect(missing.stderr).toMatch(
      /^Error: no Slack webhook configured \(set FINOPS_SLACK_WEBHOOK_URL, pass --webhook-file PATH/,
    )
    // Nothing was queued: a later dry run still sees three new alerts.
    const dry = check(await cli('--dry-run', '--json'))
    expect(dry.wouldPost).toHaveLength(3)
  })

  test('--anomaly-level sets the anomaly band width for one run; a bad value is a usage error before anything runs', async () => {
    const wide = check(await cli('--dry-run', '--json', '--anomaly-level', '99.99'))
    expect(wide.anomalies.found.map((a) => [a.day, a.level])).toEqual([['2024-09-24', 99.99]])
    const narrow = check(await cli('--dry-run', '--json', '--anomaly-level', '80'))
    expect(narrow.anomalies.found.every((a) => a.level === 80)).toBe(true)
    // A narrower band is never further from the expected day than a wider one.
    const spike = (r: typeof wide) => r.anomalies.found.find((a) => a.day === '2024-09-24')!
    expect(spike(narrow).upper).toBeLessThan(spike(wide).upper)
    for (const bad of ['50', '100', 'abc', ' ']) {
      const r = await cli('--anomaly-level', bad)
      expect(r.code, bad).toBe(2)
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
      expect(r.stderr).toContain('--anomaly-level')
    }
    expect(slack.posts).toEqual([])
  })

  test('billing data older than its usual lag: alert check and budget status warn on one line and exit 7 (partial)', async () => {
    // The seed's data stops at 2024-09-24; two months later the export has clearly stopped arriving.
    const late = {...env, FINOPS_NOW: '2024-11-25'}
    const human = await runCli(['alert', 'check', '--dry-run'], {env: late, cwd: work.dir})
    expect(human.code, human.stderr).toBe(7)
    expect(human.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^Warning: billing data from AWS stops at 2024-09-24 \(61 days before yesterday; expected within 2\)/,
      ),
    ])
    expect(human.stdout).toMatch(/not judged after the newest day of AWS \(2024-09-24\): its data is late/)
    const json = check(await runCli(['alert', 'check', '--dry-run', '--json'], {env: late, cwd: work.dir}))
    expect(json.stale).toEqual([{provider: 'AWS', lastDay: '2024-09-24', lagDays: 61, expectedLagDays: 2}])
    expect(json.wouldPost!.filter((a) => a.kind === 'freshness').map((a) => a.key)).toEqual([
      'freshness:"AWS":2024-09-24',
    ])
    const status = await runCli(['budget', 'status', '--json'], {env: late, cwd: work.dir})
    expect(status.code, status.stderr).toBe(7)
    const parsed = budgetStatusSchema.parse(parseJson(status))
    expect(parsed.stale.map((s) => s.provider)).toEqual(['AWS'])
    expect(parsed.warnings).toHaveLength(1)
    // On time (the seed's own "now"), neither command warns.
    const onTime = await runCli(['budget', 'status'], {env, cwd: work.dir})
    expect(onTime.code, onTime.stderr).toBe(0)
    expect(onTime.stderr).toBe('')
    expect(slack.posts).toEqual([])
  })

  test('finops run on a store whose newest day is 18 months old: partial (exit 7) on every run, the late-data Slack message posted once', async () => {
    const late = {...env, FINOPS_NOW: '2026-03-25'}
    const runs = [await runCli(['run'], {env: late, cwd: work.dir}), await runCli(['run'], {env: late, cwd: work.dir})]
    for (const r of runs) {
      expect(r.code, r.stderr).toBe(7)
      const alerts = r.stdout
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as {step: string; event: string; status?: string; reason?: string})
        .find((e) => e.step === 'alerts' && e.event === 'finish')!
      expect(alerts.status).toBe('partial')
      expect(alerts.reason).toMatch(/billing data from AWS stops at 2024-09-24 \(546 days before yesterday/)
    }
    const freshness = slack.posts.filter((p) => JSON.stringify(p.body).includes('Billing data from AWS stop'))
    expect(freshness).toHaveLength(1)
    expect(JSON.stringify(freshness[0]!.body)).toContain('2024-09-24')
    noSecret(runs[0]!)
  }, 300_000)

  test('--webhook-file reads the URL from a mounted Secret file', async () => {
    const file = path.join(work.dir, 'slack-webhook-url')
    fs.writeFileSync(file, `${slack.url}\n`)
    const r = await runCli(['alert', 'check', '--webhook-file', file, '--no-anomalies'], {
      env: {...env, FINOPS_SLACK_WEBHOOK_URL: undefined},
      cwd: work.dir,
    })
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toContain(`webhook from --webhook-file ${file}`)
    noSecret(r)
    expect(slack.delivered()).toHaveLength(2)
  })
})
