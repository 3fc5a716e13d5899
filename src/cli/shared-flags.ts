import {Flags} from '@oclif/core'

import {parseNumberFlag} from './numbers.js'

/**
 * Flags that mean the same on several commands, defined once so their names, limits and help agree.
 * A command spreads the ones it takes into its `flags`.
 */

/** `--dry-run` and `--webhook-file`: every command that posts to Slack. `what` is what would be posted. */
export const slackPostFlags = (what: string) => ({
  'dry-run': Flags.boolean({description: `print the ${what} that would be posted; record and send nothing`}),
  'webhook-file': Flags.string({
    description: 'file holding the Slack webhook URL (e.g. a mounted Kubernetes Secret)',
  }),
})

/** `--level`: the forecast interval level of budgets' period-end forecasts. */
export const budgetForecastLevelFlag = {
  level: Flags.integer({
    description: 'forecast interval level for budgets, percent (default: forecast.level in finops.yaml, else 80)',
    min: 1,
    max: 99,
  }),
}

/** `--filter`/`-f`: the cost filter grammar of `cost report`, `forecast` and `report`. */
export const costFilterFlag = {
  filter: Flags.string({
    char: 'f',
    description: 'key=value; repeat for several (same key: any of the values)',
    multiple: true,
  }),
}

/** `--series`: the watched anomaly series, on the commands that mute and unmute it. */
export const anomalySeriesFlag = {
  series: Flags.string({description: 'key=value for each key of the watched series (repeat)', multiple: true}),
}

/** `--anomaly-level`: the anomaly band's width for one run, on every command that judges anomalies afresh. */
export const anomalyLevelFlag = {
  'anomaly-level': Flags.string({
    description:
      'width of the anomaly band, percent from 80 to 99.99 (default: alerts.anomalies.level in finops.yaml, else 99.8)',
  }),
}

/** The `--anomaly-level` value, in the one number format flags take (no hex, no exponent), or undefined when absent. */
export const parseAnomalyLevelFlag = (value: string | undefined): number | undefined =>
  value === undefined ? undefined : parseNumberFlag(value, '--anomaly-level', {min: 80, max: 99.99, example: '99.5'})
