import {z} from 'zod'

import {usageError, type UserInput} from '../../errors.js'

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
    focusView: z
      .string()
      .regex(/^[a-z][a-z0-9.:-]+\.[A-Za-z0-9_]+\.[A-Za-z0-9_$-]+$/, {error: 'must be project.dataset.view'})
      .optional()
      .describe(
        'The FOCUS BigQuery view of the billing export (or the FOCUS export table): ' +
          'the same daily rollup run by BigQuery over FOCUS columns; needs billingAccount',
      ),
    billingAccount: z
      .string()
      .min(1)
      .optional()
      .describe('Billing account id (default: read from the table name; required with focusView)'),
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
    commitmentProjects: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .describe(
        'Projects whose Compute Engine commitments (CUD end dates, plans, resources) are listed with regionCommitments.aggregatedList ' +
          '(default: the projects the export bills resource-based CUD fees to); needs compute.commitments.list',
      ),
    prices: z
      .boolean()
      .default(false)
      .describe('Also refresh Compute Engine prices (incl. Spot) from the Cloud Billing Catalog'),
    endpoint: endpointField.optional(),
  })
  .refine((s) => s.table !== undefined || s.focusView !== undefined || s.prices, {
    error: 'needs a table, a focusView, or prices: true',
  })
  .refine((s) => s.table === undefined || s.focusView === undefined, {
    error: 'give a table or a focusView, not both: both hold the same billing account',
  })
  .refine((s) => s.focusView === undefined || s.billingAccount !== undefined, {
    error: 'a focusView needs the billingAccount (XXXXXX-XXXXXX-XXXXXX) whose rows it reads',
  })

export type GcpSourceConfig = z.output<typeof gcpSourceConfig>

/** One GCP entry's outcome: the export table's spend and/or the catalog's prices. */
export const gcpRunSchema = z.strictObject({
  costs: collectSummarySchema.optional(),
  scan: z
    .strictObject({
      queries: z.int().min(0),
      bytesProcessed: z.int().min(0).describe('totalBytesProcessed of the FOCUS view queries'),
      costUsd: z.number().min(0).describe('on-demand price of that: USD 6.25 per TiB, 10 MB at least per query'),
    })
    .optional()
    .describe('what BigQuery processed for the FOCUS view rollup (with focusView)'),
  prices: catalogSummarySchema.optional(),
})

export type GcpRunSummary = z.output<typeof gcpRunSchema>

/** GCP: the BigQuery billing export, and Compute Engine prices from the Cloud Billing Catalog. */
export const gcpCollector = defineSourceCollector({
  summary: 'GCP BigQuery billing export (daily by project, service, region) and Cloud Billing Catalog prices',
  config: gcpSourceConfig,
  result: gcpRunSchema,
  entryName: (source) => source.table ?? source.focusView ?? 'prices',
  collect: async (db, source, run) => (await import('./collect.js')).collectGcp(db, source, run),
  describe: (run) =>
    [
      run.costs && `${describeCollect(run.costs)}${run.scan ? `; ${describeBigQueryScan(run.scan)}` : ''}`,
      run.prices && describeCatalog(run.prices),
    ].filter((line): line is string => Boolean(line)),
})

const TABLE_FIELD: UserInput = {key: 'table', label: 'export table'}
const FOCUS_VIEW_FIELD: UserInput = {key: 'focus-view', label: 'FOCUS view'}
const BILLING_ACCOUNT_FIELD: UserInput = {key: 'billing-account', label: 'billing account'}

/** One entry given field by field (the command's flags): the checks of the finops.yaml schema, each naming its input. */
export function gcpEntry(fields: GcpSourceConfig): GcpSourceConfig {
  if (fields.table && fields.focusView)
    throw usageError(
      (n) => `give the ${n(TABLE_FIELD)} or the ${n(FOCUS_VIEW_FIELD)}, not both: both hold the same billing account`,
    )
  if (fields.focusView && !/^[a-z][a-z0-9.:-]+\.[A-Za-z0-9_]+\.[A-Za-z0-9_$-]+$/.test(fields.focusView))
    throw usageError(
      (n) => `${n(FOCUS_VIEW_FIELD)} ${fields.focusView}: expected project.dataset.view`,
      (n) => `for example ${n(FOCUS_VIEW_FIELD)} my-project.billing.focus_v1`,
    )
  if (fields.focusView && !fields.billingAccount)
    throw usageError(
      (n) => `the ${n(FOCUS_VIEW_FIELD)} needs the ${n(BILLING_ACCOUNT_FIELD)} whose rows it reads`,
      (n) => `for example ${n(BILLING_ACCOUNT_FIELD)} 01A2B3-C4D5E6-F7A8B9`,
    )
  return fields
}

/** What BigQuery processed for the FOCUS view, as people read it. */
function describeBigQueryScan(scan: {queries: number; bytesProcessed: number; costUsd: number}): string {
  const queries = `${scan.queries} ${scan.queries === 1 ? 'query' : 'queries'}`
  return `BigQuery processed ${(scan.bytesProcessed / 1e6).toFixed(2)} MB in ${queries} (USD ${scan.costUsd.toFixed(4)} on demand)`
}
