import {Flags} from '@oclif/core'

import {FinopsCommand} from '../../src/cli/base-command.js'
import {splitListFlag} from '../../src/cli/arguments.js'
import {outputFlags} from '../../src/cli/output-flags.js'
import {workloadFilterFlags, workloadFilterFromFlags} from '../../src/cli/workload-filter-flags.js'
import {parseDay, reversedWindowError, WINDOW_END, WINDOW_START} from '../../src/dates.js'
import {LEDGER_KINDS, type LedgerKind} from '../../src/savings/action-state.js'
import {buildSavingsLedger} from '../../src/savings/from-store.js'
import type {SavingsReport} from '../../src/savings/schemas.js'

export default class Savings extends FinopsCommand {
  static override summary =
    'The realized-savings ledger: what each applied action promised and what it saved since, per kind, namespace, team and in total'
  static override description =
    `Each applied rightsize, scale-down and spot action is measured on the workload's allocated cost (kube-state-metrics ` +
    `history, the same charges as cost allocation) against a counterfactual without the change, with the method, a 95% interval and a confidence (days ` +
    `observed before and after, noise of the before period). Flags: not-delivered (realized below half of promised), reverted (the before-state came ` +
    `back), fought (reverted again and again, as a GitOps controller does), rolled-back, not-measurable-yet. Purchased commitments recorded with ` +
    `\`finops savings record\` are measured on the imported bill (covered usage at the rate paid without them, minus their used and unused cost), or ` +
    `listed as not measurable yet with the reason. See docs/savings.md.`

  static override examples = [
    '<%= config.bin %> savings',
    '<%= config.bin %> savings --since 2026-10-01 --kind rightsize --namespace shop',
    '<%= config.bin %> savings --action act-20261101T020000Z-1a2b --json',
  ]

  static override flags = {
    since: Flags.string({description: 'only actions applied on or after this day (YYYY-MM-DD)'}),
    to: Flags.string({description: 'the last day measured (YYYY-MM-DD; default yesterday)'}),
    action: Flags.string({description: 'only these action ids (repeatable, comma-separated)', multiple: true}),
    kind: Flags.string({description: 'only these kinds (repeatable)', options: [...LEDGER_KINDS], multiple: true}),
    ...workloadFilterFlags,
    'team-label': Flags.string({
      description: 'the label that names a team, on workloads or namespaces',
      default: 'team',
    }),
    ...outputFlags(['savings']),
  }

  async run(): Promise<SavingsReport> {
    const {flags} = await this.parse(Savings)
    const since = flags.since === undefined ? undefined : parseDay(flags.since, WINDOW_START)
    const to = flags.to === undefined ? undefined : parseDay(flags.to, WINDOW_END)
    if (since && to && since > to) throw reversedWindowError(since, to)
    const ids = splitListFlag(flags.action, 'action')
    const filter = workloadFilterFromFlags(flags)
    const {config} = this.finopsConfig(flags.config)
    const db = this.openStore(flags.db, flags.config)
    const report = buildSavingsLedger(db, config.kubernetes, {
      since,
      to,
      ids,
      kinds: flags.kind as LedgerKind[] | undefined,
      filter,
      teamLabel: flags['team-label'],
    })
    await this.present('savings', report)
    return report
  }
}
