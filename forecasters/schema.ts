import {z} from 'zod'

import {METRICS} from '../src/model/cost.js'
import {MODEL_NAMES} from './registry.js'

/**
 * The `finops forecast --json` contract as a zod schema: tests validate real output with it and
 * docs/schemas/forecast.schema.json is generated from it.
 */
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/)
const model = z.enum(MODEL_NAMES)
const point = z.object({date: day, mean: z.number(), lower: z.number(), upper: z.number()})
const interval = z.object({mean: z.number(), lower: z.number(), upper: z.number()})

const accuracy = z.object({
  model,
  mase: z.number().describe('mean absolute error over the backtest horizon / in-sample weekly-naive MAE'),
  totalApe: z.number().describe('mean absolute percentage error of the backtest horizon total, %'),
  coverage: z
    .number()
    .nullable()
    .describe('share of backtest days inside the interval (leave-one-origin-out); null with fewer than 2 origins'),
  origins: z.int(),
  horizonDays: z.int(),
})

const currencyForecast = z.object({
  currency: z.string(),
  model,
  level: z.number(),
  daily: z.array(point),
  cumulative: z.array(point).describe('running total from the first forecast day, with its own interval'),
  total: interval,
  components: z.object({
    usage: z.array(z.object({date: day, mean: z.number()})),
    recurring: z.array(z.object({date: day, amount: z.number()})),
  }),
  oneTime: z.object({total: z.number(), charges: z.array(z.object({date: day, amount: z.number()}))}),
  monthEnds: z.array(
    z.object({
      month: z.string().regex(/^\d{4}-\d{2}$/),
      actualToDate: z.number(),
      mean: z.number(),
      lower: z.number(),
      upper: z.number(),
      complete: z.boolean(),
    }),
  ),
  groups: z.array(
    z.object({
      keys: z.array(z.string()),
      model: z.union([model, z.literal('share')]),
      daily: z.array(point),
      total: interval,
    }),
  ),
  backtest: z.array(accuracy),
})

export const forecastSchema = z.object({
  level: z.number(),
  metric: z.enum(Object.keys(METRICS) as [keyof typeof METRICS, ...(keyof typeof METRICS)[]]),
  horizonDays: z.int(),
  groupBy: z.array(z.string()),
  history: z.object({from: day, to: day, days: z.int()}),
  forecast: z.object({from: day, to: day}),
  currency: z.string().describe('the largest currency; daily and model are its'),
  model,
  daily: z.array(point),
  currencies: z.array(currencyForecast),
  skippedCurrencies: z
    .array(z.object({currency: z.string(), reason: z.string()}))
    .describe(
      'smaller currencies that could not be forecast (too little history, gaps, negative days), each with its reason',
    ),
})
