import {Args} from '@oclif/core'

import {seriesTarget, unmuteAnomalySeries} from '../../src/alerts/anomaly-feedback.js'
import {FinopsCommand} from '../../src/cli/base-command.js'
import {outputFlags} from '../../src/cli/output-flags.js'
import {anomalySeriesFlag} from '../../src/cli/shared-flags.js'
import {addDays, today} from '../../src/dates.js'

export default class AnomalyUnmute extends FinopsCommand {
  static override storeIntent = 'write' as const
  static override summary = 'Unmute a series muted with finops anomaly mute'
  static override description =
    'Name the series as for mute: an anomaly id of it, or --series key=value for each key. A series that is not muted exits 8. FINOPS_NOW (an ISO ' +
    'date or time) pins today (the days judged to find the id).'
  static override examples = [
    '<%= config.bin %> anomaly unmute an-1a2b3c4d5e6f',
    '<%= config.bin %> anomaly unmute --series account=123456789012 --series "service=AWS Lambda"',
  ]

  static override args = {id: Args.string({description: 'an anomaly id of the series (an-...)'})}
  static override flags = {
    ...anomalySeriesFlag,
    ...outputFlags(['anomaly-unmute']),
  }

  async run(): Promise<{unmuted: {groupBy: string[]; keys: string[]}}> {
    const {args, flags} = await this.parse(AnomalyUnmute)
    const target = seriesTarget(args.id, flags.series)
    const {config} = this.finopsConfig(flags.config)
    const result = unmuteAnomalySeries(
      this.openStore(flags.db, flags.config),
      config.alerts.anomalies,
      target,
      addDays(today(), -1),
    )
    await this.present('anomaly-unmute', result)
    return result
  }
}
