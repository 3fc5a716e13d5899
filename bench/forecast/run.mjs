#!/usr/bin/env node
/**
 * Forecast accuracy of `finops forecast` against R's forecast package (snaive, ets, auto.arima,
 * stlf on the daily totals, frequency 7, 80% intervals), on synthetic cloud bills. Run after the
 * build: `node bench/forecast/run.mjs [--set dev|holdout|both] [--count N]`.
 *
 * Each bill's history is written as a FOCUS CSV, imported with the built CLI and forecast 30 days
 * with `finops forecast --json`; R is fitted in the same run on the same history's daily totals.
 * Truth: the bill's real daily totals over the next 30 days (every charge, one-time included).
 * The dev seeds were used while tuning the models; the holdout seeds were not.
 */
import {spawn} from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

import {dailyTotals, focusCsv, generateBill} from './generate.mjs'

const here = path.dirname(fileURLToPath(import.meta.url))
const root = path.resolve(here, '..', '..')
const bin = path.join(root, 'bin', 'run.js')
const HORIZON = 30
const LEVEL = 80

const args = process.argv.slice(2)
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`)
  return i >= 0 ? args[i + 1] : fallback
}
const set = opt('set', 'both')
const count = Number(opt('count', '30'))
const seeds = {
  dev: Array.from({length: count}, (_, i) => i + 1),
  holdout: Array.from({length: count}, (_, i) => i + 1001),
}
const chosenSets = set === 'both' ? ['dev', 'holdout'] : [set]

if (!fs.existsSync(path.join(root, 'dist', 'commands', 'forecast.js'))) {
  console.error('build first: npx tsc -p tsconfig.build.json')
  process.exit(1)
}

function run(cmd, argv, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, {stdio: ['ignore', 'pipe', 'pipe'], ...options})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('error', reject)
    child.on('close', (code) => resolve({code, stdout, stderr}))
  })
}

async function pool(items, size, fn) {
  const results = new Array(items.length)
  let next = 0
  await Promise.all(
    Array.from({length: size}, async () => {
      while (next < items.length) {
        const i = next++
        results[i] = await fn(items[i], i)
      }
    }),
  )
  return results
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'finops-bench-forecast-'))
const series = []
const rInput = ['id,day,value']
for (const name of chosenSets) {
  for (const seed of seeds[name]) {
    const bill = generateBill(seed, HORIZON)
    const history = dailyTotals(bill, 0, bill.historyDays)
    const actual = dailyTotals(bill, bill.historyDays, HORIZON)
    const csv = path.join(work, `bill-${seed}.csv`)
    fs.writeFileSync(csv, focusCsv(bill))
    history.forEach((v, i) => rInput.push(`${seed},${i + 1},${v.toFixed(6)}`))
    const lastDay = new Date(Date.parse(`${bill.start}T00:00:00Z`) + (bill.historyDays - 1) * 86_400_000)
      .toISOString()
      .slice(0, 10)
    const oneTimeAhead = bill.rows
      .filter((r) => r.day > lastDay && r.frequency === 'One-Time')
      .reduce((a, r) => a + r.cost, 0)
    series.push({
      seed,
      set: name,
      csv,
      db: path.join(work, `bill-${seed}.db`),
      history,
      actual,
      oneTimeAhead,
      forecasts: {},
    })
  }
}
fs.writeFileSync(path.join(work, 'history.csv'), `${rInput.join('\n')}\n`)

const started = Date.now()
const rRun = run('Rscript', [
  path.join(here, 'fit.R'),
  path.join(work, 'history.csv'),
  String(HORIZON),
  path.join(work, 'r-forecasts.csv'),
])

const env = {...process.env, FINOPS_DB: undefined, NO_COLOR: '1'}
delete env.FINOPS_DB
await pool(series, 2, async (s) => {
  const imported = await run(process.execPath, [bin, 'collect', 'focus', s.csv, '--db', s.db, '--json'], {env})
  if (imported.code !== 0) throw new Error(`import of seed ${s.seed} failed: ${imported.stderr}`)
  const res = await run(
    process.execPath,
    [bin, 'forecast', '--db', s.db, '--json', '--horizon', String(HORIZON), '--level', String(LEVEL)],
    {env},
  )
  if (res.code !== 0) {
    s.finopsError = res.stdout.trim() || res.stderr.trim()
    return
  }
  const f = JSON.parse(res.stdout)
  s.model = f.model
  s.forecasts.finops = f.daily
  s.finopsTotal = f.currencies[0].total
})
const finopsSeconds = (Date.now() - started) / 1000

const r = await rRun
if (r.code !== 0) {
  console.error(`Rscript failed: ${r.stderr}`)
  process.exit(1)
}
const bySeed = new Map(series.map((s) => [String(s.seed), s]))
for (const line of fs.readFileSync(path.join(work, 'r-forecasts.csv'), 'utf8').trim().split('\n').slice(1)) {
  const [id, method, step, mean, lower, upper] = line.split(',')
  const s = bySeed.get(id)
  ;(s.forecasts[method] ??= [])[Number(step) - 1] = {mean: Number(mean), lower: Number(lower), upper: Number(upper)}
}
const totalSeconds = (Date.now() - started) / 1000

/** Weekly-naive in-sample MAE of the history: the MASE denominator, shared by every method. */
function scale(history) {
  let sum = 0
  for (let i = 7; i < history.length; i++) sum += Math.abs(history[i] - history[i - 7])
  return sum / (history.length - 7)
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length

const METHODS = ['finops', 'snaive', 'ets', 'auto.arima', 'stlf']
function score(subset) {
  const rows = {}
  for (const m of METHODS) {
    const apes = []
    const mases = []
    let inside = 0
    let days = 0
    let missing = 0
    for (const s of subset) {
      const f = s.forecasts[m]
      if (!f || f.length !== HORIZON) {
        missing++
        continue
      }
      const actualTotal = s.actual.reduce((a, b) => a + b, 0)
      const forecastTotal = f.reduce((a, p) => a + p.mean, 0)
      apes.push((100 * Math.abs(actualTotal - forecastTotal)) / Math.abs(actualTotal))
      mases.push(mean(s.actual.map((a, i) => Math.abs(a - f[i].mean))) / scale(s.history))
      s.actual.forEach((a, i) => {
        if (a >= f[i].lower && a <= f[i].upper) inside++
        days++
      })
    }
    rows[m] = {
      medianApe: median(apes),
      meanApe: mean(apes),
      medianMase: median(mases),
      coverage: inside / days,
      n: apes.length,
      missing,
    }
  }
  return rows
}

function printTable(title, rows) {
  console.log(`\n${title}`)
  console.log('| method | series | median APE 30-day total | mean APE 30-day total | median MASE | 80% coverage |')
  console.log('|---|---:|---:|---:|---:|---:|')
  for (const m of METHODS) {
    const x = rows[m]
    console.log(
      `| ${m === 'finops' ? 'finops forecast' : `R ${m}`} | ${x.n}${x.missing ? ` (${x.missing} failed)` : ''} | ${x.medianApe.toFixed(2)}% ` +
        `| ${x.meanApe.toFixed(2)}% | ${x.medianMase.toFixed(3)} | ${(100 * x.coverage).toFixed(1)}% |`,
    )
  }
  const r = METHODS.filter((m) => m !== 'finops')
  const best = (key) => Math.min(...r.map((m) => rows[m][key]))
  const f = rows.finops
  console.log(
    `ratios finops / best R: median APE ${(f.medianApe / best('medianApe')).toFixed(2)}, mean ` +
      `APE ${(f.meanApe / best('meanApe')).toFixed(2)}, median MASE ${(f.medianMase / best('medianMase')).toFixed(2)} (below 1 = finops better)`,
  )
}

console.log(
  `Forecast accuracy, ${HORIZON}-day horizon, ${LEVEL}% ` +
    `intervals; ${series.length} synthetic bills (${chosenSets.map((n) => `${n}: seeds ${seeds[n][0]}-${seeds[n].at(-1)}`).join(', ')})`,
)
for (const name of chosenSets) printTable(`${name} seeds`, score(series.filter((s) => s.set === name)))
if (chosenSets.length > 1) printTable('all seeds', score(series))
for (const name of chosenSets) {
  const subset = series.filter((s) => s.set === name && s.finopsTotal)
  const inside = (s, exclude) => {
    const actual = s.actual.reduce((a, b) => a + b, 0) - exclude
    return actual >= s.finopsTotal.lower && actual <= s.finopsTotal.upper
  }
  const held = subset.filter((s) => inside(s, 0)).length
  const heldProjected = subset.filter((s) => inside(s, s.oneTimeAhead)).length
  console.log(
    `${name}: the 30-day total fell inside finops' 80% interval of the total for ${held} of ${subset.length} bills ` +
      `(${heldProjected} of ${subset.length} for the spend it projects, i.e. without one-time charges of the 30 days)`,
  )
}
const failed = series.filter((s) => s.finopsError)
if (failed.length)
  console.log(
    `\nfinops refused ${failed.length} series: ${failed.map((s) => `${s.seed}: ${s.finopsError}`).join('; ')}`,
  )
console.log('')
const models = {}
for (const s of series) if (s.model) models[s.model] = (models[s.model] ?? 0) + 1
console.log(
  `\nmodels chosen by finops: ${Object.entries(models)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')}`,
)
console.log(
  `wall time: finops import+forecast ${finopsSeconds.toFixed(0)} s (2 at a time), whole run ${totalSeconds.toFixed(0)} s`,
)
if (!args.includes('--keep')) fs.rmSync(work, {recursive: true, force: true})
else console.log(`kept ${work}`)
