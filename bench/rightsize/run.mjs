#!/usr/bin/env node
// Rightsizing quality benchmark: finops vs KRR's simple strategy, scored on held-out data.
//
//   npm run build && node bench/rightsize/run.mjs [--containers 150] [--seed 42] [--keep]
//
// 1. Generates 21 days of 5-minute usage for N containers (traces.mjs).
// 2. Writes the first 14 days as OpenMetrics into a real Prometheus (promtool tsdb
//    create-blocks-from openmetrics; prometheus --storage.tsdb.retention.time=90d).
// 3. Runs the built CLI: `finops collect usage` (Prometheus range queries -> daily digests) and
//    `finops recommend --kind rightsize --json`. The inventory (requests, limits, pods) is written
//    straight into the store, as `collect k8s` would have.
// 4. Computes KRR's simple strategy on the same 14 days (CPU request = p95, memory = max + 15%; KRR's
//    current default CPU percentile, p99, is shown too).
// 5. Scores every strategy on the 7 held-out days: requests saved vs current, share of CPU samples
//    above the new request, memory-over-limit events (demand above the new limit), memory samples
//    above the new request.
import fs from 'node:fs'
import path from 'node:path'

import {buildTsdb, dist, inventoryOf, root, runCli, startPrometheus, writeOpenMetrics} from './harness.mjs'
import {STEPS_PER_DAY, containerSpec, containerTrace, observeMemory} from './traces.mjs'

const args = process.argv.slice(2)
const flag = (name, fallback) => {
  const i = args.indexOf(`--${name}`)
  return i >= 0 ? args[i + 1] : fallback
}
const N = Number(flag('containers', '150'))
const SEED = Number(flag('seed', '42'))
const KEEP = args.includes('--keep')
const TRAIN_DAYS = 14
const TEST_DAYS = 7
const GIB = 2 ** 30
const MIB = 2 ** 20

const out = path.resolve(flag('out', path.join(root, 'bench', '.work', `rightsize-${N}-${SEED}`)))
fs.rmSync(out, {recursive: true, force: true})
fs.mkdirSync(out, {recursive: true})

const todayMidnight = Math.floor(Date.now() / 86_400_000) * 86_400
const T0 = todayMidnight - TRAIN_DAYS * 86_400
const trainSteps = TRAIN_DAYS * STEPS_PER_DAY
// "Now" for the CLI: one second before the end of the training window, so it reads exactly 14 days.
const NOW = new Date((T0 + TRAIN_DAYS * 86_400 - 1) * 1000).toISOString()

// ---------------------------------------------------------------------------------------------
console.log(
  `Rightsizing benchmark: ${N} containers, seed ${SEED}, ${TRAIN_DAYS} days training + ${TEST_DAYS} days held out, 5-minute steps`,
)
const t = Date.now()
const containers = []
for (let i = 0; i < N; i++) {
  const spec = containerSpec(SEED, i)
  const trace = containerTrace(SEED, spec, T0, TRAIN_DAYS + TEST_DAYS)
  const {observed, oomSteps} = observeMemory(trace.memory, spec.memoryLimit)
  containers.push({
    spec,
    cpu: trace.cpu,
    demand: trace.memory,
    observed,
    trainOoms: oomSteps.filter((s) => s < trainSteps),
  })
}
console.log(
  `generated traces in ${Date.now() - t} ms; ${containers.filter((c) => c.trainOoms.length > 0).length} containers OOM-killed in the training window`,
)

// --- OpenMetrics -> TSDB -------------------------------------------------------------------------
const om = path.join(out, 'usage.om')
writeOpenMetrics(
  om,
  N,
  (i) => ({
    spec: containers[i].spec,
    cpu: containers[i].cpu,
    observed: containers[i].observed,
    ooms: containers[i].trainOoms,
  }),
  T0,
  trainSteps,
)
const tsdb = path.join(out, 'tsdb')
const started = Date.now()
buildTsdb(om, tsdb)
console.log(
  `promtool create-blocks-from openmetrics: ${((Date.now() - started) / 1000).toFixed(1)} s (${(fs.statSync(om).size / 1e6).toFixed(0)} MB OpenMetrics)`,
)
if (!KEEP) fs.rmSync(om)

const prom = await startPrometheus(out, tsdb)
try {
  // --- the store: inventory as collect k8s would write it --------------------------------------
  const db = path.join(out, 'finops.db')
  const {openStore} = await dist('store/open.js')
  const {replaceInventory} = await dist('store/k8s-inventory.js')
  const store = openStore(db)
  replaceInventory(
    store,
    inventoryOf(
      containers.map((c) => c.spec),
      (i) => containers[i].trainOoms.length,
      NOW,
    ),
    'bench',
  )
  store.close()
  const config = path.join(out, 'finops.yaml')
  // 5-minute samples: a 10m rate window always holds two of them.
  fs.writeFileSync(config, 'kubernetes:\n  prometheus:\n    rateWindow: 10m\n')

  const env = {...process.env, FINOPS_NOW: NOW, FINOPS_DB: db, FINOPS_CONFIG: config}
  const collect = runCli(
    ['collect', 'usage', '--prometheus', prom.url, '--days', String(TRAIN_DAYS), '--cluster', 'bench', '--json'],
    env,
  )
  const recommend = runCli(['recommend', '--kind', 'rightsize', '--json'], env)
  const collected = collect.json
  const recommended = recommend.json
  const collectSeconds = collect.seconds
  const recommendSeconds = recommend.seconds
  console.log(
    `finops collect usage: ${collectSeconds.toFixed(1)} s (${collected.containers} containers, ${collected.containerDays} container-days, ` +
      `${collected.samples.toLocaleString('en-US')} samples, ${collected.oomKills ?? 0} OOM kills via ${collected.oomSource}); finops recommend: ${recommendSeconds.toFixed(1)} s ` +
      `(${recommended.recommendations.length} recommendations, ${recommended.skipped.length} skipped)`,
  )

  // --- strategies -------------------------------------------------------------------------------
  const byTarget = new Map(
    recommended.recommendations.map((r) => [`${r.target.namespace}/${r.target.name}/${r.target.container}`, r]),
  )
  const current = containers.map((c) => ({
    cpu: c.spec.cpuRequest,
    memRequest: c.spec.memoryRequest,
    memLimit: c.spec.memoryLimit,
  }))
  const finops = containers.map((c, i) => {
    const rec = byTarget.get(`${c.spec.namespace}/${c.spec.workload}/${c.spec.container}`)
    if (!rec) return current[i]
    return {
      cpu: rec.proposed.cpuRequest ?? current[i].cpu,
      memRequest: rec.proposed.memoryRequest ?? current[i].memRequest,
      memLimit: rec.proposed.memoryLimit ?? current[i].memLimit,
    }
  })
  const krr = (q) =>
    containers.map((c) => {
      const cpu = Math.max(0.001, Math.ceil(percentile(c.cpu.subarray(0, trainSteps), q) * 1000) / 1000)
      const mem = Math.ceil((max(c.observed.subarray(0, trainSteps)) * 1.15) / MIB) * MIB
      return {cpu, memRequest: mem, memLimit: mem}
    })
  const rows = [
    ['current requests', score(containers, current)],
    ['KRR simple (CPU p95, memory max+15%)', score(containers, krr(0.95))],
    ['KRR simple, current default (CPU p99)', score(containers, krr(0.99))],
    ['finops recommend --kind rightsize', score(containers, finops)],
  ]
  printTable(rows)
  const base = rows[0][1]
  const k = rows[1][1]
  const f = rows[3][1]
  console.log('')
  console.log(
    `finops vs KRR simple (p95): CPU saved ${ratio(base.cpu - f.cpu, base.cpu - k.cpu)}x, memory saved ${ratio(base.memRequest - f.memRequest, base.memRequest - k.memRequest)}x, ` +
      `CPU samples above request ${ratio(f.cpuOver, k.cpuOver)}x, memory-over-limit events ${f.memEvents} vs ${k.memEvents}`,
  )
  const targets = {
    'CPU+memory savings >= KRR':
      base.cpu - f.cpu >= base.cpu - k.cpu && base.memRequest - f.memRequest >= base.memRequest - k.memRequest,
    'fewer CPU samples above request': f.cpuOver < k.cpuOver,
    'no more memory-over-limit events': f.memEvents <= k.memEvents,
  }
  for (const [name, ok] of Object.entries(targets)) console.log(`  ${ok ? 'met    ' : 'NOT met'}  ${name}`)
  fs.writeFileSync(
    path.join(out, 'result.json'),
    JSON.stringify(
      {containers: N, seed: SEED, collectSeconds, recommendSeconds, rows: Object.fromEntries(rows), targets},
      null,
      2,
    ),
  )
} finally {
  prom.stop()
  if (!KEEP) fs.rmSync(tsdb, {recursive: true, force: true})
}

// ---------------------------------------------------------------------------------------------

/** Held-out scoring of one strategy (a proposal per container). */
function score(list, proposals) {
  let cpu = 0
  let memRequest = 0
  let cpuOver = 0
  let memOverRequest = 0
  let memEvents = 0
  let memEventContainers = 0
  let samples = 0
  list.forEach((c, i) => {
    const p = proposals[i]
    cpu += p.cpu
    memRequest += p.memRequest
    let events = 0
    let over = false
    for (let s = trainSteps; s < c.cpu.length; s++) {
      samples++
      if (c.cpu[s] > p.cpu) cpuOver++
      if (c.demand[s] > p.memRequest) memOverRequest++
      const isOver = p.memLimit !== undefined && c.demand[s] > p.memLimit
      if (isOver && !over) events++
      over = isOver
    }
    memEvents += events
    if (events > 0) memEventContainers++
  })
  return {
    cpu,
    memRequest,
    cpuOver: cpuOver / samples,
    memOverRequest: memOverRequest / samples,
    memEvents,
    memEventContainers,
  }
}

function printTable(rows) {
  const base = rows[0][1]
  const head = [
    'strategy',
    'CPU req (cores)',
    'CPU saved',
    'CPU samples > request',
    'mem req (GiB)',
    'mem saved',
    'mem samples > request',
    'mem-over-limit events (containers)',
  ]
  const body = rows.map(([name, s]) => [
    name,
    s.cpu.toFixed(2),
    pct((base.cpu - s.cpu) / base.cpu),
    pct(s.cpuOver, 2),
    (s.memRequest / GIB).toFixed(1),
    pct((base.memRequest - s.memRequest) / base.memRequest),
    pct(s.memOverRequest, 2),
    `${s.memEvents} (${s.memEventContainers})`,
  ])
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)))
  const line = (cells) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`
  console.log('')
  console.log(line(head))
  console.log(`|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`)
  for (const r of body) console.log(line(r))
}

function percentile(values, q) {
  const sorted = Float64Array.from(values).sort()
  const pos = q * (sorted.length - 1)
  const lo = Math.floor(pos)
  const hi = Math.ceil(pos)
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo)
}

function max(values) {
  let m = -Infinity
  for (const v of values) if (v > m) m = v
  return m
}

function pct(x, digits = 1) {
  return `${(x * 100).toFixed(digits)}%`
}

function ratio(a, b) {
  return b === 0 ? 'n/a' : (a / b).toFixed(2)
}
