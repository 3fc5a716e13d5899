#!/usr/bin/env node
// Scale timing: `finops collect usage` + `finops recommend` for many containers (default 5,000) with
// 14 days of 5-minute samples in a real Prometheus. Traces are regenerated per metric family rather
// than held, so the generator's memory stays flat.
//
//   npm run build && node bench/rightsize/scale.mjs [--containers 5000] [--seed 42] [--keep]
import fs from 'node:fs'
import path from 'node:path'

import {buildTsdb, dist, inventoryOf, root, runCli, startPrometheus, writeOpenMetrics} from './harness.mjs'
import {STEPS_PER_DAY, containerSpec, containerTrace, observeMemory} from './traces.mjs'

const args = process.argv.slice(2)
const flag = (name, fallback) => {
  const i = args.indexOf(`--${name}`)
  return i >= 0 ? args[i + 1] : fallback
}
const N = Number(flag('containers', '5000'))
const SEED = Number(flag('seed', '42'))
const KEEP = args.includes('--keep')
const DAYS = 14
const steps = DAYS * STEPS_PER_DAY
const out = path.resolve(flag('out', path.join(root, 'bench', '.work', `rightsize-scale-${N}`)))
fs.rmSync(out, {recursive: true, force: true})
fs.mkdirSync(out, {recursive: true})

const T0 = Math.floor(Date.now() / 86_400_000) * 86_400 - DAYS * 86_400
const NOW = new Date((T0 + DAYS * 86_400 - 1) * 1000).toISOString()
// Spread containers over namespaces like a large cluster: 50 namespaces of ~100 workloads.
const namespaces = Math.max(6, Math.round(N / 100))
const specs = Array.from({length: N}, (_, i) => containerSpec(SEED, i, namespaces))
const oomCounts = new Array(N).fill(0)
const get = (i) => {
  const trace = containerTrace(SEED, specs[i], T0, DAYS)
  const {observed, oomSteps} = observeMemory(trace.memory, specs[i].memoryLimit)
  oomCounts[i] = oomSteps.length
  return {spec: specs[i], cpu: trace.cpu, observed, ooms: oomSteps}
}

console.log(
  `Scale benchmark: ${N} containers in ${namespaces} namespaces, ${DAYS} days at 5-minute steps (${(N * steps * 2).toLocaleString('en-US')} samples)`,
)
let started = Date.now()
const om = path.join(out, 'usage.om')
writeOpenMetrics(om, N, get, T0, steps)
const omBytes = fs.statSync(om).size
console.log(`wrote OpenMetrics: ${((Date.now() - started) / 1000).toFixed(1)} s, ${(omBytes / 1e9).toFixed(2)} GB`)
started = Date.now()
const tsdb = path.join(out, 'tsdb')
buildTsdb(om, tsdb)
console.log(`promtool create-blocks-from openmetrics: ${((Date.now() - started) / 1000).toFixed(1)} s`)
if (!KEEP) fs.rmSync(om)

const prom = await startPrometheus(out, tsdb)
try {
  const db = path.join(out, 'finops.db')
  const {openStore} = await dist('store/open.js')
  const {replaceInventory} = await dist('store/k8s-inventory.js')
  const store = openStore(db)
  replaceInventory(
    store,
    inventoryOf(specs, (i) => oomCounts[i], NOW),
    'bench',
  )
  store.close()
  const config = path.join(out, 'finops.yaml')
  fs.writeFileSync(config, 'kubernetes:\n  prometheus:\n    rateWindow: 10m\n')
  const env = {...process.env, FINOPS_NOW: NOW, FINOPS_DB: db, FINOPS_CONFIG: config}
  const collect = runCli(
    ['collect', 'usage', '--prometheus', prom.url, '--days', String(DAYS), '--cluster', 'bench', '--json'],
    env,
  )
  const rightsize = runCli(['recommend', '--kind', 'rightsize', '--json'], env)
  const all = runCli(['recommend', '--json'], env)
  const storeMb = fs.statSync(db).size / 1e6
  console.log('')
  console.log('| step | wall time | peak RSS | result |')
  console.log('|---|---:|---:|---|')
  console.log(
    `| finops collect usage | ${collect.seconds.toFixed(1)} s ` +
      `| ${collect.peakRssMb ?? '?'} MB | ${collect.json.containers} containers, ${collect.json.containerDays} container-days, ` +
      `${collect.json.samples.toLocaleString('en-US')} samples, ${collect.json.queries} queries |`,
  )
  console.log(
    `| finops recommend --kind rightsize ` +
      `| ${rightsize.seconds.toFixed(1)} s | ${rightsize.peakRssMb ?? '?'} MB ` +
      `| ${rightsize.json.recommendations.length} recommendations, ${rightsize.json.skipped.length} skipped |`,
  )
  console.log(
    `| finops recommend (all kinds) | ${all.seconds.toFixed(1)} s ` +
      `| ${all.peakRssMb ?? '?'} MB | ${all.json.recommendations.length} recommendations, ${all.json.skipped.length} skipped |`,
  )
  console.log(
    `store: ${storeMb.toFixed(1)} MB (${((storeMb * 1e6) / collect.json.containerDays).toFixed(0)} bytes per container-day digest incl. inventory)`,
  )
  fs.writeFileSync(
    path.join(out, 'result.json'),
    JSON.stringify(
      {
        containers: N,
        collect: {seconds: collect.seconds, peakRssMb: collect.peakRssMb, ...collect.json},
        rightsize: {seconds: rightsize.seconds, peakRssMb: rightsize.peakRssMb},
        all: {seconds: all.seconds, peakRssMb: all.peakRssMb},
      },
      null,
      2,
    ),
  )
} finally {
  await prom.stop()
  if (!KEEP) fs.rmSync(tsdb, {recursive: true, force: true, maxRetries: 5})
}
