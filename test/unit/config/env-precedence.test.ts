import fs from 'node:fs'
import http from 'node:http'
import type {AddressInfo} from 'node:net'
import path from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {resolveWebhook} from '../../../src/alerts/webhook.js'
import {connectPrometheus} from '../../../src/collectors/k8s/prometheus-connect.js'
import {loadConfig, parseConfigText} from '../../../src/config/index.js'
import {now} from '../../../src/dates.js'
import {resolveIdentity} from '../../../src/apply/identity.js'
import {usageSource} from '../../../src/run/steps.js'
import {resolveStorePath} from '../../../src/store/paths.js'
import {tempDir} from '../../helpers/cli.js'

/**
 * The README's rule: flags > FINOPS_* environment > finops.yaml > defaults. One row per variable
 * the README and docs list that finops.yaml can also set: with both set the environment wins, with
 * only finops.yaml the file applies. Each row goes through the resolver the commands call.
 */

let work: {dir: string; cleanup: () => void}
let prometheus: http.Server
let prometheusUrl: string
const authorizations: (string | undefined)[] = []

beforeAll(async () => {
  work = tempDir('finops-env-precedence-')
  // A Prometheus HTTP API stand-in that records the Authorization header it was sent.
  prometheus = http.createServer((req, res) => {
    authorizations.push(req.headers.authorization)
    req.resume()
    req.on('end', () => {
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify({status: 'success', data: {resultType: 'vector', result: []}}))
    })
  })
  await new Promise<void>((resolve) => prometheus.listen(0, '127.0.0.1', resolve))
  prometheusUrl = `http://127.0.0.1:${(prometheus.address() as AddressInfo).port}`
})

afterAll(async () => {
  await new Promise((resolve) => prometheus.close(resolve))
  work.cleanup()
})

const config = (yaml: string) => parseConfigText(yaml, 'finops.yaml')

/** The Authorization header a Prometheus query sends with this finops.yaml and environment. */
async function prometheusAuthorization(yaml: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const connection = await connectPrometheus({}, config(yaml).kubernetes.prometheus, env)
  authorizations.length = 0
  try {
    await connection.api.query('up', 1_700_000_000)
  } finally {
    connection.api.close?.()
  }
  return authorizations[0]
}

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`

interface PrecedenceCase {
  variable: string
  /** finops.yaml setting the same thing. */
  yaml: () => string
  envValue: () => string
  /** What finops uses, given finops.yaml and the environment (without the variable when unset). */
  resolve: (yaml: string, env: NodeJS.ProcessEnv) => unknown | Promise<unknown>
  /** What it uses when the environment wins, and when only finops.yaml sets it. */
  fromEnv: () => unknown
  fromYaml: () => unknown
}

const cases: PrecedenceCase[] = [
  {
    variable: 'FINOPS_DB',
    yaml: () => `store: ${path.join(work.dir, 'yaml.db')}\n`,
    envValue: () => path.join(work.dir, 'env.db'),
    resolve: (yaml, env) => resolveStorePath(undefined, env, () => config(yaml).store),
    fromEnv: () => path.join(work.dir, 'env.db'),
    fromYaml: () => path.join(work.dir, 'yaml.db'),
  },
  {
    variable: 'FINOPS_CONFIG',
    // The finops.yaml in the working directory, against the file FINOPS_CONFIG names.
    yaml: () => 'forecast:\n  horizonDays: 11\n',
    envValue: () => {
      const file = path.join(work.dir, 'named.yaml')
      fs.writeFileSync(file, 'forecast:\n  horizonDays: 22\n')
      return file
    },
    resolve: (yaml, env) => {
      const cwd = fs.mkdtempSync(path.join(work.dir, 'cwd-'))
      fs.writeFileSync(path.join(cwd, 'finops.yaml'), yaml)
      return loadConfig(undefined, env, cwd).config.forecast.horizonDays
    },
    fromEnv: () => 22,
    fromYaml: () => 11,
  },
  {
    variable: 'FINOPS_PROMETHEUS_URL',
    yaml: () => 'kubernetes:\n  prometheus:\n    url: http://127.0.0.1:9/yaml\n',
    envValue: () => prometheusUrl,
    resolve: async (yaml, env) => (await connectPrometheus({}, config(yaml).kubernetes.prometheus, env)).url,
    fromEnv: () => prometheusUrl,
    fromYaml: () => 'http://127.0.0.1:9/yaml',
  },
  {
    variable: 'FINOPS_PROMETHEUS_URL (finops run picks the usage source)',
    yaml: () => 'run:\n  usage: auto\n',
    envValue: () => prometheusUrl,
    resolve: (yaml, env) => usageSource(config(yaml), env),
    fromEnv: () => 'prometheus',
    fromYaml: () => 'metrics-server',
  },
  {
    variable: 'FINOPS_SLACK_WEBHOOK_URL (over alerts.slack.webhookUrl)',
    yaml: () => 'alerts:\n  slack:\n    webhookUrl: https://hooks.slack.com/services/T0/B0/yaml\n',
    envValue: () => 'https://hooks.slack.com/services/T0/B0/env',
    resolve: (yaml, env) => resolveWebhook(undefined, config(yaml).alerts.slack, env).url,
    fromEnv: () => 'https://hooks.slack.com/services/T0/B0/env',
    fromYaml: () => 'https://hooks.slack.com/services/T0/B0/yaml',
  },
  {
    variable: 'FINOPS_SLACK_WEBHOOK_URL (over alerts.slack.webhookUrlFile)',
    yaml: () => {
      const file = path.join(work.dir, 'webhook')
      fs.writeFileSync(file, 'https://hooks.slack.com/services/T0/B0/file\n')
      return `alerts:\n  slack:\n    webhookUrlFile: ${file}\n`
    },
    envValue: () => 'https://hooks.slack.com/services/T0/B0/env',
    resolve: (yaml, env) => resolveWebhook(undefined, config(yaml).alerts.slack, env).url,
    fromEnv: () => 'https://hooks.slack.com/services/T0/B0/env',
    fromYaml: () => 'https://hooks.slack.com/services/T0/B0/file',
  },
]

describe('FINOPS_* environment over finops.yaml', () => {
  for (const c of cases) {
    it(`${c.variable}: set in both, the environment wins; in finops.yaml only, the file applies`, async () => {
      const yaml = c.yaml()
      expect(await c.resolve(yaml, {[c.variable.split(' ')[0]!]: c.envValue()})).toEqual(c.fromEnv())
      expect(await c.resolve(yaml, {})).toEqual(c.fromYaml())
      // An empty variable is unset, never "use nothing".
      expect(await c.resolve(yaml, {[c.variable.split(' ')[0]!]: ''})).toEqual(c.fromYaml())
    })
  }

  // finops.yaml names the variable that holds a Prometheus credential; FINOPS_PROMETHEUS_TOKEN and
  // FINOPS_PROMETHEUS_PASSWORD are the variables used when it names none (docs/kubernetes.md).
  it('FINOPS_PROMETHEUS_TOKEN: the bearer token when finops.yaml asks for no other authentication', async () => {
    const yaml = `kubernetes:\n  prometheus:\n    url: ${prometheusUrl}\n`
    expect(await prometheusAuthorization(yaml, {FINOPS_PROMETHEUS_TOKEN: 'env-token'})).toBe('Bearer env-token')
    expect(await prometheusAuthorization(yaml, {})).toBeUndefined()
    const named = `${yaml}    bearerTokenEnv: TEAM_PROM_TOKEN\n`
    expect(
      await prometheusAuthorization(named, {FINOPS_PROMETHEUS_TOKEN: 'env-token', TEAM_PROM_TOKEN: 'team-token'}),
    ).toBe('Bearer team-token')
  })

  it('FINOPS_PROMETHEUS_PASSWORD: the basic-auth password unless finops.yaml names another variable', async () => {
    const yaml = `kubernetes:\n  prometheus:\n    url: ${prometheusUrl}\n    username: ops\n`
    expect(await prometheusAuthorization(yaml, {FINOPS_PROMETHEUS_PASSWORD: 's3cret'})).toBe(basic('ops', 's3cret'))
    const named = `${yaml}    passwordEnv: TEAM_PROM_PASSWORD\n`
    expect(
      await prometheusAuthorization(named, {FINOPS_PROMETHEUS_PASSWORD: 's3cret', TEAM_PROM_PASSWORD: 'team'}),
    ).toBe(basic('ops', 'team'))
  })

  // No finops.yaml field sets these; the environment alone decides (documented in the README and docs/apply.md).
  it('FINOPS_NOW and FINOPS_IDENTITY have no finops.yaml field: set, they are used', () => {
    expect(now({FINOPS_NOW: '2026-12-01T09:00:00Z'}).toISOString()).toBe('2026-12-01T09:00:00.000Z')
    expect(resolveIdentity(undefined, {FINOPS_IDENTITY: 'ci@pipeline'})).toBe('ci@pipeline')
    expect(resolveIdentity(undefined, {USER: 'someone'})).not.toBe('ci@pipeline')
  })
})
