import {Args, Flags} from '@oclif/core'

import {buildBudgetInput} from '../../src/alerts/budget-input.js'
import {BUDGET_PERIODS, type BudgetSetResult} from '../../src/model/budget.js'
import {FinopsCommand} from '../../src/cli/base-command.js'
import {splitListFlag} from '../../src/cli/arguments.js'
import {NUMBER_FORMAT_HELP, parseAmountFlag, parseNumberFlag} from '../../src/cli/numbers.js'
import {outputFlags} from '../../src/cli/output-flags.js'
import {METRICS} from '../../src/model/cost.js'
import {getBudget, upsertBudget} from '../../src/store/budgets.js'
import {DIMENSION_KEYS_HELP} from '../../src/cost/dimension-keys.js'

/** Percents from repeated or comma-separated flags: `--actual-threshold 50,80 --actual-threshold 100` (a trailing % is allowed). */
function parsePercents(values: readonly string[] | undefined, flag: string): number[] | undefined {
  return splitListFlag(values, flag)?.map((v) =>
    parseNumberFlag(v.replace(/%$/, ''), `--${flag}`, {min: 0, minExclusive: true, max: 1000, example: '80'}),
  )
}

export default class BudgetSet extends FinopsCommand {
  static override storeIntent = 'create' as const
  static override summary = 'Create or change a budget: an amount per month, quarter or year over a scope of costs'
  static override description =
    `Thresholds fire on actual spend to date and on the forecast spend at period end, as AWS Budgets does (default: ` +
    `actual 80% and 100%, forecast 100%). On an existing budget, settings not given are kept. Filter keys are the report's: ${DIMENSION_KEYS_HELP}.`

  static override examples = [
    '<%= config.bin %> budget set prod-aws --amount 10000 --period monthly --filter provider=AWS --filter tag:env=prod',
    '<%= config.bin %> budget set data-platform --amount 90000 --period quarterly --filter tag:team=data --actual-threshold 50,80 --forecast-threshold 100',
    '<%= config.bin %> budget set prod-aws --amount 12000',
  ]

  static override args = {name: Args.string({description: 'budget name', required: true})}
  static override flags = {
    amount: Flags.string({
      description: `budget amount per period, in the budget currency: ${NUMBER_FORMAT_HELP} (10000 or 1234.50)`,
    }),
    period: Flags.string({description: 'budget period (default monthly)', options: [...BUDGET_PERIODS]}),
    filter: Flags.string({
      description: 'scope, as in the report: key=value (repeatable; same key twice means either)',
      multiple: true,
    }),
    currency: Flags.string({description: "ISO 4217 currency (default: the currency of the scope's costs)"}),
    metric: Flags.string({description: 'cost metric (default billed)', options: Object.keys(METRICS)}),
    'actual-threshold': Flags.string({
      description: 'alert when actual spend reaches this percent (repeatable, comma-separated)',
      multiple: true,
    }),
    'forecast-threshold': Flags.string({
      description: 'alert when forecast period-end spend reaches this percent (repeatable, comma-separated)',
      multiple: true,
    }),
    ...outputFlags(['budget-set']),
  }

  async run(): Promise<BudgetSetResult> {
    const {args, flags} = await this.parse(BudgetSet)
    const amount = flags.amount === undefined ? undefined : parseAmountFlag(flags.amount, '--amount')
    const given = {
      name: args.name,
      amount,
      period: flags.period,
      currency: flags.currency,
      metric: flags.metric,
      filters: flags.filter,
      actualThresholds: parsePercents(flags['actual-threshold'], 'actual-threshold'),
      forecastThresholds: parsePercents(flags['forecast-threshold'], 'forecast-threshold'),
    }
    // Checked once before the store is opened (or created): a bad flag must not leave a new store behind.
    buildBudgetInput({...given, amount: amount ?? 1})
    const db = this.openStore(flags.db, flags.config)
    const input = buildBudgetInput(given, getBudget(db, args.name.trim()))
    const result = upsertBudget(db, input)
    await this.present('budget-set', result)
    return result
  }
}
