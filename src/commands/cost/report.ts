import {Flags} from '@oclif/core'

import {FinopsCommand} from '../../cli/base-command.js'
import {runCostReport} from '../../cost/report.js'
import {METRICS, type Metric} from '../../model.js'
import {type CostReport, GRANULARITIES, type Granularity} from '../../report/cost-report.js'
import {renderCostReportCsv, renderCostReportTable} from '../../report/cost-report-format.js'
import {GROUP_KEY_HELP} from '../../store/cost-dimensions.js'

export default class CostReportCommand extends FinopsCommand {
  static override summary = 'Where the money goes: costs by service, account, region, tag, ... over time'
  static override description = `Sums the chosen cost metric over a window (default: the last 30 complete days), grouped by any
dimensions, with a change column against the previous window of equal length, a totals row per
currency (amounts in different currencies are never added together) and a trend sparkline.
Group and filter keys: ${GROUP_KEY_HELP}.`

  static override examples = [
    '<%= config.bin %> cost report',
    '<%= config.bin %> cost report --group-by provider,service --top 10',
    '<%= config.bin %> cost report --group-by tag:team --granularity week --from 2024-09-01 --to 2024-09-30',
    '<%= config.bin %> cost report --filter provider=AWS --filter region=us-east-1 --metric billed --csv > costs.csv',
  ]

  static override loadsConfig = false

  static override flags = {
    from: Flags.string({description: 'first day (YYYY-MM-DD), inclusive'}),
    to: Flags.string({description: 'last day (YYYY-MM-DD), inclusive (default: yesterday)'}),
    'group-by': Flags.string({char: 'g', description: `dimensions to group by, comma-separated or repeated: ${GROUP_KEY_HELP}`, multiple: true, default: ['service']}),
    granularity: Flags.string({description: 'columns per period', options: [...GRANULARITIES], default: 'total'}),
    metric: Flags.string({description: 'EffectiveCost (amortized, after discounts), BilledCost (invoiced) or ListCost', options: Object.keys(METRICS), default: 'effective'}),
    filter: Flags.string({char: 'f', description: 'key=value; repeat for several (same key: any of the values)', multiple: true}),
    top: Flags.integer({description: 'keep the N largest rows and fold the rest into "Other"', min: 1}),
    csv: Flags.boolean({description: 'print CSV instead of a table', exclusive: ['json']}),
  }

  async run(): Promise<CostReport> {
    const {flags} = await this.parse(CostReportCommand)
    const db = this.openStore(flags.db, flags.config)
    const {report, label, notice} = runCostReport(db, {
      from: flags.from, to: flags.to, groupBy: flags['group-by'], filters: flags.filter ?? [],
      metric: flags.metric as Metric, granularity: flags.granularity as Granularity, top: flags.top,
    })
    if (notice) this.note(notice)
    if (this.jsonEnabled()) return report
    if (flags.csv) process.stdout.write(renderCostReportCsv(report, label))
    else this.log(`${report.metric === 'effective' ? 'Effective' : report.metric === 'billed' ? 'Billed' : 'List'} cost ${report.from} to ${report.to} (previous: ${report.previousFrom} to ${report.previousTo})\n${renderCostReportTable(report, label)}`)
    return report
  }
}
