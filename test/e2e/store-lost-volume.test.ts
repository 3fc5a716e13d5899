import fs from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {openStore} from '../../src/store/open.js'
import {isolatedCloudEnv} from '../helpers/cloud-env.js'
import {
  expectSameTotals,
  killGroup,
  runCli,
  spawnCli,
  storeTotals,
  tempDir,
  type CliResult,
  type Totals,
} from '../helpers/index.js'
import {CE_ACCESS_KEY, type CeServer, sampleLedger, startCostExplorer} from '../servers/aws-cost-explorer.js'

// The CronJob's three mornings: the last backup is made on the first, the volume is lost on the
// second, the store is restored and the CronJob runs again on the third.
const BACKED_UP = '2026-11-10T06:00:00Z'
const LOST = '2026-11-18T06:00:00Z'
const RECOVERED = '2026-11-26T06:00:00Z'
const FROM = '2026-09-01'
const TO = '2026-11-25'

let ce: CeServer
let tmp: {dir: string; cleanup: () => void}
let config: string
let reference: Totals

const env = (now: string, configFile = config): Record<string, string | undefined> =>
  isolatedCloudEnv(tmp.dir, now, {
    AWS_ENDPOINT_URL_COST_EXPLORER: ce.url,
    AWS_ACCESS_KEY_ID: CE_ACCESS_KEY,
    AWS_SECRET_ACCESS_KEY: 'local-secret',
    AWS_REGION: 'us-east-1',
    FINOPS_CONFIG: configFile,
    KUBECONFIG: undefined,
  })

const totalsOf = (file: string): Totals => {
  const db = openStore(file, {intent: 'read'})
  try {
    return storeTotals(db, ['day', 'sub-account', 'service'], FROM, TO)
  } finally {
    db.close()
  }
}

const days = (totals: Totals): Set<string> => new Set([...totals.keys()].map((k) => k.slice(0, 10)))

/** The run's JSON log lines for its steps' outcomes, as `step:status`. */
const stepOutcomes = (run: CliResult): string[] =>
  run.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as {step: string; event: string; status?: string})
    .filter((l) => l.step !== 'run' && (l.event === 'finish' || l.event === 'skip'))
    .map((l) => `${l.step}:${l.status}`)

beforeAll(async () => {
  tmp = tempDir('finops-e2e-lost-volume-')
  ce = await startCostExplorer({pageDays: 20})
  ce.ledger = sampleLedger('2026-08-01', '2026-11-25')
  config = path.join(tmp.dir, 'finops.yaml')
  fs.writeFileSync(
    config,
    `sources:\n  aws:\n    - billingAccount: '999999999999'\nrun:\n  steps: [collect, backup]\n  report: {enabled: false}\n` +
      `backup:\n  to: ${path.join(tmp.dir, 'backups')}\n  keep: 5\n`,
  )
  // What a store that never lost anything holds: one that collected on each of the three mornings.
  const store = path.join(tmp.dir, 'reference', 'finops.db')
  for (const now of [BACKED_UP, LOST, RECOVERED]) {
    const run = await runCli(['collect', 'all', '--db', store], {env: env(now)})
    expect(run.code, run.stderr).toBe(0)
  }
  reference = totalsOf(store)
  expect(days(reference)).toContain('2026-11-25')
}, 300_000)
afterAll(async () => {
  await ce.close()
  tmp.cleanup()
})

interface Loss {
  name: string
  /** The second morning's run and the loss of the volume; resolves once the volume is gone. */
  lose(volume: string, store: string): Promise<void>
}

/** The volume comes back empty, as a new PersistentVolume does. */
const wipe = (volume: string): void => {
  fs.rmSync(volume, {recursive: true, force: true})
  fs.mkdirSync(volume)
}

const losses: Loss[] = [
  {
    name: 'after a run that made no backup',
    async lose(volume, store) {
      const noBackup = path.join(tmp.dir, 'no-backup.yaml')
      fs.writeFileSync(noBackup, fs.readFileSync(config, 'utf8').replace('[collect, backup]', '[collect]'))
      const run = await runCli(['run', '--db', store], {env: env(LOST, noBackup)})
      expect(run.code, run.stdout + run.stderr).toBe(0)
      expect(days(totalsOf(store))).toContain('2026-11-17')
      wipe(volume)
    },
  },
  {
    name: 'with the run killed mid-collect (the pod and every step process SIGKILLed), then the volume wiped',
    async lose(volume, store) {
      const hold = ce.holdNext('GetCostAndUsage')
      const run = spawnCli(['run', '--db', store], env(LOST), {ownGroup: true})
      await hold.arrived
      await killGroup(run)
      wipe(volume)
      hold.release()
    },
  },
  {
    name: 'replaced under a run that goes on collecting',
    async lose(volume, store) {
      const hold = ce.holdNext('GetCostAndUsage')
      const running = runCli(['run', '--db', store], {env: env(LOST)})
      await hold.arrived
      wipe(volume)
      hold.release()
      const run = await running
      // The collect step wrote into the lost store's open file; the backup step finds no store, so
      // the run fails (the Job is retried) and makes no backup of anything less than the store.
      expect(run.code, run.stdout + run.stderr).not.toBe(0)
      expect(stepOutcomes(run)).toEqual(['collect:ok', 'backup:failed'])
      expect(fs.readdirSync(volume)).toEqual([])
    },
  },
]

describe('losing the store volume, then recovering from the last backup', () => {
  it.each(losses)(
    '$name: the restore and the next run re-collect the gap, nothing after the backup is lost',
    async ({name, lose}) => {
      const volume = path.join(tmp.dir, name.replace(/\W+/g, '-'))
      const store = path.join(volume, 'finops.db')
      const backups = path.join(tmp.dir, 'backups')
      fs.rmSync(backups, {recursive: true, force: true})
      const first = await runCli(['run', '--db', store], {env: env(BACKED_UP)})
      expect(first.code, first.stdout + first.stderr).toBe(0)
      expect(stepOutcomes(first)).toEqual(['collect:ok', 'backup:ok'])
      const manifests = (): string[] => fs.readdirSync(backups).filter((n) => n.endsWith('.manifest.json'))
      const [lastBackup] = manifests()
      expect(manifests()).toHaveLength(1)

      await lose(volume, store)
      expect(fs.existsSync(store)).toBe(false)
      // The last good backup is the first morning's, whole.
      expect(manifests()).toEqual([lastBackup])
      const verify = await runCli(['store', 'verify', '--from', backups])
      expect(verify.code, verify.stderr).toBe(0)

      // Recovery, as the runbook says: restore the newest backup onto the fresh volume, run again.
      const restore = await runCli(['store', 'restore', '--db', store, '--from', backups], {env: env(RECOVERED)})
      expect(restore.code, restore.stderr).toBe(0)
      const restored = days(totalsOf(store))
      expect(restored).toContain('2026-11-09')
      expect(restored).not.toContain('2026-11-10')
      const third = await runCli(['run', '--db', store], {env: env(RECOVERED)})
      expect(third.code, third.stdout + third.stderr).toBe(0)
      expect(stepOutcomes(third)).toEqual(['collect:ok', 'backup:ok'])

      // Every day after the backup is back, and every total equals the store that lost nothing.
      const recovered = totalsOf(store)
      for (const day of ['2026-11-10', '2026-11-17', '2026-11-25']) expect(days(recovered)).toContain(day)
      expectSameTotals(recovered, reference)
    },
    300_000,
  )
})
