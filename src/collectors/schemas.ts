import {z} from 'zod'

/**
 * The results of the cloud cost collectors, as zod schemas: the one source of their TypeScript types
 * (z.output) and of the published JSON Schemas of `collect aws|azure|gcp|all --json`. Strict, so a new
 * or renamed field must be added here.
 */

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/)
const count = z.int().min(0)

export const collectSummarySchema = z.strictObject({
  source: z.string().min(1).describe('cost_daily.source: the collector that wrote the rows (aws-ce, azure, gcp, ...)'),
  provider: z.string().describe('FOCUS ProviderName: AWS, Microsoft, Google Cloud'),
  billingAccountId: z.string().describe('FOCUS BillingAccountId; with source and provider, the scope a run replaces'),
  location: z.string().describe('what was read (API and scope); the watermark key; never a credential'),
  window: z.strictObject({from: day, to: day}).describe('the days collected and replaced, inclusive'),
  requests: count.describe('API requests sent, retries included (Cost Explorer bills each)'),
  retries: count,
  rollupRows: count.describe('daily cost rows written'),
  commitmentRows: count.describe(
    'commitment_usage rows written: days of eligible, covered and unused commitment spend (for commitments status)',
  ),
  totals: z
    .array(z.strictObject({currency: z.string(), billedCost: z.number(), effectiveCost: z.number()}))
    .describe('per currency, over the window'),
  watermark: z.strictObject({
    before: day.optional().describe('absent on the first run'),
    after: day,
    finalThrough: day.describe('days up to here are settled (outside the restatement window and the current month)'),
  }),
  importId: z.int(),
  details: z
    .strictObject({
      usageTypes: count.describe('distinct usage types (AWS usage type, Azure meter, GCP SKU) written below the grain'),
      resources: count.describe('distinct resources written below the grain'),
      missing: z.array(z.string()).describe('what this source could not give below the grain, and why'),
    })
    .describe('usage types and resources kept for root causes (cost_details), replaced with the window'),
})

export const catalogSummarySchema = z.strictObject({
  services: z.array(
    z.strictObject({service: z.string(), serviceName: z.string(), skus: count, prices: count, spotSkus: count}),
  ),
  requests: count,
  retries: count,
})
