import {renderBudgetList} from '../../src/alerts/budget-format.js'
import type {Budget} from '../../src/model/budget.js'
import {FinopsCommand} from '../../src/cli/base-command.js'
import {listBudgets} from '../../src/store/budgets.js'

export default class BudgetList extends FinopsCommand {
  static override summary = 'List budgets'
  static override examples = ['<%= config.bin %> budget list', '<%= config.bin %> budget list --json']

  async run(): Promise<{budgets: Budget[]}> {
    const {flags} = await this.parse(BudgetList)
    const budgets = listBudgets(this.openStore(flags.db, flags.config))
    if (budgets.length === 0)
      this.log('No budgets. Set one with: finops budget set NAME --amount 10000 --period monthly')
    else this.log(renderBudgetList(budgets))
    return {budgets}
  }
}
