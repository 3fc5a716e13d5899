import type {
  Expression,
  GetCostAndUsageCommandOutput,
  GetReservationUtilizationCommandOutput,
  GetSavingsPlansUtilizationDetailsCommandOutput,
} from '@aws-sdk/client-cost-explorer'

import {addDays, monthStart} from '../../dates.js'
import {type FetchedCommitmentTerm, type FetchedCommitmentUsage, shareByWeight} from '../cloud-commitments.js'
import type {AwsCall} from './plan.js'

/**
 * Cost Explorer SERVICE names whose usage a Savings Plan or a reservation can cover, with their
 * FOCUS ServiceCategory. Fargate bills under Elastic Container Service, Lambda under its own name.
 */
export const COMMITMENT_SERVICES: Record<string, string> = {
  'Amazon Elastic Compute Cloud - Compute': 'Compute',
  'Amazon Elastic Container Service': 'Compute',
  'AWS Lambda': 'Compute',
  'Amazon Relational Database Service': 'Databases',
  'Amazon ElastiCache': 'Databases',
  'Amazon MemoryDB': 'Databases',
  'Amazon DynamoDB': 'Databases',
  'Amazon Redshift': 'Analytics',
  'Amazon OpenSearch Service': 'Analytics',
  'Amazon Elasticsearch Service': 'Analytics',
  'Amazon SageMaker': 'AI and Machine Learning',
}

/** The services GetReservationUtilization answers for (one per request; its default is EC2). */
export const RESERVATION_SERVICES = new Set([
  'Amazon Elastic Compute Cloud - Compute',
  'Amazon Relational Database Service',
  'Amazon ElastiCache',
  'Amazon Redshift',
  'Amazon OpenSearch Service',
  'Amazon Elasticsearch Service',
])

/** The services each kind of Savings Plan covers (SavingsPlansType attribute); others cover nothing here. */
const SAVINGS_PLAN_SERVICES: Record<string, readonly string[]> = {
  ComputeSavingsPlans: ['Amazon Elastic Compute Cloud - Compute', 'Amazon Elastic Container Service', 'AWS Lambda'],
  EC2InstanceSavingsPlans: ['Amazon Elastic Compute Cloud - Compute'],
  SageMakerSavingsPlans: ['Amazon SageMaker'],
  DatabaseSavingsPlans: [
    'Amazon Relational Database Service',
    'Amazon ElastiCache',
    'Amazon MemoryDB',
    'Amazon DynamoDB',
  ],
}

/** Record types of usage a commitment could cover or covered; on-demand usage is `Usage`. */
const COVERABLE = ['Usage', 'DiscountedUsage', 'SavingsPlanCoveredUsage']
/** The fees that show a commitment exists even on a day it covered nothing. */
const FEES = ['SavingsPlanRecurringFee', 'RIFee']

/**
 * The one GetCostAndUsage call behind commitment usage: eligible usage (on demand, RI-covered and
 * Savings-Plan-covered; Spot excluded, it cannot be committed) and the commitments' fees, by service
 * and record type. SavingsPlanCoveredUsage's UnblendedCost is the on-demand cost of what a plan
 * covered and its AmortizedCost what the plan charged for it; for DiscountedUsage the amortized RI
 * cost is there, the on-demand equivalent comes from GetReservationUtilization.
 */
export function commitmentUsageCall(): AwsCall {
  const coverable: Expression = {
    And: [
      {Dimensions: {Key: 'RECORD_TYPE', Values: COVERABLE}},
      {Dimensions: {Key: 'SERVICE', Values: Object.keys(COMMITMENT_SERVICES)}},
      {Not: {Dimensions: {Key: 'PURCHASE_TYPE', Values: ['Spot Instances']}}},
    ],
  }
  return {
    label: 'commitment usage',
    groupBy: [
      {Type: 'DIMENSION', Key: 'SERVICE'},
      {Type: 'DIMENSION', Key: 'RECORD_TYPE'},
    ],
    filter: {Or: [coverable, {Dimensions: {Key: 'RECORD_TYPE', Values: FEES}}]},
  }
}

/** One day's cost of a service and record type from the commitment usage call. */
export interface CommitmentCell {
  day: string
  service: string
  recordType: string
  unblended: number
  amortized: number
  currency: string
}

export function toCommitmentCells(page: GetCostAndUsageCommandOutput): CommitmentCell[] {
  const cells: CommitmentCell[] = []
  for (const result of page.ResultsByTime ?? []) {
    const day = result.TimePeriod?.Start
    if (!day) continue
    for (const group of result.Groups ?? []) {
      const unblended = Number(group.Metrics?.UnblendedCost?.Amount ?? 0)
      const amortized = Number(group.Metrics?.AmortizedCost?.Amount ?? 0)
      if (unblended === 0 && amortized === 0) continue
      cells.push({
        day,
        service: group.Keys?.[0] ?? '',
        recordType: group.Keys?.[1] ?? '',
        unblended,
        amortized,
        currency: (group.Metrics?.AmortizedCost?.Unit ?? group.Metrics?.UnblendedCost?.Unit ?? 'USD').toUpperCase(),
      })
    }
  }
  return cells
}

/** What the commitment usage call says must be asked next: the days with Savings Plan activity and the RI services. */
export function commitmentFollowUps(cells: readonly CommitmentCell[]): {planDays: string[]; riServices: string[]} {
  const planDays = new Set<string>()
  const riServices = new Set<string>()
  for (const c of cells) {
    if (c.recordType === 'SavingsPlanCoveredUsage' || c.recordType === 'SavingsPlanRecurringFee') planDays.add(c.day)
    if ((c.recordType === 'DiscountedUsage' || c.recordType === 'RIFee') && RESERVATION_SERVICES.has(c.service))
      riServices.add(c.service)
  }
  return {planDays: [...planDays].sort(), riServices: [...riServices].sort()}
}

/** One commitment's day: what it charged for usage it covered, what went unused, and the on-demand cost it replaced. */
export interface CommitmentDay {
  day: string
  id: string
  kind: 'savings-plan' | 'reservation'
  /** SavingsPlansType (ComputeSavingsPlans, ...) or the reservation's service. */
  type: string
  usedCost: number
  unusedCost: number
  onDemandCost: number
  /** The day's recurring fee (AmortizedRecurringCommitment, AmortizedRecurringFee): kept as the commitment's Purchase row. */
  recurringFee: number
}

/** A GetSavingsPlansUtilizationDetails answer for one day, per plan (UsedCommitment, UnusedCommitment, OnDemandCostEquivalent). */
export function toPlanDays(day: string, page: GetSavingsPlansUtilizationDetailsCommandOutput): CommitmentDay[] {
  return (page.SavingsPlansUtilizationDetails ?? []).flatMap((d): CommitmentDay[] =>
    d.SavingsPlanArn
      ? [
          {
            day,
            id: d.SavingsPlanArn,
            kind: 'savings-plan',
            type: d.Attributes?.SavingsPlansType ?? '',
            usedCost: Number(d.Utilization?.UsedCommitment ?? 0),
            unusedCost: Number(d.Utilization?.UnusedCommitment ?? 0),
            onDemandCost: Number(d.Savings?.OnDemandCostEquivalent ?? 0),
            recurringFee: Number(d.AmortizedCommitment?.AmortizedRecurringCommitment ?? 0),
          },
        ]
      : [],
  )
}

/**
 * A GetReservationUtilization answer grouped by SUBSCRIPTION_ID, per reservation and day: the used
 * cost is the amortized fee less the cost of unused hours. A period longer than a day (the API
 * picks the granularity when grouping) is spread evenly over its days.
 */
export function toReservationDays(service: string, page: GetReservationUtilizationCommandOutput): CommitmentDay[] {
  const out: CommitmentDay[] = []
  for (const period of page.UtilizationsByTime ?? []) {
    const start = period.TimePeriod?.Start
    const end = period.TimePeriod?.End
    if (!start || !end) continue
    const days: string[] = []
    for (let d = start; d < end; d = addDays(d, 1)) days.push(d)
    for (const g of period.Groups ?? []) {
      if (!g.Value || days.length === 0) continue
      const u = g.Utilization ?? {}
      const unused = Number(u.RICostForUnusedHours ?? 0)
      const used = Number(u.TotalAmortizedFee ?? 0) - unused
      const onDemand = Number(u.OnDemandCostOfRIHoursUsed ?? 0)
      const recurring = Number(u.AmortizedRecurringFee ?? 0)
      for (const day of days)
        out.push({
          day,
          id: g.Value,
          kind: 'reservation',
          type: service,
          usedCost: used / days.length,
          unusedCost: unused / days.length,
          onDemandCost: onDemand / days.length,
          recurringFee: recurring / days.length,
        })
    }
  }
  return out
}

/** An ISO date-time's day ('' when absent or not a date). */
const dayOf = (value: string | undefined): string => (value && /^\d{4}-\d\d-\d\d/.test(value) ? value.slice(0, 10) : '')
const amountOf = (value: string | undefined): number | null =>
  value !== undefined && value !== '' && Number.isFinite(Number(value)) ? Number(value) : null

/**
 * Each plan's term from a one-day GetSavingsPlansUtilizationDetails answer: its end and start
 * (Attributes EndDateTime, StartDateTime), fees (UpfrontFee, RecurringHourlyFee), term and payment
 * (PurchaseTerm, PaymentOption), and its hourly commitment, the day's TotalCommitment over 24 hours.
 */
export function toPlanTerms(
  day: string,
  page: GetSavingsPlansUtilizationDetailsCommandOutput,
): FetchedCommitmentTerm[] {
  return (page.SavingsPlansUtilizationDetails ?? []).flatMap((d): FetchedCommitmentTerm[] => {
    if (!d.SavingsPlanArn) return []
    const a = d.Attributes ?? {}
    const total = amountOf(d.Utilization?.TotalCommitment)
    return [
      {
        commitmentId: d.SavingsPlanArn,
        startDay: dayOf(a.StartDateTime),
        endDay: dayOf(a.EndDateTime),
        hourlyCommitment: total === null ? null : total / 24,
        upfrontFee: amountOf(a.UpfrontFee),
        recurringHourlyFee: amountOf(a.RecurringHourlyFee),
        term: a.PurchaseTerm ?? '',
        payment: a.PaymentOption ?? '',
        currency: 'USD',
        source:
          'AWS Cost Explorer GetSavingsPlansUtilizationDetails (Attributes EndDateTime; Utilization TotalCommitment / 24 h)',
        seenDay: day,
      },
    ]
  })
}

/**
 * Each reservation's term from GetReservationUtilization grouped by SUBSCRIPTION_ID, as of its
 * latest period: its end and start (Attributes endDateTime, startDateTime), payment
 * (subscriptionType) and its hourly cost, the period's TotalAmortizedFee over the period's hours.
 */
export function toReservationTerms(page: GetReservationUtilizationCommandOutput): FetchedCommitmentTerm[] {
  const latest = new Map<string, FetchedCommitmentTerm>()
  for (const period of page.UtilizationsByTime ?? []) {
    const start = period.TimePeriod?.Start
    const end = period.TimePeriod?.End
    if (!start || !end) continue
    const hours = (Date.parse(`${end}T00:00:00Z`) - Date.parse(`${start}T00:00:00Z`)) / 3_600_000
    for (const g of period.Groups ?? []) {
      if (!g.Value || !(hours > 0)) continue
      const seenDay = addDays(end, -1)
      if ((latest.get(g.Value)?.seenDay ?? '') > seenDay) continue
      const a = g.Attributes ?? {}
      const fee = amountOf(g.Utilization?.TotalAmortizedFee)
      latest.set(g.Value, {
        commitmentId: g.Value,
        startDay: dayOf(a.startDateTime),
        endDay: dayOf(a.endDateTime),
        hourlyCommitment: fee === null ? null : fee / hours,
        upfrontFee: null,
        recurringHourlyFee: null,
        term: '',
        payment: a.subscriptionType ?? '',
        currency: 'USD',
        source:
          'AWS Cost Explorer GetReservationUtilization by SUBSCRIPTION_ID (Attributes endDateTime; TotalAmortizedFee per hour)',
        seenDay,
      })
    }
  }
  return [...latest.values()]
}

const usageRow = (
  day: string,
  service: string,
  currency: string,
): Omit<
  FetchedCommitmentUsage,
  | 'billedCost'
  | 'effectiveCost'
  | 'listCost'
  | 'contractedCost'
  | 'pricingCategory'
  | 'commitmentId'
  | 'commitmentStatus'
  | 'commitmentCategory'
  | 'commitmentType'
> => ({
  day,
  billingPeriodStart: monthStart(day),
  subAccountId: '',
  serviceName: service,
  serviceCategory: COMMITMENT_SERVICES[service] ?? '',
  regionId: '',
  chargeCategory: 'Usage',
  chargeFrequency: 'Usage-Based',
  currency,
})

/**
 * Commitment usage per day from the three answers: on-demand eligible usage per service; each
 * commitment's used cost and the on-demand cost it replaced, shared among the services it can cover
 * by what each service had covered that day (exact with one commitment per kind; otherwise every
 * commitment of a kind is assumed to cover its services in the same proportions); its unused cost.
 * Cost Explorer aggregates by day, so these are daily rows.
 */
export function awsCommitmentUsage(
  cells: readonly CommitmentCell[],
  commitments: readonly CommitmentDay[],
): FetchedCommitmentUsage[] {
  const out: FetchedCommitmentUsage[] = []
  const currency = cells[0]?.currency ?? 'USD'
  const covered = new Map<string, CommitmentCell[]>()
  for (const c of cells) {
    if (c.recordType === 'Usage')
      out.push({
        ...usageRow(c.day, c.service, c.currency),
        pricingCategory: 'standard',
        commitmentId: '',
        commitmentStatus: '',
        commitmentCategory: '',
        commitmentType: '',
        billedCost: c.unblended,
        effectiveCost: c.amortized,
        listCost: 0,
        contractedCost: 0,
      })
    if (c.recordType === 'SavingsPlanCoveredUsage' || c.recordType === 'DiscountedUsage') {
      const key = `${c.day}\u0000${c.recordType}`
      covered.set(key, [...(covered.get(key) ?? []), c])
    }
  }
  for (const k of commitments) {
    const label =
      k.kind === 'savings-plan'
        ? {commitmentCategory: 'Spend', commitmentType: k.type ? `Savings Plan (${k.type})` : 'Savings Plan'}
        : {commitmentCategory: 'Usage', commitmentType: 'Reserved Instance'}
    const recordType = k.kind === 'savings-plan' ? 'SavingsPlanCoveredUsage' : 'DiscountedUsage'
    const canCover = k.kind === 'savings-plan' ? SAVINGS_PLAN_SERVICES[k.type] : [k.type]
    const services = (covered.get(`${k.day}\u0000${recordType}`) ?? []).filter(
      (c) => canCover === undefined || canCover.includes(c.service),
    )
    const targets = services.length > 0 ? services : [{service: k.kind === 'reservation' ? k.type : '', amortized: 1}]
    if (k.usedCost !== 0 || k.onDemandCost !== 0)
      for (const {part, share} of shareByWeight(targets, (t) => t.amortized))
        out.push({
          ...usageRow(k.day, part.service, currency),
          ...label,
          pricingCategory: 'committed',
          commitmentId: k.id,
          commitmentStatus: 'used',
          billedCost: 0,
          effectiveCost: k.usedCost * share,
          listCost: k.onDemandCost * share,
          contractedCost: k.onDemandCost * share,
        })
    // The fee the commitment charges whether used or not (unused commitment = fee not covered by usage).
    if (k.recurringFee !== 0)
      out.push({
        ...usageRow(k.day, k.kind === 'reservation' ? k.type : '', currency),
        ...label,
        chargeCategory: 'Purchase',
        chargeFrequency: 'Recurring',
        pricingCategory: 'committed',
        commitmentId: k.id,
        commitmentStatus: '',
        billedCost: k.recurringFee,
        effectiveCost: 0,
        listCost: 0,
        contractedCost: 0,
      })
    if (k.unusedCost !== 0)
      out.push({
        ...usageRow(k.day, k.kind === 'reservation' ? k.type : '', currency),
        ...label,
        pricingCategory: 'committed',
        commitmentId: k.id,
        commitmentStatus: 'unused',
        billedCost: 0,
        effectiveCost: k.unusedCost,
        listCost: 0,
        contractedCost: 0,
      })
  }
  return out
}
