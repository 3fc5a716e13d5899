// Hourly commitment-eligible usage for bench/commitments: per scenario (one business), several
// families (scopes a commitment is bought for: a service in a region), each with a level, a yearly
// trend, a daily and a weekly cycle, noise, step changes up and down, and sometimes a decommission
// months after the recommendation that no history can show. The same seed gives the same scenarios.
import {seededRandom} from '../../dist/src/seeded-random.js'

/** Days of history the recommendation reads (the command reads the last 120 days of a scope). */
export const HISTORY_DAYS = 120
/** Months scored after the recommendation: 12 for 1-year options, 36 for 3-year ones. */
export const FUTURE_MONTHS = 36
export const HOURS_PER_MONTH = 730
export const HISTORY_HOURS = HISTORY_DAYS * 24
export const FUTURE_HOURS = FUTURE_MONTHS * HOURS_PER_MONTH

/** Business trends, with their share of scenarios; the last two already show a decline in the history. */
export const KINDS = [
  ['growing', 0.3],
  ['steady', 0.3],
  ['declining', 0.2],
  ['stepped-down', 0.2],
]

const pick = (rand, weighted) => {
  let r = rand()
  for (const [value, weight] of weighted) {
    r -= weight
    if (r < 0) return value
  }
  return weighted.at(-1)[0]
}
const uniform = (rand, lo, hi) => lo + (hi - lo) * rand()
const gaussian = (rand) => {
  const u = Math.max(rand(), 1e-12)
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand())
}

/** One family's hourly usage over the history and the scored future, with what happened to it. */
function family(rand, kind, trend) {
  const hours = HISTORY_HOURS + FUTURE_HOURS
  const base = 10 ** uniform(rand, 0.7, 2.3)
  const yearly = trend + uniform(rand, -0.05, 0.05)
  const daily = uniform(rand, 0, 0.6)
  const weekend = uniform(rand, 0, 0.4)
  const sigma = uniform(rand, 0.03, 0.15)
  const phase = uniform(rand, 0, 24)
  // Step changes anywhere (about one every 20 months per family), up or down.
  const steps = []
  for (let h = 0; h < hours;) {
    h += 1 + Math.floor(-Math.log(Math.max(rand(), 1e-12)) * 20 * HOURS_PER_MONTH)
    if (h < hours) steps.push([h, rand() < 0.5 ? uniform(rand, 0.55, 0.85) : uniform(rand, 1.15, 1.6)])
  }
  if (kind === 'stepped-down') steps.push([Math.floor(uniform(rand, 70, 112) * 24), uniform(rand, 0.45, 0.8)])
  steps.sort((a, b) => a[0] - b[0])
  // A decommission in the future (months 2 to 30): the usage mostly goes away.
  const decommission =
    rand() < 0.3
      ? {hour: HISTORY_HOURS + Math.floor(uniform(rand, 2, 30) * HOURS_PER_MONTH), left: uniform(rand, 0, 0.15)}
      : null
  const usage = new Float64Array(hours)
  let level = 1
  let next = 0
  let drift = 0
  for (let h = 0; h < hours; h++) {
    while (next < steps.length && steps[next][0] <= h) level *= steps[next++][1]
    if (h % 24 === 0) drift = 0.8 * drift + 0.05 * gaussian(rand)
    const t = h / (365 * 24)
    const growth = Math.max(0.05, 1 + yearly * t)
    const hourOfDay = (h + phase) % 24
    const day = Math.floor(h / 24) % 7
    const cycle = (1 + daily * Math.sin((2 * Math.PI * (hourOfDay - 6)) / 24)) * (day >= 5 ? 1 - weekend : 1)
    let v = base * level * growth * cycle * (1 + drift) * (1 + sigma * gaussian(rand))
    if (decommission && h >= decommission.hour) v *= decommission.left
    usage[h] = Math.max(0, v)
  }
  const downInHistory = steps.some(([h, m]) => h < HISTORY_HOURS && m < 1)
  return {usage, base, yearly, steps: steps.length, decommission, downInHistory}
}

/**
 * A scenario: 2 to 5 families sharing a business trend. `declineInHistory` is the generator's truth:
 * a declining trend, or a step down, inside the history the recommendation reads.
 */
export function generateScenario(seed, index) {
  const rand = seededRandom(`commitments:${seed}:${index}`)
  const kind = pick(rand, KINDS)
  const trend =
    kind === 'growing'
      ? uniform(rand, 0.05, 0.6)
      : kind === 'declining'
        ? uniform(rand, -0.7, -0.25)
        : uniform(rand, -0.05, 0.05)
  const count = 2 + Math.floor(rand() * 4)
  const families = Array.from({length: count}, () => family(rand, kind, trend))
  return {
    id: `${seed}/${index}`,
    kind,
    declineInHistory: kind === 'declining' || kind === 'stepped-down' || families.some((f) => f.downInHistory),
    families,
  }
}
