import Database from 'better-sqlite3'
import {type ChildProcess, spawn} from 'node:child_process'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {storeBackupSchema} from '../../src/backup/schemas.js'
import {openStore} from '../../src/store/open.js'
import {fillCostStore, parseJson, repoRoot, runCli, tempDir} from '../helpers/index.js'

let dir: string
let cleanup: () => void
let store: string
let writer: ChildProcess | undefined

beforeAll(() => {
  ;({dir, cleanup} = tempDir())
  store = path.join(dir, 'data', 'finops.db')
  const db = openStore(store)
  // A year of history, so a snapshot takes long enough for writes to land while it is taken.
  fillCostStore(db, {resources: 4})
  db.close()
}, 120_000)
afterAll(() => {
  writer?.kill('SIGKILL')
  cleanup()
})

/**
 * A second process writing as a collector does (the CronJob's collect step): one day's costs and
 * the watermark that says they are there, in one transaction per day, through the built write path.
 * It prints the day it committed after each transaction.
 */
const WRITER = `
import {replaceCollectedWindow} from ${JSON.stringify(path.join(repoRoot, 'dist/src/store/collected-window.js'))}
import {openStore} from ${JSON.stringify(path.join(repoRoot, 'dist/src/store/open.js'))}
const db = openStore(process.argv[1])
db.pragma('busy_timeout = 10000')
const source = 'writer'
for (let n = 0; ; n++) {
  const day = new Date(Date.UTC(2027, 0, 1) + n * 86400000).toISOString().slice(0, 10)
  const rows = Array.from({length: 200}, (_, i) => ({
    day, billingPeriodStart: day.slice(0, 7) + '-01', provider: 'AWS', billingAccountId: '555555555555',
    subAccountId: String(555555555555 + (i % 7)), serviceName: 'Service ' + (i % 13), serviceCategory: 'Compute',
    regionId: 'eu-west-1', chargeCategory: 'Usage', chargeFrequency: 'Usage-Based', currency: 'USD',
    tags: {team: 't' + (i % 11), app: 'a' + i}, billedCost: 1, effectiveCost: 1, listCost: 1, contractedCost: 1,
  }))
  replaceCollectedWindow(db,
    [{kind: 'days', source, provider: 'AWS', billingAccountId: '555555555555', from: day, to: day}], rows,
    {source, location: 'writer', startedAt: new Date().toISOString(), rowsRead: rows.length, rowsSkipped: 0},
    {source, scope: '555555555555', collectedThrough: day, finalThrough: day, lastRunAt: new Date().toISOString(), lastRequests: 1})
  process.stdout.write(day + '\\n')
}
`

describe('an online backup while another process writes the store', () => {
  it('each backup opens, passes verify and holds exactly the days its watermark claims', async () => {
    let committed: string[] = []
    writer = spawn(process.execPath, ['--input-type=module', '-e', WRITER, store], {stdio: ['ignore', 'pipe', 'pipe']})
    let errors = ''
    writer.stderr!.on('data', (d) => (errors += d))
    writer.stdout!.on('data', (d: Buffer) => (committed = [...committed, ...d.toString().trim().split('\n')]))
    await waitFor(
      () => committed.length >= 5,
      () => errors,
    )

    const backups = path.join(dir, 'backups')
    const taken: {name: string; during: [number, number]}[] = []
    for (let i = 0; i < 3; i++) {
      const before = committed.length
      const made = await runCli(['store', 'backup', '--db', store, '--to', backups, '--json'])
      expect(made.code, made.stderr).toBe(0)
      taken.push({name: storeBackupSchema.parse(parseJson(made)).backup.name, during: [before, committed.length]})
    }
    writer.kill('SIGKILL')
    expect(errors).toBe('')

    for (const {name, during} of taken) {
      // The writer kept committing while this backup ran.
      expect(during[1]).toBeGreaterThan(during[0])
      const verify = await runCli(['store', 'verify', '--from', path.join(backups, name), '--json'])
      expect(verify.code, verify.stderr).toBe(0)
      const copy = new Database(path.join(backups, name), {readonly: true, fileMustExist: true})
      try {
        const mark = copy
          .prepare("SELECT collected_through FROM collector_watermarks WHERE source = 'writer'")
          .pluck()
          .get() as string | undefined
        const days = copy
          .prepare("SELECT day, count(*) AS n FROM cost_daily WHERE source = 'writer' GROUP BY day ORDER BY day")
          .all() as {day: string; n: number}[]
        // The watermark never runs ahead of the rows, nor behind them: each day is whole, and the
        // watermark names the last one.
        expect(mark).toBeDefined()
        expect(days.at(-1)?.day).toBe(mark)
        expect(days.every((d) => d.n === 200)).toBe(true)
        expect(days.map((d) => d.day)).toEqual(committed.slice(0, days.length))
      } finally {
        copy.close()
      }
    }
  }, 180_000)
})

async function waitFor(condition: () => boolean, detail: () => string): Promise<void> {
  const started = Date.now()
  while (!condition()) {
    if (Date.now() - started > 60_000) throw new Error(`the writer did not start: ${detail()}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}
