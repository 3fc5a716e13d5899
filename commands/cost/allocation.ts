import {Flags} from '@oclif/core'

import {FinopsCommand} from '../../src/cli/base-command.js'
import {outputFlags} from '../../src/cli/output-flags.js'
import {workloadFilterFlags, workloadFilterFromFlags} from '../../src/cli/workload-filter-flags.js'
import {ALLOCATION_KEYS_HELP, type AllocationReport} from '../../src/k8s/allocation.js'
import {IDLE_MODES, type IdleMode} from '../../src/k8s/allocation-distribute.js'
import {runAllocation} from '../../src/k8s/allocation-report.js'

export default class CostAllocation extends FinopsCommand {
  static override summary =
    'Kubernetes cost allocation: node, GPU, volume, load balancer and network costs by namespace, workload, node or label, with idle'
  static override description = `Each container is charged, for each node and day it ran on, max(request, usage) of CPU and
memory plus its GPU requests (MIG slices and time-sliced shares as fractions of a GPU) for the hours it
actually ran there, at that node's rates: the node's price (its own cost in the bill when the store has
resource-level FOCUS rows, else a configured instance-type price, the price catalog, a configured family
price or default rates; on-demand calibrated by billing's compute discount) split into $/core-hour,
$/GiB-hour and $/GPU-hour. Persistent volumes (storage class prices or the bill), LoadBalancer Services
and, when collected, network egress are added to their workloads. What nodes cost beyond the charges is
idle: its own row, or shared out with --idle. --share spreads namespaces or labels (kube-system,
monitoring) over the rest. Efficiency is usage / request of CPU and memory, weighted by their cost.
Rows + idle = the total, exactly. History comes from \`finops collect usage\` (kube-state-metrics over
Prometheus); days without it are modelled from the latest \`collect k8s\` snapshot, and the output says so.
Group keys: ${ALLOCATION_KEYS_HELP}. FINOPS_NOW (an ISO date or time) pins today (--window ends yesterday).`

  static override examples = [
    '<%= config.bin %> cost allocation',
    '<%= config.bin %> cost allocation --group-by workload --window 14d',
    '<%= config.bin %> cost allocation --share kube-system,monitoring --idle by-cost',
    "<%= config.bin %> cost allocation -n 'team-*' --selector app=web --group-by workload",
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
    idle: Flags.string({
      description:
        'idle node cost: its own (idle) row, or shared into the rows by their cost or their requests (default: kubernetes.allocation.idle, separate)',
      options: [...IDLE_MODES],
    }),
    share: Flags.string({
      description:
        'namespaces (names or globs) and label:key=value whose cost is spread over the others by cost, comma-separated or repeated, e.g. ' +
        "'kube-system,monitoring'",
      multiple: true,
    }),
    ...workloadFilterFlags,
    ...outputFlags(['cost-allocation']),
  }

  async run(): Promise<AllocationReport> {
    const {flags} = await this.parse(CostAllocation)
    const filter = workloadFilterFromFlags(flags)
    const {config} = this.finopsConfig(flags.config)
    const db = this.openStore(flags.db, flags.config)
    const report = runAllocation(db, config.kubernetes, {
      window: flags.window,
      from: flags.from,
      to: flags.to,
      groupBy: flags['group-by'],
      cluster: flags.cluster,
      idle: flags.idle as IdleMode | undefined,
      share: flags.share,
      filter,
    })
    for (const warning of report.warnings) this.note(`Note: ${warning}`)
    await this.present('cost-allocation', report)
    return report
  }
}
