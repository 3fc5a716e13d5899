import {Flags} from '@oclif/core'

import {FinopsCommand} from '../../src/cli/base-command.js'
import {outputFlags} from '../../src/cli/output-flags.js'
import {ACTION_KINDS} from '../../src/apply/schemas.js'
import {ACTION_STATUSES, type ActionRecord} from '../../src/model/action.js'
import {listActions} from '../../src/store/actions.js'

export default class ActionsList extends FinopsCommand {
  static override summary =
    'The audit trail: what apply changed, when, by which run and identity, before and after, and the status'

  static override examples = [
    '<%= config.bin %> actions list',
    '<%= config.bin %> actions list --run run-20240901T101500Z-1a2b3c --json',
    '<%= config.bin %> actions list --status failed --namespace shop',
  ]

  static override flags = {
    run: Flags.string({description: 'only this run id'}),
    namespace: Flags.string({description: 'only this namespace'}),
    status: Flags.string({
      description: 'only this status',
      options: [...ACTION_STATUSES],
    }),
    kind: Flags.string({description: 'only this kind', options: [...ACTION_KINDS]}),
    limit: Flags.integer({description: 'newest N actions', min: 1, default: 100}),
    ...outputFlags(['actions-list']),
  }

  async run(): Promise<{actions: ActionRecord[]}> {
    const {flags} = await this.parse(ActionsList)
    const db = this.openStore(flags.db, flags.config)
    const actions = listActions(db, {
      runId: flags.run,
      namespace: flags.namespace,
      status: flags.status as ActionRecord['status'] | undefined,
      kind: flags.kind,
      limit: flags.limit,
    })
    await this.present('actions-list', {actions})
    return {actions}
  }
}
