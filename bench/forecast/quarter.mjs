#!/usr/bin/env node
/**
 * 90-day forecasts of harder bills (bench/forecast/quarter-bills.mjs) by `finops forecast` against R's
 * forecast package (snaive, ets, auto.arima, stlf) and Prophet, fitted in the same run on the same
 * daily totals of each currency. Run after the build:
 *   node bench/forecast/quarter.mjs [--set dev|holdout|fresh|both] [--count N] [--seeds A-B] [--in-process]
 *     [--peers] [--no-peers] [--r-jobs N] [--peers-cache FILE] [--peers-only] [--no-groups] [--calibrate]
 *     [--calibration JSON] [--calibrate-json FILE] [--verbose] [--keep]
 * --in-process forecasts through the library on an in-memory store (the quick loop used while tuning;
 * no CLI, no R); the recorded figures come from the default mode: each bill's history is written as a
 * FOCUS CSV, imported with the built CLI and forecast with `finops forecast --json --horizon 90
 * --group-by service` at --level 80 and 95, with `forecast.holidays.country: US` in finops.yaml (Prophet
 * is given the same holidays). Dev seeds (1..N) are the ones calibration is fitted on; holdout seeds
 * (5001..) were looked at after an earlier calibration, so they no longer count as unseen; fresh seeds
 * (9001..) were kept for the check of the per-third calibration. --seeds A-B replaces the chosen set's
 * seeds with a range (for a later, again unseen set). Every coverage figure is printed with its 95%
 * confidence interval: binomial (Wilson) over the counted days or totals, and for days also a bootstrap
 * over series (a series' days are not independent, so that interval is the honest one).
 * R and Prophet take most of the wall time on a loaded machine: --peers-cache FILE keeps their forecasts
 * with a hash of the exact histories they were fitted to, and a later run on the same seeds reuses them
 * only if every history is byte-for-byte the same (else it refits). --peers-only fits the peers into
 * the cache and forecasts nothing with finops (so a held-out set can be prepared without being seen).
 */
import {spawn} from 'node:child_process'
import {createHash} from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

import {rng} from './generate.mjs'
import {dailySeries, day, generateQuarterBill, quarterFocusCsv, usHolidays} from './quarter-bills.mjs'

const here = path.dirname(fileURLToPath(import.meta.url))
const root = path.resolve(here, '..', '..')
const bin = path.join(root, 'bin', 'run.js')
const HORIZON = 90
const THIRDS = [
  [0, 30],
  [30, 60],
  [60, 90],
]

const args = process.argv.slice(2)
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`)
  return i >= 0 ? args[i + 1] : fallback
}
const set = opt('set', 'both')
const count = Number(opt('count', '40'))
const inProcess = args.includes('--in-process')
// --no-groups (in-process only): no per-service forecasts, a third of the work (the fitting loop needs the totals only).
const noGroups = args.includes('--no-groups')
// --in-process leaves R and Prophet out unless --peers asks for them too.
const peersOnly = args.includes('--peers-only')
const peers = (!inProcess || args.includes('--peers') || peersOnly) && !args.includes('--no-peers')
const peersCache = opt('peers-cache')
if (peersOnly && !peersCache) {
  console.error('--peers-only needs --peers-cache FILE')
  process.exit(2)
}
// --calibration '{...}' (in-process only): try an IntervalCalibration (forecasters/intervals.ts) while fitting one.
const calibration = opt('calibration') ? JSON.parse(opt('calibration')) : undefined
const seeds = {
  dev: Array.from({length: count}, (_, i) => i + 1),
  holdout: Array.from({length: count}, (_, i) => i + 5001),
  fresh: Array.from({length: count}, (_, i) => i + 9001),
}
const chosenSets = set === 'both' ? ['dev', 'holdout'] : [set]
if (!chosenSets.every((name) => name in seeds)) {
  console.error(`--set must be dev, holdout, fresh or both (got ${set})`)
  process.exit(2)
}
if (opt('seeds')) {
  const m = /^(\d+)-(\d+)$/.exec(opt('seeds'))
  if (!m || Number(m[2]) < Number(m[1]) || chosenSets.length !== 1) {
    console.error('--seeds takes a range A-B (A <= B) and one --set to label it')
    process.exit(2)
  }
  seeds[chosenSets[0]] = Array.from({length: Number(m[2]) - Number(m[1]) + 1}, (_, i) => i + Number(m[1]))
}
if (!fs.existsSync(path.join(root, 'dist', 'commands', 'forecast.js'))) {
  console.error('build first: npm run build')
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
  let next = 0
  await Promise.all(
    Array.from({length: size}, async () => {
      while (next < items.length) {
        const i = next++
        await fn(items[i], i)
      }
    }),
  )
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'finops-bench-quarter-'))
fs.writeFileSync(path.join(work, 'finops.yaml'), 'forecast:\n  holidays:\n    country: US\n')
const bills = []
const series = []
const rInput = ['id,day,value']
for (const name of chosenSets) {
  for (const seed of seeds[name]) {
    const bill = generateQuarterBill(seed, HORIZON)
    bill.set = name
    bill.csv = path.join(work, `bill-${seed}.csv`)
    bill.db = path.join(work, `bill-${seed}.db`)
    fs.writeFileSync(bill.csv, quarterFocusCsv(bill))
    bills.push(bill)
    for (const currency of bill.currencies) {
      const history = dailySeries(bill, {currency, from: 0, days: bill.historyDays})
      const actual = dailySeries(bill, {currency, from: bill.historyDays, days: HORIZON})
      const services = [...new Set(bill.rows.filter((r) => r.currency === currency).map((r) => r.service))].map(
        (service) => ({
          service,
          launched: bill.launched.some((l) => l.service === service && l.currency === currency),
          actual: dailySeries(bill, {currency, service, from: bill.historyDays, days: HORIZON}),
        }),
      )
      const s = {
        id: `${seed}-${currency}`,
        bill,
        currency,
        history,
        actual,
        services,
        forecasts: {},
        tags: tagsOf(bill, currency),
      }
      series.push(s)
      history.forEach((v, i) => rInput.push(`${s.id},${day(bill.start, i)},${v.toFixed(6)}`))
    }
  }
}

/** What makes a bill hard, for the breakdown table. */
function tagsOf(bill, currency) {
  const tags = []
  if (bill.historyDays < 91) tags.push('short history (45-90 days)')
  if (bill.launched.some((l) => l.currency === currency)) tags.push('service launched in the last 40 days')
  if (bill.lastDay >= '2024-12-20' && bill.lastDay <= '2025-01-10') tags.push('history ends in the year-end holidays')
  else if (bill.lastDay >= '2024-09-25' && bill.lastDay < '2024-12-20') tags.push('year-end holidays in the horizon')
  if (bill.rows.some((r) => r.currency === currency && r.service !== undefined) && bill.currencies.length > 1)
    tags.push('two currencies')
  return tags
}

const holidaysCsv = ['holiday,ds']
for (const year of [2022, 2023, 2024, 2025, 2026])
  for (const [date, name] of usHolidays(year)) holidaysCsv.push(`"${name}",${date}`)
fs.writeFileSync(path.join(work, 'holidays.csv'), `${holidaysCsv.join('\n')}\n`)
fs.writeFileSync(path.join(work, 'history.csv'), `${rInput.join('\n')}\n`)

const started = Date.now()
// --r-jobs N splits the series over N Rscript processes (R and Prophet take most of the wall time).
const rJobs = Math.max(1, Number(opt('r-jobs', '1')))
async function fitPeers() {
  const ids = [...new Set(rInput.slice(1).map((line) => line.slice(0, line.indexOf(','))))]
  const shards = Array.from({length: rJobs}, (_, k) => new Set(ids.filter((_, i) => i % rJobs === k)))
  const results = await Promise.all(
    shards.map((shard, k) => {
      const lines = rInput.slice(1).filter((line) => shard.has(line.slice(0, line.indexOf(','))))
      fs.writeFileSync(path.join(work, `history-${k}.csv`), `${[rInput[0], ...lines].join('\n')}\n`)
      return run('Rscript', [
        path.join(here, 'fit-quarter.R'),
        path.join(work, `history-${k}.csv`),
        path.join(work, 'holidays.csv'),
        String(HORIZON),
        path.join(work, `r-forecasts-${k}.csv`),
      ])
    }),
  )
  const failed = results.find((r) => r.code !== 0)
  if (failed) return failed
  const out = shards.flatMap((_, k) =>
    fs
      .readFileSync(path.join(work, `r-forecasts-${k}.csv`), 'utf8')
      .trim()
      .split('\n')
      .slice(1),
  )
  fs.writeFileSync(
    path.join(work, 'r-forecasts.csv'),
    `id,method,step,mean,lower80,upper80,lower95,upper95\n${out.join('\n')}\n`,
  )
  return {code: 0}
}
const historyHash = createHash('sha256').update(rInput.join('\n')).digest('hex')
async function cachedPeers() {
  if (peersCache && fs.existsSync(peersCache)) {
    const cached = JSON.parse(fs.readFileSync(peersCache, 'utf8'))
    if (cached.historyHash === historyHash && cached.horizon === HORIZON) {
      fs.writeFileSync(path.join(work, 'r-forecasts.csv'), cached.csv)
      console.log(`peers: R and Prophet forecasts from ${peersCache} (fitted ${cached.fittedAt}, same histories)`)
      return {code: 0}
    }
    console.log(`peers: ${peersCache} was fitted to other histories; refitting`)
  }
  const fitted = await fitPeers()
  if (fitted.code === 0 && peersCache)
    fs.writeFileSync(
      peersCache,
      JSON.stringify({
        historyHash,
        horizon: HORIZON,
        fittedAt: new Date().toISOString(),
        csv: fs.readFileSync(path.join(work, 'r-forecasts.csv'), 'utf8'),
      }),
    )
  return fitted
}
const rRun = peers ? cachedPeers() : Promise.resolve({code: 0})
if (peersOnly) {
  const r = await rRun
  if (r.code !== 0) {
    console.error(`Rscript failed: ${r.stderr}`)
    process.exit(1)
  }
  console.log(
    `peers fitted to ${series.length} series into ${peersCache} in ${((Date.now() - started) / 1000).toFixed(0)} s`,
  )
  fs.rmSync(work, {recursive: true, force: true})
  process.exit(0)
}

const byCurrency = (json) => new Map((json.currencies ?? []).map((c) => [c.currency, c]))
function record(bill, level, json) {
  const entries = byCurrency(json)
  for (const s of series.filter((x) => x.bill === bill)) {
    const c = entries.get(s.currency)
    if (!c) {
      s.finopsError = json.skippedCurrencies?.find((k) => k.currency === s.currency)?.reason ?? 'missing'
      continue
    }
    // A lagging currency starts earlier; align on the common horizon days.
    const offset = c.daily.findIndex((p) => p.date === day(bill.lastDay, 1))
    const daily = c.daily.slice(offset, offset + HORIZON)
    const f = (s.forecasts.finops ??= {
      model: c.model,
      warnings: c.warnings.map((w) => w.code),
      mase: c.backtest[0]?.mase,
      reach: c.backtest[0]?.horizonDays,
    })
    f.daily ??= daily.map((p) => ({mean: p.mean}))
    daily.forEach((p, i) => {
      f.daily[i][`lower${level}`] = p.lower
      f.daily[i][`upper${level}`] = p.upper
    })
    f[`total${level}`] = c.total
    f[`first30_${level}`] = c.cumulative[offset + 29]
    f[`first60_${level}`] = c.cumulative[offset + 59]
    if (c.groups.length > 0) f.groups = c.groups
  }
}

if (inProcess) {
  const Database = (await import('better-sqlite3')).default
  const {forecastCosts} = await import('../../dist/src/cost/forecast.js')
  const {replaceCosts} = await import('../../dist/src/store/cost-writer.js')
  const {migrations} = await import('../../dist/src/store/migrations/index.js')
  for (const bill of bills) {
    const db = new Database(':memory:')
    for (const m of migrations) db.exec(m.up)
    const rows = bill.rows
      .filter((r) => r.day <= bill.lastDay)
      .map((r) => ({
        day: r.day,
        billingPeriodStart: `${r.day.slice(0, 7)}-01`,
        provider: 'BenchCloud',
        billingAccountId: `acct-${bill.seed}-${r.currency}`,
        subAccountId: '',
        serviceName: r.service,
        serviceCategory: '',
        regionId: 'region-1',
        chargeCategory: r.category,
        chargeFrequency: r.frequency,
        currency: r.currency,
        tags: {},
        billedCost: r.cost,
        effectiveCost: r.cost,
        listCost: r.cost,
        contractedCost: 0,
      }))
    replaceCosts(db, [], rows, {source: 'focus', location: 'bench', startedAt: '', rowsRead: 0, rowsSkipped: 0})
    for (const level of [80, 95]) {
      try {
        const json = forecastCosts(db, {
          horizonDays: HORIZON,
          level,
          metric: 'effective',
          groupBy: level === 80 && !noGroups ? [{kind: 'dimension', name: 'service'}] : [],
          filters: [],
          holidays: {country: 'US'},
          settings: calibration ? {calibration} : undefined,
        })
        record(bill, level, json)
      } catch (error) {
        for (const s of series.filter((x) => x.bill === bill)) s.finopsError = String(error.message ?? error)
      }
    }
    db.close()
  }
} else {
  const env = {...process.env, NO_COLOR: '1'}
  delete env.FINOPS_DB
  await pool(bills, 2, async (bill) => {
    const imported = await run(process.execPath, [bin, 'collect', 'focus', bill.csv, '--db', bill.db, '--json'], {
      env,
      cwd: work,
    })
    if (imported.code !== 0) throw new Error(`import of seed ${bill.seed} failed: ${imported.stderr}`)
    for (const level of [80, 95]) {
      const res = await run(
        process.execPath,
        [
          bin,
          'forecast',
          '--db',
          bill.db,
          '--json',
          '--horizon',
          String(HORIZON),
          '--level',
          String(level),
          ...(level === 80 ? ['--group-by', 'service'] : []),
        ],
        {env, cwd: work},
      )
      if (res.code !== 0) {
        for (const s of series.filter((x) => x.bill === bill)) s.finopsError = res.stderr.trim() || res.stdout.trim()
        continue
      }
      record(bill, level, JSON.parse(res.stdout))
    }
  })
}
const finopsSeconds = (Date.now() - started) / 1000

const r = await rRun
if (r.code !== 0) {
  console.error(`Rscript failed: ${r.stderr}`)
  process.exit(1)
}
const seriesById = new Map(series.map((s) => [s.id, s]))
if (peers) {
  for (const line of fs.readFileSync(path.join(work, 'r-forecasts.csv'), 'utf8').trim().split('\n').slice(1)) {
    const [id, method, step, mean, lower80, upper80, lower95, upper95] = line.split(',')
    const s = seriesById.get(id)
    const f = (s.forecasts[method] ??= {daily: []})
    f.daily[Number(step) - 1] = {
      mean: Number(mean),
      lower80: Number(lower80),
      upper80: Number(upper80),
      lower95: Number(lower95),
      upper95: Number(upper95),
    }
  }
}
const totalSeconds = (Date.now() - started) / 1000

const sum = (xs) => xs.reduce((a, b) => a + b, 0)
const mean = (xs) => (xs.length ? sum(xs) / xs.length : Number.NaN)
const median = (xs) => {
  if (!xs.length) return Number.NaN
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}
function scale(history) {
  let total = 0
  for (let i = 7; i < history.length; i++) total += Math.abs(history[i] - history[i - 7])
  return total / (history.length - 7)
}
const ape = (actual, forecast) => (100 * Math.abs(sum(actual) - sum(forecast))) / Math.abs(sum(actual))

const METHODS = ['finops', 'snaive', 'ets', 'auto.arima', 'stlf', 'prophet']
const methods = peers ? METHODS : ['finops']
function score(subset) {
  const rows = {}
  for (const m of methods) {
    const ape30 = []
    const ape90 = []
    const mases = []
    const inside = {80: [0, 0, 0], 95: [0, 0, 0]}
    let days = [0, 0, 0]
    let missing = 0
    for (const s of subset) {
      const f = s.forecasts[m]
      if (!f || f.daily?.length !== HORIZON || f.daily.some((p) => p === undefined)) {
        missing++
        continue
      }
      const means = f.daily.map((p) => p.mean)
      ape30.push(ape(s.actual.slice(0, 30), means.slice(0, 30)))
      ape90.push(ape(s.actual, means))
      mases.push(mean(s.actual.map((a, i) => Math.abs(a - means[i]))) / scale(s.history))
      THIRDS.forEach(([a, b], k) => {
        for (let i = a; i < b; i++) {
          days[k]++
          for (const level of [80, 95]) {
            const p = f.daily[i]
            if (
              p[`lower${level}`] !== undefined &&
              s.actual[i] >= p[`lower${level}`] &&
              s.actual[i] <= p[`upper${level}`]
            )
              inside[level][k]++
          }
        }
      })
    }
    rows[m] = {
      n: ape90.length,
      missing,
      medianApe30: median(ape30),
      meanApe30: mean(ape30),
      medianApe90: median(ape90),
      meanApe90: mean(ape90),
      medianMase: median(mases),
      meanMase: mean(mases),
      coverage80: inside[80].map((x, k) => x / days[k]),
      coverage95: inside[95].map((x, k) => x / days[k]),
    }
  }
  return rows
}
const pct = (x) => `${(100 * x).toFixed(1)}%`
function printTable(title, subset) {
  const rows = score(subset)
  console.log(`\n${title} (${subset.length} series)`)
  console.log(
    '| method | series | median / mean APE 30-day total | median / mean APE 90-day total | median / mean MASE | 80% coverage days 1-30 / 31-60 / ' +
      '61-90 | 95% coverage days 1-30 / 31-60 / 61-90 |',
  )
  console.log('|---|---:|---:|---:|---:|---:|---:|')
  for (const m of methods) {
    const x = rows[m]
    console.log(
      `| ${m === 'finops' ? '**finops ' + 'forecast**' : m === 'prophet' ? 'Prophet' : `R ` + `${m}`} | ${x.n}${
        x.missing ? ` ` + `(${x.missing} failed)` : ''
      } | \
${x.medianApe30.toFixed(2)}% / \
${x.meanApe30.toFixed(2)}% | \
${x.medianApe90.toFixed(2)}% / \
${x.meanApe90.toFixed(2)}% | \
${x.medianMase.toFixed(3)} / ${x.meanMase.toFixed(3)} | ${x.coverage80.map(pct).join(' / ')} | ${x.coverage95.map(pct).join(' / ')} |`,
    )
  }
  if (peers) {
    // A peer that failed on every series has no figures to compare with (it is listed above as failed).
    const others = methods.filter((m) => m !== 'finops' && rows[m].n > 0)
    const best = (key) => Math.min(...others.map((m) => rows[m][key]))
    const f = rows.finops
    console.log(
      `finops / best peer: median APE 30 ${(f.medianApe30 / best('medianApe30')).toFixed(2)}, mean APE ` +
        `30 ${(f.meanApe30 / best('meanApe30')).toFixed(2)}, median APE ` +
        `90 ${(f.medianApe90 / best('medianApe90')).toFixed(2)}, mean APE ` +
        `90 ${(f.meanApe90 / best('meanApe90')).toFixed(2)}, median ` +
        `MASE ${(f.medianMase / best('medianMase')).toFixed(2)}, mean MASE ${(f.meanMase / best('meanMase')).toFixed(2)} (below 1 = finops better)`,
    )
  }
  const withTotals = subset.filter((s) => s.forecasts.finops?.total80)
  for (const level of [80, 95]) {
    const held = withTotals.filter((s) => {
      const t = s.forecasts.finops[`total${level}`]
      const a = sum(s.actual)
      return t && a >= t.lower && a <= t.upper
    }).length
    const held30 = withTotals.filter((s) => {
      const t = s.forecasts.finops[`first30_${level}`]
      const a = sum(s.actual.slice(0, 30))
      return t && a >= t.lower && a <= t.upper
    }).length
    console.log(
      `finops ${level}% interval of the 90-day total held the actual total ` +
        `for ${held} of ${withTotals.length} series ` +
        `(${pct(held / withTotals.length)}); of the 30-day total ${held30} of ${withTotals.length} (${pct(held30 / withTotals.length)})`,
    )
  }
  printCoverage(subset)
  const services = subset.flatMap((s) =>
    (s.forecasts.finops?.groups ?? []).flatMap((g) => {
      const truth = s.services.find((x) => x.service === g.keys[0])
      if (!truth || sum(truth.actual) <= 0) return []
      return [
        {
          launched: truth.launched,
          ape: (100 * Math.abs(sum(truth.actual) - g.total.mean)) / sum(truth.actual),
          inside: sum(truth.actual) >= g.total.lower && sum(truth.actual) <= g.total.upper,
        },
      ]
    }),
  )
  for (const [label, list] of [
    ['all services', services],
    ['launched services', services.filter((x) => x.launched)],
    ['other services', services.filter((x) => !x.launched)],
  ])
    if (list.length)
      console.log(
        `finops per-service 90-day total ` +
          `error, ${label}: median ${median(list.map((x) => x.ape)).toFixed(2)}%, ` +
          `mean ${mean(list.map((x) => x.ape)).toFixed(2)}% (${list.length} services; 80% interval held ${list.filter((x) => x.inside).length})`,
      )
}
/** Wilson score interval of a binomial proportion, 95%. */
function wilson(k, n) {
  if (n === 0) return [Number.NaN, Number.NaN]
  const z = 1.959964
  const p = k / n
  const centre = (p + (z * z) / (2 * n)) / (1 + (z * z) / n)
  const half = (z / (1 + (z * z) / n)) * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))
  return [centre - half, centre + half]
}
/** 95% percentile-bootstrap interval of a ratio of sums over series (resampling whole series). */
function bootstrap(parts) {
  if (parts.length === 0) return [Number.NaN, Number.NaN]
  const random = rng(20_261_201)
  const ratios = []
  for (let b = 0; b < 2000; b++) {
    let k = 0
    let n = 0
    for (let i = 0; i < parts.length; i++) {
      const [pk, pn] = parts[Math.floor(random() * parts.length)]
      k += pk
      n += pn
    }
    ratios.push(k / n)
  }
  ratios.sort((a, b) => a - b)
  return [ratios[Math.floor(0.025 * ratios.length)], ratios[Math.ceil(0.975 * ratios.length) - 1]]
}
const range = ([a, b]) => `${(100 * a).toFixed(1)}-${(100 * b).toFixed(1)}%`
/** finops coverage of days in each third and of the 30-, 60- and 90-day totals, with 95% confidence intervals. */
function printCoverage(subset) {
  const withDaily = subset.filter((s) => s.forecasts.finops?.daily?.length === HORIZON)
  console.log(
    '\n| finops coverage (95% CI: binomial over days / bootstrap over series) | days 1-30 | days 31-60 | days 61-90 | 30-day total | 60-day total | ' +
      '90-day total |',
  )
  console.log('|---|---:|---:|---:|---:|---:|---:|')
  for (const level of [80, 95]) {
    const thirds = THIRDS.map(([a, b]) => {
      const parts = withDaily.map((s) => {
        const f = s.forecasts.finops
        let k = 0
        for (let i = a; i < b; i++)
          if (s.actual[i] >= f.daily[i][`lower${level}`] && s.actual[i] <= f.daily[i][`upper${level}`]) k++
        return [k, b - a]
      })
      const k = sum(parts.map((p) => p[0]))
      const n = sum(parts.map((p) => p[1]))
      return `${pct(k / n)} (${range(wilson(k, n))} / ${range(bootstrap(parts))})`
    })
    const totals = [
      ['first30_', 30],
      ['first60_', 60],
      ['total', 90],
    ].map(([key, days]) => {
      const with_ = withDaily.filter((s) => s.forecasts.finops[`${key}${level}`])
      const k = with_.filter((s) => {
        const t = s.forecasts.finops[`${key}${level}`]
        const a = sum(s.actual.slice(0, days))
        return a >= t.lower && a <= t.upper
      }).length
      return `${k} of ${with_.length}, ${pct(k / with_.length)} (${range(wilson(k, with_.length))})`
    })
    console.log(`| ${level}% intervals | ${[...thirds, ...totals].join(' | ')} |`)
  }
}
function printBreakdown(subset) {
  const tags = [...new Set(subset.flatMap((s) => s.tags))].sort()
  console.log('\n| bills | series | method: median APE 30-day / 90-day total |')
  console.log('|---|---:|---|')
  for (const tag of tags) {
    const part = subset.filter((s) => s.tags.includes(tag))
    const rows = score(part)
    console.log(
      `| ${tag} | ${part.length} | ${methods.map((m) => `${m}: ${rows[m].medianApe30.toFixed(1)}% / ${rows[m].medianApe90.toFixed(1)}%`).join('; ')} |`,
    )
  }
}

console.log(
  `Forecast accuracy, ${HORIZON}-day horizon; ${series.length} series ` +
    `from ${bills.length} synthetic quarter bills ` +
    `(${chosenSets.map((n) => `${n}: seeds ${seeds[n][0]}-${seeds[n].at(-1)}`).join(', ')})${inProcess ? ', finops in-process' : ''}`,
)
for (const name of chosenSets) {
  const subset = series.filter((s) => s.bill.set === name)
  printTable(`${name} seeds`, subset)
  printBreakdown(subset)
}
if (args.includes('--verbose'))
  for (const s of series) {
    const f = s.forecasts.finops
    if (!f) continue
    const a = sum(s.actual)
    const t = f.total80
    const inside = s.actual.filter((v, i) => v >= f.daily[i].lower80 && v <= f.daily[i].upper80).length
    console.log(
      `${s.id} n=${s.history.length} ${f.model} mase=${f.mase?.toFixed(2)} reach=${f.reach} ape90=${ape(
        s.actual,
        f.daily.map((p) => p.mean),
      ).toFixed(
        1,
      )} total ${a.toFixed(0)} in [${t.lower.toFixed(0)}, ${t.upper.toFixed(0)}] ${a >= t.lower && a <= t.upper ? 'IN' : 'OUT'} days \
in ${inside}/90 ${f.warnings.join(',')} | ${s.tags.join(', ')}`,
    )
  }
if (args.includes('--calibrate')) {
  // How much wider (or narrower) each interval would have to be for its level's coverage: the quantile of
  // |error| / half-width on the side the truth fell. Printed for every series, then separately for those
  // whose backtest reached the whole horizon (the width factor's c) and those whose long-horizon errors
  // were extrapolated (its g): see IntervalCalibration in forecasters/intervals.ts.
  const ratio = (a, p, lo, hi) =>
    a >= p.mean ? (a - p.mean) / Math.max(1e-9, hi - p.mean) : (p.mean - a) / Math.max(1e-9, p.mean - lo)
  const q = (xs, p) => {
    const s = [...xs].sort((x, y) => x - y)
    return s[Math.min(s.length - 1, Math.floor(p * s.length))]
  }
  const groups = [
    ['all series', series],
    ['backtest reached day 90', series.filter((s) => (s.forecasts.finops?.reach ?? 0) >= HORIZON)],
    ['backtest shorter (extrapolated)', series.filter((s) => (s.forecasts.finops?.reach ?? HORIZON) < HORIZON)],
  ]
  for (const [label, subset] of groups)
    for (const level of [80, 95]) {
      const thirds = THIRDS.map(([a, b]) =>
        subset.flatMap((s) => {
          const f = s.forecasts.finops
          if (!f) return []
          const out = []
          for (let i = a; i < b; i++)
            out.push(ratio(s.actual[i], f.daily[i], f.daily[i][`lower${level}`], f.daily[i][`upper${level}`]))
          return out
        }),
      )
      const totals = subset.flatMap((s) => {
        const t = s.forecasts.finops?.[`total${level}`]
        return t ? [ratio(sum(s.actual), t, t.lower, t.upper)] : []
      })
      const totals30 = subset.flatMap((s) => {
        const t = s.forecasts.finops?.[`first30_${level}`]
        return t ? [ratio(sum(s.actual.slice(0, 30)), t, t.lower, t.upper)] : []
      })
      console.log(
        `calibration ${level}%, ${label} (${subset.length}): needed width factor days ` +
          `1-30 ${q(thirds[0], level / 100).toFixed(2)}, ` +
          `31-60 ${q(thirds[1], level / 100).toFixed(2)}, ` +
          `61-90 ${q(thirds[2], level / 100).toFixed(2)}; 30-day total ` +
          `${q(totals30, level / 100).toFixed(2)}, 90-day total ${q(totals, level / 100).toFixed(2)}`,
      )
    }
}
if (opt('calibrate-json')) {
  // For bench/forecast/fit-calibration.mjs: each interval's |error| / half-width on the side the truth fell,
  // with the third (or total) and step it belongs to, the share of the horizon the backtest did not reach,
  // and the bill's seed and history length (for cross-validation by seed and factors by history length).
  const ratio = (a, m, lo, hi) => (a >= m ? (a - m) / Math.max(1e-9, hi - m) : (m - a) / Math.max(1e-9, m - lo))
  const observations = []
  for (const s of series) {
    const f = s.forecasts.finops
    if (!f || f.daily?.length !== HORIZON) continue
    const shortfall = Math.max(0, HORIZON - (f.reach ?? HORIZON)) / HORIZON
    for (const level of [80, 95]) {
      f.daily.forEach((p, i) =>
        observations.push({
          kind: 'daily',
          level,
          third: Math.floor(i / 30),
          step: i,
          seed: s.bill.seed,
          historyDays: s.history.length,
          shortfall,
          ratio: ratio(s.actual[i], p.mean, p[`lower${level}`], p[`upper${level}`]),
        }),
      )
      ;['first30_', 'first60_', 'total'].forEach((key, third) => {
        const t = f[`${key}${level}`]
        if (t)
          observations.push({
            kind: 'total',
            level,
            third,
            step: 30 * (third + 1) - 1,
            seed: s.bill.seed,
            historyDays: s.history.length,
            shortfall,
            ratio: ratio(sum(s.actual.slice(0, 30 * (third + 1))), t.mean, t.lower, t.upper),
          })
      })
    }
  }
  const {DEFAULT_CALIBRATION} = await import('../../dist/forecasters/intervals.js')
  // With the calibration they were made with: bench/forecast/fit-calibration.mjs divides it out again.
  fs.writeFileSync(
    opt('calibrate-json'),
    JSON.stringify({calibration: calibration ?? DEFAULT_CALIBRATION, observations}),
  )
}
const failed = series.filter((s) => s.finopsError)
if (failed.length)
  console.log(`\nfinops refused ${failed.length} series: ${failed.map((s) => `${s.id}: ${s.finopsError}`).join('; ')}`)
const models = {}
const warnings = {}
for (const s of series) {
  const f = s.forecasts.finops
  if (!f) continue
  models[f.model] = (models[f.model] ?? 0) + 1
  for (const w of f.warnings) warnings[w] = (warnings[w] ?? 0) + 1
}
console.log(
  `\nmodels chosen by finops: ${Object.entries(models)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')}`,
)
console.log(
  `finops warnings: ${
    Object.entries(warnings)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ') || 'none'
  }`,
)
console.log(`wall time: finops ${finopsSeconds.toFixed(0)} s, whole run ${totalSeconds.toFixed(0)} s`)
if (args.includes('--keep')) console.log(`kept ${work}`)
else fs.rmSync(work, {recursive: true, force: true})
