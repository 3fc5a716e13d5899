import {z} from 'zod'

import {METRICS} from '../src/model/cost.js'
import {MODEL_NAMES} from './registry.js'

/**
 * The `finops forecast --json` contract as zod schemas: the one source of the CostForecast and
 * CurrencyForecast types, of the tests' validation, and of docs/schemas/forecast.schema.json.
 */
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/)
const model = z.enum(MODEL_NAMES)
const point = z.object({date: day, mean: z.number(), lower: z.number(), upper: z.number()})
const interval = z.object({mean: z.number(), lower: z.number(), upper: z.number()})
const window = z.object({from: day, to: day})

export const WARNING_CODES = [
  'poor-fit',
  'filled-days',
  'history-cut',
  'short-history',
  'young-series',
  'lagging-data',
] as const

export const forecastWarningSchema = z.object({
  code: z
    .enum(WARNING_CODES)
    .describe(
      'poor-fit: no candidate model forecast the backtest well, intervals are widened; filled-days: days without data were filled in; ' +
        'history-cut: a long run of days without data cut the history; short-history: under 56 days (8 weeks) of history, errors at long horizons ' +
        'are extrapolated and intervals are wider; ' +
        "young-series: a group with little history is forecast from its own trajectory; lagging-data: this currency's data ends before the others'",
    ),
  message: z.string(),
})

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

export const groupForecastSchema = z.object({
  keys: z.array(z.string()),
  model: z
    .union([model, z.literal('ramp')])
    .describe('ramp: a young group (too little history for a backtest) projected from its own trajectory'),
  daily: z.array(point),
  total: interval,
  history: z.object({from: day, days: z.int()}).describe("the group's own history: from its first day with cost"),
})

export const currencyForecastSchema = z.object({
  currency: z.string(),
  model,
  level: z.number(),
  history: window
    .extend({days: z.int(), filled: z.int().describe('days without data that were filled in')})
    .describe('the history the models saw (after a long gap, if any)'),
  forecast: window.describe("this currency's forecast days: from the day after its own last day with data"),
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
  groups: z.array(groupForecastSchema),
  backtest: z.array(accuracy),
  warnings: z.array(forecastWarningSchema).describe('what to know before trusting this forecast; empty when nothing'),
})

export const forecastSchema = z.object({
  level: z.number(),
  metric: z.enum(Object.keys(METRICS) as [keyof typeof METRICS, ...(keyof typeof METRICS)[]]),
  horizonDays: z.int(),
  groupBy: z.array(z.string()),
  history: z.object({from: day, to: day, days: z.int()}),
  forecast: window,
  currency: z
    .string()
    .nullable()
    .describe(
      'the currency of the top-level model and daily: set only when the scope has exactly one currency ' +
        '(pin one with --filter currency=CODE); null when it has several, then read currencies[] (one entry per currency). ' +
        'The top level never switches to another currency.',
    ),
  model: model.nullable().describe("the top-level currency's model; null when currency is null"),
  daily: z.array(point).nullable().describe("the top-level currency's daily forecast; null when currency is null"),
  currencies: z
    .array(currencyForecastSchema)
    .describe('one entry per currency that could be forecast, in currency-code order; never summed together'),
  skippedCurrencies: z
    .array(z.object({currency: z.string(), reason: z.string()}))
    .describe(
      'currencies in the scope that could not be forecast (too little history, gaps, negative days), each with its reason',
    ),
})

export type CostForecast = z.infer<typeof forecastSchema>
export type CurrencyForecast = z.infer<typeof currencyForecastSchema>
export type GroupForecast = z.infer<typeof groupForecastSchema>
export type ForecastWarning = z.infer<typeof forecastWarningSchema>
