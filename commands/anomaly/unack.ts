import {Args} from '@oclif/core'

import {type UnackResult, unackAnomaly} from '../../src/alerts/anomaly-feedback.js'
import {FinopsCommand} from '../../src/cli/base-command.js'
import {outputFlags} from '../../src/cli/output-flags.js'

export default class AnomalyUnack extends FinopsCommand {
  static override storeIntent = 'write' as const
  static override summary = 'Take back an acknowledgement made with finops anomaly ack'
  static override description =
    `The anomaly raises an alert again in the next alert check that judges its day, unless its alert was delivered ` +
    `before it was acknowledged (an alert is posted once). An id that is not acknowledged exits 8.`
  static override examples = ['<%= config.bin %> anomaly unack an-1a2b3c4d5e6f']
  static override args = {id: Args.string({description: 'anomaly id (an-...)', required: true})}
  static override flags = {...outputFlags(['anomaly-unack'])}

  async run(): Promise<UnackResult> {
    const {args, flags} = await this.parse(AnomalyUnack)
    const result = unackAnomaly(this.openStore(flags.db, flags.config), args.id)
    await this.present('anomaly-unack', result)
    return result
  }
}
