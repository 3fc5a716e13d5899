// Commitment recommendations against hindsight and against the clouds' lookback rule, in the same run.
//
//   npm run build && nice node bench/commitments/run.mjs                # held-out seeds (the recorded figures)
//   nice node bench/commitments/run.mjs --set dev                       # the seeds used for tuning
//   nice node bench/commitments/run.mjs --seeds 7,8 --scenarios 50
//   nice node bench/commitments/run.mjs --seeds 1-6:20,2001-2010:10,3001-3010:6 --cache F --settings '[{}, {...}]'
//     (a range of seeds with its own scenario count; with several settings, a summary per range and in total)
//
// Per scenario (scenario.mjs: 2 to 5 families with trend, daily/weekly cycles, steps up and down, and
// sometimes a decommission months later), each family is recommended on its first 120 days exactly as
// `finops recommend --kind commitment` does (the same commitmentScopeInput and recommendCommitment from
// dist, forecast included, AWS Compute Savings Plans default rates), then every option is scored on the
// following 12 (1-year) or 36 (3-year) months of actual hourly usage: net savings = sum over hours of the
// covered usage, min(usage, c), minus the commitment's cost, (1 - discount) x c per hour. Against:
// - hindsight: the best fixed commitment for that future, known in advance (the future's own newsvendor quantile);
// - lookback (AWS Cost Explorer's rule): the commitment that would have saved most over the last 7, 30
//   or 60 days, as if they repeat.
import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import {parseArgs} from 'node:util'

import {DEFAULT_COMMITMENT_SETTINGS, recommendCommitment} from '../../dist/recommenders/commitment/recommend.js'
import {commitmentScopeInput} from '../../dist/src/commitments/scope-input.js'
import {FUTURE_HOURS, generateScenario, HISTORY_DAYS, HISTORY_HOURS, HOURS_PER_MONTH} from './scenario.mjs'
import {bestFixed, layerNet, net, OPTIONS, rates, scope} from './score.mjs'

/** Seeds used while tuning the sizing, and seeds it never saw: the recorded figures are the held-out ones. */
const SETS = {dev: [1, 2, 3], heldout: [1001, 1002, 1003]}
const LOOKBACKS = [7, 30, 60]
const RULES = ['finops', ...LOOKBACKS.map((d) => `lookback${d}`)]

const {values: args} = parseArgs({
  options: {
    set: {type: 'string', default: 'heldout'},
    seeds: {type: 'string'},
    scenarios: {type: 'string', default: '20'},
    // Sizing settings to try instead of the defaults (dev seeds only), as a JSON object or an array of them
    // (each scored on the same scenarios and forecasts), e.g. '[{"quantile": 0.1}, {"quantile": 0.3}]'.
    settings: {type: 'string'},
    // A JSON file of the forecasts per family, read if present and written after the run: the forecasters are
    // most of the run time and do not depend on the sizing settings, so tuning runs reuse them.
    cache: {type: 'string'},
  },
})
// Each comma-separated entry: a seed or a range of seeds (a-b), optionally with its own scenario count (:n).
const groups = (args.seeds ?? (SETS[args.set] ?? []).join(',')).split(',').map((entry) => {
  const [range, count] = entry.split(':')
  const [a, b] = range.split('-').map(Number)
  return {
    name: entry,
    seeds: Array.from({length: (b ?? a) - a + 1}, (_, i) => a + i),
    perSeed: Number(count ?? args.scenarios),
  }
})
if (groups.length === 0 || groups.some((g) => g.seeds.some((x) => !Number.isInteger(x))))
  throw new Error('--set: dev or heldout; --seeds: seeds or ranges a-b, each optionally :scenarios')
const seeds = groups.flatMap((g) => g.seeds)
const tried = args.settings ? [JSON.parse(args.settings)].flat() : [{}]
const settingsList = tried.map((t) => ({...DEFAULT_COMMITMENT_SETTINGS, ...t}))

const FROM = '2026-01-01'
const addDays = (day, n) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10)
const TO = addDays(FROM, HISTORY_DAYS - 1)

const emptyTotals = () =>
  new Map(
    OPTIONS.map((o) => [
      o.key,
      {
        finops: 0,
        hindsight: 0,
        lookback: Object.fromEntries(LOOKBACKS.map((l) => [l, 0])),
        // Scenarios with a net loss, per rule, split by whether the history already showed a decline.
        losses: Object.fromEntries(RULES.map((rule) => [rule, {decline: [0, 0], other: [0, 0]}])),
        // Total net over the scenarios whose history already showed a decline, per rule.
        decline: {finops: 0, hindsight: 0, lookback: Object.fromEntries(LOOKBACKS.map((l) => [l, 0]))},
        // 3-year options only: the ladder, this 3-year commitment and a 1-year layer on top re-sized every year.
        ladder: 0,
        ladderDecline: 0,
        ladderLosses: {decline: [0, 0], other: [0, 0]},
        // finops's losing families in the decline scenarios it loses on, by what happened to the family:
        // its own history declined, it is decommissioned within the term (and its history did not decline), neither.
        byFamily: {ownGone: [0, 0], ownTrend: [0, 0], ownStep: [0, 0], decommissioned: [0, 0], neither: [0, 0]},
      },
    ]),
  )
const cache = args.cache && existsSync(args.cache) ? JSON.parse(readFileSync(args.cache, 'utf8')) : {}
let cacheChanged = false
const runs = settingsList.map((settings) => ({
  settings,
  totals: emptyTotals(),
  byGroup: new Map(groups.map((g) => [g.name, emptyTotals()])),
}))
let scenarios = 0
let declining = 0
const started = Date.now()
for (const group of groups)
  for (const seed of group.seeds)
    for (let i = 0; i < group.perSeed; i++) {
      const scenario = generateScenario(seed, i)
      scenarios++
      if (scenario.declineInHistory) declining++
      const perRun = runs.map(
        () =>
          new Map(
            OPTIONS.map((o) => [
              o.key,
              {...Object.fromEntries(RULES.map((rule) => [rule, 0])), hindsight: 0, ladder: 0, families: []},
            ]),
          ),
      )
      for (const [fi, f] of scenario.families.entries()) {
        const history = f.usage.subarray(0, HISTORY_HOURS)
        const key = `${scenario.id}/${fi}`
        const scopeArgs = {
          scope,
          hourly: history,
          from: FROM,
          to: TO,
          level: 80,
          pendingMonthlyReduction: 0,
          program: rates.program,
          rates: rates.rates,
        }
        let input
        if (cache[key]) input = commitmentScopeInput({...scopeArgs, forecast: cache[key]})
        else {
          input = commitmentScopeInput(scopeArgs)
          cache[key] = input.forecast
          cacheChanged = true
        }
        const results = runs.map((r) => recommendCommitment(input, r.settings))
        // The ladder's 1-year layer, re-sized at the start of years 2 and 3 on the 120 days before them (no
        // forecast: the cache holds forecasts of the first history only, so the renewal is sized on the level).
        const renewals = [1, 2].map((year) => {
          const end = HISTORY_HOURS + year * 12 * HOURS_PER_MONTH
          const renewalInput = commitmentScopeInput({
            ...scopeArgs,
            hourly: f.usage.subarray(end - HISTORY_HOURS, end),
            forecast: {skipped: true, reason: 'bench renewal'},
          })
          return runs.map((r) => recommendCommitment(renewalInput, r.settings))
        })
        for (const o of OPTIONS) {
          const future = f.usage.subarray(HISTORY_HOURS, HISTORY_HOURS + o.termYears * 12 * HOURS_PER_MONTH)
          const hindsight = net(future, bestFixed(future, o.discount), o.discount)
          const lookback = LOOKBACKS.map((days) =>
            net(future, bestFixed(history.subarray(HISTORY_HOURS - days * 24), o.discount), o.discount),
          )
          runs.forEach((run, r) => {
            const result = results[r]
            const t = run.totals.get(o.key)
            const mine =
              'recommendation' in result
                ? result.recommendation.options.find((x) => x.termYears === o.termYears && x.payment === o.payment)
                : undefined
            const finops = net(future, mine?.coveredOnDemandPerHour ?? 0, o.discount)
            // The ladder (3-year options): this commitment, and for each year a 1-year layer of the same payment
            // on top, up to what the 1-year option of that year's recommendation covers.
            let ladder = 0
            if (o.termYears === 3) {
              const base = mine?.coveredOnDemandPerHour ?? 0
              const layerRate = OPTIONS.find((x) => x.termYears === 1 && x.payment === o.payment)
              ladder = finops
              ;[result, renewals[0][r], renewals[1][r]].forEach((res, year) => {
                const one =
                  'recommendation' in res
                    ? res.recommendation.options.find((x) => x.termYears === 1 && x.payment === o.payment)
                    : undefined
                const layer = Math.max(0, (one?.coveredOnDemandPerHour ?? 0) - base)
                const hours = future.subarray(year * 12 * HOURS_PER_MONTH, (year + 1) * 12 * HOURS_PER_MONTH)
                ladder += layerNet(hours, base, layer, layerRate.discount)
              })
            }
            for (const u of [t, run.byGroup.get(group.name).get(o.key)]) {
              u.finops += finops
              u.hindsight += hindsight
              u.ladder += ladder
              LOOKBACKS.forEach((days, j) => (u.lookback[days] += lookback[j]))
            }
            const s = perRun[r].get(o.key)
            s.finops += finops
            s.hindsight += hindsight
            s.ladder += ladder
            LOOKBACKS.forEach((days, j) => (s[`lookback${days}`] += lookback[j]))
            const ownDecline = scenario.kind === 'declining' || f.downInHistory
            const gone = f.decommission !== null && f.decommission.hour < HISTORY_HOURS + future.length
            s.families.push([
              ownDecline
                ? gone
                  ? 'ownGone'
                  : scenario.kind === 'declining'
                    ? 'ownTrend'
                    : 'ownStep'
                : gone
                  ? 'decommissioned'
                  : 'neither',
              finops,
            ])
          })
        }
      }
      runs.forEach((run, r) => {
        for (const o of OPTIONS) {
          const s = perRun[r].get(o.key)
          const t = run.totals.get(o.key)
          const side = scenario.declineInHistory ? 'decline' : 'other'
          for (const u of [t, run.byGroup.get(group.name).get(o.key)]) {
            for (const rule of RULES)
              if (s[rule] < -1e-6) {
                u.losses[rule][side][0]++
                u.losses[rule][side][1] += s[rule]
              }
            if (o.termYears === 3 && s.ladder < -1e-6) {
              u.ladderLosses[side][0]++
              u.ladderLosses[side][1] += s.ladder
            }
            if (side === 'decline') {
              u.decline.finops += s.finops
              u.decline.hindsight += s.hindsight
              u.ladderDecline += s.ladder
              LOOKBACKS.forEach((days) => (u.decline.lookback[days] += s[`lookback${days}`]))
            }
          }
          if (side === 'decline' && s.finops < -1e-6)
            for (const [what, v] of s.families.filter(([, v]) => v < -1e-6)) {
              t.byFamily[what][0]++
              t.byFamily[what][1] += v
            }
        }
      })
    }

if (args.cache && cacheChanged) writeFileSync(args.cache, JSON.stringify(cache))

const money = (v) => `${(v / 1e6).toFixed(2)}M`
const pct = (a, b) => (b > 0 ? `${((a / b) * 100).toFixed(1)}%` : '-')
console.log(
  `bench/commitments: ${scenarios} scenarios (seeds ${seeds.join(',')}; ${declining} with a decline in their history), ` +
    `${HISTORY_DAYS} days of history, scored on ${FUTURE_HOURS / HOURS_PER_MONTH} months; ${((Date.now() - started) / 1000).toFixed(0)} s`,
)
for (const {settings, totals} of runs) {
  console.log(`\nSizing ${JSON.stringify(settings)}`)
  console.log('Total net savings over the term (USD) and share of the hindsight optimum')
  console.log(
    '| option | discount | finops | lookback 7d | lookback 30d | lookback 60d | hindsight | finops % hindsight | best lookback % hindsight | finops ' +
      '/ best lookback |',
  )
  console.log('|---|---|---|---|---|---|---|---|---|---|')
  for (const o of OPTIONS) {
    const t = totals.get(o.key)
    const best = Math.max(...LOOKBACKS.map((d) => t.lookback[d]))
    console.log(
      `| ${o.key} | ${o.discount} | ` +
        `${money(t.finops)} | ` +
        `${LOOKBACKS.map((d) => money(t.lookback[d])).join(
          ' | ' + '',
        )} | ${money(t.hindsight)} | ${pct(t.finops, t.hindsight)} | ${pct(best, t.hindsight)} | ${(t.finops / best).toFixed(3)} |`,
    )
  }
  console.log(
    '\nLadder (3-year options): the 3-year commitment and a 1-year layer of the same payment on top, re-sized each year',
  )
  console.log(
    '| option | 3-year alone | ladder | best lookback (3-year) | hindsight (3-year) | ladder % hindsight | ladder / 3-year alone | ladder / best lookback |',
  )
  console.log('|---|---|---|---|---|---|---|---|')
  for (const o of OPTIONS.filter((x) => x.termYears === 3)) {
    const t = totals.get(o.key)
    const best = Math.max(...LOOKBACKS.map((d) => t.lookback[d]))
    console.log(
      `| ${o.key} + 1y ${o.payment} | ${money(t.finops)} | ${money(t.ladder)} | ${money(best)} | ${money(t.hindsight)} | ` +
        `${pct(t.ladder, t.hindsight)} | ${(t.ladder / t.finops).toFixed(3)} | ${(t.ladder / best).toFixed(3)} |`,
    )
  }
  const loss = ([n, v]) => `${n} (${v === 0 ? '0' : (v / 1e3).toFixed(1) + 'k'})`
  console.log(
    '\nScenarios whose history already shows a decline: total net over the term, and the scenarios with a net loss, count (money lost)',
  )
  console.log(
    '| option | finops | lookback 7d | lookback 30d | lookback 60d | hindsight | finops losing | ' +
      'lookback 7d losing | lookback 30d losing | lookback 60d losing |',
  )
  console.log('|---|---|---|---|---|---|---|---|---|---|')
  for (const o of OPTIONS) {
    const {decline: d, losses: l} = totals.get(o.key)
    console.log(
      `| ${o.key} | ${money(d.finops)} | ${LOOKBACKS.map((x) => money(d.lookback[x])).join(' | ')} | ${money(d.hindsight)} | ` +
        `${RULES.map((rule) => loss(l[rule].decline)).join(' | ')} |`,
    )
  }
  for (const o of OPTIONS.filter((x) => x.termYears === 3)) {
    const t = totals.get(o.key)
    console.log(
      `| ladder ${o.key} + 1y ${o.payment} | ${money(t.ladderDecline)} | | | | | ${loss(t.ladderLosses.decline)} | | | |`,
    )
  }
  console.log('\nScenarios with a net loss over the term: count (money lost), history with a decline / without')
  console.log('| option | finops, decline | finops, other | lookback 30d, decline | lookback 30d, other |')
  console.log('|---|---|---|---|---|')
  for (const o of OPTIONS) {
    const l = totals.get(o.key).losses
    console.log(
      `| ${o.key} | ${loss(l.finops.decline)} | ${loss(l.finops.other)} | ${loss(l.lookback30.decline)} | ${loss(l.lookback30.other)} |`,
    )
  }
  console.log(
    "\nIn finops's losing decline scenarios, the families that lose: count (money lost) by what happened to the family",
  )
  console.log(
    '| option | own history declined, decommissioned in the term | own declining trend, still running | own step down, still running | ' +
      'decommissioned in the term (history did not decline) | neither |',
  )
  console.log('|---|---|---|---|---|---|')
  for (const o of OPTIONS) {
    const b = totals.get(o.key).byFamily
    console.log(
      `| ${o.key} | ${loss(b.ownGone)} | ${loss(b.ownTrend)} | ${loss(b.ownStep)} | ${loss(b.decommissioned)} | ${loss(b.neither)} |`,
    )
  }
}

// With several settings: one line each, per range of seeds and in total (finops / best lookback window, share of
// the hindsight optimum, decline scenarios losing money on 1y all and 3y all).
if (runs.length > 1) {
  const line = (totals) =>
    OPTIONS.map((o) => {
      const t = totals.get(o.key)
      return (t.finops / Math.max(...LOOKBACKS.map((d) => t.lookback[d]))).toFixed(3)
    }).join(' ') +
    ' | ' +
    OPTIONS.map((o) => pct(totals.get(o.key).finops, totals.get(o.key).hindsight)).join(' ') +
    ' | ' +
    ['1y all', '3y all']
      .map((k) => {
        const [n, v] = totals.get(k).losses.finops.decline
        return `${n} (${(v / 1e3).toFixed(0)}k)`
      })
      .join(' / ') +
    ' | ' +
    OPTIONS.map((o) => {
      const d = totals.get(o.key).decline
      return (d.finops / Math.max(...LOOKBACKS.map((x) => d.lookback[x]))).toFixed(2)
    }).join(' ') +
    ' | ' +
    OPTIONS.filter((o) => o.termYears === 3)
      .map((o) => (totals.get(o.key).ladder / totals.get(o.key).finops).toFixed(3))
      .join(' ')
  console.log(
    '\nSummary: finops / best lookback (1y none partial all, 3y none partial all) | finops % hindsight | decline losses 1y all / 3y all' +
      ' | decline scenarios: finops net / best lookback net, per option | ladder / 3-year alone (none partial all)',
  )
  for (const {settings, totals, byGroup} of runs) {
    const changed = Object.fromEntries(
      Object.entries(settings).filter(([k, v]) => DEFAULT_COMMITMENT_SETTINGS[k] !== v),
    )
    console.log(`${JSON.stringify(changed)}`)
    if (groups.length > 1) for (const [name, g] of byGroup) console.log(`  ${name}: ${line(g)}`)
    console.log(`  total: ${line(totals)}`)
  }
}
