import {addDays, daysBetween} from '../src/dates.js'
import {splitSeries, toKindSeries} from './charges.js'
import {forecastRamp} from './models/ramp.js'
import {forecastSeries} from './series.js'
import type {
  BillForecastOptions,
  ChargeDay,
  CurrencyHistory,
  ForecastPoint,
  ForecastResult,
  ForecastWarning,
  GroupForecast,
  RecurringCharge,
} from './types.js'

const GROUP_BACKTEST_ORIGINS = 8
/**
 * A group whose first cost came this many days or fewer before the end of the history, and after
 * the history began, is young: it is forecast from its own trajectory, not by a backtest.
 */
export const YOUNG_DAYS = 42

interface GroupDraft {
  keys: string[]
  recurring: RecurringCharge[]
  historyFrom: string
  historyDays: number
  young: boolean
  daily: {mean: number; lower: number; upper: number}[]
  total: {mean: number; lower: number; upper: number}
  result?: ForecastResult
}

/**
 * Forecasts each group on its own history: from its first day with cost, by the backtested models,
 * or, when it is young, by its ramp towards a plateau (never as a share of the others, whose windows
 * are longer). The groups are then reconciled with the total day by day: young groups keep their own
 * forecast and the others are scaled to what remains of the total.
 */
export function forecastGroups(
  h: CurrencyHistory,
  days: string[],
  historyStart: string,
  lastDay: string,
  horizonDays: number,
  options: BillForecastOptions,
  total: {daily: ForecastPoint[]},
  warnings: ForecastWarning[],
): GroupForecast[] {
  const byGroup = new Map<string, ChargeDay[]>()
  for (const c of h.groupCharges) {
    const id = JSON.stringify(c.group ?? [])
    const list = byGroup.get(id)
    if (list) list.push(c)
    else byGroup.set(id, [c])
  }
  const kept = days.filter((d) => d >= historyStart)
  const drafts: GroupDraft[] = []
  for (const [id, charges] of byGroup) {
    const s = toKindSeries(charges, kept)
    const {usage, recurring} = splitSeries(s, lastDay, horizonDays)
    // A group starts on its first day with cost; days without rows after that are zero cost, or
    // missing when the scope has no data that day either (those the series forecaster fills).
    const firstIndex = usage.findIndex((p) => p.value !== 0)
    const since = firstIndex < 0 ? usage.slice(-1) : usage.slice(firstIndex)
    const history = since.filter((p) => s.present.has(p.date) || h.importedDays.has(p.date))
    const historyFrom = since[0]?.date ?? lastDay
    const age = daysBetween(historyFrom, lastDay) + 1
    const young = firstIndex > 0 && age <= YOUNG_DAYS && history.some((p) => p.value > 0)
    const keys = JSON.parse(id) as string[]
    const withRecurring = (p: {mean: number; lower: number; upper: number}, i: number) => {
      const r = recurring[i]?.amount ?? 0
      return {mean: p.mean + r, lower: p.lower + r, upper: p.upper + r}
    }
    const recurringTotal = recurring.reduce((a, r) => a + r.amount, 0)
    const draft = {keys, recurring, historyFrom, historyDays: age, young}
    // A group's recent level projected on its own trajectory, for groups the models cannot forecast.
    const rampForecast = () => {
      const ramp = forecastRamp(
        history.map((p) => Math.max(0, p.value)),
        horizonDays,
        options.level,
      )
      return {
        daily: ramp.mean.map((m, i) => withRecurring({mean: m, lower: ramp.lower[i]!, upper: ramp.upper[i]!}, i)),
        total: {
          mean: ramp.total.mean + recurringTotal,
          lower: ramp.total.lower + recurringTotal,
          upper: ramp.total.upper + recurringTotal,
        },
      }
    }
    if (young) {
      drafts.push({...draft, ...rampForecast()})
      if (!warnings.some((w) => w.code === 'young-series'))
        warnings.push({
          code: 'young-series',
          message:
            `${keys.join(' / ') || '(none)'} has ${age} day${age === 1 ? '' : 's'} of cost ` +
            `(since ${historyFrom}): forecast from its own ramp, with a wide interval`,
        })
      continue
    }
    const result =
      history.length > 0 && history.every((p) => p.value >= 0)
        ? forecastSeries(history, horizonDays, {
            ...options.settings,
            level: options.level,
            backtestOrigins: GROUP_BACKTEST_ORIGINS,
          })
        : undefined
    if (result && !result.skipped) {
      const own = result.cumulative.at(-1)!
      drafts.push({
        ...draft,
        result,
        daily: result.daily.map(withRecurring),
        total: {mean: own.mean + recurringTotal, lower: own.lower + recurringTotal, upper: own.upper + recurringTotal},
      })
      continue
    }
    // Too little history for the models (the whole bill is short) or negative days: its recent level, flat.
    drafts.push({...draft, young: true, ...rampForecast()})
  }
  return reconcile(drafts, total.daily, lastDay)
}

/**
 * Scales the mature groups' means day by day so that all groups add up to the total; young groups
 * keep their own path (the total includes them), unless they alone exceed the total that day.
 */
function reconcile(
  drafts: readonly GroupDraft[],
  totalDaily: readonly ForecastPoint[],
  lastDay: string,
): GroupForecast[] {
  const factors = totalDaily.map((p, i) => {
    const young = drafts.reduce((a, g) => a + (g.young ? g.daily[i]!.mean : 0), 0)
    const mature = drafts.reduce((a, g) => a + (g.young ? 0 : g.daily[i]!.mean), 0)
    if (mature > 0 && p.mean - young >= 0) return {young: 1, mature: (p.mean - young) / mature}
    const all = young + mature
    const f = all !== 0 ? p.mean / all : 0
    return {young: f, mature: f}
  })
  return drafts
    .map((g) => {
      const daily = g.daily.map((p, i) => {
        const f = g.young ? factors[i]!.young : factors[i]!.mature
        return {date: addDays(lastDay, i + 1), mean: p.mean * f, lower: p.lower * f, upper: p.upper * f}
      })
      const mean = daily.reduce((a, p) => a + p.mean, 0)
      const ratio = g.total.mean > 0 ? mean / g.total.mean : 1
      return {
        keys: g.keys,
        model: g.result ? g.result.model : ('ramp' as const),
        daily,
        total: {
          mean,
          lower: Math.min(mean, mean + (g.total.lower - g.total.mean) * ratio),
          upper: Math.max(mean, mean + (g.total.upper - g.total.mean) * ratio),
        },
        history: {from: g.historyFrom, days: g.historyDays},
      }
    })
    .sort((a, b) => b.total.mean - a.total.mean)
}
