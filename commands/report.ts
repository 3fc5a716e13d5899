import {Flags} from '@oclif/core'

import {FinopsCommand} from '../src/cli/base-command.js'
import {costFilterFlag} from '../src/cli/shared-flags.js'
import {DIMENSION_KEYS_HELP} from '../src/cost/dimension-keys.js'
import {METRICS, type Metric} from '../src/model/cost.js'
import {writeHtmlReport} from '../src/output/report/html-report-file.js'
import type {ReportCommandResult} from '../src/report/schemas.js'

export default class Report extends FinopsCommand {
  static override summary =
    'Write a self-contained HTML cost report: charts, forecast, budgets, movers, recommendations'
  static override description = `One HTML file that needs no network to open (charts are drawn as SVG when the report is written;
no fonts, scripts or styles are fetched), readable on a phone and printable. For a window and scope
(the same --from/--to, --group-by and --filter as cost report): spend over time stacked by the
group with the previous period, the forecast with its interval, each budget's burn with the
projected breach, top movers, anomalies with their size in money, Kubernetes allocation with idle
cost, recommendations (sortable) and applied actions. Every chart has a data table behind it.
Group and filter keys: ${DIMENSION_KEYS_HELP}. FINOPS_NOW (an ISO date or time) pins today (the windows end yesterday).`

  static override examples = [
    '<%= config.bin %> report --out report.html',
    '<%= config.bin %> report --out aws.html --filter provider=AWS --group-by service --from 2026-10-01 --to 2026-10-31',
  ]

  static override flags = {
    out: Flags.string({char: 'o', description: 'the HTML file to write', required: true}),
    from: Flags.string({description: 'first day (YYYY-MM-DD), inclusive (default: 30 days before --to)'}),
    to: Flags.string({description: 'last day (YYYY-MM-DD), inclusive (default: yesterday)'}),
    'group-by': Flags.string({
      char: 'g',
      description: `dimensions the spend is stacked by (default service): ${DIMENSION_KEYS_HELP}`,
      multiple: true,
    }),
    ...costFilterFlag,
    metric: Flags.string({
      description: 'EffectiveCost (amortized), BilledCost (invoiced) or ListCost',
      options: Object.keys(METRICS),
      default: 'effective',
    }),
    top: Flags.integer({
      description: 'series in the spend chart before the rest fold into "Other"',
      min: 1,
      max: 30,
      default: 8,
    }),
    level: Flags.integer({
      description: 'forecast interval level, percent (default: forecast.level in finops.yaml)',
      min: 50,
      max: 99,
    }),
  }

  async run(): Promise<ReportCommandResult> {
    const {flags} = await this.parse(Report)
    const {config} = this.finopsConfig(flags.config)
    const db = this.openStore(flags.db, flags.config)
    const {path, data} = await writeHtmlReport(
      db,
      config,
      {
        from: flags.from,
        to: flags.to,
        groupBy: flags['group-by'] ?? ['service'],
        filters: flags.filter ?? [],
        metric: flags.metric as Metric,
        top: flags.top,
        level: flags.level ?? config.forecast.level,
      },
      flags.out,
    )
    for (const note of data.notes) this.note(`Note: ${note}`)
    this.log(`Report for ${data.spend.from} to ${data.spend.to} written to ${path}`)
    return {out: path, from: data.spend.from, to: data.spend.to, currency: data.currency}
  }
}
