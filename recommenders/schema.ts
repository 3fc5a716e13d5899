import {z} from 'zod'

import {RECOMMENDATION_ID_PATTERN, RECOMMENDATION_KINDS} from './registry.js'

/**
 * The JSON contract of `finops recommend --json`, as a zod schema: the e2e tests parse the command's
 * output with it, and docs/schemas/recommend.schema.json is generated from it.
 */
const target = z.strictObject({
  cluster: z.string().optional(),
  namespace: z.string(),
  kind: z.string(),
  name: z.string(),
  container: z.string().optional(),
})

const shape = z.strictObject({
  cpuRequest: z.number().nonnegative().optional().describe('cores'),
  cpuLimit: z.number().nonnegative().optional().describe('cores'),
  memoryRequest: z.number().nonnegative().optional().describe('bytes'),
  memoryLimit: z.number().nonnegative().optional().describe('bytes'),
  replicas: z.number().int().nonnegative().optional(),
  capacityType: z.enum(['on-demand', 'spot']).optional(),
  schedule: z.string().optional().describe("kube-downscaler syntax, e.g. 'uptime Mon-Fri 07:30-20:30 Europe/Berlin'"),
  cpuRequestByHour: z
    .array(z.number().nonnegative())
    .length(24)
    .optional()
    .describe('cores per UTC hour of day, hour 0 first (in-place pod resize); cpuRequest is the fixed fallback'),
})

export const recommendationSchema = z.strictObject({
  id: z.string().regex(RECOMMENDATION_ID_PATTERN).describe('stable per kind and target across runs'),
  kind: z.enum(RECOMMENDATION_KINDS),
  target,
  current: shape,
  proposed: shape,
  monthlySavings: z.number().describe('in the billing currency; negative when requests go up'),
  currency: z.string().regex(/^[A-Z]{3}$/),
  risk: z.strictObject({level: z.enum(['low', 'medium', 'high']), reasons: z.array(z.string()).min(1)}),
  evidence: z.strictObject({
    windowStart: z.string().optional(),
    windowEnd: z.string().optional(),
    samples: z.number().int().nonnegative().optional(),
    percentiles: z.record(z.string(), z.number()).optional(),
    notes: z.array(z.string()).optional(),
  }),
  trackRecord: z
    .strictObject({
      ratio: z.number().describe("realized / promised over finops's measured actions of this kind"),
      actions: z.number().int().min(1),
      expectedMonthlySavings: z.number().describe('monthlySavings x the ratio (at most monthlySavings)'),
    })
    .optional()
    .describe('the savings ledger of this kind, when enough actions were measured (finops savings)'),
})

export const skippedSchema = z.strictObject({
  kind: z.enum(RECOMMENDATION_KINDS),
  target,
  reason: z.string().min(1),
})

export const recommendReportSchema = z.strictObject({
  recommendations: z.array(recommendationSchema).describe('largest monthly savings first'),
  skipped: z.array(skippedSchema),
  totalMonthlySavings: z.number(),
  currency: z.string().regex(/^[A-Z]{3}$/),
  generatedAt: z.string(),
  window: z
    .strictObject({from: z.string(), to: z.string()})
    .nullable()
    .describe('usage days read, inclusive; null without usage'),
  cluster: z.string(),
  runId: z.number().int().nullable().describe('stored run id; null with --no-save'),
})
