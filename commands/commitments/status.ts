import {Flags} from '@oclif/core'

import {FinopsCommand} from '../../src/cli/base-command.js'
import {outputFlags} from '../../src/cli/output-flags.js'
import {commitmentsStatusFromStore} from '../../src/commitments/from-store.js'
import type {CommitmentsStatus} from '../../src/commitments/schemas.js'
import {now, parseDay, WINDOW_END, WINDOW_START} from '../../src/dates.js'

export default class CommitmentsStatusCommand extends FinopsCommand {
  static override summary =
    'Coverage and utilization of Savings Plans, reservations and committed-use discounts, from the bill'
  static override description =
    `Reads the commitment usage a FOCUS import keeps (finops collect focus): eligible usage per hour with its ` +
    `PricingCategory and CommitmentDiscount columns. Per commitment: cost used and unused (utilization), the on-demand cost it replaced, net savings, ` +
    `fees, end date and days left (from finops collect aws, commitments.inventory in finops.yaml, or finops savings record; "unknown" ` +
    `otherwise: FOCUS 1.0 does not carry it) and what renewing the same commitment or letting it lapse costs per month, each with its source. Per family ` +
    `(service and region): the share of eligible on-demand-equivalent spend covered. FINOPS_NOW (an ISO date or time) pins today ` +
    `(the days left to each end date).`

  static override examples = [
    '<%= config.bin %> commitments status',
    '<%= config.bin %> commitments status --from 2026-01-01 --to 2026-01-31 --json',
  ]

  static override flags = {
    from: Flags.string({description: 'first day (YYYY-MM-DD; default: 29 days before --to)'}),
    to: Flags.string({description: 'last day (YYYY-MM-DD; default: the last day with commitment data)'}),
    ...outputFlags(['commitments-status']),
  }

  async run(): Promise<CommitmentsStatus> {
    const {flags} = await this.parse(CommitmentsStatusCommand)
    const from = flags.from === undefined ? undefined : parseDay(flags.from, WINDOW_START)
    const to = flags.to === undefined ? undefined : parseDay(flags.to, WINDOW_END)
    const loaded = this.finopsConfig(flags.config)
    const status = commitmentsStatusFromStore(
      this.openStore(flags.db, flags.config),
      {from, to},
      {config: loaded.config.commitments, configFile: loaded.file, today: now().toISOString().slice(0, 10)},
    )
    await this.present('commitments-status', status)
    return status
  }
}
