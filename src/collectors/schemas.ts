import {z} from 'zod'

/**
 * The --json contracts of `finops collect aws|azure|gcp|all`, as zod schemas: the e2e tests parse the
 * real output with them (strictly, so a new or renamed field must be added here) and
 * docs/schemas/collect-*.schema.json are generated from them.
 */

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/)
const count = z.int().min(0)

export const collectSummarySchema = z.strictObject({
  source: z.enum(['aws-ce', 'azure', 'gcp']).describe('cost_daily.source'),
  provider: z.string().describe('FOCUS ProviderName: AWS, Microsoft, Google Cloud'),
  billingAccountId: z.string().describe('FOCUS BillingAccountId; with source and provider, the scope a run replaces'),
  location: z.string().describe('what was read (API and scope); the watermark key; never a credential'),
  window: z.strictObject({from: day, to: day}).describe('the days collected and replaced, inclusive'),
  requests: count.describe('API requests sent, retries included (Cost Explorer bills each)'),
  retries: count,
  rollupRows: count.describe('daily cost rows written'),
  totals: z
    .array(z.strictObject({currency: z.string(), billedCost: z.number(), effectiveCost: z.number()}))
    .describe('per currency, over the window'),
  watermark: z.strictObject({
    before: day.optional().describe('absent on the first run'),
    after: day,
    finalThrough: day.describe('days up to here are settled (outside the restatement window and the current month)'),
  }),
  importId: z.int(),
})

export const catalogSummarySchema = z.strictObject({
  services: z.array(
    z.strictObject({service: z.string(), serviceName: z.string(), skus: count, prices: count, spotSkus: count}),
  ),
  requests: count,
  retries: count,
})

const gcpRunSchema = z.strictObject({costs: collectSummarySchema.optional(), prices: catalogSummarySchema.optional()})

export const collectAwsSchema = z.strictObject({sources: z.array(collectSummarySchema)})
export const collectAzureSchema = z.strictObject({sources: z.array(collectSummarySchema)})
export const collectGcpSchema = z.strictObject({sources: z.array(gcpRunSchema)})
export const collectAllSchema = z.strictObject({
  sources: z.array(
    z.strictObject({
      kind: z.enum(['aws', 'azure', 'gcp', 'focus']),
      name: z.string().describe('profile or billing account, scope, table, or path'),
      ok: z.boolean(),
      result: z
        .union([collectSummarySchema, gcpRunSchema, z.record(z.string(), z.unknown()).describe('collect focus --json')])
        .optional(),
      error: z
        .strictObject({code: z.string(), message: z.string(), suggestion: z.string().optional(), exit: z.int()})
        .optional(),
    }),
  ),
})

/** Command id (as in docs/schemas/<id>.schema.json) to its schema. */
export const collectCommandSchemas = {
  'collect-aws': collectAwsSchema,
  'collect-azure': collectAzureSchema,
  'collect-gcp': collectGcpSchema,
  'collect-all': collectAllSchema,
} as const
