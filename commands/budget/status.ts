import {Args} from '@oclif/core'

import {forecastBudgetScope} from '../../src/alerts/budget-forecast.js'
import {budgetReport, type BudgetStatusResult} from '../../src/alerts/budget-status.js'
import {staleSources, staleSourceWarning} from '../../src/alerts/freshness.js'
import {FinopsCommand} from '../../src/cli/base-command.js'
import {outputFlags} from '../../src/cli/output-flags.js'
import {budgetForecastLevelFlag} from '../../src/cli/shared-flags.js'
import {addDays, today} from '../../src/dates.js'
import {notFoundError} from '../../src/errors.js'
import {ExitCode} from '../../src/exit-codes.js'
import {getBudget, listBudgets} from '../../src/store/budgets.js'
import {providerLastDays} from '../../src/store/cost-presence.js'

export default class BudgetStatus extends FinopsCommand {
  static override summary =
    'Spend to date, forecast period-end spend with its interval, percent used and the breach date of each budget'
  static override description =
    `"To date" is through yesterday (UTC) or the last day with cost data, whichever is earlier; the rest of the period ` +
    `is forecast (Usage-Based charges as a series, Recurring charges on their billing days, One-Time charges not extrapolated). With too little history ` +
    `the status still shows actual spend and says why there is no forecast. A provider whose billing data is older than its usual lag (alerts.freshness) ` +
    `is a warning and exit 7. FINOPS_NOW (an ISO date or time) pins today (the period and "to date").`

  static override examples = [
    '<%= config.bin %> budget status',
    '<%= config.bin %> budget status prod-aws --level 90 --json',
  ]
  static override args = {name: Args.string({description: 'one budget (default: all)'})}
  static override flags = {
    ...budgetForecastLevelFlag,
    ...outputFlags(['budget-status']),
  }

  async run(): Promise<BudgetStatusResult> {
    const {args, flags} = await this.parse(BudgetStatus)
    const level = flags.level ?? this.finopsConfig(flags.config).config.forecast.level
    const db = this.openStore(flags.db, flags.config)
    let budgets = listBudgets(db)
    if (args.name) {
      const one = getBudget(db, args.name)
      if (!one)
        throw notFoundError(
          `no budget named "${args.name}"`,
          budgets.length > 0 ? `budgets: ${budgets.map((b) => b.name).join(', ')}` : 'set one with finops budget set',
        )
      budgets = [one]
    }
    const now = today()
    const {config} = this.finopsConfig(flags.config)
    const stale = staleSources(providerLastDays(db), addDays(now, -1), config.alerts.freshness)
    const warnings = stale.map(staleSourceWarning)
    const result: BudgetStatusResult = {
      asOf: addDays(now, -1),
      stale,
      warnings,
      budgets: budgets.map((b) => budgetReport(db, b, forecastBudgetScope, {level, now})),
    }
    // Late data is a partial answer, never a silent one: spend to date and the forecast stop at its last day.
    return this.finish('budget-status', result, {
      exit: warnings.length > 0 ? ExitCode.partial : ExitCode.ok,
      warning: warnings.length > 0 ? warnings.join('; ') : undefined,
    })
  }
}
