#!/usr/bin/env node
// Realized-savings benchmark: the ledger's realized figures vs the scenario's truth.
//
//   npm run build && node bench/realized/run.mjs [--workloads 60] [--days 42] [--seeds 42,7,2026] [--keep]
//
// 1. Generates a cluster (scenario.mjs): kube-state-metrics history per container, node and day for
//    `--days` days, with changes applied mid-window and journaled as finops journals them:
//    rightsizes that deliver, that see their load grow at the same time (an HPA doubles the pods),
//    that are reverted by a deploy, that run hot above the new requests, one fought by a GitOps
//    controller (reverted, re-applied, reverted); spot moves with and without load growth;
//    scale-downs, one undone by hand. Truth per action: the cost of each measured day as it happened
//    minus as it would have been without the change, from the scenario itself.
// 2. Writes it into a store, runs the built CLI as a user does: `finops savings --json`.
// 3. Prints per class and in total: the truth, the ledger's realized figure, its error, and what the
//    naive comparison (mean daily cost before vs after the apply) would have said; and whether
//    reverted, fought and hot actions carry their flags.
import {spawnSync} from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

import {CLASSES, generateRealizedScenario, writeScenario} from './scenario.mjs'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
const dist = (p) => path.join(root, 'dist', p)
const args = process.argv.slice(2)
const flag = (name, fallback) => {
  const i = args.indexOf(`--${name}`)
  return i >= 0 ? args[i + 1] : fallback
}
const WORKLOADS = Number(flag('workloads', '60'))
const DAYS = Number(flag('days', '42'))
const SEEDS = flag('seeds', '42').split(',').map(Number)
const KEEP = args.includes('--keep')
const PRICES = {onDemandHourly: 4.608, spotRatio: 0.35, cpuToMemoryRatio: 7.4607}

const {openStore} = await import(dist('src/store/open.js'))
const {insertPending, markFinished} = await import(dist('src/store/actions.js'))
const {markHistoryCoverage, replaceClusterHistory, replaceNamespaceHistory} = await import(
  dist('src/store/k8s-history.js')
)
const {replaceInventory} = await import(dist('src/store/k8s-inventory.js'))
const {stringify} = await import('yaml')

const addDays = (day, n) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10)
const pct = (x) => (x === null || !Number.isFinite(x) ? '-' : `${(x * 100).toFixed(1)}%`)
const usd = (x) => (x === null ? '-' : x.toFixed(2))

const rows = []
let timing = 0
for (const seed of SEEDS) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'finops-bench-realized-'))
  const scenario = generateRealizedScenario({seed, workloads: WORKLOADS, days: DAYS, prices: PRICES})
  const file = path.join(dir, 'finops.db')
  const db = openStore(file)
  writeScenario(db, scenario, {
    replaceNamespaceHistory,
    replaceClusterHistory,
    markHistoryCoverage,
    insertPending,
    markFinished,
    replaceInventory,
  })
  db.close()
  const config = path.join(dir, 'finops.yaml')
  fs.writeFileSync(config, stringify(scenario.config))
  const started = Date.now()
  const run = spawnSync(process.execPath, [path.join(root, 'bin', 'run.js'), 'savings', '--json'], {
    env: {...process.env, FINOPS_DB: file, FINOPS_CONFIG: config, FINOPS_NOW: addDays(scenario.asOf, 1)},
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  })
  timing += Date.now() - started
  if (run.status !== 0) {
    console.error(run.stderr)
    process.exit(1)
  }
  const report = JSON.parse(run.stdout)
  for (const t of scenario.truth) {
    const e = report.actions.find((a) => a.actionId === t.actionId)
    rows.push({seed, ...t, ledger: e?.realizedMonthly ?? null, flags: e?.flags ?? [], grade: e?.confidence.grade})
  }
  if (KEEP) console.log(`seed ${seed}: store kept at ${file}`)
  else fs.rmSync(dir, {recursive: true, force: true})
}

const sum = (xs) => xs.reduce((s, x) => s + x, 0)
const error = (ledger, truth) => (truth === 0 ? null : (ledger - truth) / Math.abs(truth))
console.log(
  `Realized savings: ledger vs truth, ${WORKLOADS} workloads ` +
    `x ${DAYS} days, seeds ${SEEDS.join(',')} (${rows.length} actions; \`finops savings\` took ${(timing / 1000).toFixed(1)} s in all)\n`,
)
console.log(
  '| class | actions | promised/mo | truth/mo | ledger/mo | ledger error | naive before/after error | flags as expected |',
)
console.log('|---|--:|--:|--:|--:|--:|--:|--:|')
const expectedFlags = (r) => {
  const f = new Set(r.flags)
  if (r.reverted && !f.has('reverted')) return false
  if (r.fought && !f.has('fought')) return false
  // Hot: usage above the new requests eats the saving; below half of the promise it did not deliver.
  if (r.class === 'rightsize-hot') return f.has('not-delivered') === r.realizedMonthly < 0.5 * r.promisedMonthly
  if (!r.reverted && !r.fought) return f.size === 0
  return true
}
for (const cls of CLASSES) {
  const of = rows.filter((r) => r.class === cls)
  if (of.length === 0) continue
  const truth = sum(of.map((r) => r.realizedMonthly ?? 0))
  const ledger = sum(of.map((r) => r.ledger ?? 0))
  const naive = sum(of.map((r) => r.naiveMonthly ?? 0))
  console.log(
    `| ${cls} | ${of.length} | ` +
      `${usd(sum(of.map((r) => r.promisedMonthly)))} | ` +
      `${usd(truth)} | ${usd(ledger)} | ${pct(error(ledger, truth))} | ${pct(error(naive, truth))} | ${of.filter(expectedFlags).length}/${of.length} |`,
  )
}
const truth = sum(rows.map((r) => r.realizedMonthly ?? 0))
const ledger = sum(rows.map((r) => r.ledger ?? 0))
const naive = sum(rows.map((r) => r.naiveMonthly ?? 0))
console.log(
  `| **total** | ${rows.length} | ` +
    `${usd(sum(rows.map((r) => r.promisedMonthly)))} | ` +
    `${usd(truth)} | ${usd(ledger)} | ${pct(error(ledger, truth))} | ${pct(error(naive, truth))} | ${rows.filter(expectedFlags).length}/${rows.length} |`,
)
const within = rows.filter(
  (r) => Math.abs((r.ledger ?? 0) - (r.realizedMonthly ?? 0)) <= 0.05 * Math.max(1, Math.abs(r.realizedMonthly ?? 0)),
)
const reverted = rows.filter((r) => r.reverted)
console.log(
  `\nPer action within 5% of truth (or $1): ${within.length}/${rows.length}; reverted actions flagged ` +
    `reverted: ${reverted.filter((r) => r.flags.includes('reverted')).length}/${reverted.length}; total error ${pct(error(ledger, truth))} (target within 5%).`,
)
const worst = rows
  .map((r) => ({...r, err: Math.abs((r.ledger ?? 0) - (r.realizedMonthly ?? 0))}))
  .sort((a, b) => b.err - a.err)
  .slice(0, 3)
console.log(
  `Largest per-action gaps: ${worst
    .map(
      (r) =>
        `${r.actionId} (${r.class}, ` + `seed ${r.seed}): ledger ${usd(r.ledger)} vs truth ${usd(r.realizedMonthly)}`,
    )
    .join('; ')}`,
)
