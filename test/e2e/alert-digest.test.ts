import fs from 'node:fs'
import path from 'node:path'
import {afterAll, afterEach, beforeAll, beforeEach, describe, expect, it} from 'vitest'

import {alertDigestSchema, budgetStatusSchema} from '../../src/alerts/schemas.js'
import {costReportSchema, demoSchema} from '../../src/cost/schemas.js'
import {savingsReportSchema} from '../../src/savings/schemas.js'
import {parseJson, runCli, tempDir} from '../helpers/index.js'
import {type SlackReceiver, startSlackReceiver} from '../servers/slack-receiver.js'

/**
 * `finops alert digest` as users run it, on the demo store, against a local Slack webhook receiver
 * that checks each payload against Block Kit's limits.
 */
const NOW = '2026-11-01'

describe('alert digest (built CLI, local Slack receiver)', () => {
  let tmp: ReturnType<typeof tempDir>
  let demoDb: string
  let db: string
  let slack: SlackReceiver
  let caseNo = 0

  beforeAll(async () => {
    tmp = tempDir()
    const demo = await runCli(['demo', '--dir', path.join(tmp.dir, 'demo'), '--json'], {env: {FINOPS_NOW: NOW}})
    expect(demo.code, demo.stderr).toBe(0)
    demoDb = demoSchema.parse(parseJson(demo)).db
  }, 180_000)
  afterAll(() => tmp.cleanup())
  beforeEach(async () => {
    // Each case gets its own copy of the demo store, so what one sent does not leak into the next.
    db = path.join(tmp.dir, `case-${++caseNo}.db`)
    fs.copyFileSync(demoDb, db)
    slack = await startSlackReceiver()
  })
  afterEach(async () => slack.close())

  const digest = (args: string[] = [], env: Record<string, string> = {}) =>
    runCli(['alert', 'digest', '--db', db, ...args], {
      env: {FINOPS_NOW: NOW, FINOPS_SLACK_WEBHOOK_URL: slack.url, ...env},
    })

  it('its numbers are those of cost report and budget status for the same days', async () => {
    const dry = await digest(['--dry-run', '--json'])
    expect(dry.code, dry.stderr).toBe(0)
    const result = alertDigestSchema.parse(parseJson(dry))
    expect(result.status).toBe('would-send')
    const d = result.digest
    expect([d.week, d.from, d.to, d.previousFrom, d.previousTo]).toEqual([
      '2026-W44',
      '2026-10-25',
      '2026-10-31',
      '2026-10-18',
      '2026-10-24',
    ])

    const report = costReportSchema.parse(
      parseJson(
        await runCli(
          [
            'cost',
            'report',
            '--db',
            db,
            '--from',
            d.from,
            '--to',
            d.to,
            '-g',
            'provider,service',
            '--metric',
            'effective',
            '--json',
          ],
          {env: {FINOPS_NOW: NOW}},
        ),
      ),
    )
    expect(d.spend).toEqual(
      report.totals.map((t) => ({currency: t.currency, total: t.total, previousTotal: t.previousTotal})),
    )
    expect(d.movers.length).toBe(5)
    const changes = report.rows
      .map((r) => ({key: `${r.keys[0]}|${r.keys[1]}`, change: r.total - r.previousTotal, r}))
      .sort((a, b) => Math.abs(b.change) - Math.abs(a.change))
    expect(d.movers.map((m) => `${m.provider}|${m.service}`)).toEqual(changes.slice(0, 5).map((c) => c.key))
    for (const m of d.movers) {
      const row = report.rows.find((r) => r.keys[0] === m.provider && r.keys[1] === m.service)!
      expect([m.total, m.previousTotal]).toEqual([row.total, row.previousTotal])
    }

    const status = budgetStatusSchema.parse(
      parseJson(await runCli(['budget', 'status', '--db', db, '--json'], {env: {FINOPS_NOW: NOW}})),
    )
    expect(d.budgets.map((b) => b.name)).toEqual(status.budgets.map((b) => b.status.name))
    for (const b of d.budgets) {
      const s = status.budgets.find((x) => x.status.name === b.name)!.status
      expect([b.actual, b.amount, b.period, b.forecast?.mean, b.breachDate]).toEqual([
        s.actual,
        s.amount,
        s.periodLabel,
        s.forecast?.mean,
        s.breachDate,
      ])
    }
    // Realized savings are the ledger's, with the defaults of finops savings on the same day.
    const savings = savingsReportSchema.parse(
      parseJson(await runCli(['savings', '--db', db, '--json'], {env: {FINOPS_NOW: NOW}})),
    )
    expect(d.savings.realized.asOf).toBe(savings.asOf)
    expect(d.savings.realized.totals).toEqual(savings.totals)
    expect(d.savings.realized.byKind).toEqual(savings.byKind)
    expect(d.savings.realized.tracked).toBe(savings.actions.length > 0 || savings.commitments.length > 0)
    expect(d.savings.available[0]!.recommendations).toBeGreaterThan(0)
    expect(slack.posts).toEqual([])
  }, 180_000)

  it('posts once per ISO week: the re-run posts nothing, the next week posts again', async () => {
    const first = await digest(['--json'])
    expect(first.code, first.stderr).toBe(0)
    expect(alertDigestSchema.parse(parseJson(first)).status).toBe('sent')
    const again = await digest(['--json'], {FINOPS_NOW: '2026-10-29'})
    expect(again.code, again.stderr).toBe(0)
    expect(alertDigestSchema.parse(parseJson(again)).status).toBe('already-sent')
    expect(slack.delivered()).toHaveLength(1)

    const text = await digest([])
    expect(text.stdout).toMatch(/was already posted/)
    const nextWeek = await digest(['--json'], {FINOPS_NOW: '2026-11-04'})
    expect(alertDigestSchema.parse(parseJson(nextWeek))).toMatchObject({status: 'sent', digest: {week: '2026-W45'}})
    expect(slack.delivered()).toHaveLength(2)
    for (const out of [first, again, text, nextWeek]) expect(out.stdout + out.stderr).not.toContain(slack.secret)
  }, 180_000)

  it('a 429 with Retry-After then success delivers exactly once; 5xx until retries run out leaves it pending', async () => {
    slack.script({status: 429, body: 'rate_limited', headers: {'Retry-After': '1'}})
    const throttled = await digest(['--json'])
    expect(throttled.code, throttled.stderr).toBe(0)
    expect(alertDigestSchema.parse(parseJson(throttled))).toMatchObject({status: 'sent', attempts: 2})
    expect(slack.posts.map((p) => p.status)).toEqual([429, 200])
    expect(slack.delivered()).toHaveLength(1)

    const other = path.join(tmp.dir, 'failing.db')
    fs.copyFileSync(demoDb, other)
    slack.script(...Array.from({length: 4}, () => ({status: 503, body: 'service_unavailable'})))
    const cfg = path.join(tmp.dir, 'fast-retries.yaml')
    fs.writeFileSync(cfg, 'alerts:\n  slack:\n    retries: 3\n')
    const failing = await runCli(['alert', 'digest', '--db', other, '--config', cfg], {
      env: {FINOPS_NOW: NOW, FINOPS_SLACK_WEBHOOK_URL: slack.url},
    })
    expect(failing.code).toBe(6)
    expect(failing.stderr).toMatch(/Slack answered 503/)
    expect(failing.stdout + failing.stderr).not.toContain(slack.secret)
    const retried = await runCli(['alert', 'digest', '--db', other, '--json'], {
      env: {FINOPS_NOW: NOW, FINOPS_SLACK_WEBHOOK_URL: slack.url},
    })
    expect(alertDigestSchema.parse(parseJson(retried)).status).toBe('sent')
    expect(slack.delivered()).toHaveLength(2)
  }, 240_000)

  it('is valid Block Kit: a header, one section per part within 3000 characters, at most 50 blocks', async () => {
    fs.writeFileSync(
      path.join(tmp.dir, 'url.yaml'),
      'alerts:\n  digest:\n    reportUrl: https://finops.example.com/report.html\n',
    )
    const sent = await digest(['--json', '--config', path.join(tmp.dir, 'url.yaml')])
    expect(sent.code, sent.stderr).toBe(0)
    const [post] = slack.delivered()
    expect(post!.problems).toEqual([])
    const body = post!.body as {text: string; blocks: {type: string; text?: {text: string}}[]}
    expect(body.blocks.length).toBeLessThanOrEqual(50)
    expect(body.blocks.map((b) => b.type)).toEqual(['header', 'section', 'section', 'section', 'section', 'context'])
    const sections = body.blocks.filter((b) => b.type === 'section').map((b) => b.text!.text)
    for (const s of sections) {
      expect(s.length).toBeLessThanOrEqual(3000)
      expect(s).toContain('<https://finops.example.com/report.html|Open the report>')
    }
    expect(sections[0]).toMatch(/^\*Spend 2026-10-25 to 2026-10-31\*/)
    expect(sections[3]).toMatch(/available: \$[\d,.]+\/month from \d+ open recommendations/)
    expect(body.text).toMatch(/^Weekly cost digest 2026-W44/)
  }, 180_000)

  it('without a webhook: exit 3, one line, nothing recorded', async () => {
    const before = fs.readFileSync(db)
    const result = await runCli(['alert', 'digest', '--db', db], {
      env: {FINOPS_NOW: NOW, FINOPS_SLACK_WEBHOOK_URL: undefined},
    })
    expect(result.code).toBe(3)
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
    expect(fs.readFileSync(db).equals(before)).toBe(true)
  }, 30_000)
})
