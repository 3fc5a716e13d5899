// Where finops and the 7-day lookback part ways, per family: which families the gap between their totals comes
// from, and whether finops committed less or more there.
//
//   nice node bench/commitments/why.mjs --seeds 3001,...,3010 --scenarios 6 --cache F [--settings JSON]
import {existsSync, readFileSync} from 'node:fs'
import {parseArgs} from 'node:util'

import {
  DEFAULT_COMMITMENT_SETTINGS,
  dailyTrend,
  recommendCommitment,
} from '../../dist/recommenders/commitment/recommend.js'
import {commitmentScopeInput} from '../../dist/src/commitments/scope-input.js'
import {generateScenario, HISTORY_HOURS, HOURS_PER_MONTH} from './scenario.mjs'
import {bestFixed, net, OPTIONS, rates, scope} from './score.mjs'

const {values: args} = parseArgs({
  options: {
    seeds: {type: 'string'},
    scenarios: {type: 'string', default: '20'},
    cache: {type: 'string'},
    settings: {type: 'string'},
    options: {type: 'string', default: '1y all,3y none'},
  },
})
const seeds = args.seeds.split(',').map(Number)
const settings = {...DEFAULT_COMMITMENT_SETTINGS, ...(args.settings ? JSON.parse(args.settings) : {})}
const cache = args.cache && existsSync(args.cache) ? JSON.parse(readFileSync(args.cache, 'utf8')) : {}
const options = OPTIONS.filter((o) => args.options.split(',').includes(o.key))

const mean = (a) => a.reduce((s, v) => s + v, 0) / a.length

const groups = new Map()
const add = (o, g, row) => {
  const key = `${o}|${g}`
  const v = groups.get(key) ?? {n: 0, finops: 0, lb7: 0, hind: 0, capRatio: [], lbRatio: []}
  v.n++
  v.finops += row.finops
  v.lb7 += row.lb7
  v.hind += row.hind
  v.capRatio.push(row.cap / row.recent)
  v.lbRatio.push(row.lbCap / row.recent)
  groups.set(key, v)
}
for (const seed of seeds)
  for (let i = 0; i < Number(args.scenarios); i++) {
    const s = generateScenario(seed, i)
    for (const [fi, f] of s.families.entries()) {
      const history = f.usage.subarray(0, HISTORY_HOURS)
      const input = commitmentScopeInput({
        scope,
        hourly: history,
        from: '2026-01-01',
        to: '2026-04-30',
        level: 80,
        pendingMonthlyReduction: 0,
        program: rates.program,
        rates: rates.rates,
        forecast: cache[`${s.id}/${fi}`],
      })
      const result = recommendCommitment(input, settings)
      const trend = dailyTrend(input.hourly, settings.trendDays, settings.stepGain, settings.minSlopeDays)
      const falling =
        trend &&
        trend.perMonth < -settings.declinePerMonth &&
        trend.t < -settings.declineT &&
        (settings.declinePersistT <= 0 || trend.afterBestStepT < -settings.declinePersistT)
      const recent = mean(Array.from(history.subarray(HISTORY_HOURS - 28 * 24)))
      let spread = 0
      if ('daily' in input.forecast) {
        const d = input.forecast.daily.slice(60, 90)
        const m = mean(d.map((x) => Math.max(0, x.mean)))
        spread = m > 0 ? (m - mean(d.map((x) => Math.max(0, x.lower)))) / 1.2816 / m : 0
      }
      for (const o of options) {
        const future = f.usage.subarray(HISTORY_HOURS, HISTORY_HOURS + o.termYears * 12 * HOURS_PER_MONTH)
        const mine =
          'recommendation' in result
            ? result.recommendation.options.find((x) => x.termYears === o.termYears && x.payment === o.payment)
            : undefined
        const cap = mine?.coveredOnDemandPerHour ?? 0
        const lbCap = bestFixed(history.subarray(HISTORY_HOURS - 7 * 24), o.discount)
        const row = {
          cap,
          lbCap,
          recent,
          finops: net(future, cap, o.discount),
          lb7: net(future, lbCap, o.discount),
          hind: net(future, bestFixed(future, o.discount), o.discount),
        }
        const gone = f.decommission !== null && f.decommission.hour < HISTORY_HOURS + future.length
        const own = s.kind === 'declining' ? 'declTrend' : f.downInHistory ? 'ownStepDown' : s.kind
        add(o.key, `kind=${own}${gone ? '+gone' : ''}`, row)
        add(o.key, `flag=${falling ? 'falling' : trend?.stepDown ? 'stepDown' : 'none'}`, row)
        add(
          o.key,
          `spread=${spread < 0.1 ? '<0.10' : spread < 0.2 ? '0.10-0.20' : spread < 0.35 ? '0.20-0.35' : '>=0.35'}`,
          row,
        )
        add(o.key, `cap ${cap < lbCap * 0.97 ? 'below' : cap > lbCap * 1.03 ? 'above' : 'near'} lb7`, row)
        add(
          o.key,
          `flag=${falling ? 'falling' : trend?.stepDown ? 'stepDown' : 'none'} kind=${own}${gone ? '+gone' : ''}`,
          row,
        )
        add(o.key, 'all', row)
      }
    }
  }
const k = (v) => (v / 1e3).toFixed(0) + 'k'
const med = (a) => {
  const s = [...a].sort((x, y) => x - y)
  return s[Math.floor(s.length / 2)] ?? 0
}
console.log(
  '| option | group | families | finops | lookback 7d | finops - lb7 | hindsight | median cap/recent finops | lb7 |',
)
console.log('|---|---|---|---|---|---|---|---|---|')
for (const [key, v] of [...groups].sort()) {
  const [o, g] = key.split('|')
  console.log(
    `| ${o} | ${g} | ${v.n} | ${k(v.finops)} | ${k(v.lb7)} | ${k(v.finops - v.lb7)} | ${k(v.hind)} | ` +
      `${med(v.capRatio).toFixed(2)} | ${med(v.lbRatio).toFixed(2)} |`,
  )
}
