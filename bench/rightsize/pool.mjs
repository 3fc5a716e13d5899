#!/usr/bin/env node
// Pools the per-class figures of rightsizing benchmark runs that were split over processes (one
// `run.mjs --seeds a,b` each, so the seeds' Prometheus builds run side by side):
//
//   node bench/rightsize/pool.mjs bench/.work/rightsize-300-61_62.json bench/.work/rightsize-300-63_64.json ...
//
// Each file holds the raw counts run.mjs scored per seed, class and strategy, so the pooled savings,
// CPU samples above the request and memory-over-limit events are exactly what one run over all the
// seeds prints. The oracle columns are not pooled (they solve one budget over all the containers).
import fs from 'node:fs'

const KRR = 'KRR simple (CPU p95, memory max+15%)'
const CURRENT = 'current requests'
const FINOPS = 'finops recommend --kind rightsize'
const SCHEDULED = 'finops, hour-of-day schedule'
// The default on-demand rates run.mjs scores money with.
const CPU_CORE_HOUR = 0.031611
const MEMORY_GIB_HOUR = 0.004237
const money = (c) => c.cpu * CPU_CORE_HOUR + (c.memRequest / 2 ** 30) * MEMORY_GIB_HOUR

const files = process.argv.slice(2)
if (files.length === 0) {
  console.error('usage: node bench/rightsize/pool.mjs <run.mjs JSON output>... (bench/.work/rightsize-*.json)')
  process.exit(2)
}
const pooled = new Map()
const seeds = []
for (const file of files) {
  const {results} = JSON.parse(fs.readFileSync(file, 'utf8'))
  for (const {seed, perClass} of results) {
    seeds.push(seed)
    for (const [cls, byName] of Object.entries(perClass)) {
      const into = pooled.get(cls) ?? {}
      for (const [name, counts] of Object.entries(byName)) into[name] = add(into[name], counts)
      pooled.set(cls, into)
    }
  }
}
console.log(`pooled over seeds ${seeds.join(', ')}, finops vs KRR simple (p95) per workload class:`)
const rows = [...pooled].flatMap(([cls, byName]) =>
  byName[SCHEDULED] && ['all', 'batch', 'diurnal'].includes(cls)
    ? [row(cls, byName, FINOPS), row(`${cls}, with schedule`, byName, SCHEDULED)]
    : [row(cls, byName, FINOPS)],
)
print(
  [
    'class',
    'containers',
    'saved $ KRR / finops',
    'ratio',
    'CPU samples > request KRR / finops',
    'ratio',
    'mem-over-limit events KRR / finops',
    'targets met',
  ],
  rows,
)

function row(label, byName, ours) {
  const base = byName[CURRENT]
  const k = byName[KRR]
  const f = byName[ours]
  const kSaved = money(base) - money(k)
  const fSaved = money(base) - money(f)
  const kOver = k.cpuOver / k.samples
  const fOver = f.cpuOver / f.samples
  const met = [
    fSaved >= kSaved ? 'savings' : undefined,
    fOver <= 0.5 * kOver ? 'CPU<=0.5x' : undefined,
    f.memEvents <= k.memEvents ? 'memory' : undefined,
  ].filter(Boolean)
  return [
    label,
    String(Math.round(base.samples / 2016)),
    `${pct(kSaved / money(base))} / ${pct(fSaved / money(base))}`,
    `${(fSaved / kSaved).toFixed(2)}x`,
    `${pct(kOver, 2)} / ${pct(fOver, 2)}`,
    `${(fOver / kOver).toFixed(2)}x`,
    `${k.memEvents} / ${f.memEvents}`,
    met.length === 3 ? 'all' : met.join(', ') || 'none',
  ]
}

function add(a, b) {
  return a ? Object.fromEntries(Object.keys(b).map((key) => [key, a[key] + b[key]])) : {...b}
}

function pct(x, digits = 1) {
  return `${(x * 100).toFixed(digits)}%`
}

function print(head, body) {
  console.log(`| ${head.join(' | ')} |`)
  console.log(`|${head.map((_, i) => (i === 0 ? '---' : '--:')).join('|')}|`)
  for (const r of body) console.log(`| ${r.join(' | ')} |`)
}
