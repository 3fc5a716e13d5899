#!/usr/bin/env node
// `finops collect usage` at scale against a real Prometheus with backfilled history, next to KRR's
// query pattern on the same TSDB in the same run. KRR's simple strategy asks, per workload container,
// four instant queries over a [duration:step] subquery (robusta_krr/core/integrations/prometheus/
// metrics/cpu.py and memory.py: PercentileCPULoader, MaxMemoryLoader, CPUAmountLoader,
// MemoryAmountLoader); we send the same PromQL with the same concurrency as finops.
//
//   npm run build && nice node bench/usage-scale/run.mjs [--containers 5000] [--days 14] [--keep]
//        [--reuse DIR]      a TSDB written by an earlier --keep run (or bench/rightsize/scale.mjs --keep) today
//        [--now ISO]        the window's end (a UTC midnight) when reusing a TSDB written on another day
//        [--krr-limit N]    run KRR's pattern for the first N workloads only (the table says so)
//        [--config FILE]    extra finops.yaml for collect usage (e.g. other kubernetes.prometheus limits)
/* global fetch, URLSearchParams */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {buildTsdb, dist, inventoryOf, root, runCli, startPrometheus, writeOpenMetrics} from '../rightsize/harness.mjs'
import {STEPS_PER_DAY, containerSpec, containerTrace, observeMemory} from '../rightsize/traces.mjs'
import {podName} from '../rightsize/harness.mjs'

const args = process.argv.slice(2)
const flag = (name, fallback) => {
  const i = args.indexOf(`--${name}`)
  return i >= 0 ? args[i + 1] : fallback
}
const N = Number(flag('containers', '5000'))
const DAYS = Number(flag('days', '14'))
const SEED = Number(flag('seed', '42'))
const KEEP = args.includes('--keep')
const REUSE = flag('reuse')
const KRR_LIMIT = Number(flag('krr-limit', String(N)))
const CONCURRENCY = 4 // finops' default kubernetes.prometheus.concurrency
const namespaces = Math.max(6, Math.round(N / 100))
// --now pins the window's end (a UTC midnight) to reuse a TSDB written on another day.
const NOW_FLAG = flag('now')
const T0 =
  Math.floor((NOW_FLAG ? Date.parse(NOW_FLAG) - 1 : Date.now()) / 86_400_000) * 86_400 -
  (NOW_FLAG ? DAYS - 1 : DAYS) * 86_400
const END = T0 + DAYS * 86_400 - 1
const NOW = new Date(END * 1000).toISOString()
const specs = Array.from({length: N}, (_, i) => containerSpec(SEED, i, namespaces))

const out = path.resolve(REUSE ?? path.join(root, 'bench', '.work', `usage-scale-${N}x${DAYS}d`))
const tsdb = path.join(out, 'tsdb')
console.log(
  `Usage scale: ${N} containers in ${namespaces} namespaces, ${DAYS} days at 5-minute steps ` +
    `(${(N * DAYS * STEPS_PER_DAY * 2).toLocaleString('en-US')} samples)`,
)
if (!REUSE) {
  fs.rmSync(out, {recursive: true, force: true})
  fs.mkdirSync(out, {recursive: true})
  let started = Date.now()
  const om = path.join(out, 'usage.om')
  const get = (i) => {
    const trace = containerTrace(SEED, specs[i], T0, DAYS)
    const {observed, oomSteps} = observeMemory(trace.memory, specs[i].memoryLimit)
    return {spec: specs[i], cpu: trace.cpu, observed, ooms: oomSteps}
  }
  writeOpenMetrics(om, N, get, T0, DAYS * STEPS_PER_DAY)
  console.log(
    `wrote OpenMetrics: ${((Date.now() - started) / 1000).toFixed(1)} s, ${(fs.statSync(om).size / 1e9).toFixed(2)} GB`,
  )
  started = Date.now()
  buildTsdb(om, tsdb)
  console.log(`promtool create-blocks-from openmetrics: ${((Date.now() - started) / 1000).toFixed(1)} s`)
  fs.rmSync(om)
} else if (!fs.existsSync(tsdb)) {
  throw new Error(`--reuse ${REUSE}: no tsdb/ there (run once with --keep)`)
}

const prom = await startPrometheus(out, tsdb)
try {
  // 1. finops collect usage, as users run it (the built CLI), into a store holding the inventory.
  const db = path.join(out, `finops-${process.pid}.db`)
  const {openStore} = await dist('store/open.js')
  const {replaceInventory} = await dist('store/k8s-inventory.js')
  const store = openStore(db)
  replaceInventory(
    store,
    inventoryOf(specs, () => 0, NOW),
    'bench',
  )
  store.close()
  const config = flag('config') ?? path.join(out, 'finops.yaml')
  if (!flag('config')) fs.writeFileSync(config, 'kubernetes:\n  prometheus:\n    rateWindow: 10m\n')
  const env = {...process.env, FINOPS_NOW: NOW, FINOPS_DB: db, FINOPS_CONFIG: config}
  // Other engineers' processes share the machine: the load average says how much wall time is queueing.
  const load = () => os.loadavg()[0].toFixed(1)
  const loadBefore = load()
  const promBefore = prom.cpuSeconds()
  const finops = runCli(
    ['collect', 'usage', '--prometheus', prom.url, '--days', String(DAYS), '--cluster', 'bench', '--json'],
    env,
  )
  const finopsProm = prom.cpuSeconds() - promBefore
  const loadAfterFinops = load()
  // Printed now: KRR's pattern on a large run takes long, and its result should not be lost with it.
  console.log(
    `finops collect usage: ${finops.seconds.toFixed(1)} s wall, ${finops.cpuSeconds?.toFixed(1) ?? '?'} s CPU, ` +
      `Prometheus ${finopsProm.toFixed(1)} s CPU, peak RSS ${finops.peakRssMb ?? '?'} MB, load ${loadBefore} -> ${loadAfterFinops}`,
  )
  fs.rmSync(db, {force: true})
  fs.rmSync(`${db}-wal`, {force: true})
  fs.rmSync(`${db}-shm`, {force: true})

  // 2. KRR's simple strategy: four instant queries per workload container at the window's end.
  const duration = `${DAYS * 24}h`
  const step = '5m'
  const krrQueries = (spec) => {
    const sel = `namespace="${spec.namespace}",pod=~"${podName(spec)}",container="${spec.container}"`
    return [
      `quantile_over_time(0.95, max(rate(container_cpu_usage_seconds_total{${sel}}[${step}])) by (container, pod, job)[${duration}:${step}])`,
      `max_over_time(max(container_memory_working_set_bytes{${sel}}) by (container, pod, job)[${duration}:${step}])`,
      `count_over_time(max(container_cpu_usage_seconds_total{${sel}}) by (container, pod, job)[${duration}:${step}])`,
      `count_over_time(max(container_memory_working_set_bytes{${sel}}) by (container, pod, job)[${duration}:${step}])`,
    ]
  }
  const queries = specs.slice(0, KRR_LIMIT).flatMap(krrQueries)
  let next = 0
  let failed = 0
  const krrStarted = Date.now()
  const krrPromBefore = prom.cpuSeconds()
  const worker = async () => {
    while (next < queries.length) {
      const query = queries[next++]
      const ask = () =>
        fetch(`${prom.url}/api/v1/query`, {
          method: 'POST',
          headers: {'Content-Type': 'application/x-www-form-urlencoded'},
          body: new URLSearchParams({query, time: String(END)}),
        }).then((res) => res.json())
      // A kept-alive connection Prometheus has just closed fails the write (EPIPE): ask once more.
      const body = await ask().catch(() => ask().catch((error) => ({status: String(error)})))
      if (body.status !== 'success') failed++
    }
  }
  await Promise.all(Array.from({length: CONCURRENCY}, worker))
  const krrSeconds = (Date.now() - krrStarted) / 1000
  const krrProm = prom.cpuSeconds() - krrPromBefore
  const loadAfterKrr = load()
  const krrNote = KRR_LIMIT < N ? ` (first ${KRR_LIMIT} of ${N} workloads)` : ''

  console.log('')
  console.log(
    '| step | queries | wall time | client CPU | Prometheus CPU | client peak RSS | load average (1 min) | result |',
  )
  console.log('|---|---:|---:|---:|---:|---:|---|---|')
  console.log(
    `| finops collect usage | ${finops.json.queries} (+${finops.json.history?.queries ?? 0} history) | ` +
      `${finops.seconds.toFixed(1)} s | ${finops.cpuSeconds?.toFixed(1) ?? '?'} s | ${finopsProm.toFixed(1)} s | ` +
      `${finops.peakRssMb ?? '?'} MB | ${loadBefore} -> ${loadAfterFinops} | ` +
      `${finops.json.containers} containers, ${finops.json.containerDays} container-days, ${finops.json.samples.toLocaleString('en-US')} samples |`,
  )
  console.log(
    `| KRR simple strategy's queries${krrNote} | ${queries.length} | ${krrSeconds.toFixed(1)} s | (not run: Prometheus side only) | ` +
      `${krrProm.toFixed(1)} s | - | ${loadAfterFinops} -> ${loadAfterKrr} | ${failed} failed; p95 CPU and max memory per workload only |`,
  )
  const perQuery = (s, q) => (s / q) * 1000
  console.log('')
  console.log(
    `finops/KRR: ${(finops.json.queries / (4 * N)).toFixed(4)}x the queries (KRR: 4 per workload, ` +
      `${(4 * N).toLocaleString('en-US')}), ${(finops.seconds / krrSeconds).toFixed(2)}x the wall time` +
      `${krrNote ? ' (KRR on a subset: compare per workload)' : ''}; ms per workload: finops ${perQuery(finops.seconds, N).toFixed(1)}, ` +
      `KRR ${perQuery(krrSeconds, Math.min(N, KRR_LIMIT)).toFixed(1)}; Prometheus CPU ms per workload: ` +
      `finops ${perQuery(finopsProm, N).toFixed(2)}, KRR ${perQuery(krrProm, Math.min(N, KRR_LIMIT)).toFixed(2)}`,
  )
  fs.writeFileSync(
    path.join(out, `result-${N}x${DAYS}d.json`),
    JSON.stringify(
      {
        containers: N,
        days: DAYS,
        load: {before: loadBefore, afterFinops: loadAfterFinops, afterKrr: loadAfterKrr},
        finops: {
          seconds: finops.seconds,
          cpuSeconds: finops.cpuSeconds,
          prometheusCpuSeconds: finopsProm,
          peakRssMb: finops.peakRssMb,
          ...finops.json,
        },
        krr: {
          seconds: krrSeconds,
          prometheusCpuSeconds: krrProm,
          queries: queries.length,
          failed,
          workloads: Math.min(N, KRR_LIMIT),
        },
      },
      null,
      2,
    ),
  )
} finally {
  await prom.stop()
  if (!KEEP && !REUSE) fs.rmSync(tsdb, {recursive: true, force: true, maxRetries: 5})
}
