import {z} from 'zod'

/** The JSON contract of `finops recommend --kind commitment --json` (types derive from it). */
const option = z.strictObject({
  termYears: z.union([z.literal(1), z.literal(3)]),
  payment: z.enum(['none', 'partial', 'all']).describe('upfront payment: none, partial (half) or all'),
  discount: z.number().min(0).max(1).describe('off the on-demand-equivalent rate'),
  rateSource: z.string().describe('where the discount came from (configured rate table or a documented default)'),
  hourlyCommitment: z.number().nonnegative().describe('commitment per hour at the discounted rate, billing currency'),
  coveredOnDemandPerHour: z.number().nonnegative().describe('on-demand-equivalent spend per hour it can cover'),
  upfront: z.number().nonnegative().describe('paid at purchase'),
  monthlyPayment: z.number().nonnegative().describe('paid every month of the term'),
  expectedMonthlySavings: z
    .number()
    .describe('expected net savings per month over the term, on the lower forecast path'),
  expectedTermSavings: z.number(),
  breakEvenMonth: z
    .number()
    .int()
    .positive()
    .nullable()
    .describe('first month the cumulative savings cover what was paid; null when they never do'),
  expectedUtilization: z.number().min(0).max(1).nullable(),
  wasteMonthlyAtLower: z
    .number()
    .nonnegative()
    .describe('commitment left unused per month if usage follows the lower bound of the forecast interval'),
  lossIfUsageFallsBy: z
    .number()
    .min(0)
    .max(1)
    .nullable()
    .describe('usage drop (share) beyond which the option loses money over its term; null when nothing is bought'),
})

const ladder = z.strictObject({
  payment: z.enum(['none', 'partial', 'all']).describe('the payment of both layers'),
  threeYearHourlyCommitment: z.number().nonnegative().describe('the 3-year option of this payment, per hour'),
  threeYearCoveredOnDemandPerHour: z.number().nonnegative(),
  layerHourlyCommitment: z
    .number()
    .nonnegative()
    .describe('a 1-year commitment on top, per hour: the 1-year option of this payment less what the 3 years cover'),
  layerCoveredOnDemandPerHour: z.number().nonnegative(),
  layerDiscount: z.number().min(0).max(1),
  expectedMonthlySavingsFirstYear: z
    .number()
    .describe('expected net savings per month of both in the first year; the layer is re-sized every year'),
})

const scope = z.strictObject({
  provider: z.string(),
  billingAccountId: z.string(),
  serviceCategory: z.string(),
  serviceName: z.string(),
  regionId: z.string(),
  currency: z.string(),
})

export const commitmentRecommendationSchema = z.strictObject({
  scope,
  program: z
    .string()
    .describe('the commitment program that covers the scope (Compute Savings Plans, RDS reserved instances, ...)'),
  history: z.strictObject({from: z.string(), to: z.string(), hours: z.number().int().nonnegative()}),
  recentOnDemandPerHour: z
    .number()
    .describe('mean eligible on-demand-equivalent spend per hour not yet covered, last 28 days'),
  forecastLowerPerHour: z
    .number()
    .nullable()
    .describe('the forecast lower bound per hour over its horizon; null without a forecast'),
  forecastLevel: z.number().nullable(),
  pendingMonthlyReduction: z
    .number()
    .nonnegative()
    .describe('monthly savings of pending rightsizing/spot recommendations in this scope, taken off before sizing'),
  best: option.nullable().describe('the option with the highest expected monthly net savings; null when none saves'),
  options: z.array(option).describe('every option side by side, 1 and 3 years, each payment'),
  ladders: z
    .array(ladder)
    .describe(
      'a 3-year commitment with a 1-year layer on top, per payment, where the 1-year option covers more than the 3-year one',
    ),
  notes: z.array(z.string()),
})

export const commitmentSkipSchema = z.strictObject({scope, reason: z.string().min(1)})

export const commitmentRecommendReportSchema = z.strictObject({
  kind: z.literal('commitment'),
  generatedAt: z.string(),
  recommendations: z.array(commitmentRecommendationSchema).describe('largest expected monthly savings first'),
  skipped: z.array(commitmentSkipSchema),
  totalExpectedMonthlySavings: z.array(z.strictObject({currency: z.string(), amount: z.number()})),
})

export type CommitmentOption = z.infer<typeof option>
export type CommitmentScope = z.infer<typeof scope>
export type CommitmentLadder = z.infer<typeof ladder>
export type CommitmentRecommendation = z.infer<typeof commitmentRecommendationSchema>
export type CommitmentSkip = z.infer<typeof commitmentSkipSchema>
export type CommitmentRecommendReport = z.infer<typeof commitmentRecommendReportSchema>
