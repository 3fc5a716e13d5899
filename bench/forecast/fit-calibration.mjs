#!/usr/bin/env node
/**
 * Fits the interval calibration (IntervalCalibration in forecasters/intervals.ts) on the development seeds
 * of the quarter benchmark, and only on them. Each round runs
 * `quarter.mjs --set dev --count N --in-process --no-groups --calibration <current> --calibrate-json <file>` and moves
 * every term so that its interval would have held its level's share of the truths in that round:
 *   - `reached` at each knot: multiplied by the level's quantile of |error| / half-width over the series
 *     whose backtest reached day 90, in that third of the horizon (daily bands) or at that total;
 *   - `shortfall` at each knot: the value (found by bisection) at which the series whose backtest fell
 *     short reach the level's coverage in that third, given the new `reached`.
 * Rounds repeat because a term's knots are interpolated and the next run's errors are measured anew.
 * Run after the build:
 *   node bench/forecast/fit-calibration.mjs [--count N] [--rounds R] [--from JSON]
 * Prints each round's coverage and the calibration to paste into DEFAULT_CALIBRATION.
 */
import {spawnSync} from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

import {DEFAULT_CALIBRATION} from '../../dist/forecasters/intervals.js'

const here = path.dirname(fileURLToPath(import.meta.url))
const args = process.argv.slice(2)
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`)
  return i >= 0 ? args[i + 1] : fallback
}
const count = Number(opt('count', '150'))
const rounds = Number(opt('rounds', '3'))
let calibration = opt('from') ? JSON.parse(opt('from')) : JSON.parse(JSON.stringify(DEFAULT_CALIBRATION))
const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'finops-fit-')), 'observations.json')

/** The p-quantile (lower) of a list. */
function quantile(xs, p) {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]
}
const MIN_OBSERVATIONS = 30

function fitRound(observations) {
  const next = JSON.parse(JSON.stringify(calibration))
  for (const kind of ['daily', 'total'])
    for (const level of [80, 95]) {
      const terms = next[kind][`at${level}`]
      const reached = [...terms.reached]
      const shortfall = [...terms.shortfall]
      for (let third = 0; third < 3; third++) {
        const mine = observations.filter((o) => o.kind === kind && o.level === level && o.third === third)
        const full = mine.filter((o) => o.shortfall === 0)
        const short = mine.filter((o) => o.shortfall > 0)
        const p = level / 100
        let scale = 1
        if (full.length >= MIN_OBSERVATIONS) {
          // A round moves a term by at most 30%: the next round measures where that lands.
          scale = Math.min(
            1.3,
            Math.max(
              0.7,
              quantile(
                full.map((o) => o.ratio),
                p,
              ),
            ),
          )
          reached[third] = reached[third] * scale
        }
        if (short.length >= MIN_OBSERVATIONS) {
          const old = shortfall[third]
          const needed = (k) =>
            quantile(
              short.map((o) => (o.ratio / scale) * ((1 + old * o.shortfall) / (1 + k * o.shortfall))),
              p,
            )
          let lo = 0
          let hi = 20
          if (needed(lo) <= 1) hi = 0
          for (let i = 0; i < 50 && hi > 0; i++) {
            const mid = (lo + hi) / 2
            if (needed(mid) > 1) lo = mid
            else hi = mid
          }
          shortfall[third] = hi
        }
      }
      const round3 = (xs) => xs.map((x) => Math.round(x * 1000) / 1000)
      next[kind][`at${level}`] = {reached: round3(reached), shortfall: round3(shortfall)}
    }
  return next
}

for (let round = 0; round <= rounds; round++) {
  const res = spawnSync(
    process.execPath,
    [
      path.join(here, 'quarter.mjs'),
      '--set',
      'dev',
      '--count',
      String(count),
      '--in-process',
      '--no-groups',
      '--calibration',
      JSON.stringify(calibration),
      '--calibrate-json',
      file,
    ],
    {encoding: 'utf8', maxBuffer: 64 * 1024 * 1024},
  )
  if (res.status !== 0) {
    console.error(res.stderr)
    process.exit(1)
  }
  const coverage = res.stdout.split('\n').filter((l) => /^\| (80|95)% intervals/.test(l))
  console.log(`round ${round}: ${JSON.stringify(calibration)}`)
  for (const line of coverage) console.log(line)
  if (round === rounds) break
  calibration = fitRound(JSON.parse(fs.readFileSync(file, 'utf8')))
}
fs.rmSync(path.dirname(file), {recursive: true, force: true})
