// The scope every family is sized as, its options, and how a fixed commitment scores on actual hourly usage:
// shared by run.mjs and why.mjs.
import {scopeRates} from '../../dist/recommenders/commitment/rates.js'

/** AWS Compute Savings Plans at their default rates, each option keyed "1y none" etc. */
export const rates = scopeRates('AWS', 'Amazon Elastic Compute Cloud')
export const OPTIONS = rates.rates.map((r) => ({...r, key: `${r.termYears}y ${r.payment}`}))
export const scope = {
  provider: 'AWS',
  billingAccountId: 'bench',
  serviceCategory: 'Compute',
  serviceName: 'Amazon Elastic Compute Cloud',
  regionId: 'us-east-1',
  currency: 'USD',
}

/** Net savings of covering `c` on-demand per hour at `discount` over these hours. */
export function net(hours, c, discount) {
  if (!(c > 0)) return 0
  let covered = 0
  for (let i = 0; i < hours.length; i++) covered += hours[i] < c ? hours[i] : c
  return covered - (1 - discount) * c * hours.length
}

/** The fixed commitment that maximizes net savings over these hours: the level exceeded in a (1 - d) share of them. */
export function bestFixed(hours, discount) {
  const sorted = Float64Array.from(hours).sort().reverse()
  const k = Math.floor((1 - discount) * sorted.length)
  return k < sorted.length ? sorted[k] : 0
}

/** Net savings of a layer covering the usage between `base` and `base + layer` per hour at `discount`. */
export function layerNet(hours, base, layer, discount) {
  if (!(layer > 0)) return 0
  let covered = 0
  for (let i = 0; i < hours.length; i++) covered += Math.min(Math.max(hours[i] - base, 0), layer)
  return covered - (1 - discount) * layer * hours.length
}
