import fs from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {cudId} from '../../src/collectors/gcp/commitments.js'
import {commitmentsStatusSchema} from '../../src/commitments/schemas.js'
import {parseJson, runCli, tempDir} from '../helpers/cli.js'
import {isolatedCloudEnv} from '../helpers/cloud-env.js'
import {
  AZ_RESERVATION,
  AZ_SAVINGS_PLAN,
  AZ_TOKEN,
  type AzServer,
  commitmentAzureBenefits,
  commitmentAzureLedger,
  startCostManagement,
  SUB_A,
} from '../servers/azure-cost-management.js'
import {
  commitmentGcpLedger,
  commitmentGcpResources,
  EXPORT_TABLE,
  GCP_TOKEN,
  type GcpServer,
  startGoogleApis,
} from '../servers/gcp.js'

/**
 * The built CLI as users run it: collect all from finops.yaml (Azure with commitments: true, GCP),
 * each collector reading its cloud's commitment terms from the stand-ins, then commitments status.
 */
const NOW = '2026-11-26'
const COMPUTE_CUD = cudId('resource', 'Compute Engine', 'us-central1')
let az: AzServer
let gcp: GcpServer
let tmp: {dir: string; cleanup: () => void}
let binDir: string
let config: string

const env = () =>
  isolatedCloudEnv(tmp.dir, NOW, {
    PATH: `${binDir}:${process.env.PATH}`,
    AZURE_TOKEN_CREDENTIALS: 'AzureCliCredential',
    NODE_EXTRA_CA_CERTS: az.certFile,
    GOOGLE_OAUTH_ACCESS_TOKEN: GCP_TOKEN,
  })
const collect = (db: string) => runCli(['collect', 'all', '--db', db, '--config', config], {env: env()})
const status = (db: string, ...args: string[]) =>
  runCli(['commitments', 'status', '--db', db, '--from', '2026-11-16', '--to', '2026-11-25', ...args], {env: env()})

beforeAll(async () => {
  tmp = tempDir('finops-e2e-terms-')
  az = await startCostManagement(tmp.dir, {pageRows: 40, benefitPageSize: 1})
  gcp = await startGoogleApis({pageRows: 40, commitmentPageSize: 2})
  // A stand-in Azure CLI: what `az account get-access-token --output json` prints after `az login`.
  binDir = path.join(tmp.dir, 'bin')
  fs.mkdirSync(binDir)
  fs.writeFileSync(
    path.join(binDir, 'az'),
    `#!/bin/sh\necho '{"accessToken": "${AZ_TOKEN}", "expiresOn": "2099-01-01 00:00:00.000000", ` +
      `"expires_on": ${Math.floor(Date.now() / 1000) + 3600}, "subscription": "${SUB_A}", "tenant": "t", "tokenType": "Bearer"}'\n`,
    {mode: 0o755},
  )
  config = path.join(tmp.dir, 'finops.yaml')
  fs.writeFileSync(
    config,
    `sources:
  initialDays: 25
  retry: {maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5000}
  gcp:
    - table: ${EXPORT_TABLE}
      endpoint: ${gcp.url}
  azure:
    - scope: /subscriptions/${SUB_A}
      endpoint: ${az.url}
      details: false
      commitments: true
`,
  )
})
afterAll(async () => {
  await Promise.all([az.close(), gcp.close()])
  tmp.cleanup()
})

describe('commitments status after collect azure and gcp: end dates, days left and renewal from the clouds', () => {
  it('states each Azure and GCP commitment’s end, days left and renewal costs, and where each came from', async () => {
    az.reset()
    gcp.reset()
    az.ledger = commitmentAzureLedger('2026-11-01', '2026-11-25')
    az.benefits = commitmentAzureBenefits(1)
    gcp.ledger = commitmentGcpLedger('2026-11-01', '2026-11-25')
    gcp.commitments = commitmentGcpResources(1)
    const db = path.join(tmp.dir, 'ok.db')
    const collected = await collect(db)
    expect(collected.code, collected.stderr).toBe(0)
    expect(az.listRequests()).toHaveLength(3)
    expect(gcp.commitmentRequests()).toHaveLength(2)

    const json = await status(db, '--json')
    expect(json.code, json.stderr).toBe(0)
    const byId = new Map(commitmentsStatusSchema.parse(parseJson(json)).commitments.map((c) => [c.id, c]))
    expect(byId.get(AZ_RESERVATION)).toMatchObject({expiry: '2027-01-15', daysLeft: 50})
    expect(byId.get(AZ_SAVINGS_PLAN)).toMatchObject({expiry: '2027-06-30', daysLeft: 216, hourlyCommitment: 5})
    expect(byId.get(AZ_SAVINGS_PLAN)!.renewal.renewMonthlyCost).toBe(3650)
    expect(byId.get(COMPUTE_CUD)).toMatchObject({expiry: '2027-02-01', daysLeft: 67})
    expect(byId.get(COMPUTE_CUD)!.expirySource).toMatch(/^GCP Compute Engine regionCommitments\.aggregatedList/)

    const table = await status(db)
    expect(table.code, table.stderr).toBe(0)
    expect(table.stdout).toMatch(/2027-01-15 \(50 d\)/)
    expect(table.stdout).toMatch(/2027-06-30 \(216 d\)/)
    expect(table.stdout).toMatch(/2027-02-01 \(67 d\)/)
    expect(table.stdout).toMatch(/Where each commitment figure comes from/)
    expect(table.stdout).toMatch(/Azure Microsoft\.Capacity reservations list/)
    // The reservation ends within 90 days: a note gives both renewal figures.
    expect(table.stdout).toMatch(/ends 2027-01-15 \(in 50 days\): renewing costs [\d.]+ USD a month, letting it lapse/)
  })

  it('an identity without the roles: collect prints one line per refusal naming the role, and status still prints', async () => {
    az.reset()
    gcp.reset()
    az.ledger = commitmentAzureLedger('2026-11-01', '2026-11-25')
    az.benefits = commitmentAzureBenefits()
    az.denied.add('reservations')
    gcp.ledger = commitmentGcpLedger('2026-11-01', '2026-11-25')
    gcp.commitments = commitmentGcpResources()
    gcp.deniedProjects.add('shop-prod')
    const db = path.join(tmp.dir, 'denied.db')
    const collected = await collect(db)
    expect(collected.code, collected.stderr).toBe(0)
    expect(collected.stdout).toMatch(/grant Reservations Reader \(tenant level/)
    expect(collected.stdout).toMatch(
      /grant compute\.commitments\.list on the project \(roles\/compute\.viewer has it\)/,
    )

    const table = await status(db)
    expect(table.code, table.stderr).toBe(0)
    expect(table.stdout).toMatch(/2027-06-30 \(216 d\)/)
    expect(table.stdout).toMatch(/expiry is unknown for 3 of 4 commitment/)
    expect(table.stdout).toMatch(/Reservations Reader, Savings plan Reader/)
  })
})
