import {z} from 'zod'

/**
 * The --json contracts of `collect k8s`, `collect usage` and `cost allocation`. Tests parse the
 * commands' output with these, and docs/schemas/*.schema.json is generated from them.
 */
const counts = z.record(z.string(), z.number().int().min(0))

export const collectK8sSchema = z.strictObject({
  cluster: z.string().describe('name the snapshot is stored under'),
  context: z.string().describe('kubeconfig context used, or in-cluster'),
  collectedAt: z.string().describe('ISO time of the snapshot'),
  workloads: z.number().int().min(0),
  nodes: z.number().int().min(0),
  namespaces: z.number().int().min(0),
  byKind: counts.describe('workloads per controller kind'),
  capacityTypes: counts.describe('nodes per capacity type (on-demand, spot)'),
  requests: counts.describe('list requests (pages) per resource'),
  warnings: z.array(z.string()).describe('resources left out (403 forbidden, 404 not served)'),
})

export const collectUsageSchema = z.strictObject({
  source: z.enum(['prometheus', 'metrics-server']),
  cluster: z.string(),
  windowStart: z.string().describe('ISO time of the first sample read'),
  windowEnd: z.string().describe('ISO time of the last sample read'),
  containers: z.number().int().min(0).describe('workload containers with usage'),
  containerDays: z.number().int().min(0).describe('day digests written'),
  samples: z.number().int().min(0).describe('pod samples folded into the digests'),
  oomKills: z.number().int().min(0).optional(),
  oomSource: z
    .enum(['kube-state-metrics', 'pod-status', 'unavailable'])
    .optional()
    .describe('unavailable: OOM kills unknown, not zero; pod-status: last terminations seen by metrics-server runs'),
  queries: z.number().int().min(0).optional().describe('Prometheus queries made'),
  namespaces: z.number().int().min(0).optional(),
  usedInventory: z.boolean().describe('pods mapped to workloads through a stored snapshot (else by name pattern)'),
  history: z
    .strictObject({
      source: z
        .enum(['kube-state-metrics', 'unavailable'])
        .describe('unavailable: allocation models these days from the snapshot'),
      days: z.number().int().min(0),
      namespaces: z.number().int().min(0),
      containerRows: z.number().int().min(0).describe('workload x container x node x day rows written'),
      nodeDays: z.number().int().min(0),
      volumeDays: z.number().int().min(0),
      loadBalancerDays: z.number().int().min(0),
      queries: z.number().int().min(0),
      missingDays: z
        .array(z.string())
        .describe(
          'days with no kube-state-metrics sample (past Prometheus retention): not written, so history stored earlier stays',
        ),
      gaps: z
        .array(z.strictObject({day: z.string(), hours: z.number().min(0)}))
        .describe('days with hours Prometheus has no sample for (an outage): nothing is charged for those hours'),
    })
    .optional()
    .describe('pod, node, volume and LoadBalancer history for cost allocation (Prometheus only)'),
})

/**
 * A fleet run (`kubernetes.clusters`, or `collect k8s --context a,b,c`): each cluster's own result,
 * and the clusters that failed (the others were still collected; the exit code is then partial).
 */
const fleetOf = <T extends z.ZodType>(result: T) =>
  z.strictObject({
    clusters: z.array(result).describe('one result per cluster collected'),
    failures: z
      .array(
        z.strictObject({
          cluster: z.string(),
          code: z.string(),
          message: z.string(),
          suggestion: z.string().optional(),
          exit: z.int(),
        }),
      )
      .describe('clusters that could not be collected, and why'),
  })

export const collectK8sFleetSchema = fleetOf(collectK8sSchema)
export const collectUsageFleetSchema = fleetOf(collectUsageSchema)

const money = z.number().min(0)
const hours = z.number().min(0)
export const costAllocationSchema = z.strictObject({
  from: z.string(),
  to: z.string(),
  days: z.number().int().min(0),
  currency: z.string(),
  groupBy: z.array(z.string()),
  idleMode: z
    .enum(['separate', 'by-cost', 'by-requests'])
    .describe('separate: the idle row; else idle shared into rows'),
  shared: z
    .strictObject({namespaces: z.array(z.string()), labels: z.array(z.string()), cost: money})
    .describe('namespaces and labels whose cost was spread over the other rows of their cluster, and how much'),
  rows: z.array(
    z.strictObject({
      keys: z.array(z.string()).describe('one value per group-by key'),
      cpuCost: money,
      memoryCost: money,
      gpuCost: money,
      storageCost: money.describe('persistent volumes'),
      loadBalancerCost: money,
      networkCost: money.describe('bytes transmitted, when collected'),
      idleCost: money.describe('idle node cost shared to the row (--idle by-cost / by-requests)'),
      sharedCost: money.describe('cost of shared namespaces/labels spread to the row (--share)'),
      cost: money,
      share: z.number().min(0).max(1).describe('of the total'),
      cpuCoreHours: hours.describe('charged core-hours: max(request, usage) per container, node and day'),
      memoryGiBHours: hours,
      gpuHours: hours.describe('physical GPU-hours (MIG slices and time-sliced shares as fractions)'),
      cpuRequestCoreHours: hours,
      cpuUsageCoreHours: hours,
      memoryRequestGiBHours: hours,
      memoryUsageGiBHours: hours,
      gpuRequestHours: hours,
      efficiency: z
        .number()
        .min(0)
        .nullable()
        .describe('usage / request of CPU and memory weighted by their cost (kubectl-cost); null without either'),
    }),
  ),
  idle: z
    .strictObject({cpuCost: money, memoryCost: money, gpuCost: money, cost: money, share: z.number().min(0).max(1)})
    .describe('node cost not charged to any container (and not shared)'),
  totals: z
    .strictObject({
      nodes: money,
      volumes: money,
      loadBalancers: money,
      network: money,
      total: money.describe('nodes + volumes + loadBalancers + network = rows + idle'),
      allocated: money.describe('node cost charged to containers, before idle is shared'),
      idle: money,
    })
    .describe('rows + idle = total'),
  nodes: z.array(
    z.strictObject({
      cluster: z.string(),
      node: z.string(),
      capacityType: z.string(),
      hourly: money.describe('mean over the hours it existed'),
      hours,
      gpus: z.number().min(0),
      cost: money,
      allocated: money,
      idle: money,
      source: z.string().describe('how the node was priced (bill, instance-type, catalog, default rates...)'),
    }),
  ),
  sources: z
    .strictObject({history: z.array(z.string()), snapshot: z.array(z.string())})
    .describe('days charged from kube-state-metrics history, and days modelled from the snapshot'),
  warnings: z.array(z.string()),
})
