import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import {afterAll, afterEach, beforeAll, beforeEach, describe, expect, test} from 'vitest'

import {
  alertCheckSchema,
  anomalyAckSchema,
  anomalyUnackSchema,
  anomalyListSchema,
  anomalyMuteSchema,
  anomalyUnmuteSchema,
} from '../../src/alerts/schemas.js'
import {syntheticRows} from '../helpers/cost-data.js'
import {writeFocusCsv} from '../helpers/focus-csv.js'
import {type CliResult, parseJson, runCli, tempDir} from '../helpers/cli.js'
import {type SlackReceiver, startSlackReceiver} from '../servers/slack-receiver.js'

const NOW = '2024-09-25'
/** Each test spawns the CLI 5 to 20 times: on a busy shared machine that takes minutes. */
const SLOW = 600_000
const seed = tempDir('finops-anomaly-e2e-')
const seedDb = path.join(seed.dir, 'seed.db')

// Three series with one anomaly each in the last days: EC2 on the 23rd, RDS and an Azure service on the 24th.
beforeAll(async () => {
  const rows = syntheticRows(
    [
      {account: '111', service: 'Amazon EC2', base: 300, spikes: {'2024-09-23': 1500}},
      {account: '222', service: 'Amazon RDS', base: 120, spikes: {'2024-09-24': 900}},
      {account: 'sub-9', service: 'Azure Functions', base: 200, spikes: {'2024-09-24': 700}},
    ],
    '2024-05-01',
    '2024-09-24',
  ).map((r) => (r.billingAccountId === 'sub-9' ? {...r, provider: 'Microsoft', regionId: 'westeurope'} : r))
  writeFocusCsv(path.join(seed.dir, 'focus.csv'), rows)
  const r = await runCli(['collect', 'focus', path.join(seed.dir, 'focus.csv')], {
    env: {FINOPS_DB: seedDb, FINOPS_NOW: NOW},
  })
  expect(r.code, r.stderr).toBe(0)
}, SLOW)
afterAll(() => seed.cleanup())

const list = (r: CliResult) => anomalyListSchema.parse(parseJson(r))
const check = (r: CliResult) => alertCheckSchema.parse(parseJson(r))
const sha = (file: string): string => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex')

describe('finops anomaly list, ack, mute (built CLI)', () => {
  let slack: SlackReceiver
  let work: {dir: string; cleanup: () => void}
  let db: string
  let env: Record<string, string | undefined>
  beforeEach(async () => {
    slack = await startSlackReceiver()
    work = tempDir('finops-anomaly-run-')
    db = path.join(work.dir, 'finops.db')
    fs.copyFileSync(seedDb, db)
    env = {FINOPS_DB: db, FINOPS_NOW: NOW, FINOPS_SLACK_WEBHOOK_URL: slack.url}
  })
  afterEach(async () => {
    await slack.close()
    work.cleanup()
  })
  const cli = (...args: string[]): Promise<CliResult> => runCli(args, {env, cwd: work.dir})
  const anomalies = async (...args: string[]) => {
    const r = await cli('anomaly', 'list', '--json', ...args)
    expect(r.code, r.stderr).toBe(0)
    return list(r)
  }
  const posted = (): string[] => slack.posts.map((post) => JSON.stringify(post.body))

  test(
    'lists each anomaly once with a stable id, the same id alert check reports; filters by provider, service, day and status',
    async () => {
      const all = await anomalies()
      const bySeries = new Map(all.anomalies.map((a) => [a.keys.join('/'), a]))
      expect([...bySeries.keys()].sort()).toEqual(['111/Amazon EC2', '222/Amazon RDS', 'sub-9/Azure Functions'])
      expect(bySeries.get('111/Amazon EC2')).toMatchObject({day: '2024-09-23', direction: 'spike', status: 'new'})
      expect(bySeries.get('sub-9/Azure Functions')!.providers).toEqual(['Microsoft'])
      expect(all.anomalies.map((a) => a.id)).toEqual((await anomalies()).anomalies.map((a) => a.id))

      const dry = check(await cli('alert', 'check', '--dry-run', '--json'))
      expect(dry.anomalies.found.map((a) => a.id).sort()).toEqual(all.anomalies.map((a) => a.id).sort())

      expect((await anomalies('--provider', 'Microsoft')).anomalies.map((a) => a.keys[1])).toEqual(['Azure Functions'])
      expect((await anomalies('--service', 'Amazon RDS,Amazon EC2')).anomalies.map((a) => a.keys[0]).sort()).toEqual([
        '111',
        '222',
      ])
      expect((await anomalies('--from', '2024-09-24')).anomalies.every((a) => a.day === '2024-09-24')).toBe(true)
      expect((await anomalies('--to', '2024-09-23')).anomalies.map((a) => a.keys[0])).toEqual(['111'])
      expect((await anomalies('--status', 'acknowledged')).anomalies).toEqual([])

      const table = await cli('anomaly', 'list')
      expect(table.code).toBe(0)
      expect(table.stdout).toContain(bySeries.get('222/Amazon RDS')!.id)
      expect(table.stdout).toContain('account=222, service=Amazon RDS')
    },
    SLOW,
  )

  test(
    'an acknowledged anomaly does not alert again, acknowledged before or after its alert; the id outlives re-detection',
    async () => {
      const first = check(await cli('alert', 'check', '--json'))
      expect(first.sent).toHaveLength(3)
      const rds = first.anomalies.found.find((a) => a.keys[1] === 'Amazon RDS')!
      expect((await anomalies('--status', 'sent')).anomalies).toHaveLength(3)

      const ack = await cli('anomaly', 'ack', rds.id, '--note', 'restore test', '--json')
      expect(ack.code, ack.stderr).toBe(0)
      expect(anomalyAckSchema.parse(parseJson(ack))).toMatchObject({
        changed: true,
        acknowledged: {id: rds.id, status: 'acknowledged', note: 'restore test'},
      })
      const again = await cli('anomaly', 'ack', rds.id, '--json')
      expect(anomalyAckSchema.parse(parseJson(again)).changed).toBe(false)

      const listed = await anomalies()
      expect(listed.anomalies.find((a) => a.id === rds.id)).toMatchObject({
        status: 'acknowledged',
        note: 'restore test',
      })

      // Acknowledged before it was ever posted: it never is. A fresh store whose alerts were never sent.
      fs.copyFileSync(seedDb, db)
      const ec2 = first.anomalies.found.find((a) => a.keys[1] === 'Amazon EC2')!
      expect((await cli('anomaly', 'ack', ec2.id)).code).toBe(0)
      const before = slack.posts.length
      const second = check(await cli('alert', 'check', '--json'))
      expect(second.anomalies.found.map((a) => a.id)).not.toContain(ec2.id)
      expect(second.anomalies.silenced).toEqual([{id: ec2.id, reason: 'acknowledged'}])
      expect(second.sent.map((s) => s.subject).sort()).toEqual([
        'account=222, service=Amazon RDS',
        'account=sub-9, service=Azure Functions',
      ])
      expect(posted().slice(before).join()).not.toContain('Amazon EC2')
    },
    SLOW,
  )

  test(
    'unack takes an acknowledgement back: the anomaly alerts in the next alert check; one already posted is not posted twice',
    async () => {
      const found = check(await cli('alert', 'check', '--dry-run', '--json')).anomalies.found
      const ec2 = found.find((a) => a.keys[1] === 'Amazon EC2')!
      expect((await cli('anomaly', 'ack', ec2.id, '--note', 'load test')).code).toBe(0)
      const silenced = check(await cli('alert', 'check', '--json'))
      expect(silenced.anomalies.silenced).toEqual([{id: ec2.id, reason: 'acknowledged'}])
      expect(posted().join()).not.toContain('Amazon EC2')

      const unack = await cli('anomaly', 'unack', ec2.id, '--json')
      expect(unack.code, unack.stderr).toBe(0)
      const back = anomalyUnackSchema.parse(parseJson(unack)).unacknowledged
      expect(back).toMatchObject({id: ec2.id, status: 'new'})
      expect(back.acknowledgedAt).toBeUndefined()
      expect(back.note).toBeUndefined()
      expect((await anomalies('--status', 'acknowledged')).anomalies).toEqual([])

      const before = slack.posts.length
      const after = check(await cli('alert', 'check', '--json'))
      expect(after.anomalies.silenced).toEqual([])
      expect(after.sent.map((s) => s.subject)).toEqual(['account=111, service=Amazon EC2'])
      expect(posted().slice(before).join()).toContain('Amazon EC2')

      // Sent, acknowledged, then taken back: listed as sent, and never posted a second time.
      expect((await cli('anomaly', 'ack', ec2.id)).code).toBe(0)
      const text = await cli('anomaly', 'unack', ec2.id)
      expect(text.code, text.stderr).toBe(0)
      expect(text.stdout).toContain('not posted again')
      const posts = slack.posts.length
      expect(check(await cli('alert', 'check', '--json')).sent).toEqual([])
      expect(slack.posts.length).toBe(posts)
      expect((await anomalies('--status', 'sent')).anomalies.map((a) => a.id)).toContain(ec2.id)

      // Not acknowledged (any more): not found, nothing changes.
      const unchanged = sha(db)
      const twice = await cli('anomaly', 'unack', ec2.id)
      expect(twice.code).toBe(8)
      expect(twice.stderr).toMatch(/is not acknowledged/)
      expect(sha(db)).toBe(unchanged)
    },
    SLOW,
  )

  test(
    'acknowledging an anomaly whose alert is still pending (Slack failing) drops that alert',
    async () => {
      fs.writeFileSync(path.join(work.dir, 'finops.yaml'), 'alerts:\n  slack:\n    retries: 0\n')
      slack.script({status: 500})
      const failing = check(await cli('alert', 'check', '--json'))
      expect(failing.sent).toEqual([])
      expect(failing.pendingAfter).toBe(3)
      const rds = failing.anomalies.found.find((a) => a.keys[1] === 'Amazon RDS')!
      expect((await anomalies('--status', 'pending')).anomalies).toHaveLength(3)
      expect((await cli('anomaly', 'ack', rds.id)).code).toBe(0)
      const retry = check(await cli('alert', 'check', '--json'))
      expect(retry.sent.map((s) => s.subject).sort()).toEqual([
        'account=111, service=Amazon EC2',
        'account=sub-9, service=Azure Functions',
      ])
      expect(retry.pendingAfter).toBe(0)
      expect(
        slack
          .delivered()
          .map((p) => JSON.stringify(p.body))
          .join(),
      ).not.toContain('Amazon RDS')
    },
    SLOW,
  )

  test(
    'a muted series (for good, until a day, or below an amount) raises no alert; unmute brings it back',
    async () => {
      const mute = await cli(
        'anomaly',
        'mute',
        '--series',
        'account=222',
        '--series',
        'service=Amazon RDS',
        '--until',
        '2024-10-31',
        '--json',
      )
      expect(mute.code, mute.stderr).toBe(0)
      expect(anomalyMuteSchema.parse(parseJson(mute)).muted).toMatchObject({
        keys: ['222', 'Amazon RDS'],
        until: '2024-10-31',
      })
      // A threshold under the anomaly's size mutes nothing of it.
      const ec2 = (await anomalies('--service', 'Amazon EC2')).anomalies[0]!
      expect((await cli('anomaly', 'mute', ec2.id, '--below', '100')).code).toBe(0)

      const r = check(await cli('alert', 'check', '--json'))
      expect(r.anomalies.silenced.map((s) => s.reason)).toEqual(['muted'])
      expect(r.sent.map((s) => s.subject).sort()).toEqual([
        'account=111, service=Amazon EC2',
        'account=sub-9, service=Azure Functions',
      ])
      const listed = await anomalies()
      expect(listed.anomalies.find((a) => a.keys[0] === '222')!.status).toBe('muted')
      expect(listed.mutes.map((m) => [m.keys[0], m.until, m.below])).toEqual([
        ['222', '2024-10-31', undefined],
        ['111', undefined, 100],
      ])

      const unmute = await cli(
        'anomaly',
        'unmute',
        '--series',
        'service=Amazon RDS',
        '--series',
        'account=222',
        '--json',
      )
      expect(unmute.code, unmute.stderr).toBe(0)
      expect(anomalyUnmuteSchema.parse(parseJson(unmute)).unmuted.keys).toEqual(['222', 'Amazon RDS'])
      const after = check(await cli('alert', 'check', '--json'))
      expect(after.sent.map((s) => s.subject)).toEqual(['account=222, service=Amazon RDS'])
    },
    SLOW,
  )

  test(
    'per-group settings in finops.yaml: a muted group, a group materiality; the --anomaly-level flag overrides a group level',
    async () => {
      fs.writeFileSync(
        path.join(work.dir, 'finops.yaml'),
        [
          'alerts:',
          '  anomalies:',
          '    groups:',
          '      - match: {provider: Microsoft}',
          '        mute: true',
          '      - match: {account: "111", service: Amazon EC2}',
          '        minImpact: 5000',
          '      - match: {service: Amazon RDS}',
          '        level: 99.99',
          '',
        ].join('\n'),
      )
      const r = check(await cli('alert', 'check', '--dry-run', '--json'))
      expect(r.anomalies.found.map((a) => [a.keys[1], a.level])).toEqual([['Amazon RDS', 99.99]])
      expect(r.anomalies.silenced.map((s) => s.reason)).toEqual(['muted'])
      const flagged = check(await cli('alert', 'check', '--dry-run', '--json', '--anomaly-level', '99.5'))
      expect(flagged.anomalies.found.find((a) => a.keys[1] === 'Amazon RDS')!.level).toBe(99.5)
      expect((await anomalies('--status', 'muted')).anomalies.map((a) => a.keys[1])).toEqual(['Azure Functions'])

      fs.writeFileSync(
        path.join(work.dir, 'finops.yaml'),
        'alerts:\n  anomalies:\n    groups:\n      - match: {team: core}\n        mute: true\n',
      )
      const bad = await cli('alert', 'check', '--dry-run')
      expect(bad.code).toBe(3)
      expect(bad.stderr).toContain('team')
      fs.writeFileSync(
        path.join(work.dir, 'finops.yaml'),
        'alerts:\n  anomalies:\n    groups:\n      - match: {service: ""}\n        mute: true\n',
      )
      expect((await cli('alert', 'check', '--dry-run')).code).toBe(3)
    },
    SLOW,
  )

  test(
    'anomaly list --anomaly-level judges the window at that band width, as alert check does; a bad value is a usage error',
    async () => {
      // Materiality off, so the band alone decides: a narrow band flags ordinary days, a wide one only the spikes.
      fs.writeFileSync(
        path.join(work.dir, 'finops.yaml'),
        'alerts:\n  anomalies:\n    minImpact: 0\n    minRelative: 0\n    minAccountShare: 0\n',
      )
      const ids = async (...args: string[]) => (await anomalies(...args)).anomalies.map((a) => a.id).sort()
      const narrow = await ids('--anomaly-level', '80')
      const wide = await ids('--anomaly-level', '99.99')
      expect(wide.length).toBeGreaterThanOrEqual(3)
      expect(narrow.length).toBeGreaterThan(wide.length + 5)
      expect(narrow).toEqual(expect.arrayContaining(wide))
      // The same level gives the same anomalies in alert check (its last 3 days).
      const checked = check(await cli('alert', 'check', '--dry-run', '--json', '--anomaly-level', '80'))
      const lastDays = (await anomalies('--anomaly-level', '80', '--from', '2024-09-22')).anomalies
      expect(checked.anomalies.found.map((a) => a.id).sort()).toEqual(lastDays.map((a) => a.id).sort())
      const before = sha(db)
      // Hex and exponents are refused like everywhere else, not read as 80 or 100.
      for (const bad of ['0x50', '8e1', '79.9', '100', 'NaN', '', ' ']) {
        for (const command of [
          ['anomaly', 'list'],
          ['alert', 'check', '--dry-run'],
        ]) {
          const r = await cli(...command, '--anomaly-level', bad)
          expect(r.code, `${command.join(' ')} --anomaly-level "${bad}"`).toBe(2)
          expect(r.stderr.trim().split('\n')).toEqual([expect.stringContaining('--anomaly-level')])
        }
      }
      expect(sha(db)).toBe(before)
    },
    SLOW,
  )

  test(
    'blank or malformed ids and selectors are usage errors, unknown ones not found; the store is unchanged',
    async () => {
      const before = sha(db)
      const ec2 = (await anomalies('--service', 'Amazon EC2')).anomalies[0]!
      const cases: [string[], number, RegExp][] = [
        [['anomaly', 'ack', ''], 2, /empty/],
        [['anomaly', 'ack', '   '], 2, /empty/],
        [['anomaly', 'ack', 'EC2'], 2, /not an anomaly id/],
        [['anomaly', 'ack', 'an-000000000000'], 8, /no anomaly with id/],
        [['anomaly', 'unack', ''], 2, /empty/],
        [['anomaly', 'unack', 'EC2'], 2, /not an anomaly id/],
        [['anomaly', 'unack', 'an-000000000000'], 8, /no acknowledged anomaly/],
        [['anomaly', 'unack', ec2.id], 8, /no acknowledged anomaly/],
        [['anomaly', 'mute'], 2, /name the series/],
        [['anomaly', 'mute', '--series', ''], 2, /empty/],
        [['anomaly', 'mute', '--series', 'account=222'], 2, /one value for each of account, service/],
        [['anomaly', 'mute', '--series', 'account=', '--series', 'service=Amazon RDS'], 2, /./],
        [['anomaly', 'mute', ec2.id, '--series', 'account=111'], 2, /not both/],
        [['anomaly', 'mute', '--series', 'account=999', '--series', 'service=Amazon RDS'], 8, /no cost/],
        [['anomaly', 'mute', ec2.id, '--until', '2024-01-01'], 2, /in the past/],
        [['anomaly', 'mute', ec2.id, '--below', '0'], 2, /--below/],
        [['anomaly', 'mute', ec2.id, '--below', '1,5'], 2, /--below/],
        [['anomaly', 'unmute', ec2.id], 8, /not muted/],
        [['anomaly', 'unmute', '--series', 'account=111', '--series', 'service=Amazon EC2'], 8, /not muted/],
        [['anomaly', 'list', '--status', 'bogus'], 2, /unknown status/],
        [['anomaly', 'list', '--service', ''], 2, /empty/],
        [['anomaly', 'list', '--provider', 'AWS,'], 2, /empty/],
        [['anomaly', 'list', '--from', '2024-09-24', '--to', '2024-09-01'], 2, /after/],
      ]
      for (const [args, code, message] of cases) {
        const r = await cli(...args)
        expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(code)
        expect(r.stderr, args.join(' ')).toMatch(message)
        expect(r.stderr).not.toMatch(/\n\s+at /)
        expect(sha(db), args.join(' ')).toBe(before)
      }
      expect(sha(db)).toBe(before)
    },
    SLOW,
  )
})
