import fs from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {openStore} from '../../src/store/open.js'
import {isolatedCloudEnv} from '../helpers/cloud-env.js'
import {expectSameTotals, runCli, storeTotals, tempDir, type Totals} from '../helpers/index.js'
import {CE_ACCESS_KEY, type CeServer, sampleLedger, startCostExplorer} from '../servers/aws-cost-explorer.js'

let ce: CeServer
let tmp: {dir: string; cleanup: () => void}

beforeAll(async () => {
  tmp = tempDir('finops-e2e-lost-volume-')
  ce = await startCostExplorer({pageDays: 20})
  ce.ledger = sampleLedger('2026-08-01', '2026-11-25')
})
afterAll(async () => {
  await ce.close()
  tmp.cleanup()
})

const env = (now: string, config: string): Record<string, string | undefined> =>
  isolatedCloudEnv(tmp.dir, now, {
    AWS_ENDPOINT_URL_COST_EXPLORER: ce.url,
    AWS_ACCESS_KEY_ID: CE_ACCESS_KEY,
    AWS_SECRET_ACCESS_KEY: 'local-secret',
    AWS_REGION: 'us-east-1',
    FINOPS_CONFIG: config,
    KUBECONFIG: undefined,
  })

const totalsOf = (file: string, from: string, to: string): Totals => {
  const db = openStore(file, {intent: 'read'})
  try {
    return storeTotals(db, ['day', 'sub-account', 'service'], from, to)
  } finally {
    db.close()
  }
}

describe('losing the store volume between runs', () => {
  it('restoring the last backup and running again re-collects the gap: nothing after the backup is lost', async () => {
    const volume = path.join(tmp.dir, 'volume')
    const store = path.join(volume, 'finops.db')
    const backups = path.join(tmp.dir, 'backups')
    const config = path.join(tmp.dir, 'finops.yaml')
    fs.writeFileSync(
      config,
      `sources:\n  aws:\n    - billingAccount: '999999999999'\nrun:\n  steps: [collect, backup]\n  report: {enabled: false}\nbackup:\n  ` +
        `to: ${backups}\n  keep: 5\n`,
    )
    // Day 1: a run collects and backs up. Day 2: a run collects more but makes no backup (the
    // step is left out), so the last backup is day 1's. Then the volume is lost.
    const first = await runCli(['run', '--db', store], {env: env('2026-11-10T06:00:00Z', config)})
    expect(first.code, first.stdout + first.stderr).toBe(0)
    const noBackup = path.join(tmp.dir, 'no-backup.yaml')
    fs.writeFileSync(noBackup, fs.readFileSync(config, 'utf8').replace('[collect, backup]', '[collect]'))
    const second = await runCli(['run', '--db', store], {env: env('2026-11-18T06:00:00Z', noBackup)})
    expect(second.code, second.stdout + second.stderr).toBe(0)
    expect(fs.readdirSync(backups).filter((n) => n.endsWith('.manifest.json'))).toHaveLength(1)
    const collectedBeforeLoss = totalsOf(store, '2026-09-01', '2026-11-25')
    expect([...collectedBeforeLoss.keys()].some((k) => k.startsWith('2026-11-17'))).toBe(true)
    fs.rmSync(volume, {recursive: true, force: true})

    // Recovery, as the runbook says: restore the newest backup onto a fresh volume, run again.
    const restore = await runCli(['store', 'restore', '--db', store, '--from', backups], {
      env: env('2026-11-26T06:00:00Z', config),
    })
    expect(restore.code, restore.stderr).toBe(0)
    const third = await runCli(['run', '--db', store], {env: env('2026-11-26T06:00:00Z', config)})
    expect(third.code, third.stdout + third.stderr).toBe(0)

    // The recovered store equals one that never lost anything: a store that collected straight through.
    const reference = path.join(tmp.dir, 'reference', 'finops.db')
    for (const now of ['2026-11-10T06:00:00Z', '2026-11-18T06:00:00Z', '2026-11-26T06:00:00Z']) {
      const run = await runCli(['collect', 'all', '--db', reference], {env: env(now, config)})
      expect(run.code, run.stderr).toBe(0)
    }
    const recovered = totalsOf(store, '2026-09-01', '2026-11-25')
    expect([...recovered.keys()].some((k) => k.startsWith('2026-11-25'))).toBe(true)
    expectSameTotals(recovered, totalsOf(reference, '2026-09-01', '2026-11-25'))
  }, 300_000)
})
