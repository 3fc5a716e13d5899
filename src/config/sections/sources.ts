import {z} from 'zod'

/**
 * `sources:` in finops.yaml: the billing sources `finops collect all` collects, each validated so an
 * error names the field (`sources.azure.0.scope: ...`). One entry or a list per cloud.
 */
const groupBy = z
  .string()
  .regex(/^(region|tag:.+)$/, {error: 'must be "region" or "tag:<key>"'})
  .describe('An extra grouping beyond service and account: region, or one cost allocation tag / label key (tag:team)')
const endpoint = z
  .url({protocol: /^https?$/, error: 'must be an http(s) URL'})
  .describe('API endpoint override (sovereign clouds, private endpoints, local test servers)')

const awsSource = z.strictObject({
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
  groupBy: groupBy.optional(),
  endpoint: endpoint.optional(),
})

const azureSource = z.strictObject({
  scope: z
    .string()
    .regex(/^\/?(subscriptions|providers)\//i, {
      error: 'must be a scope such as /subscriptions/<id> or /providers/Microsoft.Billing/billingAccounts/<id>',
    })
    .describe('Cost Management scope: subscription, resource group, billing account or management group'),
  groupBy: groupBy.optional(),
  endpoint: endpoint.optional(),
})

const gcpSource = z
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
    prices: z
      .boolean()
      .default(false)
      .describe('Also refresh Compute Engine prices (incl. Spot) from the Cloud Billing Catalog'),
    endpoint: endpoint.optional(),
  })
  .refine((s) => s.table !== undefined || s.prices, {error: 'needs a table, or prices: true'})

const focusSource = z.strictObject({
  path: z.string().min(1).describe('FOCUS export file or directory'),
})

/** One entry or a list: `aws: {profile: payer}` and `aws: [{profile: a}, {profile: b}]` both work. */
const oneOrMany = <T extends z.ZodType>(schema: T) =>
  z.preprocess(
    (v) => (v === undefined || v === null || Array.isArray(v) ? (v ?? undefined) : [v]),
    z.array(schema).optional(),
  )

export const sourcesSection = z
  .strictObject({
    restatementDays: z
      .int()
      .min(0)
      .max(60)
      .default(3)
      .describe(
        'Days before the watermark re-collected on every run (providers restate recent days); the current month is always re-collected',
      ),
    initialDays: z.int().min(1).max(400).default(90).describe('Days the first run of a source collects'),
    retry: z
      .strictObject({
        maxAttempts: z.int().min(1).max(10).default(5).describe('Attempts per request, the first included'),
        baseDelayMs: z
          .int()
          .min(0)
          .max(60_000)
          .default(1000)
          .describe('First backoff step; doubled per retry, with full jitter'),
        maxDelayMs: z
          .int()
          .min(0)
          .max(300_000)
          .default(30_000)
          .describe('Longest single wait; a longer retry-after ends the run'),
      })
      .prefault({}),
    aws: oneOrMany(awsSource),
    azure: oneOrMany(azureSource),
    gcp: oneOrMany(gcpSource),
    focus: oneOrMany(focusSource),
  })
  .prefault({})

export type SourcesConfig = z.infer<typeof sourcesSection>
export type AwsSourceConfig = z.infer<typeof awsSource>
export type AzureSourceConfig = z.infer<typeof azureSource>
export type GcpSourceConfig = z.infer<typeof gcpSource>
