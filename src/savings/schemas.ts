import {z} from 'zod'

import {LEDGER_KINDS} from './action-state.js'

/**
 * The --json contracts of `finops savings` and `finops savings record` (published in docs/schemas);
 * the report's types derive from them, so the contract has one source.
 */

const money = z.number()
const interval = z.strictObject({low: money, high: money}).nullable()

const confidence = z.strictObject({
  grade: z.enum(['high', 'medium', 'low', 'none']),
  daysBefore: z.number().int().min(0),
  daysAfter: z.number().int().min(0),
  beforeNoise: z.number().min(0).nullable().describe("coefficient of variation of the before period's daily cost"),
})

export const ledgerEntrySchema = z.strictObject({
  actionId: z.string(),
  kind: z.enum(LEDGER_KINDS),
  namespace: z.string(),
  workloadKind: z.string(),
  workload: z.string(),
  container: z.string().optional(),
  team: z.string().describe('the team label of the workload or its namespace, or "(no team)"'),
  status: z.enum(['applied', 'rolled-back']),
  appliedAt: z.string(),
  currency: z.string(),
  promisedMonthly: money.nullable().describe('the monthly saving recorded when the action was applied'),
  realizedMonthly: money.nullable().describe('measured after the apply; null when not measurable yet'),
  interval: interval.describe('95% interval of realizedMonthly'),
  ratio: z.number().nullable().describe('realized / promised'),
  method: z.enum(['requests-repriced', 'before-rates', 'before-average']),
  confidence,
  daily: z.strictObject({before: money.nullable(), after: money.nullable(), counterfactual: money.nullable()}),
  flags: z.array(z.enum(['not-delivered', 'reverted', 'fought', 'rolled-back', 'not-measurable-yet'])),
  reverts: z.number().int().min(0),
  revertedOn: z.string().optional(),
  notes: z.array(z.string()),
})

export const savingsTotalsSchema = z.strictObject({
  currency: z.string(),
  actions: z.number().int().min(0),
  measured: z.number().int().min(0),
  flagged: z.number().int().min(0),
  promisedMonthly: money.describe('promised by every action of the group'),
  promisedMeasuredMonthly: money.describe('promised by the measured actions only (what realized compares with)'),
  realizedMonthly: money,
  ratio: z.number().nullable().describe('realized / promised over the measured actions'),
})

export const savingsGroupSchema = savingsTotalsSchema.extend({key: z.string()})

export const commitmentEntrySchema = z.strictObject({
  id: z.string(),
  provider: z.string(),
  type: z.enum(['savings-plan', 'reservation', 'committed-use']),
  hourlyCommitment: money,
  termMonths: z.number().int(),
  startDay: z.string(),
  currency: z.string(),
  promisedMonthly: money.nullable(),
  realizedMonthly: money
    .nullable()
    .describe(
      "bill level: covered usage at the rate paid without it minus the commitment's used and unused cost, per month",
    ),
  measurable: z.boolean(),
  note: z.string(),
  window: z.strictObject({from: z.string(), to: z.string()}).nullable().describe('the bill days measured'),
  coveredOnDemandMonthly: money.nullable(),
  commitmentCostMonthly: money.nullable().describe('used and unused cost per month, as the bill amortizes it'),
  unusedMonthly: money.nullable(),
  utilization: z.number().nullable(),
  ratio: z.number().nullable().describe('realized / promised'),
})

export const savingsReportSchema = z.strictObject({
  asOf: z.string().describe('the last day measured (yesterday, or --to)'),
  since: z.string().nullable(),
  filter: z.string().describe('the filters applied, empty when none'),
  method: z.string().describe('how realized savings are measured'),
  actions: z.array(ledgerEntrySchema),
  byKind: z.array(savingsGroupSchema),
  byNamespace: z.array(savingsGroupSchema),
  byTeam: z.array(savingsGroupSchema),
  totals: z.array(savingsTotalsSchema).describe('one per currency'),
  commitments: z.array(commitmentEntrySchema),
  warnings: z.array(z.string()),
})

export const savingsRecordSchema = z.strictObject({
  created: z.boolean(),
  commitment: commitmentEntrySchema.omit({
    realizedMonthly: true,
    measurable: true,
    window: true,
    coveredOnDemandMonthly: true,
    commitmentCostMonthly: true,
    unusedMonthly: true,
    utilization: true,
    ratio: true,
  }),
})

export type LedgerEntry = z.infer<typeof ledgerEntrySchema>
export type SavingsGroup = z.infer<typeof savingsGroupSchema>
export type SavingsTotals = z.infer<typeof savingsTotalsSchema>
export type CommitmentEntry = z.infer<typeof commitmentEntrySchema>
export type SavingsReport = z.infer<typeof savingsReportSchema>
export type SavingsRecordResult = z.infer<typeof savingsRecordSchema>
