import {z} from 'zod'

import {endpointField, groupByField} from '../config-fields.js'
import type {CollectSummary} from '../cloud-collect.js'
import {collectSummarySchema} from '../schemas.js'
import {collectDailyCosts, defineSourceCollector} from '../source-collector.js'
import {describeCollect} from '../describe.js'

export const awsSourceConfig = z.strictObject({
  profile: z
    .string()
    .min(1)
    .optional()
    .describe('Named profile in ~/.aws/config (default: AWS_PROFILE, else the default chain)'),
  region: z.string().min(1).optional().describe('Cost Explorer region (us-east-1 for the commercial partition)'),
  billingAccount: z
    .string()
    .min(1)
    .optional()
    .describe('BillingAccountId written on the rows, e.g. the payer account id (default: the profile name)'),
  groupBy: groupByField.optional(),
  usageTypes: z
    .boolean()
    .optional()
    .describe(
      'Also fetch usage types for anomaly root causes (default true): one or two more GetCostAndUsage calls per run and page ($0.01 each)',
    ),
  resources: z
    .boolean()
    .optional()
    .describe(
      'Also fetch resource ids for anomaly root causes (default false). Enable resource-level data in the Cost Explorer settings first: ' +
        'GetCostAndUsageWithResources serves the last 14 days only, daily, one call per service and page ($0.01 each), for the resourceServices ' +
        'largest services',
    ),
  resourceServices: z
    .int()
    .min(1)
    .max(20)
    .optional()
    .describe('Services (largest usage first) resources are fetched for when resources is true (default 5)'),
  commitments: z
    .boolean()
    .optional()
    .describe(
      'Also fetch commitment usage for commitments status (default true): one more GetCostAndUsage call per page, one ' +
        'GetSavingsPlansUtilizationDetails per day with Savings Plan activity, one GetReservationUtilization per service with reservations ($0.01 each)',
    ),
  endpoint: endpointField.optional(),
})

/** AWS Cost Explorer: daily cost by linked account and service, aggregated by AWS. */
export const awsCollector = defineSourceCollector({
  summary: 'AWS Cost Explorer (GetCostAndUsage): daily cost by linked account and service',
  config: awsSourceConfig,
  result: collectSummarySchema,
  entryName: (source) => source.profile ?? source.billingAccount ?? 'default',
  collect: (db, source, run): Promise<CollectSummary> =>
    collectDailyCosts(db, source, run, async () => (await import('./index.js')).awsCostFetcher),
  describe: (summary) => [describeCollect(summary)],
})
