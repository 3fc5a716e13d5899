import {Args, Flags} from '@oclif/core'

import {type AckResult, ackAnomaly} from '../../src/alerts/anomaly-feedback.js'
import {FinopsCommand} from '../../src/cli/base-command.js'
import {outputFlags} from '../../src/cli/output-flags.js'
import {addDays, today} from '../../src/dates.js'

export default class AnomalyAck extends FinopsCommand {
  static override storeIntent = 'write' as const
  static override summary = 'Acknowledge an anomaly: it raises no alert again (in alert check and finops run)'
  static override description =
    `An alert of it not delivered yet is dropped. The id comes from \`finops anomaly list\` or \`finops alert check ` +
    `--json\`; an unknown id exits 8. FINOPS_NOW (an ISO date or time) pins today (the days judged to find the id).`
  static override examples = ['<%= config.bin %> anomaly ack an-1a2b3c4d5e6f --note "load test, expected"']
  static override args = {id: Args.string({description: 'anomaly id (an-...)', required: true})}
  static override flags = {
    note: Flags.string({description: 'why it needs no alert (kept with the anomaly)'}),
    ...outputFlags(['anomaly-ack']),
  }

  async run(): Promise<AckResult> {
    const {args, flags} = await this.parse(AnomalyAck)
    const {config} = this.finopsConfig(flags.config)
    const result = ackAnomaly(
      this.openStore(flags.db, flags.config),
      config.alerts.anomalies,
      args.id,
      flags.note,
      addDays(today(), -1),
    )
    await this.present('anomaly-ack', result)
    return result
  }
}
