import fs from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {
  collectAllSchema,
  collectAwsSchema,
  collectAzureSchema,
  collectGcpSchema,
} from '../../src/collectors/contracts.js'
import {openStore} from '../../src/store/open.js'
import {parseJson, runCli, tempDir} from '../helpers/cli.js'
import {isolatedCloudEnv} from '../helpers/cloud-env.js'
import {CE_ACCESS_KEY, type CeServer, sampleLedger, startCostExplorer} from '../servers/aws-cost-explorer.js'
import {
  AZ_TOKEN,
  type AzServer,
  sampleAzureLedger,
  startCostManagement,
  SUB_A,
} from '../servers/azure-cost-management.js'
import {EXPORT_TABLE, GCP_TOKEN, type GcpServer, sampleGcpLedger, startGoogleApis} from '../servers/gcp.js'

/**
 * The built CLI as users run it, one collector per cloud against the local servers, each reached
 * the way a user would point it: AWS through AWS_ENDPOINT_URL_COST_EXPLORER and env keys, Azure
 * through DefaultAzureCredential's Azure CLI step (a stand-in `az` on PATH) over HTTPS trusted via
 * NODE_EXTRA_CA_CERTS, GCP through GOOGLE_OAUTH_ACCESS_TOKEN; then one report over all three.
 */
const NOW = '2026-11-26'
let ce: CeServer
let az: AzServer
let gcp: GcpServer
let tmp: {dir: string; cleanup: () => void}
let db: string
let binDir: string

const isolated = (extra: Record<string, string | undefined>): Record<string, string | undefined> =>
  isolatedCloudEnv(tmp.dir, NOW, extra)
const awsEnv = () =>
  isolated({
    AWS_ENDPOINT_URL_COST_EXPLORER: ce.url,
    AWS_ACCESS_KEY_ID: CE_ACCESS_KEY,
    AWS_SECRET_ACCESS_KEY: 'local-secret',
    AWS_REGION: 'us-east-1',
  })
const azEnv = () =>
  isolated({
    PATH: `${binDir}:${process.env.PATH}`,
    AZURE_TOKEN_CREDENTIALS: 'AzureCliCredential',
    NODE_EXTRA_CA_CERTS: az.certFile,
  })
const gcpEnv = () => isolated({GOOGLE_OAUTH_ACCESS_TOKEN: GCP_TOKEN})

beforeAll(async () => {
  tmp = tempDir('finops-e2e-clouds-')
  db = path.join(tmp.dir, 'finops.db')
  ce = await startCostExplorer({pageDays: 20})
  ce.ledger = sampleLedger('2026-08-01', '2026-11-25')
  az = await startCostManagement(tmp.dir, {pageRows: 60})
  az.ledger = sampleAzureLedger('2026-08-01', '2026-11-25')
  gcp = await startGoogleApis({pageRows: 80})
  gcp.ledger = sampleGcpLedger('2026-08-01', '2026-11-25')
  // A stand-in Azure CLI: what `az account get-access-token --output json` prints after `az login`.
  binDir = path.join(tmp.dir, 'bin')
  fs.mkdirSync(binDir)
  const expires = Math.floor(Date.now() / 1000) + 3600
  fs.writeFileSync(
    path.join(binDir, 'az'),
    `#!/bin/sh\necho '{"accessToken": "${AZ_TOKEN}", "expiresOn": "2099-01-01 00:00:00.000000", ` +
      `"expires_on": ${expires}, "subscription": "${SUB_A}", "tenant": "t", "tokenType": "Bearer"}'\n`,
    {mode: 0o755},
  )
})
afterAll(async () => {
  await Promise.all([ce.close(), az.close(), gcp.close()])
  tmp.cleanup()
})

describe('finops collect aws|azure|gcp|all, built CLI', () => {
  it('collect aws honours AWS_ENDPOINT_URL_COST_EXPLORER and prints the request count', async () => {
    const result = await runCli(['collect', 'aws', '--db', db, '--billing-account', '999999999999', '--json'], {
      env: awsEnv(),
    })
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    const out = collectAwsSchema.parse(parseJson(result))
    expect(out.sources[0]!.window).toEqual({from: '2026-08-28', to: '2026-11-25'})
    // Every Cost Explorer request is counted: GetCostAndUsage pages and the RIFee's GetReservationUtilization.
    expect(ce.calls('GetReservationUtilization')).toHaveLength(1)
    expect(out.sources[0]!.requests).toBe(ce.requests.length)
    expect(out.sources[0]!.rollupRows).toBeGreaterThan(0)
    // The human line names the count, since Cost Explorer bills each request.
    ce.reset()
    const again = await runCli(['collect', 'aws', '--db', db, '--billing-account', '999999999999'], {env: awsEnv()})
    expect(again.code).toBe(0)
    expect(again.stdout).toMatch(
      new RegExp(`AWS 999999999999: 2026-11-01 to 2026-11-25 in ${ce.requests.length} API requests`),
    )
  })

  it('collect aws --profile reads the named profile from the shared credentials file', async () => {
    const credentials = path.join(tmp.dir, 'aws-credentials')
    fs.writeFileSync(
      credentials,
      `[payer]\naws_access_key_id = ${CE_ACCESS_KEY}\naws_secret_access_key = from-profile\n`,
    )
    ce.reset()
    const env = isolated({
      AWS_ENDPOINT_URL_COST_EXPLORER: ce.url,
      AWS_SHARED_CREDENTIALS_FILE: credentials,
      AWS_REGION: 'us-east-1',
    })
    const result = await runCli(
      // Its own store: the profile's rows are their own billing account, and the report below shows the organisation once.
      [
        'collect',
        'aws',
        '--db',
        `${db}.payer`,
        '--profile',
        'payer',
        '--from',
        '2026-11-20',
        '--to',
        '2026-11-21',
        '--json',
      ],
      {env},
    )
    expect(result.code).toBe(0)
    expect(collectAwsSchema.parse(parseJson(result)).sources[0]!.billingAccountId).toBe('payer')
    expect(String(ce.calls('GetCostAndUsage')[0]!.headers.authorization)).toContain(`Credential=${CE_ACCESS_KEY}/`)
  })

  it('collect azure uses DefaultAzureCredential (Azure CLI) over HTTPS', async () => {
    const result = await runCli(
      ['collect', 'azure', '--db', db, '--scope', `/subscriptions/${SUB_A}`, '--endpoint', az.url, '--json'],
      {env: azEnv()},
    )
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    const out = collectAzureSchema.parse(parseJson(result))
    expect(out.sources[0]!.billingAccountId).toBe(`/subscriptions/${SUB_A}`)
    expect(az.queries()[0]!.headers.authorization).toBe(`Bearer ${AZ_TOKEN}`)
    expect(out.sources[0]!.requests).toBe(az.queries().length)
  })

  it('collect gcp reads the export with GOOGLE_OAUTH_ACCESS_TOKEN and refreshes catalog prices', async () => {
    const result = await runCli(
      ['collect', 'gcp', '--db', db, '--table', EXPORT_TABLE, '--endpoint', gcp.url, '--prices'],
      {env: gcpEnv()},
    )
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/^Google Cloud 01A2B3-C4D5E6-F7A8B9: 2026-08-28 to 2026-11-25 in \d+ API requests/m)
    expect(result.stdout).toMatch(/Compute Engine: 10 prices from 10 SKUs \(4 Spot\) in 1 API request/)
    const json = await runCli(
      ['collect', 'gcp', '--db', db, '--table', EXPORT_TABLE, '--endpoint', gcp.url, '--json'],
      {env: gcpEnv()},
    )
    expect(json.code).toBe(0)
    const out = collectGcpSchema.parse(parseJson(json))
    expect(out.sources[0]!.costs!.window).toEqual({from: '2026-11-01', to: '2026-11-25'})
    expect(out.sources[0]!.costs!.watermark.before).toBe('2026-11-25')
  })

  it('cost report --group-by provider shows the three clouds side by side, matching the store', async () => {
    const result = await runCli(
      [
        'cost',
        'report',
        '--db',
        db,
        '--group-by',
        'provider',
        '--from',
        '2026-11-01',
        '--to',
        '2026-11-25',
        '--metric',
        'billed',
        '--json',
      ],
      {env: isolated({})},
    )
    expect(result.code).toBe(0)
    const report = JSON.stringify(parseJson(result))
    const store = openStore(db, {readonly: true})
    const totals = store
      .prepare(
        `SELECT provider, SUM(billed_cost) AS cost FROM cost_daily WHERE day BETWEEN '2026-11-01' AND '2026-11-25' GROUP BY provider ORDER BY provider`,
      )
      .all() as {provider: string; cost: number}[]
    store.close()
    expect(totals.map((t) => t.provider)).toEqual(['AWS', 'Google Cloud', 'Microsoft'])
    for (const t of totals) expect(report).toContain(`"${t.provider}"`)
    const table = await runCli(
      [
        'cost',
        'report',
        '--db',
        db,
        '--group-by',
        'provider',
        '--from',
        '2026-11-01',
        '--to',
        '2026-11-25',
        '--metric',
        'billed',
      ],
      {env: isolated({})},
    )
    expect(table.code).toBe(0)
    for (const t of totals) {
      const line = table.stdout.split('\n').find((l) => l.includes(t.provider))
      expect(line, table.stdout).toBeDefined()
      expect(line!.replaceAll(',', '')).toContain(t.cost.toFixed(2))
    }
    process.stdout.write(`${table.stdout}\n`)
  })

  it('missing AWS credentials: one line naming the chain, exit auth, store unchanged', async () => {
    const before = fs.statSync(db).size
    const result = await runCli(['collect', 'aws', '--db', db, '--billing-account', '999999999999'], {
      env: isolated({AWS_ENDPOINT_URL_COST_EXPLORER: ce.url, AWS_REGION: 'us-east-1'}),
    })
    expect(result.code).toBe(5)
    const lines = result.stderr.trim().split('\n')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/^Error: AWS credentials: none found in the AWS default credential chain .*aws configure/)
    expect(fs.statSync(db).size).toBe(before)
  })

  it('GCP without any credentials: exit auth, naming Application Default Credentials', async () => {
    const result = await runCli(['collect', 'gcp', '--db', db, '--table', EXPORT_TABLE, '--endpoint', gcp.url], {
      env: isolated({}),
    })
    expect(result.code).toBe(5)
    expect(result.stderr).toMatch(
      /^Error: Google credentials: none usable from Google Application Default Credentials \(GOOGLE_OAUTH_ACCESS_TOKEN, GOOGLE_APPLICATION_CREDENTIALS/m,
    )
    expect(result.stderr).toContain('gcloud auth application-default login')
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
  })

  it('collect all runs every configured source; one failing source makes it partial (exit 7)', async () => {
    const config = path.join(tmp.dir, 'finops.yaml')
    fs.writeFileSync(
      config,
      `sources:
  restatementDays: 2
  retry: {maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 10}
  aws: {billingAccount: "999999999999"}
  gcp:
    - table: ${EXPORT_TABLE}
      endpoint: ${gcp.url}
  azure:
    - scope: /subscriptions/${SUB_A}
      endpoint: ${az.url}
`,
    )
    // Azure credentials are missing here (no az on PATH): azure fails, the others land.
    const env = {
      ...awsEnv(),
      GOOGLE_OAUTH_ACCESS_TOKEN: GCP_TOKEN,
      AZURE_TOKEN_CREDENTIALS: 'AzureCliCredential',
      NODE_EXTRA_CA_CERTS: az.certFile,
      PATH: '/usr/bin:/bin',
    }
    const result = await runCli(['collect', 'all', '--db', db, '--config', config], {env})
    expect(result.code).toBe(7)
    expect(result.stdout).toMatch(/^AWS 999999999999: 2026-11-01 to 2026-11-25/m)
    expect(result.stdout).toMatch(/^Google Cloud 01A2B3-C4D5E6-F7A8B9: 2026-11-01 to 2026-11-25/m)
    expect(result.stdout).toMatch(
      /^azure \/subscriptions\/.*: FAILED: Azure credentials: no token from DefaultAzureCredential/m,
    )
    expect(result.stderr).toMatch(/^Error: 1 of 3 sources failed: azure/)
  })

  it('collect all --json: every source lands and the output follows the published schema', async () => {
    const config = path.join(tmp.dir, 'ok.yaml')
    fs.writeFileSync(
      config,
      `sources:\n  aws: {billingAccount: "999999999999"}\n  gcp: {table: ${EXPORT_TABLE}, endpoint: "${gcp.url}"}\n`,
    )
    const result = await runCli(['collect', 'all', '--db', db, '--config', config, '--json'], {
      env: {...awsEnv(), GOOGLE_OAUTH_ACCESS_TOKEN: GCP_TOKEN},
    })
    expect(result.code).toBe(0)
    const out = collectAllSchema.parse(parseJson(result))
    expect(out.sources.map((s) => [s.kind, s.ok])).toEqual([
      ['aws', true],
      ['gcp', true],
    ])
  })

  it('an invalid sources: entry names the field and exits invalidInput', async () => {
    const config = path.join(tmp.dir, 'bad.yaml')
    fs.writeFileSync(config, 'sources:\n  azure:\n    - scope: subscription-without-slash\n')
    const result = await runCli(['collect', 'all', '--db', db, '--config', config], {env: isolated({})})
    expect(result.code).toBe(3)
    expect(result.stderr).toMatch(/sources\.azure\.0\.scope: must be a scope such as \/subscriptions\/<id>/)
  })
})
