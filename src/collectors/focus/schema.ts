import {z} from 'zod'

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/)
const count = z.int().min(0)

/** What a FOCUS import returned: the `collect focus --json` contract and the type (z.output) of its summary. */
export const focusImportSchema = z.strictObject({
  files: z.array(z.strictObject({path: z.string(), rows: count, skipped: count})),
  rowsRead: count,
  rowsSkipped: count.describe('bad rows left out with --skip-invalid'),
  skippedByColumn: z.record(z.string(), count).describe('skipped rows by the column that made them unusable'),
  rollupRows: count.describe('daily rollup rows now held for the replaced billing periods'),
  billingPeriods: z
    .array(z.strictObject({provider: z.string(), billingAccountId: z.string(), billingPeriodStart: day}))
    .describe('the scopes this import replaced'),
  days: z.strictObject({first: day, last: day}).optional(),
  currencies: z.array(z.string()),
  importId: z.int(),
})

export type FocusImportSummary = z.output<typeof focusImportSchema>
