import {z} from 'zod'

import {endpointField, groupByField} from '../config-fields.js'
import {AZURE_CLOUD_NAMES} from './clouds.js'
import {describeCollect} from '../describe.js'
import type {CollectSummary} from '../cloud-collect.js'
import {collectSummarySchema} from '../schemas.js'
import {collectDailyCosts, defineSourceCollector} from '../source-collector.js'

export const azureSourceConfig = z.strictObject({
  scope: z
    .string()
    .regex(/^\/?(subscriptions|providers)\//i, {
      error: 'must be a scope such as /subscriptions/<id> or /providers/Microsoft.Billing/billingAccounts/<id>',
    })
    .describe('Cost Management scope: subscription, resource group, billing account or management group'),
  groupBy: groupByField.optional(),
  details: z
    .boolean()
    .optional()
    .describe(
      'Also fetch meters and resources for anomaly root causes (default true): two or three more queries per cost type, paged',
    ),
  commitments: z
    .boolean()
    .optional()
    .describe(
      'Also fetch commitment usage for commitments status (default false): two more AmortizedCost queries, by ServiceName x PricingModel and ' +
        'BenefitId x ChargeType, paged. Utilization is exact; the Query API has no pay-as-you-go cost, so coverage is at the commitment price and savings ' +
        'are not stated. Also lists reservations and savings plans (end date, term, hourly commitment; needs Reservations Reader and Savings plan Reader)',
    ),
  endpoint: endpointField.optional(),
  cloud: z
    .enum(AZURE_CLOUD_NAMES)
    .optional()
    .describe(
      "Azure cloud: public (default), china or usgov; sets the Resource Manager endpoint, the token's audience and the Entra ID host. With endpoint: " +
        'alone, the endpoint is the audience',
    ),
})

/** Azure Cost Management Query: daily actual and amortized cost at a scope. */
export const azureCollector = defineSourceCollector({
  summary: 'Azure Cost Management Query API: daily actual and amortized cost at a scope',
  config: azureSourceConfig,
  result: collectSummarySchema,
  entryName: (source) => source.scope,
  collect: (db, source, run): Promise<CollectSummary> =>
    collectDailyCosts(db, source, run, async () => (await import('./index.js')).azureCostFetcher),
  describe: (summary) => [describeCollect(summary)],
})
