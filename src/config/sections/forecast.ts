import {z} from 'zod'

import {MODEL_NAMES} from '../../../forecasters/registry.js'
import {knownCountry, knownRegion} from '../../cost/holidays.js'
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
    holidays: z
      .strictObject({
        country: z
          .string()
          .refine(knownCountry, {message: 'unknown country code; use an ISO 3166-1 code such as US, DE or GB'})
          .optional()
          .describe(
            'ISO 3166-1 country whose public holidays the forecasts expect (effects are learnt from the history)',
          ),
        region: z.string().optional().describe('state or region inside the country, e.g. CA (US-CA) or BY (DE-BY)'),
        dates: z
          .array(
            z.strictObject({
              date: z.iso.date(),
              name: z.string().min(1).describe('the same name every year: its effect is learnt from earlier years'),
            }),
          )
          .default([])
          .describe('company closure days and other holidays'),
        yearEnd: z.boolean().default(true).describe('treat 24 December to 1 January as holidays of their own'),
      })
      .refine((h) => h.region === undefined || (h.country !== undefined && knownRegion(h.country, h.region)), {
        message: 'region needs a country and must be one of its state or region codes',
        path: ['region'],
      })
      .prefault({})
      .describe(
        'the holiday calendar of the forecasts: public holidays and the year-end dip are learnt from the history',
      ),
  })
  .prefault({})

export type ForecastConfig = z.infer<typeof forecastSection>
