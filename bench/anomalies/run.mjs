// Anomaly alerts on realistic three-cloud bills: finops' detector (defaults, through a real SQLite
// store, as `finops alert check` runs it) against the fixed rule FinOps teams use ("last day > 1.2x the
// trailing 7-day mean and > $20"), in the same run, on the same watched series and judged days.
// Run after a build:
//   node bench/anomalies/run.mjs                 # development and held-out seeds, 60 bills each
//   node bench/anomalies/run.mjs --set dev       # only the seeds used for tuning
//   node bench/anomalies/run.mjs --seeds 21,22 --bills 40
// The older per-series benchmark (400 series x 30 judged days) is bench/anomalies/series.mjs.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {performance} from 'node:perf_hooks'
import {parseArgs} from 'node:util'

import {anomalyContributors, scanAnomalies} from '../../dist/src/alerts/anomaly-scan.js'
import {parseConfig} from '../../dist/src/config/index.js'
import {replaceCosts} from '../../dist/src/store/cost-writer.js'
import {openStore} from '../../dist/src/store/open.js'
import {addDays, generateBill, JUDGED_DAYS} from './generate.mjs'

/** Seeds the detector was tuned on, and seeds it never saw while tuning. */
const SETS = {dev: [1, 2, 3], heldout: [101, 102, 103]}

const {values: args} = parseArgs({
  options: {
    set: {type: 'string', default: 'both'},
    seeds: {type: 'string'},
    bills: {type: 'string', default: '60'},
    verbose: {type: 'boolean', default: false},
    // Anomaly settings to try instead of the defaults (alerts.anomalies in finops.yaml), as JSON.
    settings: {type: 'string'},
  },
})
const billsPerSeed = Number(args.bills)
const runs = args.seeds
  ? [['custom', args.seeds.split(',').map(Number)]]
  : args.set === 'both'
    ? Object.entries(SETS)
    : [[args.set, SETS[args.set]]]
if (runs.some(([, seeds]) => !seeds)) throw new Error(`--set: dev, heldout or both`)

const config = parseConfig({alerts: {anomalies: args.settings ? JSON.parse(args.settings) : {}}}).alerts.anomalies
const tmp = fs.mkdtempSync(path.join(fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir(), 'finops-bench-anomalies-'))

/** The fixed rule on one series' usage: flag a judged day above 1.2x the mean of the 7 days before it and above $20. */
function fixedRule(costs, judged) {
  const flags = []
  for (const day of judged) {
    let sum = 0
    for (let k = 1; k <= 7; k++) sum += costs.get(addDays(day, -k)) ?? 0
    const cost = costs.get(day) ?? 0
    if (cost > 1.2 * (sum / 7) && cost > 20) flags.push({day, direction: 'spike'})
  }
  return flags
}

function emptyScore() {
  return {
    bills: 0,
    cleanBills: 0,
    seriesDays: 0,
    cleanSeriesDays: 0,
    flags: 0,
    tp: 0,
    repeats: 0,
    falseClean: 0,
    falseDirty: 0,
    events: {spike: 0, jump: 0, runaway: 0},
    found: {spike: 0, jump: 0, runaway: 0},
    largestDay: 0,
    runawaysFound: 0,
    rootCause: 0,
    rootCauseChecked: 0,
  }
}

/** Scores one method's flags on one bill: an event is found by a flag on one of its days in its direction. */
function scoreBill(score, bill, flagsBySeries, judgedSeriesDays, rootCauses) {
  score.bills++
  score.seriesDays += judgedSeriesDays
  const clean = bill.events.length === 0
  if (clean) {
    score.cleanBills++
    score.cleanSeriesDays += judgedSeriesDays
  }
  for (const e of bill.events) score.events[e.type]++
  for (const [id, flags] of flagsBySeries) {
    const hits = new Set()
    for (const f of flags) {
      score.flags++
      const event = bill.events.find(
        (e) =>
          `${e.series.account}|${e.series.service}` === id && e.direction === f.direction && e.days.includes(f.day),
      )
      if (!event) {
        if (clean) score.falseClean++
        else score.falseDirty++
        continue
      }
      if (hits.has(event)) {
        score.repeats++
        continue
      }
      hits.add(event)
      score.tp++
      score.found[event.type]++
      if (event.type === 'runaway') {
        score.runawaysFound++
        if (f.day === event.days.at(-1)) score.largestDay++
      }
      const cause = rootCauses?.get(`${id}|${f.day}`)
      if (cause !== undefined && event.series.extraRegion) {
        score.rootCauseChecked++
        if (cause === `region ${event.series.extraRegion}`) score.rootCause++
      }
    }
  }
}

function runSet(name, seeds) {
  const ours = emptyScore()
  const fixed = emptyScore()
  const perSeed = []
  let scanMs = 0
  for (const seed of seeds) {
    const seedOurs = emptyScore()
    const seedFixed = emptyScore()
    for (let b = 0; b < billsPerSeed; b++) {
      const bill = generateBill(seed * 1000 + b, b % 2 === 1)
      const file = path.join(tmp, `bill-${seed}-${b}.db`)
      const db = openStore(file)
      try {
        replaceCosts(db, [], bill.rows, {
          source: 'bench',
          location: 'generated',
          startedAt: new Date().toISOString(),
          rowsRead: bill.rows.length,
          rowsSkipped: 0,
        })
        const t0 = performance.now()
        const scan = scanAnomalies(db, config, addDays(bill.now, -1))
        scanMs += performance.now() - t0
        const judged = new Map()
        const usage = new Map()
        for (const row of bill.rows) {
          if (row.chargeCategory !== 'Usage') continue
          const id = `${row.billingAccountId}|${row.serviceName}`
          let costs = usage.get(id)
          if (!costs) usage.set(id, (costs = new Map()))
          costs.set(row.day, (costs.get(row.day) ?? 0) + row.billedCost)
          const last = bill.lastDay[row.provider]
          judged.set(
            id,
            Array.from({length: JUDGED_DAYS}, (_, k) => addDays(last, -k)),
          )
        }
        const seriesDays = judged.size * JUDGED_DAYS
        const oursFlags = new Map()
        const causes = new Map()
        for (const a of scan.anomalies) {
          const id = `${a.keys[0]}|${a.keys[1]}`
          oursFlags.set(id, [...(oursFlags.get(id) ?? []), {day: a.day, direction: a.direction}])
          const top = anomalyContributors(db, a, scan.groupBy, config)[0]
          if (top) causes.set(`${id}|${a.day}`, top.label)
        }
        const fixedFlags = new Map([...usage].map(([id, costs]) => [id, fixedRule(costs, judged.get(id))]))
        for (const [score, flags, c] of [
          [ours, oursFlags, causes],
          [seedOurs, oursFlags, causes],
          [fixed, fixedFlags],
          [seedFixed, fixedFlags],
        ])
          scoreBill(score, bill, flags, seriesDays, c)
        if (args.verbose) report(bill, oursFlags, scan)
      } finally {
        db.close()
        fs.rmSync(file, {force: true})
        fs.rmSync(`${file}-wal`, {force: true})
        fs.rmSync(`${file}-shm`, {force: true})
      }
    }
    perSeed.push([seed, seedOurs, seedFixed])
  }
  return {name, seeds, ours, fixed, perSeed, scanMs}
}

function report(bill, flags, scan) {
  for (const e of bill.events)
    console.log(
      `  bill ${bill.seed} ` +
        `${
          (flags.get(`${e.series.account}|` + `${e.series.service}`) ?? []).some(
            (f) => e.days.includes(f.day) && f.direction === e.direction,
          )
            ? 'found'
            : 'MISSED'
        } \
${e.type} ${e.direction} \
${e.series.account}|${e.series.service} (${e.series.kind}, noise ${e.series.noise.toFixed(2)}) days ${e.days.join(',')} size ${e.size.toFixed(2)}`,
    )
  for (const a of scan.anomalies) {
    const hit = bill.events.some(
      (e) => e.series.account === a.keys[0] && e.series.service === a.keys[1] && e.days.includes(a.day),
    )
    if (hit) continue
    const s = bill.series.find((x) => x.account === a.keys[0] && x.service === a.keys[1])
    console.log(
      `  bill ${bill.seed} FALSE ${a.direction} ${a.keys.join('|')} (${s?.kind}, ` +
        `noise ${s?.noise.toFixed(2)}) ${a.day} actual ${a.actual} expected ${a.expected} [${a.lower}, ${a.upper}]`,
    )
  }
}

const metrics = (s) => {
  const precision = s.flags ? s.tp / s.flags : 0
  const events = s.events.spike + s.events.jump + s.events.runaway
  const recall = events ? s.tp / events : 0
  return {
    precision,
    recall,
    f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0,
    events,
    recallOf: (t) => (s.events[t] ? s.found[t] / s.events[t] : NaN),
    perCleanBill: s.cleanBills ? s.falseClean / s.cleanBills : 0,
  }
}
const f3 = (n) => (Number.isNaN(n) ? '-' : n.toFixed(3))

for (const [name, seeds] of runs) {
  const result = runSet(name, seeds)
  const o = metrics(result.ours)
  console.log(
    `\n${name} seeds ${seeds.join(', ')}: ${result.ours.bills} bills (${result.ours.cleanBills} without an anomaly), ` +
      `${result.ours.seriesDays} judged series-days (${(result.ours.cleanSeriesDays / result.ours.cleanBills).toFixed(1)} per anomaly-free bill), ` +
      `${o.events} injected anomalies (spike ${result.ours.events.spike}, jump ${result.ours.events.jump}, runaway ${result.ours.events.runaway}); ` +
      `finops scan ${(result.scanMs / result.ours.bills).toFixed(0)} ms per bill`,
  )
  console.log(
    '| method | flagged | precision | recall spike | recall jump | recall runaway | recall (all, material) | F1 | false alarms per anomaly-free bill ' +
      '| false alarms in bills with anomalies | repeat alerts of one anomaly |',
  )
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|')
  for (const [label, s] of [
    [args.settings ? `finops ${args.settings}` : 'finops (defaults)', result.ours],
    ['fixed rule: > 1.2x trailing 7-day mean and > $20', result.fixed],
  ]) {
    const m = metrics(s)
    console.log(
      `| ${label} | ${s.flags} | ` +
        `${f3(m.precision)} | ` +
        `${f3(m.recallOf('spike'))} | ` +
        `${f3(m.recallOf('jump'))} | ` +
        `${f3(m.recallOf('runaway'))} | ${f3(m.recall)} | ${f3(m.f1)} | ${m.perCleanBill.toFixed(3)} | ${s.falseDirty} | ${s.repeats} |`,
    )
  }
  const s = result.ours
  console.log(
    `finops: runaways reported on their largest ` +
      `day ${s.largestDay}/${s.runawaysFound}; root cause (top contributor) names the region the injected cost went to ` +
      `in ${s.rootCause}/${s.rootCauseChecked} found anomalies`,
  )
  console.log('per seed (finops F1 / false alarms per anomaly-free bill; fixed rule F1 / false alarms):')
  for (const [seed, so, sf] of result.perSeed) {
    const a = metrics(so)
    const b = metrics(sf)
    console.log(
      `  seed ${seed}: finops ${f3(a.f1)} / ${a.perCleanBill.toFixed(3)}, recall ${f3(a.recall)}; fixed ${f3(b.f1)} / ${b.perCleanBill.toFixed(3)}`,
    )
  }
}
fs.rmSync(tmp, {recursive: true, force: true})
