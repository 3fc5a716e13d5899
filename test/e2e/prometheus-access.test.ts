import fs from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {collectUsageSchema} from '../../src/k8s/schemas.js'
import {parseJson, runCli, tempDir} from '../helpers/cli.js'
import {makeTestPki, opensslAvailable, type TestPki} from '../helpers/tls-certs.js'
import {startPrometheusProxy, type PrometheusProxy, type ProxyRules} from '../servers/prometheus-proxy.js'
import {omLabel, prometheusAvailable, type RunningPrometheus, startPrometheus} from '../servers/prometheus.js'

const DAY = 86_400
const dayStart = Math.floor(Date.now() / 86_400_000) * 86_400 - 3 * DAY
const NOW = new Date((dayStart + DAY) * 1000).toISOString()

/** One day of cAdvisor and kube-state-metrics series for two containers, every minute. */
function openMetrics(): string {
  const lines: string[] = ['# TYPE container_cpu_usage_seconds_total counter']
  const mem: string[] = ['# TYPE container_memory_working_set_bytes gauge']
  const ksm: string[] = ['# TYPE kube_pod_container_status_restarts_total counter']
  for (const [pod, container] of [
    ['web-5d4f7c9b8-x1x1x', 'web'],
    ['db-0', 'postgres'],
  ] as const) {
    const labels = `namespace="shop",pod="${omLabel(pod)}",container="${container}"`
    for (let t = dayStart - 600; t < dayStart + DAY; t += 60) {
      lines.push(`container_cpu_usage_seconds_total{${labels}} ${((t - dayStart + 600) * 0.25).toFixed(3)} ${t}`)
      mem.push(`container_memory_working_set_bytes{${labels}} ${200 * 2 ** 20} ${t}`)
      ksm.push(`kube_pod_container_status_restarts_total{${labels}} 0 ${t}`)
    }
  }
  return [...lines, ...mem, ...ksm, '# EOF', ''].join('\n')
}

const ready = prometheusAvailable() && opensslAvailable()

describe.skipIf(!ready)('collect usage through a front door that enforces each kind of Prometheus access', () => {
  let prom: RunningPrometheus
  let tmp: {dir: string; cleanup: () => void}
  let pki: TestPki
  const proxies: PrometheusProxy[] = []
  const proxy = async (rules: ProxyRules) => {
    const p = await startPrometheusProxy(prom.url, rules)
    proxies.push(p)
    return p
  }
  // An AWS environment with nothing from the machine's own profile leaking in.
  const awsEnv = (secret: string) => ({
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE0TEST0001',
    AWS_SECRET_ACCESS_KEY: secret,
    AWS_SESSION_TOKEN: undefined,
    AWS_PROFILE: undefined,
    AWS_CONFIG_FILE: path.join(tmp.dir, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(tmp.dir, 'no-aws-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
  })
  const collect = (url: string, extra: string[] = [], env: Record<string, string | undefined> = {}) =>
    runCli(
      [
        'collect',
        'usage',
        '--prometheus',
        url,
        '--days',
        '1',
        '--cluster',
        'c1',
        '--db',
        path.join(tmp.dir, `s${Math.random().toString(36).slice(2)}.db`),
        '--json',
        ...extra,
      ],
      {env: {FINOPS_NOW: NOW, FINOPS_PROMETHEUS_TOKEN: undefined, ...env}},
    )
  const expectCollected = (r: {code: number; stdout: string; stderr: string}) => {
    expect(r.code, r.stderr).toBe(0)
    const out = collectUsageSchema.parse(parseJson(r))
    expect(out.containers).toBe(2)
    expect(out.oomSource).toBe('kube-state-metrics')
  }

  beforeAll(async () => {
    tmp = tempDir()
    pki = makeTestPki(path.join(tmp.dir, 'pki'))
    prom = await startPrometheus(path.join(tmp.dir, 'prom'), openMetrics())
  })
  afterAll(async () => {
    for (const p of proxies) await p.close()
    await prom?.close()
    tmp?.cleanup()
  })

  it('sends repeatable --prometheus-header values (a Mimir tenant) and config headers, and never prints them', async () => {
    const p = await proxy({requireHeaders: {'X-Scope-OrgID': 'team-a', 'X-Api-Key': 'k-secret-31'}})
    const missing = await collect(p.url, ['--prometheus-header', 'X-Scope-OrgID: team-a'])
    expect(missing.code).toBe(5)
    expect(p.requests.at(-1)).toMatchObject({status: 401, reason: 'no X-Api-Key header'})
    expectCollected(
      await collect(p.url, [
        '--prometheus-header',
        'X-Scope-OrgID: team-a',
        '--prometheus-header',
        'X-Api-Key:k-secret-31',
      ]),
    )
    expect(p.requests.filter((r) => r.status === 200).length).toBeGreaterThan(3)

    // The same from finops.yaml: the tenant in headers, the secret key from an environment variable.
    const config = path.join(tmp.dir, 'headers.yaml')
    fs.writeFileSync(
      config,
      'kubernetes:\n  prometheus:\n    headers:\n      X-Scope-OrgID: team-b\n    headersFromEnv:\n      X-Api-Key: PROM_KEY\n',
    )
    const wrongTenant = await collect(p.url, ['--config', config], {PROM_KEY: 'k-secret-31'})
    expect(wrongTenant.code).toBe(5)
    expect(p.requests.at(-1)).toMatchObject({status: 403, reason: 'wrong X-Scope-OrgID'})
    expect(`${wrongTenant.stdout}${wrongTenant.stderr}`).not.toContain('k-secret-31')
    // A flag replaces the configured header of the same name.
    expectCollected(
      await collect(p.url, ['--config', config, '--prometheus-header', 'x-scope-orgid: team-a'], {
        PROM_KEY: 'k-secret-31',
      }),
    )
    const unset = await collect(p.url, ['--config', config])
    expect(unset.code).toBe(2)
    expect(unset.stdout).toMatch(/X-Api-Key comes from \$PROM_KEY, which is not set/)
    const bad = await collect(p.url, ['--prometheus-header', 'no colon here'])
    expect(bad.code).toBe(2)
    expect((parseJson(bad) as {error: {message: string}}).error.message).toMatch(
      /--prometheus-header "no colon here": expected "Name: value"/,
    )
  })

  it('trusts a private CA only when given the bundle, and says so when the certificate is not trusted', async () => {
    const p = await proxy({tls: {keyFile: pki.serverKey, certFile: pki.serverCert}})
    const untrusted = await collect(p.url)
    expect(untrusted.code).toBe(6)
    expect(untrusted.stdout).toMatch(/cannot reach Prometheus at https:\/\/127\.0\.0\.1:\d+/)
    expect(untrusted.stdout).toMatch(/--prometheus-ca-file/)
    expectCollected(await collect(p.url, ['--prometheus-ca-file', pki.serverCa]))
    const missingFile = await collect(p.url, ['--prometheus-ca-file', path.join(tmp.dir, 'nope.pem')])
    expect(missingFile.code).toBe(2)
    expect(missingFile.stdout).toMatch(/cannot read the Prometheus CA bundle .*nope\.pem: ENOENT/)
  })

  it('presents a client certificate for mutual TLS, from flags or finops.yaml', async () => {
    const p = await proxy({tls: {keyFile: pki.serverKey, certFile: pki.serverCert, clientCaFile: pki.clientCa}})
    const without = await collect(p.url, ['--prometheus-ca-file', pki.serverCa])
    expect(without.code).toBe(6)
    expect(without.stdout).toMatch(/client certificate: pass --prometheus-cert-file and --prometheus-key-file/)
    expectCollected(
      await collect(p.url, [
        '--prometheus-ca-file',
        pki.serverCa,
        '--prometheus-cert-file',
        pki.clientCert,
        '--prometheus-key-file',
        pki.clientKey,
      ]),
    )
    const config = path.join(tmp.dir, 'mtls.yaml')
    fs.writeFileSync(
      config,
      `kubernetes:\n  prometheus:\n    caFile: ${pki.serverCa}\n    certFile: ${pki.clientCert}\n    keyFile: ${pki.clientKey}\n`,
    )
    expectCollected(await collect(p.url, ['--config', config]))
    const half = await collect(p.url, ['--prometheus-cert-file', pki.clientCert])
    expect(half.code).toBe(2)
    expect(half.stdout).toMatch(/a client certificate needs its key/)
  })

  it('reads the bearer token file before every request, so a token rotated mid-run keeps working', async () => {
    const tokenFile = path.join(tmp.dir, 'token')
    fs.writeFileSync(tokenFile, 'token-one\n')
    // The front door rotates the token while it answers the second request, like a projected
    // service-account token refreshed by the kubelet while a long collection runs: from the third
    // request on only the new token is accepted.
    const p = await proxy({
      bearer: (index) => {
        if (index === 1) fs.writeFileSync(tokenFile, 'token-two\n')
        return index <= 1 ? 'token-one' : 'token-two'
      },
    })
    const r = await collect(p.url, ['--bearer-token-file', tokenFile])
    expectCollected(r)
    const sent = p.requests.map((q) => q.headers.authorization)
    expect(sent.slice(0, 2)).toEqual(['Bearer token-one', 'Bearer token-one'])
    expect(sent.slice(2).every((h) => h === 'Bearer token-two')).toBe(true)
    expect(p.requests.every((q) => q.status === 200)).toBe(true)
    expect(`${r.stdout}${r.stderr}`).not.toMatch(/token-one|token-two/)
  })

  it('uses basic auth and refuses two authentication methods at once', async () => {
    const p = await proxy({basic: {username: 'reader', password: 'pw-5511'}})
    expectCollected(await collect(p.url, ['--username', 'reader', '--password-env', 'PW'], {PW: 'pw-5511'}))
    const wrong = await collect(p.url, ['--username', 'reader', '--password-env', 'PW'], {PW: 'nope'})
    expect(wrong.code).toBe(5)
    expect(wrong.stdout).toMatch(/refused the request \(401\)/)
    const tokenFile = path.join(tmp.dir, 'token-basic')
    fs.writeFileSync(tokenFile, 't')
    const both = await collect(
      p.url,
      ['--username', 'reader', '--password-env', 'PW', '--bearer-token-file', tokenFile],
      {
        PW: 'pw-5511',
      },
    )
    expect(both.code).toBe(2)
    expect(both.stdout).toMatch(/authentication is ambiguous/)
  })

  it('signs requests with AWS SigV4 for an Amazon Managed Prometheus workspace', async () => {
    const p = await proxy({
      prefix: '/workspaces/ws-0a1b2c3d',
      sigv4: {
        accessKeyId: 'AKIDEXAMPLE0TEST0001',
        secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
        region: 'eu-west-1',
        service: 'aps',
      },
    })
    const r = await collect(
      p.url,
      ['--sigv4', '--sigv4-region', 'eu-west-1'],
      awsEnv('wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY'),
    )
    expectCollected(r)
    expect(p.requests.every((q) => q.status === 200)).toBe(true)
    expect(String(p.requests[0]!.headers.authorization)).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE0TEST0001\/\d{8}\/eu-west-1\/aps\/aws4_request/,
    )
    const wrongSecret = await collect(p.url, ['--sigv4', '--sigv4-region', 'eu-west-1'], awsEnv('not-the-secret'))
    expect(wrongSecret.code).toBe(5)
    expect(p.requests.at(-1)).toMatchObject({status: 403, reason: 'signature does not match'})
    expect(`${wrongSecret.stdout}${wrongSecret.stderr}`).not.toContain('not-the-secret')
    const wrongRegion = await collect(
      p.url,
      ['--sigv4', '--sigv4-region', 'us-east-1'],
      awsEnv('wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY'),
    )
    expect(wrongRegion.code).toBe(5)
    expect(p.requests.at(-1)).toMatchObject({status: 403, reason: 'wrong scope us-east-1/aps'})
    // A header and query parameters of the URL are part of what is signed.
    const withExtras = await collect(
      `${p.url}?tenant=a%20b&z=1`,
      ['--sigv4', '--sigv4-region', 'eu-west-1', '--prometheus-header', 'X-Scope-OrgID: team-a'],
      awsEnv('wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY'),
    )
    expectCollected(withExtras)
    const last = p.requests.at(-1)!
    expect(last.status).toBe(200)
    expect(String(last.headers.authorization)).toMatch(/SignedHeaders=[^,]*x-scope-orgid/)
    const noRegion = await collect(p.url, ['--sigv4'], {
      ...awsEnv('x'),
      AWS_REGION: undefined,
      AWS_DEFAULT_REGION: undefined,
    })
    expect(noRegion.code).toBe(2)
    expect(noRegion.stdout).toMatch(/SigV4 needs an AWS region/)
  })
})
