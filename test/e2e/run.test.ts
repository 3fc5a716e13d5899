import {spawn} from 'node:child_process'
import fs from 'node:fs'
import http from 'node:http'
import type {AddressInfo} from 'node:net'
import path from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import type {ActionRecord} from '../../src/model/action.js'
import {ExitCode} from '../../src/exit-codes.js'
import type {RunLogEntry} from '../../src/run/log.js'
import {eachDay} from '../../src/dates.js'
import {upsertBudget} from '../../src/store/budgets.js'
import {replaceCosts} from '../../src/store/cost-writer.js'
import {queryDailyCosts} from '../../src/store/costs.js'
import {openStore} from '../../src/store/open.js'
import {saveRecommendations} from '../../src/store/recommendations.js'
import {rightsizeRec} from '../helpers/recommendations.js'
import {parseJson, repoRoot, runCli, tempDir} from '../helpers/cli.js'
import type {KubeApiServer} from '../servers/kube-api.js'
import {startHoldingProxy} from '../servers/kube-api-faults.js'
import {startFixtureKubeApi} from '../servers/kube-fixture.js'
import {type Pushgateway, startPushgateway} from '../servers/pushgateway.js'

let server: KubeApiServer
let dir: string
let cleanup: () => void

/** The container's environment: config from the ConfigMap, kubeconfig (in-cluster there), the store on the PVC. */
function containerEnv(config: string): {env: Record<string, string>; db: string} {
  const configFile = path.join(dir, 'finops.yaml')
  fs.writeFileSync(configFile, config)
  const kubeconfig = path.join(dir, 'kubeconfig')
  fs.writeFileSync(kubeconfig, server.kubeconfig({context: 'eks-demo'}))
  // Wednesday 22:00 UTC: midnight in Berlin, inside staging's downtime.
  return {
    env: {
      FINOPS_CONFIG: configFile,
      KUBECONFIG: kubeconfig,
      FINOPS_NOW: '2024-09-04T22:00:00Z',
      FINOPS_IDENTITY: 'system:serviceaccount:finops:finops',
      HOME: dir,
    },
    db: path.join(dir, 'data', 'finops.db'),
  }
}

const logLines = (stdout: string): RunLogEntry[] =>
  stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as RunLogEntry)

beforeEach(async () => {
  const tmp = tempDir()
  dir = tmp.dir
  cleanup = tmp.cleanup
  server = (await startFixtureKubeApi()).server
})

afterEach(async () => {
  await server.close()
  cleanup()
})

describe('finops run, as the CronJob runs it', () => {
  it('collects, recommends and applies per policy, one JSON log line per step, and the journal names the run', async () => {
    const {env, db} = containerEnv(
      'apply:\n  mode: enforce\n  kinds: [scale-down]\nrun:\n  steps: [collect, forecast, recommend, apply, alerts]\n',
    )
    const result = await runCli(['run', '--db', db], {env})
    const lines = logLines(result.stdout)
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0)
    const runId = lines[0]!.runId
    expect(runId).toMatch(/^run-\d{8}T\d{6}Z-[0-9a-f]{6}$/)
    expect(lines.every((l) => l.runId === runId)).toBe(true)
    expect(lines.map((l) => [l.step, l.status ?? l.event])).toEqual([
      ['run', 'start'],
      ['collect', 'ok'],
      ['forecast', 'skipped'],
      ['recommend', 'ok'],
      ['apply', 'ok'],
      ['alerts', 'skipped'],
      ['run', 'ok'],
    ])
    expect(lines.find((l) => l.step === 'forecast')!.reason).toBe('no cost data in the store yet')
    expect(lines.find((l) => l.step === 'apply')!.details).toMatchObject({mode: 'enforce', applied: 2, failed: 0})

    const web = server.get('apps/v1', 'Deployment', 'web', 'staging')!
    expect((web.spec as {replicas: number}).replicas).toBe(0)
    // kube-downscaler's annotation: either tool restores the other's scale-down.
    expect(web.metadata.annotations?.['downscaler/original-replicas']).toBe('2')
    const api = server.get('apps/v1', 'Deployment', 'api', 'staging')!
    expect((api.spec as {replicas: number}).replicas).toBe(1)
    expect((server.get('apps/v1', 'Deployment', 'worker', 'staging')!.spec as {replicas: number}).replicas).toBe(1)

    const actions = parseJson<{actions: ActionRecord[]}>(
      await runCli(['actions', 'list', '--db', db, '--json'], {env}),
    ).actions
    expect(actions.map((a) => [a.target.name, a.runId, a.identity, a.status]).sort()).toEqual([
      ['api', runId, 'system:serviceaccount:finops:finops', 'applied'],
      ['web', runId, 'system:serviceaccount:finops:finops', 'applied'],
    ])

    // The morning run restores the original replicas.
    const morning = await runCli(['run', '--db', db], {env: {...env, FINOPS_NOW: '2024-09-05T08:00:00Z'}})
    expect(morning.code, morning.stdout).toBe(0)
    expect((server.get('apps/v1', 'Deployment', 'web', 'staging')!.spec as {replicas: number}).replicas).toBe(2)
    expect((server.get('apps/v1', 'Deployment', 'api', 'staging')!.spec as {replicas: number}).replicas).toBe(2)
  })

  it('without a cluster or billing sources, skips those steps with the reason and succeeds', async () => {
    const {env, db} = containerEnv('apply:\n  mode: enforce\n')
    const bare = {...env, KUBECONFIG: undefined, KUBERNETES_SERVICE_HOST: undefined}
    const result = await runCli(['run', '--db', db], {env: bare})
    expect(result.code, result.stdout + result.stderr).toBe(0)
    const lines = logLines(result.stdout)
    expect(lines.filter((l) => l.step !== 'run').map((l) => [l.step, l.status])).toEqual([
      ['collect', 'skipped'],
      ['forecast', 'skipped'],
      ['recommend', 'skipped'],
      ['apply', 'skipped'],
      ['alerts', 'skipped'],
      ['report', 'skipped'],
      ['digest', 'skipped'],
      ['backup', 'skipped'],
    ])
    expect(lines.find((l) => l.step === 'apply')!.reason).toMatch(/^no Kubernetes cluster configured/)
    expect(lines.find((l) => l.step === 'backup')!.reason).toBe('backup.to is not set in finops.yaml')
    const apply = await runCli(['apply', '--db', db], {env: bare})
    expect(apply.code).toBe(ExitCode.invalidInput)
    expect(apply.stderr).toMatch(/^Error: no Kubernetes cluster configured \(set KUBECONFIG/)
  })

  it('exits locked while another run holds the lock, and takes over a stale one', async () => {
    const {env, db} = containerEnv('run:\n  steps: [apply]\n  lockTtlMinutes: 30\n')
    const store = openStore(db)
    const future = new Date(Date.now() + 3_600_000).toISOString()
    store
      .prepare('INSERT INTO run_locks (name, run_id, holder, acquired_at, expires_at) VALUES (?, ?, ?, ?, ?)')
      .run('run', 'run-other', 'pod-a pid 1', new Date().toISOString(), future)
    store.close()
    const locked = await runCli(['run', '--db', db], {env})
    expect(locked.code).toBe(ExitCode.locked)
    expect(logLines(locked.stdout).at(-1)).toMatchObject({step: 'run', status: 'locked'})
    expect(locked.stderr).toContain('another run holds the lock: run-other on pod-a pid 1')

    const again = openStore(db)
    again.prepare('UPDATE run_locks SET expires_at = ?').run(new Date(Date.now() - 1000).toISOString())
    again.close()
    const took = await runCli(['run', '--db', db], {env})
    expect(took.code, took.stdout + took.stderr).toBe(0)
    expect(logLines(took.stdout)[0]).toMatchObject({event: 'start', tookOverStaleLock: {runId: 'run-other'}})
    const after = openStore(db)
    expect(after.prepare('SELECT COUNT(*) FROM run_locks').pluck().get()).toBe(0)
    after.close()
  })

  it('on SIGTERM (the Job deadline) logs the stop and frees the lock for the next run', async () => {
    const {env, db} = containerEnv('run:\n  steps: [collect, apply]\n')
    const proxy = await startHoldingProxy(server.url)
    fs.writeFileSync(env.KUBECONFIG!, proxy.kubeconfig())
    try {
      const child = spawn(process.execPath, [path.join(repoRoot, 'bin', 'run.js'), 'run', '--db', db], {
        env: {...process.env, ...env, FINOPS_DB: undefined},
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      let stdout = ''
      child.stdout.on('data', (d: Buffer) => (stdout += d))
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
      // The collect step is mid-request when the deadline hits.
      await proxy.hold({method: 'GET', path: '/namespaces'})
      child.kill('SIGTERM')
      expect(await exited).toBe(143)
      expect(logLines(stdout).at(-1)).toMatchObject({step: 'run', status: 'failed', reason: 'stopped by SIGTERM'})
      const store = openStore(db)
      expect(store.prepare('SELECT COUNT(*) FROM run_locks').pluck().get()).toBe(0)
      store.close()
    } finally {
      await proxy.close()
    }
  })

  it('when recommend fails, applies no stored (stale) recommendation but still follows the schedules on the live cluster', async () => {
    const {env, db} = containerEnv('apply:\n  mode: enforce\n  kinds: [scale-down, rightsize]\n')
    const night = await runCli(['run', '--db', db], {env})
    expect(night.code, night.stdout + night.stderr).toBe(0)
    expect((server.get('apps/v1', 'Deployment', 'web', 'staging')!.spec as {replicas: number}).replicas).toBe(0)
    // A rightsizing from some earlier run is still in the store.
    const store = openStore(db)
    saveRecommendations(store, {
      kinds: ['rightsize'],
      namespaces: [],
      currency: 'USD',
      skipped: [],
      recommendations: [rightsizeRec('shop', 'cart', 'cart', {cpuRequest: 0.05, memoryRequest: 128 * 2 ** 20}, 30)],
    })
    store.close()
    const cart = JSON.stringify(server.get('apps/v1', 'Deployment', 'cart', 'shop')!.spec)

    // The morning run's recommend fails (here: a bad argument).
    fs.writeFileSync(
      env.FINOPS_CONFIG!,
      'apply:\n  mode: enforce\n  kinds: [scale-down, rightsize]\nrun:\n  args:\n    recommend: [--kind, bogus]\n',
    )
    const morning = await runCli(['run', '--db', db], {env: {...env, FINOPS_NOW: '2024-09-05T08:00:00Z'}})
    expect(morning.code, morning.stdout + morning.stderr).toBe(ExitCode.partial)
    const lines = logLines(morning.stdout)
    expect(lines.find((l) => l.step === 'recommend')).toMatchObject({status: 'failed'})
    expect(lines.find((l) => l.step === 'apply')).toMatchObject({
      status: 'ok',
      reason: expect.stringMatching(/^recommend failed in this run/),
      details: {applied: 2},
    })
    expect((server.get('apps/v1', 'Deployment', 'web', 'staging')!.spec as {replicas: number}).replicas).toBe(2)
    expect(JSON.stringify(server.get('apps/v1', 'Deployment', 'cart', 'shop')!.spec)).toBe(cart)
  })

  it('exits non-zero when a step fails, and still runs the later steps', async () => {
    const {env, db} = containerEnv('apply:\n  mode: enforce\n  kinds: [scale-down]\n')
    server.forbid('apps/deployments', ['patch'])
    const result = await runCli(['run', '--db', db], {env})
    expect(result.code, result.stdout + result.stderr).toBe(ExitCode.partial)
    const lines = logLines(result.stdout)
    const apply = lines.find((l) => l.step === 'apply')!
    expect(apply).toMatchObject({status: 'failed', level: 'error'})
    expect(String(apply.reason)).toContain('HTTP 403')
    expect(lines.map((l) => l.step)).toContain('alerts')
    expect(lines.at(-1)).toMatchObject({step: 'run', status: 'partial', failedSteps: ['apply']})
  })
})

describe('finops run --pushgateway (real prometheus-pushgateway)', () => {
  let gateway: Pushgateway
  beforeEach(async () => {
    gateway = await startPushgateway()
  })
  afterEach(async () => {
    await gateway.stop()
  })

  it('with 60 days of billing and a webhook: forecasts, checks alerts, and pushes spend to date, the month-end forecast and budget use', async () => {
    const {env, db} = containerEnv('apply:\n  mode: enforce\n  kinds: [scale-down]\nrun:\n  instance: eks-demo\n')
    const store = openStore(db)
    const days = eachDay('2024-07-06', '2024-09-03')
    replaceCosts(
      store,
      [
        {
          kind: 'days',
          source: 'focus',
          provider: 'AWS',
          billingAccountId: '111122223333',
          from: days[0]!,
          to: days.at(-1)!,
        },
      ],
      days.map((day, i) => ({
        day,
        billingPeriodStart: `${day.slice(0, 7)}-01`,
        provider: 'AWS',
        billingAccountId: '111122223333',
        subAccountId: '',
        serviceName: 'Amazon EC2',
        serviceCategory: 'Compute',
        regionId: 'eu-west-1',
        chargeCategory: 'Usage',
        chargeFrequency: 'Usage-Based',
        currency: 'USD',
        tags: {},
        billedCost: 100 + (i % 7 === 5 || i % 7 === 6 ? -20 : 0),
        effectiveCost: 100 + (i % 7 === 5 || i % 7 === 6 ? -20 : 0),
        listCost: 120,
        contractedCost: 0,
      })),
      {source: 'focus', location: 'test', startedAt: new Date().toISOString(), rowsRead: days.length, rowsSkipped: 0},
    )
    const spendToDate = queryDailyCosts(store, {
      from: '2024-09-01',
      to: '2024-09-03',
      groupBy: [],
      filters: [],
      metric: 'effective',
    }).reduce((sum, p) => sum + p.cost, 0)
    upsertBudget(store, {
      name: 'aws-monthly',
      amount: 3000,
      period: 'monthly',
      currency: 'USD',
      metric: 'effective',
      filters: [],
      thresholds: [{kind: 'actual', percent: 80}],
    })
    store.close()
    const posts: string[] = []
    const slack = http.createServer((req, res) => {
      let body = ''
      req.on('data', (d: Buffer) => (body += d))
      req.on('end', () => {
        posts.push(body)
        res.end('ok')
      })
    })
    await new Promise<void>((resolve) => slack.listen(0, '127.0.0.1', resolve))
    try {
      const webhook = `http://127.0.0.1:${(slack.address() as AddressInfo).port}/services/T0/B0/x`
      const result = await runCli(['run', '--db', db, '--pushgateway', gateway.url], {
        env: {...env, FINOPS_SLACK_WEBHOOK_URL: webhook},
      })
      const lines = logLines(result.stdout)
      expect(result.code, result.stdout + result.stderr).toBe(0)
      expect(lines.filter((l) => ['forecast', 'alerts'].includes(l.step)).map((l) => [l.step, l.status])).toEqual([
        ['forecast', 'ok'],
        ['alerts', 'ok'],
      ])
      expect(result.stdout).not.toContain('/services/T0/B0/x')
      const text = await gateway.scrape()
      const value = (name: string, label: string): number =>
        Number(
          text
            .split('\n')
            .find((l) => l.startsWith(`${name}{`) && l.includes(label) && l.includes('job="finops"'))
            ?.split(' ')
            .pop(),
        )
      expect(value('finops_spend_to_date', 'currency="USD"')).toBeCloseTo(spendToDate, 2)
      const monthEnd = value('finops_month_end_forecast', 'month="2024-09"')
      // Three days spent; the other 27 are forecast from a ~$94/day history.
      expect(monthEnd).toBeGreaterThan(spendToDate + 27 * 60)
      expect(monthEnd).toBeLessThan(spendToDate + 27 * 130)
      expect(value('finops_budget_used_ratio', 'budget="aws-monthly"')).toBeCloseTo(spendToDate / 3000, 3)
      expect(value('finops_budget_forecast_ratio', 'budget="aws-monthly"')).toBeGreaterThan(spendToDate / 3000)

      // Without a webhook the alerts step is skipped with its reason, not failed.
      const quiet = await runCli(['run', '--db', db], {env})
      expect(quiet.code, quiet.stdout + quiet.stderr).toBe(0)
      expect(logLines(quiet.stdout).find((l) => l.step === 'alerts')).toMatchObject({
        status: 'skipped',
        reason: 'no Slack webhook configured (FINOPS_SLACK_WEBHOOK_URL or alerts.slack)',
      })
    } finally {
      await new Promise((resolve) => slack.close(resolve))
    }
  })

  it('pushes the run metrics under job finops and the configured instance', async () => {
    const {env, db} = containerEnv('apply:\n  mode: enforce\n  kinds: [scale-down]\nrun:\n  instance: eks-demo\n')
    const result = await runCli(['run', '--db', db, '--pushgateway', gateway.url], {env})
    expect(result.code, result.stdout + result.stderr).toBe(0)
    expect(logLines(result.stdout).find((l) => l.step === 'pushgateway')).toMatchObject({status: 'ok'})
    const text = await gateway.scrape()
    const sample = (name: string): string | undefined =>
      text
        .split('\n')
        .find((l) => l.startsWith(`${name}{`) && l.includes('job="finops"') && l.includes('instance="eks-demo"'))
    expect(sample('finops_actions_applied')).toMatch(/ 2$/)
    expect(sample('finops_actions_failed')).toMatch(/ 0$/)
    expect(sample('finops_run_success')).toMatch(/ 1$/)
    expect(sample('finops_run_duration_seconds')).toMatch(/ \d+(\.\d+)?(e[+-]?\d+)?$/)
    expect(sample('finops_savings_available_monthly')).toMatch(/currency="USD"/)
  })
})
