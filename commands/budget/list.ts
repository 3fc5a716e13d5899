import type {Budget} from '../../src/model/budget.js'
import {FinopsCommand} from '../../src/cli/base-command.js'
import {outputFlags} from '../../src/cli/output-flags.js'
import {listBudgets} from '../../src/store/budgets.js'

export default class BudgetList extends FinopsCommand {
  static override summary = 'List budgets'
  static override examples = ['<%= config.bin %> budget list', '<%= config.bin %> budget list --json']
  static override flags = {...outputFlags(['budget-list'])}

  async run(): Promise<{budgets: Budget[]}> {
    const {flags} = await this.parse(BudgetList)
    const budgets = listBudgets(this.openStore(flags.db, flags.config))
    await this.present('budget-list', {budgets})
    return {budgets}
  }
}
