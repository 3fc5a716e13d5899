#!/usr/bin/env node
// Rightsizing quality benchmark: finops vs KRR's simple strategy, scored on held-out data.
//
//   npm run build && node bench/rightsize/run.mjs [--containers 300] [--seeds 42,7,101] [--keep] [--direct]
//
// 1. Generates 21 days of 5-minute usage for N containers in six workload classes (traces.mjs:
//    diurnal, steady, batch, bursty, trending, sidecar).
// 2. Writes the first 14 days as OpenMetrics into a real Prometheus (promtool tsdb
//    create-blocks-from openmetrics; prometheus --storage.tsdb.retention.time=90d).
// 3. Runs the built CLI: `finops collect usage` (Prometheus range queries -> daily digests) and
//    `finops recommend --kind rightsize --json`. The inventory (requests, limits, pods) is written
//    straight into the store, as `collect k8s` would have.
// 4. Computes KRR's simple strategy on the same 14 days (CPU request = p95, memory = max + 15%; KRR's
//    current default CPU percentile, p99, is shown too).
// 5. Scores every strategy on the 7 held-out days (the week after the recommendation): requests saved
//    vs current (per class also in money, CPU and memory at the default rates), share of CPU samples
//    above the new request, memory-over-limit events (demand above the new limit), memory samples
//    above the new request; overall and per workload class, per seed and pooled over the seeds.
// 6. Per class, the oracle bound: the fewest CPU samples above the request that any one request per
//    container could give on the held-out days (chosen knowing them) while saving as much money as
//    KRR simple, with finops' memory requests (what finops saves on memory may buy CPU). Where it
//    is above half of KRR's, no recommender can meet both CPU targets for the class.
// 7. How finops' shape detector (recommenders/rightsize) read each class.
// --direct skips Prometheus and the CLI: the same day digests are built in-process from the traces
// and sized with the recommender's own function (for quick tuning; the recorded figures use the CLI).
/* global structuredClone */
import fs from 'node:fs'
import path from 'node:path'

import {buildTsdb, dist, inventoryOf, root, runCli, startPrometheus, writeOpenMetrics} from './harness.mjs'
import {CLASSES, STEPS_PER_DAY, containerSpec, containerTrace, observeMemory} from './traces.mjs'

const args = process.argv.slice(2)
const flag = (name, fallback) => {
  const i = args.indexOf(`--${name}`)
  return i >= 0 ? args[i + 1] : fallback
}
const N = Number(flag('containers', '300'))
const SEEDS = flag('seeds', flag('seed', '42')).split(',').map(Number)
const KEEP = args.includes('--keep')
const DIRECT = args.includes('--direct')
// --direct --refresh daily: besides the week-long recommendation, both finops and KRR re-recommend
// every day of the held-out week from the 14 days before it (the CronJob runs daily), each day scored
// with that day's requests. finops' daily recommendation starts from the requests applied the day
// before, as `apply` would find them, so its noise threshold keeps a change under 10% from being made.
// --refresh-set key=value,... overrides settings for the daily recommendations only (a daily horizon).
const REFRESH = DIRECT && flag('refresh', '') === 'daily'
// --direct --rate-window 10m: the CPU samples are what Prometheus' rate() over that window returns at
// each step (the mean of the steps the window covers), as `collect usage` reads them.
const RATE_STEPS = DIRECT ? Math.max(1, Math.round(durationSeconds(flag('rate-window', '5m')) / 300)) : 1
// --memory-detail: per seed, every container where finops' limit is crossed more often than KRR's.
const MEMORY_DETAIL = args.includes('--memory-detail')
// --cpu-detail: per class, pooled, where finops' CPU request sits against KRR's and in the scored week.
const CPU_DETAIL = args.includes('--cpu-detail')
const cpuDetailRows = []
const UNRECORDED_SMOOTHING = args.includes('--unrecorded-smoothing')
const TRAIN_DAYS = 14
const TEST_DAYS = 7
const GIB = 2 ** 30
// Savings are money, as `finops recommend` prices them: the CLI here has no node prices, so it uses
// the default on-demand rates (OpenCost's, src/config/sections/kubernetes.ts) and so does the score.
const CPU_CORE_HOUR = 0.031611
const MEMORY_GIB_HOUR = 0.004237
const money = (c) => c.cpu * CPU_CORE_HOUR + (c.memRequest / GIB) * MEMORY_GIB_HOUR

const todayMidnight = Math.floor(Date.now() / 86_400_000) * 86_400
const T0 = todayMidnight - TRAIN_DAYS * 86_400
const trainSteps = TRAIN_DAYS * STEPS_PER_DAY
// "Now" for the CLI: one second before the end of the training window, so it reads exactly 14 days.
const NOW = new Date((T0 + TRAIN_DAYS * 86_400 - 1) * 1000).toISOString()
const STRATEGIES = [
  'current requests',
  'KRR simple (CPU p95, memory max+15%)',
  'KRR simple, current default (CPU p99)',
  'finops recommend --kind rightsize',
  // The hour-of-day request of batch and diurnal loads (in-place pod resize), scored as a request that
  // changes with the hour: through the CLI, from the hour profiles `collect usage` stores.
  'finops, hour-of-day schedule',
]
const SCHEDULED = STRATEGIES[4]

const smoothing = RATE_STEPS > 1 ? `, CPU as rate() over ${RATE_STEPS} steps` : ''
console.log(
  `Rightsizing benchmark: ${N} containers, ` +
    `seeds ${SEEDS.join(', ')}, ${TRAIN_DAYS} days training ` +
    `+ ${TEST_DAYS} days held out, 5-minute steps` +
    (DIRECT ? ` (--direct: in-process digests, no Prometheus${smoothing})` : ''),
)
// Raw counts per seed, strategy and class, so seeds pool exactly.
const pooled = new Map()
const pooledOracle = new Map()
const pooledRefresh = new Map()
// True class x detected CPU shape, counted over all seeds.
const shapes = new Map()
const results = []
for (const seed of SEEDS) {
  const {containers, proposals, refresh} = await runSeed(seed)
  const classes = ['all', ...CLASSES]
  const perClass = {}
  const oracle = {}
  for (const cls of classes) {
    const members = containers.map((c, i) => ({c, i})).filter(({c}) => cls === 'all' || c.spec.archetype === cls)
    // KRR's money, less what finops' memory requests cost, buys the oracle's CPU.
    const budgetOf = (i) =>
      proposals[STRATEGIES[1]][i].cpu +
      ((proposals[STRATEGIES[1]][i].memRequest - proposals[STRATEGIES[3]][i].memRequest) / GIB) *
        (MEMORY_GIB_HOUR / CPU_CORE_HOUR)
    const testSteps = (c) => c.cpu.length - trainSteps
    const held = members.map(({c, i}) => ({
      test: Float64Array.from(c.cpu.subarray(trainSteps)).sort(),
      weight: 1,
      samples: testSteps(c),
      budget: budgetOf(i),
    }))
    // The same bound for a request per UTC hour of the day: each container-hour is chosen apart, and
    // it is paid for a 24th of the time.
    const heldHours = members.flatMap(({c, i}) =>
      Array.from({length: 24}, (_, h) => ({
        test: Float64Array.from(
          c.cpu.subarray(trainSteps).filter((_, s) => Math.floor((s % STEPS_PER_DAY) / (STEPS_PER_DAY / 24)) === h),
        ).sort(),
        weight: 1 / 24,
        samples: testSteps(c),
        budget: budgetOf(i) / 24,
      })),
    )
    oracle[cls] = {fixed: oracleShare(held), hourly: oracleShare(heldHours)}
    const sofar = pooledOracle.get(cls) ?? {fixed: [], hourly: []}
    pooledOracle.set(cls, {fixed: [...sofar.fixed, ...held], hourly: [...sofar.hourly, ...heldHours]})
    const idx = containers.map((c, i) => i).filter((i) => cls === 'all' || containers[i].spec.archetype === cls)
    perClass[cls] = {}
    for (const name of STRATEGIES) {
      const counts = score(
        idx.map((i) => containers[i]),
        idx.map((i) => proposals[name][i]),
      )
      perClass[cls][name] = counts
      const key = `${cls}\u0000${name}`
      pooled.set(key, add(pooled.get(key), counts))
    }
  }
  for (const cls of refresh ? classes : []) {
    const idx = containers.map((c, i) => i).filter((i) => cls === 'all' || containers[i].spec.archetype === cls)
    const list = idx.map((i) => containers[i])
    const counts = {
      [STRATEGIES[0]]: score(
        list,
        idx.map((i) => proposals[STRATEGIES[0]][i]),
      ),
      [STRATEGIES[1]]: scoreDaily(
        list,
        refresh.krr.map((day) => idx.map((i) => day[i])),
      ),
      [STRATEGIES[3]]: scoreDaily(
        list,
        refresh.finops.map((day) => idx.map((i) => day[i])),
      ),
    }
    for (const [name, c] of Object.entries(counts)) {
      const key = `${cls}\u0000${name}`
      pooledRefresh.set(key, add(pooledRefresh.get(key), c))
    }
  }
  if (MEMORY_DETAIL) printMemoryDetail(seed, containers, proposals)
  if (CPU_DETAIL) cpuDetailRows.push(...cpuDetail(containers, proposals))
  console.log('')
  console.log(`seed ${seed}, all classes:`)
  printTable(STRATEGIES.map((name) => [name, derive(perClass.all[name])]))
  console.log('')
  console.log(`seed ${seed}, finops vs KRR simple (p95) per workload class:`)
  printClassTable(classes.map((cls) => [cls, perClass[cls], oracle[cls]]))
  results.push({seed, perClass, oracle})
}
if (SEEDS.length > 1) {
  const classes = ['all', ...CLASSES]
  const merged = classes.map((cls) => [
    cls,
    Object.fromEntries(STRATEGIES.map((name) => [name, pooled.get(`${cls}\u0000${name}`)])),
    {fixed: oracleShare(pooledOracle.get(cls).fixed), hourly: oracleShare(pooledOracle.get(cls).hourly)},
  ])
  console.log('')
  console.log(`pooled over seeds ${SEEDS.join(', ')}, all classes:`)
  printTable(STRATEGIES.map((name) => [name, derive(merged[0][1][name])]))
  console.log('')
  console.log(`pooled over seeds ${SEEDS.join(', ')}, finops vs KRR simple (p95) per workload class:`)
  printClassTable(merged)
}
if (REFRESH) {
  console.log('')
  console.log(
    `daily refresh, pooled over seeds ${SEEDS.join(', ')}: finops and KRR simple (p95) each re-recommended every day ` +
      `of the held-out week from the 14 days before it:`,
  )
  printClassTable(
    ['all', ...CLASSES].map((cls) => [
      cls,
      Object.fromEntries(
        [STRATEGIES[0], STRATEGIES[1], STRATEGIES[3]].map((name) => [name, pooledRefresh.get(`${cls}\u0000${name}`)]),
      ),
      undefined,
    ]),
  )
  console.log('')
  console.log(
    `daily refresh of finops only, pooled over seeds ${SEEDS.join(', ')}: finops re-recommended every day, ` +
      `KRR simple (p95) run once for the week (a one-off CLI run):`,
  )
  printClassTable(
    ['all', ...CLASSES].map((cls) => [
      cls,
      {
        [STRATEGIES[0]]: pooledRefresh.get(`${cls}\u0000${STRATEGIES[0]}`),
        [STRATEGIES[1]]: pooled.get(`${cls}\u0000${STRATEGIES[1]}`),
        [STRATEGIES[3]]: pooledRefresh.get(`${cls}\u0000${STRATEGIES[3]}`),
      },
      undefined,
    ]),
  )
}
if (CPU_DETAIL) printCpuDetail(cpuDetailRows)
console.log('')
console.log(
  `finops' CPU shape detector per class (containers, seeds ${SEEDS.join(', ')}; unchanged = no recommendation):`,
)
const detected = [...new Set([...shapes.keys()].map((k) => k.split('\u0000')[1]))].sort()
printRows(
  ['class', ...detected],
  CLASSES.map((cls) => [cls, ...detected.map((d) => String(shapes.get(`${cls}\u0000${d}`) ?? 0))]),
)
const outDir = path.join(root, 'bench', '.work')
fs.mkdirSync(outDir, {recursive: true})
fs.writeFileSync(
  path.join(outDir, `rightsize-${N}-${SEEDS.join('_')}${DIRECT ? '-direct' : ''}.json`),
  JSON.stringify({containers: N, seeds: SEEDS, direct: DIRECT, results}, null, 2),
)

/** One seed: traces, finops' proposals (through Prometheus and the CLI, or in-process) and KRR's. */
async function runSeed(seed) {
  const t = Date.now()
  const containers = []
  for (let i = 0; i < N; i++) {
    const spec = containerSpec(seed, i)
    const trace = containerTrace(seed, spec, T0, TRAIN_DAYS + TEST_DAYS)
    const {observed, oomSteps} = observeMemory(trace.memory, spec.memoryLimit)
    containers.push({
      spec,
      cpu: trace.cpu,
      demand: trace.memory,
      observed,
      trainOoms: oomSteps.filter((s) => s < trainSteps),
      ooms: oomSteps,
    })
  }
  const counts = Object.fromEntries(CLASSES.map((c) => [c, containers.filter((x) => x.spec.archetype === c).length]))
  console.log('')
  console.log(
    `seed ${seed}: generated traces in ${Date.now() - t} ms (${CLASSES.map((c) => `${counts[c]} ${c}`).join(', ')}); ` +
      `${containers.filter((c) => c.trainOoms.length > 0).length} containers OOM-killed in the training window`,
  )
  const recommended = DIRECT ? await recommendDirect(containers) : await recommendViaCli(seed, containers)

  const byTarget = new Map(recommended.map((r) => [`${r.target.namespace}/${r.target.name}/${r.target.container}`, r]))
  const current = containers.map((c) => ({
    cpu: c.spec.cpuRequest,
    memRequest: c.spec.memoryRequest,
    memLimit: c.spec.memoryLimit,
  }))
  const proposalsOf = (byTarget) =>
    containers.map((c, i) => {
      const rec = byTarget.get(`${c.spec.namespace}/${c.spec.workload}/${c.spec.container}`)
      if (!rec) return current[i]
      return {
        cpu: rec.proposed.cpuRequest ?? current[i].cpu,
        memRequest: rec.proposed.memoryRequest ?? current[i].memRequest,
        memLimit: rec.proposed.memoryLimit ?? current[i].memLimit,
      }
    })
  const finops = proposalsOf(byTarget)
  // The schedule: where finops proposes one, the request of each UTC hour; the rest as above.
  const scheduled = containers.map((c, i) => {
    const proposed = byTarget.get(`${c.spec.namespace}/${c.spec.workload}/${c.spec.container}`)?.proposed
    // The CLI's JSON has cpuRequestByHour; --direct has the sizing's cpuSchedule.
    const hourly = proposed?.cpuRequestByHour ?? proposed?.cpuSchedule?.hourly
    return hourly ? {...finops[i], cpu: hourly.reduce((a, v) => a + v, 0) / 24, cpuByHour: hourly} : finops[i]
  })
  const krr = (q, first = 0) =>
    containers.map((c) => {
      const from = first * STEPS_PER_DAY
      // As KRR's runner rounds: CPU up to 1m with a 10m floor, memory up to 1 MB with a 100 MB floor.
      const cpu = Math.max(0.01, Math.ceil(percentile(c.cpu.subarray(from, from + trainSteps), q) * 1000) / 1000)
      const mem = Math.max(100e6, Math.ceil((max(c.observed.subarray(from, from + trainSteps)) * 1.15) / 1e6) * 1e6)
      return {cpu, memRequest: mem, memLimit: mem}
    })
  // Day k of the held-out week gets what each recommender reads from the 14 days before it.
  const refresh = REFRESH ? {krr: [], finops: []} : undefined
  let applied = current
  for (let k = 0; refresh && k < TEST_DAYS; k++) {
    const recs = await recommendDirect(containers, k, applied, flag('refresh-set', ''))
    const byTarget = new Map(recs.map((r) => [`${r.target.namespace}/${r.target.name}/${r.target.container}`, r]))
    applied = applied.map((was, i) => {
      const c = containers[i]
      const p = byTarget.get(`${c.spec.namespace}/${c.spec.workload}/${c.spec.container}`)?.proposed
      return p
        ? {
            cpu: p.cpuRequest ?? was.cpu,
            memRequest: p.memoryRequest ?? was.memRequest,
            memLimit: p.memoryLimit ?? was.memLimit,
          }
        : was
    })
    refresh.finops.push(applied)
    refresh.krr.push(krr(0.95, k))
  }
  containers.forEach((c) => {
    const notes = byTarget.get(`${c.spec.namespace}/${c.spec.workload}/${c.spec.container}`)?.evidence?.notes ?? []
    const shape = notes.map((n) => /^CPU load shape: (\w+)/.exec(n)?.[1]).find(Boolean) ?? '(unchanged)'
    const key = `${c.spec.archetype}\u0000${shape}`
    shapes.set(key, (shapes.get(key) ?? 0) + 1)
  })
  return {
    containers,
    refresh,
    proposals: {
      [STRATEGIES[0]]: current,
      [STRATEGIES[1]]: krr(0.95),
      [STRATEGIES[2]]: krr(0.99),
      [STRATEGIES[3]]: finops,
      ...(SCHEDULED ? {[SCHEDULED]: scheduled} : {}),
    },
  }
}

/** The real path: OpenMetrics into Prometheus, `finops collect usage`, `finops recommend`. */
async function recommendViaCli(seed, containers) {
  const out = path.resolve(path.join(root, 'bench', '.work', `rightsize-${N}-${seed}`))
  fs.rmSync(out, {recursive: true, force: true})
  fs.mkdirSync(out, {recursive: true})
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
    console.log(
      `finops collect usage: ${collect.seconds.toFixed(1)} s (${collected.containers} containers, ${collected.containerDays} container-days, ` +
        `${collected.samples.toLocaleString('en-US')} samples, ${collected.oomKills ?? 0} OOM kills ` +
        `via ${collected.oomSource}); finops recommend: ${recommend.seconds.toFixed(1)} s ` +
        `(${recommend.json.recommendations.length} recommendations, ${recommend.json.skipped.length} skipped)`,
    )
    return recommend.json.recommendations
  } finally {
    await prom.stop()
    if (!KEEP) fs.rmSync(tsdb, {recursive: true, force: true, maxRetries: 5})
  }
}

/** Quick path: the day digests `collect usage` would store, sized by the recommender's own function. */
async function recommendDirect(containers, first = 0, currents = undefined, refreshSet = '') {
  const {HistogramBuilder, SmoothingBuilder, CPU_SCHEME, MEMORY_SCHEME} = await dist('k8s/digest.js')
  const {sizeContainer} = await import(path.join(root, 'dist', 'recommenders', 'rightsize', 'recommend.js'))
  const {defaultRecommendSettings} = await import(path.join(root, 'dist', 'recommenders', 'settings.js'))
  // --set key=value,... overrides rightsize settings (for tuning; the CLI path reads finops.yaml);
  // dotted keys reach nested ones: cpuShapes.steady.overrunCost=1.
  const settings = structuredClone(defaultRecommendSettings().rightsize)
  for (const kv of [...flag('set', '').split(','), ...refreshSet.split(',')].filter(Boolean)) {
    const [key, value] = kv.split('=')
    const parts = key.split('.')
    const parent = parts.slice(0, -1).reduce((o, k) => o[k], settings)
    parent[parts.at(-1)] = Number(value)
  }
  const out = []
  for (const [index, c] of containers.entries()) {
    // What the digests would need for a schedule: the window's CPU by UTC hour of day (T0 is a midnight).
    const hours = Array.from({length: 24}, () => new HistogramBuilder(CPU_SCHEME))
    const days = []
    for (let d = first; d < first + TRAIN_DAYS; d++) {
      const cpu = new HistogramBuilder(CPU_SCHEME)
      const memory = new HistogramBuilder(MEMORY_SCHEME)
      // As `collect usage` records them: the CPU values' smoothing sums, each with the value a step before.
      const smoothing = new SmoothingBuilder(RATE_STEPS)
      let previous
      for (let s = d * STEPS_PER_DAY; s < (d + 1) * STEPS_PER_DAY; s++) {
        const v = RATE_STEPS === 1 ? c.cpu[s] : rateAt(c.cpu, s, RATE_STEPS)
        smoothing.add(v, previous)
        previous = v
        cpu.add(v)
        hours[Math.floor((s % STEPS_PER_DAY) / (STEPS_PER_DAY / 24))].add(v)
        memory.add(c.observed[s])
      }
      days.push({
        day: new Date((T0 + d * 86_400) * 1000).toISOString().slice(0, 10),
        source: 'prometheus',
        samples: STEPS_PER_DAY,
        cpu: cpu.toHistogram(),
        memory: memory.toHistogram(),
        oomKills: c.ooms.filter((s) => Math.floor(s / STEPS_PER_DAY) === d).length,
        // --unrecorded-smoothing: digests as a collector that does not record it writes them.
        ...(UNRECORDED_SMOOTHING ? {} : {cpuSmoothing: smoothing.toSmoothing()}),
      })
    }
    // The requests in place: the developer's, or those the daily refresh applied the day before.
    const now = currents?.[index]
    const current = {
      name: c.spec.container,
      requests: {cpu: now?.cpu ?? c.spec.cpuRequest, memory: now?.memRequest ?? c.spec.memoryRequest},
      limits: {memory: now?.memLimit ?? c.spec.memoryLimit},
    }
    const outcome = sizeContainer(
      days,
      current,
      settings,
      new Set(),
      hours.map((h) => h.toHistogram()),
    )
    if (outcome.kind !== 'sized') continue
    out.push({
      target: {namespace: c.spec.namespace, name: c.spec.workload, container: c.spec.container},
      proposed: outcome.sizing,
      evidence: {notes: outcome.sizing.notes},
    })
  }
  return out
}

// ---------------------------------------------------------------------------------------------

/**
 * What rate() over a window of `steps` sample intervals returns at step s of a counter sampled once
 * a step: Prometheus 2.x's range is closed at both ends, so it holds steps + 1 samples and the
 * increase between the first and last is the mean of the `steps` usages ending at s. The first
 * sample of the series has no earlier one: NaN there (the digest ignores it), the series' own start
 * limits the window after it.
 */
function rateAt(cpu, s, steps) {
  if (s === 0) return Number.NaN
  const from = Math.max(1, s - steps + 1)
  let sum = 0
  for (let j = from; j <= s; j++) sum += cpu[j]
  return sum / (s - from + 1)
}

function durationSeconds(text) {
  const m = /^(\d+)([smh])$/.exec(text)
  if (!m) throw new Error(`--rate-window: expected a duration like 10m, got ${text}`)
  return Number(m[1]) * {s: 1, m: 60, h: 3600}[m[2]]
}

/** Held-out scoring of one strategy (a proposal per container): raw counts, so seeds and classes add up. */
function score(list, proposals) {
  const counts = {cpu: 0, memRequest: 0, samples: 0, cpuOver: 0, memOverRequest: 0, memEvents: 0, memEventContainers: 0}
  list.forEach((c, i) => {
    const p = proposals[i]
    counts.cpu += p.cpu
    counts.memRequest += p.memRequest
    let events = 0
    let over = false
    for (let s = trainSteps; s < c.cpu.length; s++) {
      counts.samples++
      const request = p.cpuByHour ? p.cpuByHour[Math.floor((s % STEPS_PER_DAY) / (STEPS_PER_DAY / 24))] : p.cpu
      if (c.cpu[s] > request) counts.cpuOver++
      if (c.demand[s] > p.memRequest) counts.memOverRequest++
      const isOver = p.memLimit !== undefined && c.demand[s] > p.memLimit
      if (isOver && !over) events++
      over = isOver
    }
    counts.memEvents += events
    if (events > 0) counts.memEventContainers++
  })
  return counts
}

/** The containers whose memory limit finops' proposal lets the demand cross more often than KRR's. */
function printMemoryDetail(seed, containers, proposals) {
  const mib = (b) => `${Math.round(b / 2 ** 20)}Mi`
  containers.forEach((c, i) => {
    const f = score([c], [proposals[STRATEGIES[3]][i]])
    const k = score([c], [proposals[STRATEGIES[1]][i]])
    if (f.memEvents <= k.memEvents) return
    const {spec} = c
    console.log(
      `  seed ${seed} ${spec.archetype} #${spec.index}: events KRR ${k.memEvents} / finops ${f.memEvents}; ` +
        `limit KRR ${mib(proposals[STRATEGIES[1]][i].memLimit)} / finops ${mib(proposals[STRATEGIES[3]][i].memLimit)} ` +
        `(was ${mib(spec.memoryLimit)}); leak ${(spec.memoryGrowthPerDay * 100).toFixed(1)}%/day, ` +
        `${spec.oomProne ? 'spiky, ' : ''}${c.trainOoms.length} OOM kills in training, held-out max ${mib(max(c.demand.subarray(trainSteps)))}`,
    )
  })
}

/** Per container: finops' and KRR's CPU requests, the scored week's quantiles they stand at, and the samples above. */
function cpuDetail(containers, proposals) {
  return containers.map((c, i) => {
    const test = Float64Array.from(c.cpu.subarray(trainSteps)).sort()
    const train = Float64Array.from(c.cpu.subarray(0, trainSteps)).sort()
    const f = proposals[STRATEGIES[3]][i].cpu
    const k = proposals[STRATEGIES[1]][i].cpu
    const above = (r) => test.length - upperBound(test, r)
    return {
      cls: c.spec.archetype,
      f,
      k,
      fAbove: above(f),
      kAbove: above(k),
      samples: test.length,
      // The request's rank in the scored week and in the window it was read from.
      fRank: upperBound(test, f) / test.length,
      kRank: upperBound(test, k) / test.length,
      fTrainRank: upperBound(train, f) / train.length,
      testMedian: test[Math.floor(test.length / 2)],
      trainLastMedian: percentile(c.cpu.subarray(trainSteps - STEPS_PER_DAY, trainSteps), 0.5),
    }
  })
}

function upperBound(sorted, v) {
  let lo = 0
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (sorted[mid] <= v) lo = mid + 1
    else hi = mid
  }
  return lo
}

/**
 * Per class: cores, the median finops / KRR request ratio, the median rank of each request in the scored week,
 * and the samples above split between the containers where finops' request is below KRR's and the others, and
 * between the largest third of the containers (by KRR's request) and the rest.
 */
function printCpuDetail(rows) {
  const med = (xs) => {
    const s = [...xs].sort((a, b) => a - b)
    return s.length ? s[Math.floor(s.length / 2)] : NaN
  }
  const body = CLASSES.map((cls) => {
    const r = rows.filter((x) => x.cls === cls)
    const samples = r.reduce((s, x) => s + x.samples, 0)
    const sum = (xs, key) => xs.reduce((s, x) => s + x[key], 0)
    const below = r.filter((x) => x.f < x.k)
    const cut = [...r].sort((a, b) => b.k - a.k)[Math.floor(r.length / 3)]?.k ?? 0
    const large = r.filter((x) => x.k > cut)
    const share = (n) => pct(n / samples, 2)
    return [
      cls,
      String(r.length),
      `${sum(r, 'k').toFixed(1)} / ${sum(r, 'f').toFixed(1)}`,
      med(r.map((x) => x.f / x.k)).toFixed(2),
      `${pct(med(r.map((x) => x.kRank)))} / ${pct(med(r.map((x) => x.fRank)))}`,
      pct(med(r.map((x) => x.fTrainRank))),
      `${below.length}: ${sum(below, 'k').toFixed(1)} / ${sum(below, 'f').toFixed(1)}, above ${share(sum(below, 'kAbove'))} / ${share(sum(below, 'fAbove'))}`,
      `${large.length}: ${sum(large, 'k').toFixed(1)} / ${sum(large, 'f').toFixed(1)}, above ${share(sum(large, 'kAbove'))} / ${share(sum(large, 'fAbove'))}`,
      `${med(r.map((x) => x.testMedian / x.trainLastMedian)).toFixed(2)}`,
    ]
  })
  console.log('')
  console.log(
    'CPU requests per class, pooled (KRR / finops; ranks are the share of the scored week at or under the request):',
  )
  printRows(
    [
      'class',
      'containers',
      'cores KRR / finops',
      'median finops/KRR',
      'median rank in scored week KRR / finops',
      'finops rank in window',
      'finops < KRR: n: cores, samples above',
      'largest third: n: cores, samples above',
      'scored median / last day median',
    ],
    body,
  )
}

/**
 * Held-out scoring with a proposal per container for each held-out day (`perDay[k][i]`): requests are
 * paid for a day each, samples and memory events counted against that day's values (the memory
 * state carries over midnight).
 */
function scoreDaily(list, perDay) {
  const counts = {cpu: 0, memRequest: 0, samples: 0, cpuOver: 0, memOverRequest: 0, memEvents: 0, memEventContainers: 0}
  list.forEach((c, i) => {
    let events = 0
    let over = false
    perDay.forEach((day, k) => {
      const p = day[i]
      counts.cpu += p.cpu / perDay.length
      counts.memRequest += p.memRequest / perDay.length
      const from = trainSteps + k * STEPS_PER_DAY
      for (let s = from; s < from + STEPS_PER_DAY; s++) {
        counts.samples++
        if (c.cpu[s] > p.cpu) counts.cpuOver++
        if (c.demand[s] > p.memRequest) counts.memOverRequest++
        const isOver = c.demand[s] > p.memLimit
        if (isOver && !over) events++
        over = isOver
      }
    })
    counts.memEvents += events
    if (events > 0) counts.memEventContainers++
  })
  return counts
}

/**
 * The oracle bound for a group of containers: knowing each one's held-out CPU, the fewest samples
 * above the request (as a share of all samples) that one request per container can give while the
 * requests add up to no more than KRR's (the sum of `budget`). Lagrangian: each container takes the
 * request minimising r + lambda x (share above r); lambda is bisected until the requests fit.
 */
function oracleShare(held) {
  const total = held.reduce((s, h) => s + h.test.length, 0)
  const budget = held.reduce((s, h) => s + h.budget, 0)
  const solve = (lambda) => {
    let cores = 0
    let above = 0
    for (const {test, weight, samples} of held) {
      const n = test.length
      let best = Infinity
      let at = n - 1
      for (let k = 0; k < n; k++) {
        const cost = weight * test[k] + (lambda * (n - 1 - k)) / samples
        if (cost < best) {
          best = cost
          at = k
        }
      }
      cores += weight * test[at]
      above += n - 1 - at
    }
    return {cores, share: above / total}
  }
  let lo = 0
  let hi = 1e4
  for (let i = 0; i < 50; i++) {
    const mid = (lo + hi) / 2
    if (solve(mid).cores > budget) hi = mid
    else lo = mid
  }
  return solve(lo).share
}

function add(a, b) {
  return a ? Object.fromEntries(Object.keys(b).map((k) => [k, a[k] + b[k]])) : {...b}
}

/** Shares from counts. */
function derive(c) {
  return {
    cpu: c.cpu,
    memRequest: c.memRequest,
    cpuOver: c.samples ? c.cpuOver / c.samples : 0,
    memOverRequest: c.samples ? c.memOverRequest / c.samples : 0,
    memEvents: c.memEvents,
    memEventContainers: c.memEventContainers,
  }
}

/**
 * finops against KRR simple (p95) per class, with the three targets: at least KRR's savings (CPU and
 * memory requests in money), at most half of KRR's CPU samples above the request, no more
 * memory-over-limit events.
 */
function printClassTable(rows) {
  const head = [
    'class',
    'containers',
    'saved $ KRR / finops',
    'ratio',
    'CPU saved KRR / finops',
    'CPU samples > request KRR / finops',
    'ratio',
    'mem saved KRR / finops',
    'mem samples > request KRR / finops',
    'mem-over-limit events KRR / finops',
    'targets met',
    'oracle: CPU > request at KRR $',
    ...(SCHEDULED ? ['oracle, request by hour'] : []),
  ]
  const expanded = rows.flatMap(([cls, byName, oracle]) =>
    byName[SCHEDULED] && (cls === 'all' || cls === 'batch' || cls === 'diurnal')
      ? [
          [cls, byName, oracle, STRATEGIES[3]],
          [`${cls}, with schedule`, byName, oracle, SCHEDULED],
        ]
      : [[cls, byName, oracle, STRATEGIES[3]]],
  )
  const body = expanded.map(([cls, byName, oracle, ours]) => {
    const base = byName[STRATEGIES[0]]
    const k = byName[STRATEGIES[1]]
    const f = byName[ours]
    const kSaved = money(base) - money(k)
    const fSaved = money(base) - money(f)
    const kOver = k.samples ? k.cpuOver / k.samples : 0
    const fOver = f.samples ? f.cpuOver / f.samples : 0
    const met = [
      fSaved >= kSaved ? 'savings' : undefined,
      fOver <= 0.5 * kOver ? 'CPU<=0.5x' : undefined,
      f.memEvents <= k.memEvents ? 'memory' : undefined,
    ].filter(Boolean)
    return [
      cls,
      String(Math.round(base.samples / (TEST_DAYS * STEPS_PER_DAY))),
      `${pct(kSaved / money(base))} / ${pct(fSaved / money(base))}`,
      `${ratio(fSaved, kSaved)}x`,
      `${pct((base.cpu - k.cpu) / base.cpu)} / ${pct((base.cpu - f.cpu) / base.cpu)}`,
      `${pct(kOver, 2)} / ${pct(fOver, 2)}`,
      `${ratio(fOver, kOver)}x`,
      `${pct((base.memRequest - k.memRequest) / base.memRequest)} / ${pct((base.memRequest - f.memRequest) / base.memRequest)}`,
      `${pct(k.memOverRequest / k.samples, 2)} / ${pct(f.memOverRequest / f.samples, 2)}`,
      `${k.memEvents} / ${f.memEvents}`,
      met.length === 3 ? 'all' : `${met.join(', ') || 'none'}`,
      oracle ? `${pct(oracle.fixed, 2)} (${ratio(oracle.fixed, kOver)}x)` : 'n/a',
      ...(SCHEDULED ? [oracle ? `${pct(oracle.hourly, 2)} (${ratio(oracle.hourly, kOver)}x)` : 'n/a'] : []),
    ]
  })
  printRows(head, body)
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
  printRows(head, body)
}

function printRows(head, body) {
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)))
  const line = (cells) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`
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
