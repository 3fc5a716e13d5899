import {z} from 'zod'

/**
 * The --json contracts of `finops collect focus`, `cost report`, `cost export --out` and `demo`, as
 * zod schemas: the e2e tests parse the real output with them (strictly, so a new or renamed field
 * must be added here) and docs/schemas/*.schema.json are generated from them.
 */
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/)
const count = z.int().min(0)

const change = z.number().nullable().describe('(total - previous) / |previous|; null when the previous total is 0')

export const costReportSchema = z.strictObject({
  from: day,
  to: day,
  previousFrom: day,
  previousTo: day,
  metric: z.enum(['billed', 'effective', 'list']),
  granularity: z.enum(['day', 'week', 'month', 'total']),
  groupBy: z.array(z.string()),
  periods: z.array(z.string()).describe("period starts (YYYY-MM-DD; months YYYY-MM) or ['total']"),
  currencies: z.array(z.string()),
  rows: z.array(
    z.strictObject({
      keys: z.array(z.string()).describe("one per group key; '' where the dimension is absent"),
      currency: z.string(),
      periods: z.array(z.number()),
      total: z.number(),
      previousTotal: z.number(),
      change,
      share: z.number().describe("of this currency's total"),
      daily: z.array(z.number()),
      other: z.boolean().optional().describe('the row folding everything past --top'),
    }),
  ),
  totals: z
    .array(
      z.strictObject({
        currency: z.string(),
        periods: z.array(z.number()),
        total: z.number(),
        previousTotal: z.number(),
        change,
      }),
    )
    .describe('one per currency; currencies are never added together'),
})

export const costExportSchema = z.strictObject({
  rows: count,
  from: day.nullable(),
  to: day.nullable(),
  columns: z.array(z.string()),
  out: z.string(),
})

export const demoSchema = z.strictObject({
  db: z.string(),
  workDir: z.string(),
  steps: z.array(z.strictObject({title: z.string(), ok: z.boolean()})),
})
