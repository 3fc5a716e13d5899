import {Flags} from '@oclif/core'

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
