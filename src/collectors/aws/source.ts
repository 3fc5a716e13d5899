import {z} from 'zod'

import {endpointField, groupByField} from '../config-fields.js'
import {collectSummarySchema} from '../schemas.js'
import {defineSourceCollector, parseExtraGroup} from '../source-collector.js'
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
  endpoint: endpointField.optional(),
})

/** AWS Cost Explorer: daily cost by linked account and service, aggregated by AWS. */
export const awsCollector = defineSourceCollector({
  summary: 'AWS Cost Explorer (GetCostAndUsage): daily cost by linked account and service',
  config: awsSourceConfig,
  result: collectSummarySchema,
  entryName: (source) => source.profile ?? source.billingAccount ?? 'default',
  collect: async (db, source, run) => {
    const [{awsCostFetcher}, {collectCloudCosts}] = await Promise.all([
      import('./index.js'),
      import('../cloud-collect.js'),
    ])
    const fetcher = awsCostFetcher({
      ...source,
      extraGroup: parseExtraGroup(source.groupBy),
      retry: run.retry,
      retryHooks: run.retryHooks,
    })
    return collectCloudCosts(db, fetcher, run)
  },
  describe: (summary) => [describeCollect(summary)],
})
