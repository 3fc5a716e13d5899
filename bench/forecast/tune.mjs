#!/usr/bin/env node
/**
 * Fast in-process loop for model work: the same bills and scores as run.mjs, but finops only and
 * through the library (an in-memory store) instead of the CLI, and no R. Use run.mjs for the record.
 * `node bench/forecast/tune.mjs [--set dev|holdout] [--count N] [--verbose]`
 */
import Database from 'better-sqlite3'

import {forecastCosts} from '../../dist/src/cost/forecast.js'
import {replaceCosts} from '../../dist/src/store/cost-writer.js'
import {migrations} from '../../dist/src/store/migrations/index.js'
import {dailyTotals, generateBill} from './generate.mjs'

const args = process.argv.slice(2)
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`)
  return i >= 0 ? args[i + 1] : fallback
}
const set = opt('set', 'dev')
const count = Number(opt('count', '30'))
const first = set === 'dev' ? 1 : 1001
const HORIZON = 30

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length
const apes = []
const mases = []
let inside = 0
let days = 0
let totalsInside = 0
let totalsInsideExOneTime = 0
const models = {}
for (let seed = first; seed < first + count; seed++) {
  const bill = generateBill(seed, HORIZON)
  const db = new Database(':memory:')
  for (const m of migrations) db.exec(m.up)
  const lastDay = new Date(Date.parse(`${bill.start}T00:00:00Z`) + (bill.historyDays - 1) * 86_400_000)
    .toISOString()
    .slice(0, 10)
  const rows = bill.rows
    .filter((r) => r.day <= lastDay)
    .map((r) => ({
      day: r.day,
      billingPeriodStart: `${r.day.slice(0, 7)}-01`,
      provider: 'BenchCloud',
      billingAccountId: `acct-${seed}`,
      subAccountId: '',
      serviceName: r.service,
      serviceCategory: '',
      regionId: 'region-1',
      chargeCategory: r.category,
      chargeFrequency: r.frequency,
      currency: 'USD',
      tags: {},
      billedCost: r.cost,
      effectiveCost: r.cost,
      listCost: r.cost,
      contractedCost: 0,
    }))
  replaceCosts(db, [], rows, {
    source: 'focus',
    location: 'bench',
    startedAt: new Date().toISOString(),
    rowsRead: rows.length,
    rowsSkipped: 0,
  })
  const f = forecastCosts(db, {
    horizonDays: HORIZON,
    level: 80,
    metric: 'effective',
    groupBy: [],
    filters: [],
    settings: opt('origins') ? {backtestOrigins: Number(opt('origins'))} : undefined,
  })
  const history = dailyTotals(bill, 0, bill.historyDays)
  const actual = dailyTotals(bill, bill.historyDays, HORIZON)
  let sc = 0
  for (let i = 7; i < history.length; i++) sc += Math.abs(history[i] - history[i - 7])
  sc /= history.length - 7
  const at = actual.reduce((a, b) => a + b, 0)
  const ft = f.daily.reduce((a, p) => a + p.mean, 0)
  const ape = (100 * Math.abs(at - ft)) / Math.abs(at)
  const mase = mean(actual.map((a, i) => Math.abs(a - f.daily[i].mean))) / sc
  let ins = 0
  actual.forEach((a, i) => {
    if (a >= f.daily[i].lower && a <= f.daily[i].upper) ins++
  })
  inside += ins
  days += HORIZON
  const t = f.currencies[0].total
  const oneTimeAhead = bill.rows
    .filter((r) => r.day > lastDay && r.frequency === 'One-Time')
    .reduce((a, r) => a + r.cost, 0)
  if (at >= t.lower && at <= t.upper) totalsInside++
  if (at - oneTimeAhead >= t.lower && at - oneTimeAhead <= t.upper) totalsInsideExOneTime++
  apes.push(ape)
  mases.push(mase)
  models[f.model] = (models[f.model] ?? 0) + 1
  const oneTime = bill.rows.filter((r) => r.day > lastDay && r.frequency === 'One-Time').reduce((a, r) => a + r.cost, 0)
  if (args.includes('--verbose'))
    console.log(
      `seed ${seed} n=${bill.historyDays} model=${f.model} ape=${ape.toFixed(1)} mase=${mase.toFixed(2)} cover=${ins}/30 total ` +
        `actual=${at.toFixed(0)} (one-time ${oneTime.toFixed(0)}) forecast=${ft.toFixed(0)}`,
    )
  db.close()
}
console.log(
  `${set} ${count}: median APE ${median(apes).toFixed(2)}%, mean ` +
    `APE ${mean(apes).toFixed(2)}%, median MASE ${median(mases).toFixed(3)}, ` +
    `coverage ${((100 * inside) / days).toFixed(1)}%, 30-day total inside its ` +
    `interval ${totalsInside}/${count} (${totalsInsideExOneTime}/${count} without one-time charges)`,
)
console.log(
  Object.entries(models)
    .map(([k, v]) => `${k} ${v}`)
    .join(', '),
)
