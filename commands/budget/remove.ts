import {Args} from '@oclif/core'

import {FinopsCommand} from '../../src/cli/base-command.js'
import {outputFlags} from '../../src/cli/output-flags.js'
import {notFoundError} from '../../src/errors.js'
import {listBudgets, removeBudget} from '../../src/store/budgets.js'

export default class BudgetRemove extends FinopsCommand {
  static override summary = 'Remove a budget (and its alerts not yet delivered)'
  static override examples = ['<%= config.bin %> budget remove prod-aws']
  static override args = {name: Args.string({description: 'budget name', required: true})}
  static override flags = {...outputFlags(['budget-remove'])}

  async run(): Promise<{removed: string}> {
    const {args, flags} = await this.parse(BudgetRemove)
    const db = this.openStore(flags.db, flags.config)
    if (!removeBudget(db, args.name)) {
      const names = listBudgets(db).map((b) => b.name)
      throw notFoundError(
        `no budget named "${args.name}"`,
        names.length > 0 ? `budgets: ${names.join(', ')}` : 'there are no budgets',
      )
    }
    await this.present('budget-remove', {removed: args.name})
    return {removed: args.name}
  }
}
