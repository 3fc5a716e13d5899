import {z} from 'zod'

import {MODEL_NAMES} from '../../../forecasters/registry.js'
import {METRICS} from '../../model/cost.js'

/**
 * `forecast:` in finops.yaml: defaults of `finops forecast` (flags override them) and of the
 * forecasts budgets use.
 */
export const forecastSection = z
  .strictObject({
    level: z.number().gt(0).lt(100).default(80).describe('Prediction interval level, percent'),
    horizonDays: z.int().min(1).max(731).optional().describe('Days to forecast (default: to the end of next month)'),
    historyDays: z.int().min(21).max(3660).default(365).describe('Most days of history the models see'),
    minHistoryDays: z
      .int()
      .min(14)
      .max(366)
      .default(21)
      .describe('Less history than this is refused, saying how much is needed'),
    metric: z
      .enum(Object.keys(METRICS) as [keyof typeof METRICS, ...(keyof typeof METRICS)[]])
      .default('effective')
      .describe('Cost metric forecast by default'),
    models: z
      .array(z.enum(MODEL_NAMES))
      .min(1)
      .default([...MODEL_NAMES])
      .describe('Candidate models; the rolling-origin backtest picks one per series'),
    backtestOrigins: z.int().min(2).max(60).default(24).describe('Forecast origins of the rolling backtest'),
  })
  .prefault({})

export type ForecastConfig = z.infer<typeof forecastSection>
