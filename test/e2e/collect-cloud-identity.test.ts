import fs from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {runCli, tempDir} from '../helpers/cli.js'
import {isolatedCloudEnv} from '../helpers/cloud-env.js'
import {snapshotTree} from '../helpers/fs-snapshot.js'
import {
  AZ_TOKEN,
  type AzServer,
  sampleAzureLedger,
  startCostManagement,
  SUB_A,
} from '../servers/azure-cost-management.js'
import {EXPORT_TABLE, type GcpServer, sampleGcpLedger, startGoogleApis} from '../servers/gcp.js'

/**
 * The identities real deployments use, end to end through the built CLI and the real SDKs: a GCP
 * Workload Identity Federation credential (token exchange at the Security Token Service, no
 * project in the environment), and Azure clouds other than the public one (the token's audience
 * must be that cloud's Resource Manager, not management.azure.com).
 */
const NOW = '2026-11-26'
let gcp: GcpServer
let az: AzServer
let tmp: {dir: string; cleanup: () => void}
let wif: string
let binDir: string
let azArgs: string

const isolated = (extra: Record<string, string | undefined>): Record<string, string | undefined> =>
  isolatedCloudEnv(tmp.dir, NOW, extra)

beforeAll(async () => {
  tmp = tempDir('finops-e2e-identity-')
  gcp = await startGoogleApis({pageRows: 80})
  gcp.ledger = sampleGcpLedger('2026-08-01', '2026-11-25')
  az = await startCostManagement(tmp.dir, {pageRows: 60})
  az.ledger = sampleAzureLedger('2026-10-01', '2026-11-25')
  // A federated credential as GitHub Actions or a Kubernetes service account leaves it: an OIDC
  // token in a file, exchanged at the token URL (here the local Security Token Service).
  const subject = path.join(tmp.dir, 'oidc-token')
  fs.writeFileSync(subject, 'eyJhbGciOiJSUzI1NiJ9.local.subject')
  wif = path.join(tmp.dir, 'wif.json')
  fs.writeFileSync(
    wif,
    JSON.stringify({
      type: 'external_account',
      audience: '//iam.googleapis.com/projects/123456789/locations/global/workloadIdentityPools/pool/providers/ci',
      subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
      token_url: `${gcp.url}/v1/token`,
      credential_source: {file: subject},
    }),
  )
  // A stand-in Azure CLI that records what it was asked for (AzureCliCredential passes --resource).
  binDir = path.join(tmp.dir, 'bin')
  fs.mkdirSync(binDir)
  azArgs = path.join(tmp.dir, 'az-args')
  const expires = Math.floor(Date.now() / 1000) + 3600
  fs.writeFileSync(
    path.join(binDir, 'az'),
    `#!/bin/sh\necho "$@" >> '${azArgs}'\necho '{"accessToken": ` +
      `"${AZ_TOKEN}", "expiresOn": "2099-01-01 00:00:00.000000", "expires_on": ` +
      `${expires}, "subscription": "${SUB_A}", "tenant": "t", "tokenType": "Bearer"}'\n`,
    {mode: 0o755},
  )
}, 120_000)
afterAll(async () => {
  await Promise.all([gcp.close(), az.close()])
  tmp.cleanup()
})

const oneLine = (stderr: string): string => {
  const lines = stderr.trimEnd().split('\n')
  expect(lines, stderr).toHaveLength(1)
  return lines[0]!
}

describe('GCP with a Workload Identity Federation credential (built CLI)', () => {
  it('costs and prices with no project in the environment: exchanges the token, asks nobody for a project', async () => {
    gcp.reset()
    const db = path.join(tmp.dir, 'wif.db')
    const r = await runCli(['collect', 'gcp', '--db', db, '--table', EXPORT_TABLE, '--endpoint', gcp.url, '--prices'], {
      env: isolated({GOOGLE_APPLICATION_CREDENTIALS: wif}),
    })
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^Google Cloud 01A2B3-C4D5E6-F7A8B9: 2026-08-28 to 2026-11-25/m)
    expect(r.stdout).toMatch(/Compute Engine: 10 prices from 10 SKUs/)
    const paths = gcp.requests.map((q) => `${q.method} ${q.path}`)
    expect(paths[0]).toBe('POST /v1/token')
    expect(paths.some((p) => p.startsWith('GET /v1/services/6F81-5844-456A/skus'))).toBe(true)
  })

  it('prices alone with no project anywhere: one line naming GOOGLE_CLOUD_PROJECT, exit auth, the store unchanged', async () => {
    const db = path.join(tmp.dir, 'prices-store', 'finops.db')
    const seed = await runCli(['collect', 'gcp', '--db', db, '--prices', '--endpoint', gcp.url], {
      env: isolated({GOOGLE_APPLICATION_CREDENTIALS: wif, GOOGLE_CLOUD_PROJECT: 'billing-admin'}),
    })
    expect(seed.code, seed.stderr).toBe(0)
    const before = snapshotTree(path.dirname(db))
    // The project lookup goes to Google's Resource Manager: through a proxy that is not there, as in
    // a locked-down network, it fails at once.
    const r = await runCli(['collect', 'gcp', '--db', db, '--prices', '--endpoint', gcp.url], {
      env: isolated({
        GOOGLE_APPLICATION_CREDENTIALS: wif,
        HTTPS_PROXY: 'http://127.0.0.1:9',
        https_proxy: 'http://127.0.0.1:9',
        NO_PROXY: '127.0.0.1',
        no_proxy: '127.0.0.1',
      }),
    })
    expect(r.code, r.stderr).toBe(5)
    const line = oneLine(r.stderr)
    expect(line).toMatch(/^Error: Google credentials: the credential's project could not be looked up/)
    expect(line).toContain('GOOGLE_CLOUD_PROJECT')
    expect(line).toContain('--project')
    expect(r.stderr).not.toMatch(/\n\s+at /)
    expect(snapshotTree(path.dirname(db))).toEqual(before)
  })
})

describe('Azure clouds other than the public one (built CLI)', () => {
  const resources = (): string[] =>
    fs
      .readFileSync(azArgs, 'utf8')
      .trim()
      .split('\n')
      .map((line) => /--resource (\S+)/.exec(line)?.[1] ?? '')
  const azEnv = () =>
    isolated({
      PATH: `${binDir}:${process.env.PATH}`,
      AZURE_TOKEN_CREDENTIALS: 'AzureCliCredential',
      NODE_EXTRA_CA_CERTS: az.certFile,
    })

  it('an endpoint alone is the token audience', async () => {
    fs.rmSync(azArgs, {force: true})
    const db = path.join(tmp.dir, 'az-endpoint.db')
    const r = await runCli(
      ['collect', 'azure', '--db', db, '--scope', `/subscriptions/${SUB_A}`, '--endpoint', az.url],
      {env: azEnv()},
    )
    expect(r.code, r.stderr).toBe(0)
    expect(new Set(resources())).toEqual(new Set([new URL(az.url).origin]))
  })

  it("--cloud china asks for a token for China's Resource Manager, even through a private endpoint", async () => {
    fs.rmSync(azArgs, {force: true})
    const db = path.join(tmp.dir, 'az-china.db')
    const r = await runCli(
      ['collect', 'azure', '--db', db, '--scope', `/subscriptions/${SUB_A}`, '--endpoint', az.url, '--cloud', 'china'],
      {env: azEnv()},
    )
    expect(r.code, r.stderr).toBe(0)
    expect(new Set(resources())).toEqual(new Set(['https://management.chinacloudapi.cn']))
  })

  it('cloud: usgov in finops.yaml does the same for US Government', async () => {
    fs.rmSync(azArgs, {force: true})
    const db = path.join(tmp.dir, 'az-usgov.db')
    const config = path.join(tmp.dir, 'usgov.yaml')
    fs.writeFileSync(
      config,
      `sources:\n  azure:\n    - scope: /subscriptions/${SUB_A}\n      endpoint: ${az.url}\n      cloud: usgov\n`,
    )
    const r = await runCli(['collect', 'azure', '--db', db, '--config', config], {env: azEnv()})
    expect(r.code, r.stderr).toBe(0)
    expect(new Set(resources())).toEqual(new Set(['https://management.usgovcloudapi.net']))
  })

  it('an unknown cloud is a usage error naming the choices, before anything is collected', async () => {
    const db = path.join(tmp.dir, 'az-bad.db')
    const r = await runCli(['collect', 'azure', '--db', db, '--scope', `/subscriptions/${SUB_A}`, '--cloud', 'mars'], {
      env: azEnv(),
    })
    expect(r.code).toBe(2)
    expect(oneLine(r.stderr)).toMatch(/--cloud.*public, china, usgov/)
    expect(fs.existsSync(db)).toBe(false)
  })
})
