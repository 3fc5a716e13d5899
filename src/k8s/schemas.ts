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
})

const money = z.number().min(0)
export const costAllocationSchema = z.strictObject({
  from: z.string(),
  to: z.string(),
  days: z.number().int().min(0),
  currency: z.string(),
  groupBy: z.array(z.string()),
  rows: z.array(
    z.strictObject({
      keys: z.array(z.string()).describe('one value per group-by key'),
      cpuCost: money,
      memoryCost: money,
      cost: money,
      cpuCoreHours: z.number().min(0).describe('charged core-hours: max(request, usage)'),
      memoryGiBHours: z.number().min(0),
      share: z.number().min(0).max(1).describe('of the node total'),
    }),
  ),
  idle: z
    .strictObject({cpuCost: money, memoryCost: money, cost: money, share: z.number().min(0).max(1)})
    .describe('node cost not charged to any container'),
  totals: z.strictObject({nodes: money, allocated: money, idle: money}).describe('allocated + idle = nodes'),
  nodes: z.array(
    z.strictObject({
      cluster: z.string(),
      node: z.string(),
      capacityType: z.string(),
      hourly: money,
      cost: money,
      allocated: money,
      idle: money,
      source: z.string().describe('how the node was priced'),
    }),
  ),
  warnings: z.array(z.string()),
})
