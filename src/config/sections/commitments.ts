import {z} from 'zod'

import {PAYMENTS} from '../../../recommenders/commitment/rates.js'

/** A free-text note saying where a configured figure comes from, printed next to it. */
const sourceNote = (description: string) => z.string().trim().min(1).max(200).optional().describe(description)

const rate = z.strictObject({
  provider: z
    .string()
    .trim()
    .min(1)
    .describe('as billed (ProviderName): AWS, Microsoft, Google Cloud (or aws, azure, gcp)'),
  service: z
    .string()
    .trim()
    .min(1)
    .optional()
    .describe(
      "only this service (ServiceName as billed); absent: the provider's flexible compute program (Compute Savings Plans, Azure savings plan, GCP " +
        'resource-based CUDs). Reservations and spend-based CUDs (RDS, SQL Database, Cloud SQL...) need an entry naming the service',
    ),
  termYears: z.union([z.literal(1), z.literal(3)]).describe('term: 1 or 3 years'),
  payment: z.enum(PAYMENTS).describe('upfront payment: none, partial or all'),
  discount: z
    .number()
    .gt(0, {message: 'a discount is a share of the on-demand rate above 0 and below 1, e.g. 0.28 for 28%'})
    .lt(1, {message: 'a discount is a share of the on-demand rate above 0 and below 1, e.g. 0.28 for 28%'})
    .describe('share off the on-demand-equivalent rate, e.g. 0.28 for 28%'),
  source: sourceNote(
    'where the figure comes from (your quote, the pricing page and its date): printed next to every option',
  ),
})

const day = z
  .string()
  .regex(/^\d{4}-\d\d-\d\d$/, {message: 'a day as YYYY-MM-DD, e.g. 2027-06-30'})
  .refine((v) => !Number.isNaN(Date.parse(`${v}T00:00:00Z`)), {message: 'not a calendar day'})

const held = z.strictObject({
  id: z
    .string()
    .trim()
    .min(1)
    .describe('CommitmentDiscountId as billed (Savings Plan ARN, reservation id, CUD name): matched to the bill'),
  end: day.describe('the last day the commitment runs (YYYY-MM-DD)'),
  hourlyCommitment: z
    .number()
    .positive({message: 'the hourly commitment is an amount per hour above 0, e.g. 12.5'})
    .optional()
    .describe(
      'what it costs per hour in the billing currency (absent: the commitment cost seen in the bill stands in)',
    ),
  source: sourceNote('where the figures come from (the contract, the console page and its date): printed next to them'),
})

/** Refuses a second entry with the same key, naming the first one. */
const oneEach =
  <T>(key: (entry: T) => string, what: string) =>
  (entries: T[], ctx: z.RefinementCtx): void => {
    const seen = new Map<string, number>()
    entries.forEach((e, i) => {
      const first = seen.get(key(e))
      if (first !== undefined) ctx.addIssue({code: 'custom', path: [i], message: `${what} as entry ${first}: keep one`})
      else seen.set(key(e), i)
    })
  }

/**
 * `commitments:` in finops.yaml: the rate tables `recommend --kind commitment` prices options with
 * (replacing the documented defaults option by option), and how it reads the forecast.
 */
export const commitmentsSection = z
  .strictObject({
    rates: z
      .array(rate)
      .default([])
      .superRefine(
        oneEach(
          (r) => [r.provider.toLowerCase(), r.service?.toLowerCase() ?? '', r.termYears, r.payment].join('/'),
          'the same provider, service, term and payment',
        ),
      )
      .describe('configured discounts per provider (and service), term and payment'),
    inventory: z
      .array(held)
      .default([])
      .superRefine(oneEach((e) => e.id, 'the same id'))
      .describe(
        'commitments held, with their end date and hourly commitment, for the ones no collector states (FOCUS exports, Azure, GCP): ' +
          '`commitments status` shows their expiry and renewal cost',
      ),
    level: z
      .number()
      .gt(0)
      .lt(100)
      .default(80)
      .describe(
        'interval level of the forecast whose spread sizes commitments, percent (80: its lower bound is the 10% quantile; each option is sized ' +
          'over the spread read from it, centred on its 60% quantile)',
      ),
    minHistoryDays: z
      .int()
      .min(7)
      .max(366)
      .default(14)
      .describe('a scope with fewer days of hourly usage is skipped with the reason'),
    costOfCapital: z
      .number()
      .min(0, {message: 'a yearly rate from 0 to 1, e.g. 0.05 for 5%'})
      .max(1, {message: 'a yearly rate from 0 to 1, e.g. 0.05 for 5%'})
      .default(0)
      .describe(
        "yearly cost of capital upfront payments are weighed with (0: none, as in the clouds' own figures): money paid upfront forgoes this " +
          'return over the term, so upfront options are sized on present values',
      ),
  })
  .prefault({})

export type CommitmentsConfig = z.infer<typeof commitmentsSection>
