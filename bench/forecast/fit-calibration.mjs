#!/usr/bin/env node
/**
 * Fits the interval calibration (IntervalCalibration in forecasters/intervals.ts) on the development seeds
 * of the quarter benchmark, and only on them, and says by cross-validation how well it will hold on
 * bills it was not fitted on. Run after the build:
 *   node bench/forecast/fit-calibration.mjs [--count N] [--observations FILE] [--folds K] [--sets N]
 * Without --observations it runs `quarter.mjs --set dev --count N --in-process --no-groups --calibrate-json`
 * once. Each observation is one interval's |error| / half-width on the side the truth fell; multiplied
 * by the width factor it was built with (recomputed from the bill's history length: its backtest paths,
 * the steps they reach) it is the error in units of the uncalibrated band, so any other calibration's
 * coverage follows without forecasting again. The fit moves, at each knot:
 *   - `reached`: to the level's quantile of those errors over the series whose backtest reached the
 *     whole horizon;
 *   - `shortfall` / `farShortfall`: by bisection, until the series that fell short by at most / more
 *     than half of the horizon reach the level's coverage;
 * for several rounds (knots are interpolated, so each term moves its neighbours' steps a little).
 * Cross-validation: the seeds are split in K folds by seed; each fold's coverage comes from the terms
 * fitted on the others (over-fitting shows as out-of-fold coverage below the in-sample one), also by
 * history length and by how much of the horizon the backtest reached; and random sets of N seeds drawn
 * from the out-of-fold results show how far one held-out set of that size may land from the level by
 * chance alone. Prints the calibration to paste into DEFAULT_CALIBRATION.
 */
import {spawnSync} from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

import {planBacktest} from '../../dist/forecasters/backtest.js'
import {DEFAULT_CALIBRATION, measuredReach, widthFactor} from '../../dist/forecasters/intervals.js'
import {DEFAULT_FORECAST_SETTINGS} from '../../dist/forecasters/series.js'
import {rng} from './generate.mjs'

const HORIZON = 90
const here = path.dirname(fileURLToPath(import.meta.url))
const args = process.argv.slice(2)
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`)
  return i >= 0 ? args[i + 1] : fallback
}
const folds = Number(opt('folds', '5'))
const setSize = Number(opt('sets', '60'))

let file = opt('observations')
if (!file) {
  file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'finops-fit-')), 'observations.json')
  const res = spawnSync(
    process.execPath,
    [
      path.join(here, 'quarter.mjs'),
      ...['--set', 'dev', '--count', opt('count', '240'), '--in-process', '--no-groups', '--calibrate-json', file],
    ],
    {encoding: 'utf8', maxBuffer: 64 * 1024 * 1024},
  )
  if (res.status !== 0) {
    console.error(res.stderr)
    process.exit(1)
  }
}
const dump = JSON.parse(fs.readFileSync(file, 'utf8'))
// Older dumps are a bare list made with the then-default calibration, given with --calibration-used.
const used = Array.isArray(dump) ? JSON.parse(fs.readFileSync(opt('calibration-used'), 'utf8')) : dump.calibration
const observations = Array.isArray(dump) ? dump : dump.observations
// A calibration from before the far-shortfall term had one term for every shortfall.
for (const kind of ['daily', 'total'])
  for (const level of [80, 95]) used[kind][`at${level}`].farShortfall ??= used[kind][`at${level}`].shortfall

const reaches = new Map()
function reachOf(historyDays) {
  if (!reaches.has(historyDays)) {
    const plan = planBacktest(historyDays, HORIZON, DEFAULT_FORECAST_SETTINGS.backtestOrigins)
    reaches.set(
      historyDays,
      measuredReach(
        plan.origins.map((o) => Math.min(HORIZON, historyDays - o)),
        HORIZON,
      ),
    )
  }
  return reaches.get(historyDays)
}
for (const o of observations) {
  o.reach = reachOf(o.historyDays)[o.kind]
  o.unreached = Math.max(0, HORIZON - (o.reach + 1)) / HORIZON
  o.raw = o.ratio * widthFactor(used, o.kind, o.level, o.step, o.reach, HORIZON)
}
const inside = (o, c) => o.raw / widthFactor(c, o.kind, o.level, o.step, o.reach, HORIZON) <= 1
const quantile = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]
}
const MIN_OBSERVATIONS = 30

function fit(train) {
  const c = JSON.parse(JSON.stringify(DEFAULT_CALIBRATION))
  for (let round = 0; round < 8; round++)
    for (const kind of ['daily', 'total'])
      for (const level of [80, 95])
        for (let third = 0; third < 3; third++) {
          const terms = c[kind][`at${level}`]
          const p = level / 100
          const mine = train.filter((o) => o.kind === kind && o.level === level && o.third === third)
          const ratio = (o) => o.raw / widthFactor(c, o.kind, o.level, o.step, o.reach, HORIZON)
          const full = mine.filter((o) => o.unreached === 0)
          if (full.length >= MIN_OBSERVATIONS) {
            const scale = Math.min(1.3, Math.max(0.7, quantile(full.map(ratio), p)))
            terms.reached = terms.reached.map((v, k) => (k === third ? v * scale : v))
          }
          for (const [term, part] of [
            ['shortfall', mine.filter((o) => o.unreached > 0 && o.unreached <= 0.5)],
            ['farShortfall', mine.filter((o) => o.unreached > 0.5)],
          ]) {
            if (part.length < MIN_OBSERVATIONS) continue
            const needed = (k) => {
              terms[term] = terms[term].map((v, i) => (i === third ? k : v))
              return quantile(part.map(ratio), p)
            }
            let lo = 0
            let hi = 20
            if (needed(lo) <= 1) hi = 0
            for (let i = 0; i < 40 && hi > 0; i++) {
              const mid = (lo + hi) / 2
              if (needed(mid) > 1) lo = mid
              else hi = mid
            }
            needed(hi)
          }
        }
  return c
}

const CELLS = ['daily80', 'daily95', 'total80', 'total95']
function table(rows) {
  const counts = {}
  for (const {o, ok} of rows) {
    const key = `${o.kind}${o.level}`
    counts[key] ??= [
      [0, 0],
      [0, 0],
      [0, 0],
    ]
    counts[key][o.third][1]++
    if (ok) counts[key][o.third][0]++
  }
  return CELLS.map(
    (key) =>
      `${key.replace(/\d+$/, '')} ${key.match(/\d+$/)[0]}%: ${(counts[key] ?? [])
        .map(([k, n]) => (n ? `${((100 * k) / n).toFixed(1)}%` : '-'))
        .join(' / ')}`,
  ).join('; ')
}
const round3 = (c) => JSON.parse(JSON.stringify(c, (_, v) => (typeof v === 'number' ? Math.round(v * 1000) / 1000 : v)))

const seeds = [...new Set(observations.map((o) => o.seed))]
console.log(
  `${observations.length} intervals from ${seeds.length} dev seeds (thirds: days 1-30 / 31-60 / 61-90 for days, 30- / 60- / 90-day totals for totals)`,
)
console.log(`as forecast (calibration they were made with): ${table(observations.map((o) => ({o, ok: o.ratio <= 1})))}`)
const fitted = round3(fit(observations))
console.log(`refitted, in sample: ${table(observations.map((o) => ({o, ok: inside(o, fitted)})))}`)

const outOfFold = []
for (let k = 0; k < folds; k++) {
  const c = fit(observations.filter((o) => o.seed % folds !== k))
  for (const o of observations.filter((x) => x.seed % folds === k)) outOfFold.push({o, ok: inside(o, c)})
}
console.log(`${folds}-fold cross-validation (out of fold): ${table(outOfFold)}`)
for (const [label, keep] of [
  ['history under 91 days', (o) => o.historyDays < 91],
  ['history 91-149 days', (o) => o.historyDays >= 91 && o.historyDays < 150],
  ['history 150 days or more', (o) => o.historyDays >= 150],
  ['backtest reached the horizon', (o) => o.unreached === 0],
  ['backtest fell short by up to half', (o) => o.unreached > 0 && o.unreached <= 0.5],
  ['backtest fell short by more than half', (o) => o.unreached > 0.5],
])
  console.log(`  ${label}: ${table(outOfFold.filter(({o}) => keep(o)))}`)

// Held-out sets of `setSize` seeds drawn from the out-of-fold results: the spread one such set shows by chance.
const bySeed = new Map(seeds.map((s) => [s, []]))
for (const row of outOfFold) bySeed.get(row.o.seed).push(row)
const random = rng(20_261_201)
const draws = {}
for (let b = 0; b < 2000 && setSize < seeds.length; b++) {
  const pool = [...seeds]
  const picked = Array.from({length: setSize}, () => pool.splice(Math.floor(random() * pool.length), 1)[0])
  const rows = picked.flatMap((s) => bySeed.get(s))
  for (const key of CELLS)
    for (let third = 0; third < 3; third++) {
      const cell = rows.filter(({o}) => `${o.kind}${o.level}` === key && o.third === third)
      ;(draws[`${key}:${third}`] ??= []).push((100 * cell.filter((r) => r.ok).length) / cell.length)
    }
}
if (Object.keys(draws).length) {
  console.log(`\nout-of-fold coverage of random ${setSize}-seed sets (2.5% / median / 97.5% of 2000 draws):`)
  for (const key of CELLS)
    console.log(
      `  ${key}: ${[0, 1, 2]
        .map((third) => {
          const v = draws[`${key}:${third}`].sort((a, b) => a - b)
          return `${v[50].toFixed(1)} / ${v[1000].toFixed(1)} / ${v[1950].toFixed(1)}`
        })
        .join(' | ')}`,
    )
}
console.log(`\nfitted on all dev seeds (DEFAULT_CALIBRATION):\n${JSON.stringify(fitted)}`)
