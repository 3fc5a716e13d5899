import {z} from 'zod'

import {endpointField} from '../config-fields.js'
import {describeCatalog, describeCollect} from '../describe.js'
import {catalogSummarySchema, collectSummarySchema} from '../schemas.js'
import {defineSourceCollector} from '../source-collector.js'

export const gcpSourceConfig = z
  .strictObject({
    table: z
      .string()
      .regex(/^[a-z][a-z0-9.:-]+\.[A-Za-z0-9_]+\.[A-Za-z0-9_$-]+$/, {error: 'must be project.dataset.table'})
      .optional()
      .describe('BigQuery billing export table (standard or detailed)'),
    billingAccount: z.string().min(1).optional().describe('Billing account id (default: read from the table name)'),
    project: z.string().min(1).optional().describe("Project the query job runs in (default: the table's project)"),
    location: z.string().min(1).optional().describe('BigQuery dataset location, e.g. US or EU'),
    label: z.string().min(1).optional().describe('A resource label key grouped on and stored as a tag'),
    detailedExport: z
      .boolean()
      .optional()
      .describe(
        'The table has resource.name (a detailed, resource-level export), so root causes can name resources (default: true when the table is named ' +
          'gcp_billing_export_resource_v1_…)',
      ),
    commitments: z
      .boolean()
      .optional()
      .describe(
        'Also read commitment usage (CUD credits and fees) for commitments status (default true): one more query over the same partitions',
      ),
    prices: z
      .boolean()
      .default(false)
      .describe('Also refresh Compute Engine prices (incl. Spot) from the Cloud Billing Catalog'),
    endpoint: endpointField.optional(),
  })
  .refine((s) => s.table !== undefined || s.prices, {error: 'needs a table, or prices: true'})

export type GcpSourceConfig = z.output<typeof gcpSourceConfig>

/** One GCP entry's outcome: the export table's spend and/or the catalog's prices. */
export const gcpRunSchema = z.strictObject({
  costs: collectSummarySchema.optional(),
  prices: catalogSummarySchema.optional(),
})

export type GcpRunSummary = z.output<typeof gcpRunSchema>

/** GCP: the BigQuery billing export, and Compute Engine prices from the Cloud Billing Catalog. */
export const gcpCollector = defineSourceCollector({
  summary: 'GCP BigQuery billing export (daily by project, service, region) and Cloud Billing Catalog prices',
  config: gcpSourceConfig,
  result: gcpRunSchema,
  entryName: (source) => source.table ?? 'prices',
  collect: async (db, source, run) => (await import('./collect.js')).collectGcp(db, source, run),
  describe: (run) =>
    [run.costs && describeCollect(run.costs), run.prices && describeCatalog(run.prices)].filter(
      (line): line is string => Boolean(line),
    ),
})
