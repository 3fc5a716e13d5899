import {dampedTrend, holtWintersAdditive, holtWintersMultiplicative} from './models/holt-winters.js'
import {robustDecomposition} from './models/robust-decomposition.js'
import {seasonalNaive} from './models/seasonal-naive.js'
import type {PointModel} from './models/types.js'

/** The point models the backtest chooses from; `ensemble` (the mean of the best three) is added by the selector. */
export const pointModels = {
  'seasonal-naive': seasonalNaive,
  'holt-winters-additive': holtWintersAdditive,
  'holt-winters-multiplicative': holtWintersMultiplicative,
  'damped-trend': dampedTrend,
  'robust-decomposition': robustDecomposition,
} as const satisfies Record<string, PointModel>

export type PointModelName = keyof typeof pointModels

export const MODEL_NAMES = [...(Object.keys(pointModels) as PointModelName[]), 'ensemble'] as const

export const modelDescriptions: Record<(typeof MODEL_NAMES)[number], string> = {
  ...(Object.fromEntries(Object.entries(pointModels).map(([k, m]) => [k, m.description])) as Record<
    PointModelName,
    string
  >),
  ensemble: 'mean of the three models with the best backtest',
}
