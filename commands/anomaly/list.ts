import {Flags} from '@oclif/core'

import {
  ANOMALY_STATUSES,
  type AnomalyListResult,
  type AnomalyStatus,
  listAnomalies,
} from '../../src/alerts/anomaly-feedback.js'
import {splitListFlag} from '../../src/cli/arguments.js'
import {FinopsCommand} from '../../src/cli/base-command.js'
import {anomalyLevelFlag, parseAnomalyLevelFlag} from '../../src/cli/shared-flags.js'
import {withAnomalyLevel} from '../../src/alerts/anomaly-level.js'
import {outputFlags} from '../../src/cli/output-flags.js'
import {addDays, parseDay, today, WINDOW_END, WINDOW_START} from '../../src/dates.js'
import {usageError} from '../../src/errors.js'

export default class AnomalyList extends FinopsCommand {
  static override summary = 'List spend anomalies with their ids and status (new, pending, sent, acknowledged, muted)'
  static override description =
    `Judges the days of the window as \`finops alert check\` does (default: the last 30 days with data, at most 92) and ` +
    `adds the anomalies \`alert check\` recorded earlier. Each anomaly has a stable id (from its series and day) for \`finops anomaly ack\` and \`finops ` +
    `anomaly mute\`. FINOPS_NOW (an ISO date or time) pins today (the default window).`
  static override examples = [
    '<%= config.bin %> anomaly list',
    '<%= config.bin %> anomaly list --provider AWS --service "Amazon EC2" --status new,sent',
    '<%= config.bin %> anomaly list --from 2024-09-01 --to 2024-09-30 --json',
    '<%= config.bin %> anomaly list --anomaly-level 99.5',
  ]

  static override flags = {
    provider: Flags.string({
      description: 'only series of this provider (ProviderName; repeat or comma-separate)',
      multiple: true,
    }),
    service: Flags.string({description: 'only series of this service (repeat or comma-separate)', multiple: true}),
    status: Flags.string({
      description: `only anomalies in this status: ${ANOMALY_STATUSES.join(', ')}`,
      multiple: true,
    }),
    from: Flags.string({description: 'first day (YYYY-MM-DD; default: 29 days before --to)'}),
    to: Flags.string({description: 'last day (YYYY-MM-DD; default: the last day with cost data)'}),
    ...anomalyLevelFlag,
    ...outputFlags(['anomaly-list']),
  }

  async run(): Promise<AnomalyListResult> {
    const {flags} = await this.parse(AnomalyList)
    const statuses = splitListFlag(flags.status, '--status')
    const unknown = statuses?.find((s) => !(ANOMALY_STATUSES as readonly string[]).includes(s))
    if (unknown !== undefined)
      throw usageError(`--status ${unknown}: unknown status`, `use one of ${ANOMALY_STATUSES.join(', ')}`)
    const level = parseAnomalyLevelFlag(flags['anomaly-level'])
    const from = flags.from === undefined ? undefined : parseDay(flags.from, WINDOW_START)
    const to = flags.to === undefined ? undefined : parseDay(flags.to, WINDOW_END)
    const {config} = this.finopsConfig(flags.config)
    const result = listAnomalies(
      this.openStore(flags.db, flags.config),
      withAnomalyLevel(config.alerts.anomalies, level),
      {
        from,
        to,
        providers: splitListFlag(flags.provider, '--provider'),
        services: splitListFlag(flags.service, '--service'),
        statuses: statuses as AnomalyStatus[] | undefined,
      },
      addDays(today(), -1),
    )
    await this.present('anomaly-list', result)
    return result
  }
}
