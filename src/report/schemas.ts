import {z} from 'zod'

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/)

/** `finops report --json`: where the page was written and what it covers. */
export const reportSchema = z.strictObject({
  out: z.string().describe('absolute path of the HTML file written'),
  from: day,
  to: day,
  currency: z.string().describe('the currency the charts draw (the scope’s largest)'),
})

export type ReportCommandResult = z.infer<typeof reportSchema>
