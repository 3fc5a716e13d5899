#!/usr/bin/env node
// Usage digest benchmark: finops' per-container-day quantile sketch vs keeping the raw samples (the
// peer: what an exact, sample-holding approach stores), on the demo cluster's generated usage.
//
//   npm run build && node bench/k8s-digest/run.mjs [--days 14]
//
// Prints, per container-day: stored bytes (digest JSON as in the store vs 8-byte floats of the raw
// samples), the relative error of p50/p95/p99 read from the sketch against the exact sample
// quantiles, and the fold rate.
import path from 'node:path'
import {fileURLToPath} from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
const dist = (p) => import(path.join(root, 'dist', 'src', p))
const {CPU_SCHEME, MEMORY_SCHEME, DigestBuilder, quantile} = await dist('k8s/digest.js')
const {buildInventory, rawClusterFromObjects} = await dist('k8s/inventory.js')
const {demoClusterObjects} = await dist('demo/cluster-fixture.js')
const {podSeries, walkUsage} = await dist('demo/cluster-usage.js')

const args = process.argv.slice(2)
const days = Number(args[args.indexOf('--days') + 1] || 14) || 14
const STEP = 300
const start = Math.floor(Date.now() / 86_400_000) * 86_400 - days * 86_400
const end = start + days * 86_400 - STEP

const {cluster, objects} = demoClusterObjects()
const inventory = buildInventory(rawClusterFromObjects(objects), cluster, new Date().toISOString())
// One digest per workload container and day, all pods folded in; the raw peer keeps every value.
const groups = new Map()
let samples = 0
const t0 = process.hrtime.bigint()
for (const s of podSeries(inventory)) {
  walkUsage(s, start, end, STEP, (p) => {
    if (p.cpu === undefined) return
    const day = Math.floor(p.t / 86_400)
    const id = `${s.namespace}/${s.workload.name}/${s.container}/${day}`
    let g = groups.get(id)
    if (!g) groups.set(id, (g = {digest: new DigestBuilder(), cpu: [], memory: []}))
    g.digest.cpu.add(p.cpu)
    g.digest.memory.add(p.memory)
    g.cpu.push(p.cpu)
    g.memory.push(p.memory)
    samples++
  })
}
const foldMs = Number(process.hrtime.bigint() - t0) / 1e6

const exact = (values, q) => [...values].sort((a, b) => a - b)[Math.floor(q * (values.length - 1))]
let digestBytes = 0
let rawBytes = 0
const errors = {cpu: {0.5: [], 0.95: [], 0.99: []}, memory: {0.5: [], 0.95: [], 0.99: []}}
for (const g of groups.values()) {
  const d = g.digest.toDigest()
  digestBytes += JSON.stringify(d.cpu).length + JSON.stringify(d.memory).length
  rawBytes += (g.cpu.length + g.memory.length) * 8
  for (const q of [0.5, 0.95, 0.99]) {
    const c = exact(g.cpu, q)
    const m = exact(g.memory, q)
    if (c > 0) errors.cpu[q].push(Math.abs(quantile(d.cpu, q, CPU_SCHEME) - c) / c)
    errors.memory[q].push(Math.abs(quantile(d.memory, q, MEMORY_SCHEME) - m) / m)
  }
}
const max = (xs) => Math.max(...xs)
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length
const pct = (x) => `${(x * 100).toFixed(2)}%`

console.log(
  `Usage digests: ${groups.size} container-days (${days} days, ${samples.toLocaleString('en-US')} pod samples of CPU and memory, 5-minute steps)`,
)
console.log('')
console.log('| store | bytes per container-day | raw / this |')
console.log('|---|---:|---:|')
console.log(
  `| raw samples (peer: 8-byte floats, CPU + memory) | ${Math.round(rawBytes / groups.size).toLocaleString('en-US')} | 1.00 |`,
)
console.log(
  `| finops digest (CPU + memory sketch JSON, as stored) ` +
    `| ${Math.round(digestBytes / groups.size).toLocaleString('en-US')} | ${(rawBytes / digestBytes).toFixed(2)} |`,
)
console.log('')
console.log('| quantile | CPU mean / max relative error | memory mean / max relative error |')
console.log('|---|---:|---:|')
for (const q of [0.5, 0.95, 0.99]) {
  console.log(
    `| p${q * 100} | ${pct(mean(errors.cpu[q]))} / ${pct(max(errors.cpu[q]))} | ${pct(mean(errors.memory[q]))} / ${pct(max(errors.memory[q]))} |`,
  )
}
console.log('')
console.log(
  `Generating and folding ${samples.toLocaleString('en-US')} samples (raw arrays kept alongside for the comparison): ${foldMs.toFixed(0)} ms`,
)
