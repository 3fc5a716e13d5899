import {Flags} from '@oclif/core'

import {FinopsCommand} from '../../src/cli/base-command.js'
import {costFilterFlag} from '../../src/cli/shared-flags.js'
import {outputFlags} from '../../src/cli/output-flags.js'
import {runCostReport} from '../../src/cost/report.js'
import type {AllocationReport} from '../../src/k8s/allocation.js'
import {ALLOCATION_KEYS_HELP} from '../../src/k8s/allocation-keys.js'
import {METRICS, type Metric} from '../../src/model/cost.js'
import {type CostReport, GRANULARITIES, type Granularity} from '../../src/cost/report-builder.js'
import {DIMENSION_KEYS_HELP} from '../../src/cost/dimension-keys.js'

export default class CostReportCommand extends FinopsCommand {
  static override summary = 'Where the money goes: costs by service, account, region, tag, ... over time'
  static override description = `Sums the chosen cost metric over a window (default: the last 30 complete days), grouped by any
dimensions, with a change column against the previous window of equal length, a totals row per
currency (amounts in different currencies are never added together) and a trend sparkline.
Group and filter keys: ${DIMENSION_KEYS_HELP}.
With --source k8s: Kubernetes cost allocation (the same as \`finops cost allocation\`), grouped by
${ALLOCATION_KEYS_HELP} (default namespace), with an (idle) row. FINOPS_NOW (an ISO date or time) pins today (the default window ends yesterday).`

  static override examples = [
    '<%= config.bin %> cost report',
    '<%= config.bin %> cost report --group-by provider,service --top 10',
    '<%= config.bin %> cost report --group-by tag:team --granularity week --from 2024-09-01 --to 2024-09-30',
    '<%= config.bin %> cost report --filter provider=AWS --filter region=us-east-1 --metric billed --csv > costs.csv',
    '<%= config.bin %> cost report --source k8s --group-by workload',
  ]

  // Billing reports read only the store; the Kubernetes allocation needs the price settings.
  static override loadsConfig = (argv: readonly string[]) => argv.includes('k8s') || argv.includes('--source=k8s')

  static override flags = {
    from: Flags.string({description: 'first day (YYYY-MM-DD), inclusive'}),
    to: Flags.string({description: 'last day (YYYY-MM-DD), inclusive (default: yesterday)'}),
    source: Flags.string({
      description: 'billing data, or Kubernetes cost allocation',
      options: ['billing', 'k8s'],
      default: 'billing',
    }),
    'group-by': Flags.string({
      char: 'g',
      description: `dimensions to group by (default service), comma-separated or repeated: ${DIMENSION_KEYS_HELP}`,
      multiple: true,
    }),
    granularity: Flags.string({description: 'columns per period', options: [...GRANULARITIES], default: 'total'}),
    metric: Flags.string({
      description: 'EffectiveCost (amortized, after discounts), BilledCost (invoiced) or ListCost',
      options: Object.keys(METRICS),
      default: 'effective',
    }),
    ...costFilterFlag,
    top: Flags.integer({description: 'keep the N largest rows and fold the rest into "Other"', min: 1}),
    ...outputFlags(['cost-report', 'cost-allocation']),
  }

  async run(): Promise<CostReport | AllocationReport> {
    const {flags} = await this.parse(CostReportCommand)
    const db = this.openStore(flags.db, flags.config)
    if (flags.source === 'k8s') {
      if (flags.filter || flags.top || flags.granularity !== 'total' || flags.metric !== 'effective') {
        this.error(
          '--filter, --top, --granularity and --metric apply to billing reports; with --source k8s use --group-by, --from and --to',
          {exit: 2},
        )
      }
      // Loaded only here: billing reports, the common case, start faster without the allocation's modules.
      const {runAllocation} = await import('../../src/k8s/allocation-report.js')
      const allocation = runAllocation(db, this.finopsConfig(flags.config).config.kubernetes, {
        from: flags.from,
        to: flags.to,
        groupBy: flags['group-by'],
      })
      for (const warning of allocation.warnings) this.note(`Note: ${warning}`)
      await this.present('cost-allocation', allocation)
      return allocation
    }
    const {report, label, notice} = runCostReport(db, {
      from: flags.from,
      to: flags.to,
      groupBy: flags['group-by'] ?? ['service'],
      filters: flags.filter ?? [],
      metric: flags.metric as Metric,
      granularity: flags.granularity as Granularity,
      top: flags.top,
    })
    if (notice) this.note(notice)
    await this.present('cost-report', report, {label})
    return report
  }
}
