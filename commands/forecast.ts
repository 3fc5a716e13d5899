import {Flags} from '@oclif/core'

import {FinopsCommand} from '../src/cli/base-command.js'
import {costFilterFlag} from '../src/cli/shared-flags.js'
import {outputFlags} from '../src/cli/output-flags.js'
import {forecastCosts} from '../src/cost/forecast.js'
import type {CostForecast} from '../forecasters/types.js'
import {METRICS, type Metric} from '../src/model/cost.js'
import {DIMENSION_KEYS_HELP, parseFilters, parseGroupKeys} from '../src/cost/dimension-keys.js'
import {parseDay, WINDOW_END, WINDOW_START} from '../src/dates.js'
import {recentActualsByCurrency} from '../src/cost/forecast-actuals.js'
import {colorWanted, terminalColumns} from '../src/cli/terminal.js'
import {usageError} from '../src/errors.js'

export default class Forecast extends FinopsCommand {
  static override summary = 'Forecast daily cost with prediction intervals, and where each month will close'
  static override description = `Usage-Based charges are forecast as a daily series (the model is chosen per series by a rolling-origin
backtest: seasonal naive, Holt-Winters, damped trend, robust decomposition or their ensemble);
Recurring charges are projected on their billing days; One-Time purchases and credits are left out
and listed. Intervals come from the backtest errors at each horizon. Currencies are never added together.
Group and filter keys: ${DIMENSION_KEYS_HELP}.`

  static override examples = [
    '<%= config.bin %> forecast',
    '<%= config.bin %> forecast --horizon 30 --level 90',
    '<%= config.bin %> forecast --group-by service --filter provider=AWS',
    '<%= config.bin %> forecast --backtest',
    '<%= config.bin %> forecast --chart',
    '<%= config.bin %> forecast --json | jq ".daily[0]"',
  ]

  static override flags = {
    horizon: Flags.integer({
      description: 'days to forecast after the last day with data (default: to the end of next month)',
      min: 1,
      max: 731,
    }),
    level: Flags.integer({
      description: 'prediction interval level, percent (default 80, or forecast.level in finops.yaml)',
      min: 1,
      max: 99,
    }),
    'group-by': Flags.string({
      char: 'g',
      description: `also forecast each group (groups add up to the total): ${DIMENSION_KEYS_HELP}`,
      multiple: true,
    }),
    metric: Flags.string({
      description: 'EffectiveCost (amortized), BilledCost (invoiced) or ListCost (default: effective)',
      options: Object.keys(METRICS),
    }),
    ...costFilterFlag,
    from: Flags.string({
      description: 'first history day, YYYY-MM-DD (default: up to forecast.historyDays before the last day)',
    }),
    to: Flags.string({
      description: 'last history day, YYYY-MM-DD (default: the last day with data); the forecast starts the day after',
    }),
    chart: Flags.boolean({
      description:
        'also draw actuals, the forecast mean and its interval in the terminal (Unicode blocks; NO_COLOR and COLUMNS respected)',
    }),
    backtest: Flags.boolean({
      description: "also print each model's backtest accuracy: MASE, horizon-total error, interval coverage",
    }),
    ...outputFlags(['forecast']),
  }

  async run(): Promise<CostForecast> {
    const {flags} = await this.parse(Forecast)
    const {config} = this.finopsConfig(flags.config)
    const groupBy = parseGroupKeys(flags['group-by'])
    const filters = parseFilters(flags.filter)
    const from = flags.from === undefined ? undefined : parseDay(flags.from, WINDOW_START)
    const to = flags.to === undefined ? undefined : parseDay(flags.to, WINDOW_END)
    if (flags.chart && (this.jsonEnabled() || flags.output !== 'table' || flags.csv || flags.markdown))
      throw usageError(
        '--chart draws in the terminal',
        'use it with the table output, or --output svg --out FILE for a file',
      )
    const db = this.openStore(flags.db, flags.config)
    const forecast = forecastCosts(db, {
      from,
      to,
      groupBy,
      filters,
      horizonDays: flags.horizon ?? config.forecast.horizonDays,
      historyDays: config.forecast.historyDays,
      level: flags.level ?? config.forecast.level,
      metric: (flags.metric ?? config.forecast.metric) as Metric,
      backtest: flags.backtest,
      holidays: config.forecast.holidays,
      settings: {
        models: config.forecast.models,
        minHistoryDays: config.forecast.minHistoryDays,
        backtestOrigins: config.forecast.backtestOrigins,
      },
    })
    const chart = flags.chart
      ? {
          actuals: recentActualsByCurrency(db, forecast, {filters, metric: forecast.metric}),
          columns: terminalColumns(),
          color: colorWanted(),
        }
      : undefined
    await this.present('forecast', forecast, {backtest: flags.backtest, chart})
    return forecast
  }
}
