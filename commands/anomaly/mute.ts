import {Args, Flags} from '@oclif/core'

import {muteAnomalySeries, type SeriesMute, seriesTarget} from '../../src/alerts/anomaly-feedback.js'
import {FinopsCommand} from '../../src/cli/base-command.js'
import {parseNumberFlag, MAX_AMOUNT} from '../../src/cli/numbers.js'
import {outputFlags} from '../../src/cli/output-flags.js'
import {anomalySeriesFlag} from '../../src/cli/shared-flags.js'
import {addDays, parseDay, today} from '../../src/dates.js'
import {usageError} from '../../src/errors.js'

export default class AnomalyMute extends FinopsCommand {
  static override storeIntent = 'write' as const
  static override summary = 'Mute a series: its anomalies raise no alert until a day, or for good'
  static override description =
    `Name the series by an anomaly id of it, or by --series with one key=value for each key of alerts.anomalies.groupBy ` +
    `(account and service by default). With --below only anomalies smaller than that amount are muted. The store remembers the mute; \`finops anomaly ` +
    `unmute\` removes it. Muting a series again replaces its mute. FINOPS_NOW (an ISO date or time) pins today (the days judged to find the id, and the ` +
    `earliest --until).`
  static override examples = [
    '<%= config.bin %> anomaly mute an-1a2b3c4d5e6f --until 2024-10-31',
    '<%= config.bin %> anomaly mute --series account=123456789012 --series "service=AWS Lambda" --below 200',
  ]

  static override args = {id: Args.string({description: 'an anomaly id of the series (an-...)'})}
  static override flags = {
    ...anomalySeriesFlag,
    until: Flags.string({description: 'last muted day (YYYY-MM-DD; default: muted for good)'}),
    below: Flags.string({description: 'mute only anomalies smaller than this amount (in the series currency)'}),
    note: Flags.string({description: 'why (kept with the mute)'}),
    ...outputFlags(['anomaly-mute']),
  }

  async run(): Promise<{muted: SeriesMute}> {
    const {args, flags} = await this.parse(AnomalyMute)
    const target = seriesTarget(args.id, flags.series)
    const until = flags.until === undefined ? undefined : parseDay(flags.until, {key: 'until', label: 'last muted day'})
    const yesterday = addDays(today(), -1)
    if (until !== undefined && until < yesterday)
      throw usageError(
        `--until ${until} is in the past`,
        'give a day from yesterday on, or leave --until out to mute for good',
      )
    const below =
      flags.below === undefined
        ? undefined
        : parseNumberFlag(flags.below, '--below', {min: 0, minExclusive: true, max: MAX_AMOUNT, example: '200'})
    const {config} = this.finopsConfig(flags.config)
    const result = muteAnomalySeries(
      this.openStore(flags.db, flags.config),
      config.alerts.anomalies,
      target,
      {until, below, note: flags.note},
      yesterday,
    )
    await this.present('anomaly-mute', result)
    return result
  }
}
