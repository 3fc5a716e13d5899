import {z} from 'zod'

import {usageError, type UserInput} from '../../errors.js'
import {endpointField} from '../config-fields.js'
import {describeCollect} from '../describe.js'
import {collectSummarySchema} from '../schemas.js'
import {defineSourceCollector} from '../source-collector.js'
import {EXPORT_FORMATS} from './rollup-sql.js'

export const athenaSourceConfig = z.strictObject({
  table: z
    .string()
    .regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, {error: 'must be database.table (the Glue database and table)'})
    .describe('The AWS Data Exports table in the Glue catalog, as database.table'),
  format: z
    .enum(EXPORT_FORMATS)
    .default('focus')
    .describe('The export the table holds: focus (FOCUS 1.0 with AWS columns) or cur2 (CUR 2.0)'),
  billingAccount: z
    .string()
    .regex(/^\d{12}$/, {error: 'must be the 12-digit payer account id'})
    .describe("The payer account whose rows are read; a run replaces this account's days"),
  workgroup: z.string().min(1).optional().describe('Athena workgroup the queries run in (default: primary)'),
  outputLocation: z
    .string()
    .regex(/^s3:\/\/[^/]+/, {error: 'must be an s3:// location'})
    .optional()
    .describe("Where Athena writes query results (default: the workgroup's result location)"),
  catalog: z.string().min(1).optional().describe('Data catalog (default: AwsDataCatalog)'),
  profile: z.string().min(1).optional().describe('Named profile in ~/.aws/config (default: the default chain)'),
  region: z.string().min(1).optional().describe("Athena's region (default: AWS_REGION, else us-east-1)"),
  endpoint: endpointField.optional(),
})

export type AthenaSourceConfig = z.output<typeof athenaSourceConfig>

/** What Athena scanned and billed for a run's queries ($5 per TB, 10 MB minimum per query). */
export const athenaScanSchema = z.strictObject({
  queries: z.int().min(0).describe('queries run'),
  queryIds: z.array(z.string()).describe('Athena QueryExecutionIds, for the console or the workgroup history'),
  billingPeriods: z.array(z.string()).describe('partitions (billing_period) the queries were pruned to'),
  bytesScanned: z.int().min(0).describe('Statistics.DataScannedInBytes summed over the queries'),
  scanCostUsd: z
    .number()
    .min(0)
    .describe('what Athena bills for that scan: USD 5 per TB, each query rounded up to the MB with a 10 MB minimum'),
})

export const athenaRunSchema = collectSummarySchema.extend({scan: athenaScanSchema})
export type AthenaRunSummary = z.output<typeof athenaRunSchema>

/** AWS Data Exports (FOCUS 1.0 or CUR 2.0) in S3: the daily rollup run as SQL by Amazon Athena. */
export const athenaCollector = defineSourceCollector({
  summary:
    'AWS Data Exports (FOCUS 1.0 or CUR 2.0) queried in place by Amazon Athena: the daily rollup, partition-pruned',
  config: athenaSourceConfig,
  result: athenaRunSchema,
  entryName: (source) => source.table,
  collect: async (db, source, run) => (await import('./index.js')).collectAthena(db, source, run),
  describe: (summary) => [`${describeCollect(summary)}; ${describeScan(summary.scan)}`],
})

/** The scan as people read it: bytes, the partitions and what Athena bills. */
export function describeScan(scan: z.output<typeof athenaScanSchema>): string {
  const mb = scan.bytesScanned / 1_000_000
  return (
    `Athena scanned ${mb < 10 ? mb.toFixed(2) : Math.round(mb).toLocaleString('en-US')} MB in ${scan.queries} ${scan.queries === 1 ? 'query' : 'queries'}` +
    ` of billing periods ${scan.billingPeriods.join(', ') || 'none'} (USD ${scan.scanCostUsd.toFixed(4)} at $5/TB)`
  )
}

/** Each entry field as a user input: a flag of `collect athena`, a field of sources.athena otherwise. */
export const ATHENA_INPUTS = {
  table: {key: 'table', label: 'Athena table'},
  format: {key: 'format', label: 'export format'},
  billingAccount: {key: 'billing-account', label: 'payer account'},
  workgroup: {key: 'workgroup', label: 'workgroup'},
  outputLocation: {key: 'output-location', label: 'query result location'},
  catalog: {key: 'catalog', label: 'data catalog'},
  profile: {key: 'profile', label: 'named profile'},
  region: {key: 'region', label: 'region'},
  endpoint: {key: 'endpoint', label: 'API endpoint'},
} satisfies Record<string, UserInput>

/** One entry given field by field (the command's flags), checked by the finops.yaml schema: one line naming the first bad field. */
export function athenaEntry(fields: Partial<Record<keyof typeof ATHENA_INPUTS, string>>): AthenaSourceConfig {
  const parsed = athenaSourceConfig.safeParse(fields)
  if (parsed.success) return parsed.data
  const issue = parsed.error.issues[0]!
  const field = String(issue.path[0]) as keyof typeof ATHENA_INPUTS
  const input: UserInput = ATHENA_INPUTS[field] ?? {key: field, label: field}
  const value = fields[field]
  throw usageError(
    (n) => (value === undefined ? `the ${n(input)} is required` : `${n(input)} ${value}: ${issue.message}`),
    field === 'billingAccount'
      ? (n) => `give the 12-digit payer account id, e.g. ${n(input)} 123456789012`
      : (n) =>
          `for example ${n(ATHENA_INPUTS.table)} cid_data_export.focus ${n(ATHENA_INPUTS.billingAccount)} 123456789012`,
  )
}
