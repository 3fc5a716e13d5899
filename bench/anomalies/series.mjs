// Anomaly detection benchmark, per series (the earlier one; bench/anomalies/run.mjs is the bill-level
// one): finops' model-based detector against fixed-percent rules (the usual
// "alert when daily spend moves more than X% from the last week's average"), on synthetic cloud
// spend with known injected anomalies. Run after a build: node bench/anomalies/series.mjs
import {performance} from 'node:perf_hooks'

import {detectAnomalies} from '../../dist/src/alerts/anomalies.js'
import {addDays, dayToDate} from '../../dist/src/dates.js'
import {seededRandom as seeded} from '../../dist/src/seeded-random.js'

const SERIES = Number(process.env.BENCH_SERIES ?? 400)
const DAYS = 120
const JUDGED = 30
const END = '2024-09-30'

/** A cloud-like daily series: level, weekly pattern, trend, noise, maybe a level shift; and 0-3 injected anomalies in the judged window. */
function makeSeries(i) {
  const rand = seeded(1000 + i)
  const gauss = () => Array.from({length: 12}, rand).reduce((a, v) => a + v, 0) - 6
  const level = 20 + rand() * 5000
  const noise = [0.02, 0.05, 0.1, 0.2, 0.3][i % 5]
  const weekend = rand() < 0.5 ? 1 : 0.4 + rand() * 0.5
  const trend = (rand() - 0.3) * 0.004
  const shiftDay = rand() < 0.3 ? Math.floor(DAYS * 0.3 + rand() * DAYS * 0.6) : -1
  const shift = 0.5 + rand() * 1.5
  const start = addDays(END, -(DAYS - 1))
  const days = Array.from({length: DAYS}, (_, d) => addDays(start, d))
  const truth = new Set()
  const values = days.map((day, d) => {
    const dow = dayToDate(day).getUTCDay()
    const base =
      level * (1 + trend) ** d * (dow === 0 || dow === 6 ? weekend : 1) * (shiftDay >= 0 && d >= shiftDay ? shift : 1)
    return Math.max(0, base * (1 + noise * gauss()))
  })
  const count = Math.floor(rand() * 4)
  for (let k = 0; k < count; k++) {
    const d = DAYS - 1 - Math.floor(rand() * JUDGED)
    if (truth.has(days[d])) continue
    // Sizes from 1.5x to 8x the series' own noise, up or (a third of the time) down.
    const size = (1.5 + rand() * 6.5) * noise * (rand() < 0.33 ? -1 : 1)
    values[d] = Math.max(0, values[d] * (1 + Math.max(size, -0.95)))
    truth.add(days[d])
  }
  return {keys: [`s${i}`], currency: 'USD', points: days.map((day, d) => ({day, cost: values[d]})), truth}
}

/** Flags a day whose spend differs by more than `percent` from a reference: the previous 7 days' average, or the same weekday a week before. */
function fixedPercent(series, percent, reference) {
  const out = []
  for (const s of series) {
    const v = s.points.map((p) => p.cost)
    for (let d = DAYS - JUDGED; d < DAYS; d++) {
      const ref = reference === 'week-average' ? v.slice(d - 7, d).reduce((a, x) => a + x, 0) / 7 : v[d - 7]
      if (ref > 0 && Math.abs(v[d] - ref) / ref > percent / 100) out.push({keys: s.keys, day: s.points[d].day})
    }
  }
  return out
}

function score(series, flagged) {
  const truth = new Set(series.flatMap((s) => [...s.truth].map((d) => `${s.keys[0]}|${d}`)))
  const got = new Set(flagged.map((f) => `${f.keys[0]}|${f.day}`))
  const tp = [...got].filter((k) => truth.has(k)).length
  const precision = got.size ? tp / got.size : 0
  const recall = truth.size ? tp / truth.size : 0
  const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0
  const normalDays = series.length * JUDGED - truth.size
  return {flagged: got.size, tp, precision, recall, f1, falseAlarmsPer100: ((got.size - tp) / normalDays) * 100}
}

const series = Array.from({length: SERIES}, (_, i) => makeSeries(i))
const injected = series.reduce((a, s) => a + s.truth.size, 0)
const t0 = performance.now()
const finops = detectAnomalies(series, {
  level: 99,
  trainingDays: 56,
  minHistoryDays: 21,
  lookbackDays: JUDGED,
  through: END,
  minImpact: 0,
})
const ms = performance.now() - t0

const rows = [
  ['finops (model-based, 99%)', score(series, finops)],
  ...[20, 30, 50].map((p) => [`fixed ${p}% vs 7-day average`, score(series, fixedPercent(series, p, 'week-average'))]),
  ...[20, 30, 50].map((p) => [
    `fixed ${p}% vs same weekday last week`,
    score(series, fixedPercent(series, p, 'last-week')),
  ]),
]
console.log(
  `${SERIES} series x ${JUDGED} judged days (${SERIES * JUDGED} series-days), ${injected} injected anomalies; finops detector ${ms.toFixed(0)} ms`,
)
console.log('| method | flagged | precision | recall | F1 | false alarms per 100 normal days | finops F1 / this F1 |')
console.log('|---|---:|---:|---:|---:|---:|---:|')
const ours = rows[0][1].f1
for (const [name, r] of rows) {
  console.log(
    `| ${name} | ${r.flagged} | ` +
      `${r.precision.toFixed(3)} | ${r.recall.toFixed(3)} | ${r.f1.toFixed(3)} | ${r.falseAlarmsPer100.toFixed(2)} | ${(ours / r.f1).toFixed(2)} |`,
  )
}
