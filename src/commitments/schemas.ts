import {z} from 'zod'

/**
 * The JSON contract of `finops commitments status --json` (one source: the types derive from it,
 * docs/schemas/commitments-status.schema.json is generated from it).
 */
const currency = z.string().min(1).describe('the billing currency of the amounts (ISO 4217 as billed)')

const renewal = z.strictObject({
  renewMonthlyCost: z
    .number()
    .describe(
      'what renewing the same commitment costs per month: its hourly commitment x 730 when a source states it, else the commitment cost seen',
    ),
  renewSource: z.string().describe('where renewMonthlyCost comes from'),
  notRenewingMonthlyCost: z
    .number()
    .describe('what the usage it covers would cost per month at the on-demand-equivalent rate instead'),
  notRenewingSource: z.string().describe('where notRenewingMonthlyCost comes from'),
  monthlyDifference: z
    .number()
    .describe('notRenewingMonthlyCost - renewMonthlyCost: positive when renewing saves money at the usage seen'),
})

export const commitmentStatusEntrySchema = z.strictObject({
  id: z.string().min(1).describe('CommitmentDiscountId as billed'),
  provider: z.string(),
  billingAccountId: z.string(),
  type: z.string().describe("the provider's label (Savings Plan, Reservation, ...); '' when not billed"),
  category: z.string().describe("Spend or Usage; '' when not billed"),
  currency,
  usedCost: z.number().describe('commitment cost applied to usage (EffectiveCost of Used rows)'),
  unusedCost: z.number().describe('commitment cost wasted (EffectiveCost of Unused rows)'),
  utilization: z.number().min(0).max(1).nullable().describe('usedCost / (usedCost + unusedCost); null without cost'),
  coveredOnDemandCost: z
    .number()
    .describe('what the covered usage would have cost on demand (Contracted or List cost)'),
  netSavings: z.number().describe('coveredOnDemandCost - usedCost - unusedCost over the window'),
  fees: z.number().describe('BilledCost of the purchase rows in the window (upfront and recurring fees)'),
  families: z.array(z.string()).describe('service/region families it covered'),
  expiry: z
    .string()
    .describe(
      "the last day it runs (YYYY-MM-DD) when a source states it (a collector, commitments.inventory, finops savings record), else 'unknown' " +
        '(FOCUS 1.0 exports do not carry it)',
    ),
  daysLeft: z.number().int().nullable().describe('days from today to the end (negative: ended); null when unknown'),
  expirySource: z.string().nullable().describe('where the end date comes from; null when unknown'),
  hourlyCommitment: z
    .number()
    .nullable()
    .describe('what it costs per hour as its source states it (fees included); null when no source states it'),
  renewal,
})

export const commitmentFamilySchema = z.strictObject({
  provider: z.string(),
  serviceCategory: z.string(),
  serviceName: z.string(),
  regionId: z.string(),
  currency,
  eligibleOnDemandCost: z.number().describe('on-demand-equivalent cost of all eligible usage (covered or not)'),
  coveredOnDemandCost: z.number(),
  onDemandCost: z.number().describe('what was paid for usage no commitment covered'),
  commitmentCost: z.number().describe('commitment cost applied to this family (Used rows)'),
  coverage: z
    .number()
    .min(0)
    .max(1)
    .nullable()
    .describe('coveredOnDemandCost / eligibleOnDemandCost; null without spend'),
})

export const commitmentsStatusSchema = z.strictObject({
  window: z.strictObject({from: z.string(), to: z.string(), hours: z.number().int().positive()}),
  commitments: z.array(commitmentStatusEntrySchema).describe('largest commitment cost first'),
  families: z.array(commitmentFamilySchema).describe('largest eligible spend first'),
  totals: z.array(
    z.strictObject({
      currency,
      eligibleOnDemandCost: z.number(),
      coveredOnDemandCost: z.number(),
      coverage: z.number().min(0).max(1).nullable(),
      usedCost: z.number(),
      unusedCost: z.number(),
      utilization: z.number().min(0).max(1).nullable(),
      netSavings: z.number(),
    }),
  ),
  notes: z.array(z.string()),
})

export type CommitmentsStatus = z.infer<typeof commitmentsStatusSchema>
export type CommitmentStatusEntry = z.infer<typeof commitmentStatusEntrySchema>
export type CommitmentFamily = z.infer<typeof commitmentFamilySchema>
