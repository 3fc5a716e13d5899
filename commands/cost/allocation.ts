import {Flags} from '@oclif/core'

import {FinopsCommand} from '../../src/cli/base-command.js'
import {outputFlags} from '../../src/cli/output-flags.js'
import {ALLOCATION_KEYS_HELP, type AllocationReport} from '../../src/k8s/allocation.js'
import {runAllocation} from '../../src/k8s/allocation-report.js'

export default class CostAllocation extends FinopsCommand {
  static override summary =
    'Kubernetes cost allocation: node costs split by namespace, workload, node or label, with idle'
  static override description = `Each running container is charged, per day, max(request, mean usage) of CPU and memory at the
rates of the node it runs on: the node's hourly price (configured or default rates, spot ratio from the
price catalog, on-demand calibrated by the effective/list ratio of compute billing in the store) split
into $/core-hour and $/GiB-hour with OpenCost's CPU:memory ratio. The (idle) row is node cost no container
was charged; rows + idle = the node total. Uses the latest \`collect k8s\` snapshot and \`collect usage\` digests.
Group keys: ${ALLOCATION_KEYS_HELP}.`

  static override examples = [
    '<%= config.bin %> cost allocation',
    '<%= config.bin %> cost allocation --group-by workload --window 14d',
    '<%= config.bin %> cost allocation --group-by label:team,namespace --from 2024-06-01 --to 2024-06-14 --csv',
  ]

  static override flags = {
    window: Flags.string({description: 'days ending yesterday, e.g. 7d or 30d (default 7d)'}),
    from: Flags.string({description: 'first day (YYYY-MM-DD), inclusive'}),
    to: Flags.string({description: 'last day (YYYY-MM-DD), inclusive (default: yesterday)'}),
    'group-by': Flags.string({
      char: 'g',
      description: `comma-separated or repeated: ${ALLOCATION_KEYS_HELP}`,
      multiple: true,
      default: ['namespace'],
    }),
    cluster: Flags.string({description: 'one cluster of the store (default: all)'}),
    ...outputFlags(['cost-allocation']),
  }

  async run(): Promise<AllocationReport> {
    const {flags} = await this.parse(CostAllocation)
    const {config} = this.finopsConfig(flags.config)
    const db = this.openStore(flags.db, flags.config)
    const report = runAllocation(db, config.kubernetes, {
      window: flags.window,
      from: flags.from,
      to: flags.to,
      groupBy: flags['group-by'],
      cluster: flags.cluster,
    })
    for (const warning of report.warnings) this.note(`Note: ${warning}`)
    await this.present('cost-allocation', report)
    return report
  }
}
