import {forecastSeries, isSkip} from '../../forecasters/index.js'
import type {CommitmentScopeInput} from '../../recommenders/commitment/recommend.js'
import type {CommitmentRate} from '../../recommenders/commitment/rates.js'
import type {CommitmentScope} from '../../recommenders/commitment/schema.js'
import {addDays} from '../dates.js'

/** Days of hourly history read per scope: enough for the forecasters' backtest, bounded for memory. */
export const HISTORY_DAYS = 120
/** The forecast horizon the lower path is read from (beyond it, its last month is held). */
export const HORIZON_DAYS = 90

/**
 * What the commitment recommender reads for one eligible scope, from its hourly uncovered
 * on-demand-equivalent spend: the history from its first day with spend, its daily totals through
 * the forecasters at `level`, the pending reductions and the rates. Pure: `finops recommend --kind
 * commitment` and bench/commitments both size through it.
 */
export function commitmentScopeInput(args: {
  scope: CommitmentScope
  /** Uncovered spend per hour from 00:00 UTC of `from` to the end of `to`. */
  hourly: ArrayLike<number>
  from: string
  to: string
  level: number
  pendingMonthlyReduction: number
  program: string
  rates: readonly CommitmentRate[]
  /** A forecast of this same history made before (bench/commitments reuses them across sizing runs). */
  forecast?: CommitmentScopeInput['forecast']
}): CommitmentScopeInput {
  const values = Array.from(args.hourly)
  // The scope's own history starts at its first day with spend.
  const first = values.findIndex((v) => v !== 0)
  const own = first < 0 ? [] : values.slice(Math.floor(first / 24) * 24)
  const startDay = addDays(args.from, Math.floor(Math.max(0, first) / 24))
  const daily: {date: string; value: number}[] = []
  for (let d = 0; d * 24 < own.length; d++)
    daily.push({date: addDays(startDay, d), value: own.slice(d * 24, d * 24 + 24).reduce((a, v) => a + v, 0)})
  return {
    scope: args.scope,
    hourly: own,
    history: {from: startDay, to: args.to},
    forecast: args.forecast ?? forecastOf(daily, args.level),
    pendingMonthlyReduction: args.pendingMonthlyReduction,
    program: {name: args.program},
    rates: args.rates,
  }
}

function forecastOf(daily: {date: string; value: number}[], level: number): CommitmentScopeInput['forecast'] {
  const forecast = forecastSeries(daily, HORIZON_DAYS, {level})
  return isSkip(forecast) ? {skipped: true, reason: forecast.reason} : {daily: forecast.daily, level: forecast.level}
}
