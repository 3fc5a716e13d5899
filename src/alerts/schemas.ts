import {z} from 'zod'

import {savingsGroupSchema, savingsTotalsSchema} from '../savings/schemas.js'

/**
 * The --json contracts of the budget and alert commands, as zod schemas: the e2e tests parse the
 * real output with them (strictly, so a new or renamed field must be added here) and
 * docs/schemas/*.schema.json are generated from them.
 */

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/)
const threshold = z.strictObject({kind: z.enum(['actual', 'forecast']), percent: z.number().positive()})

export const budgetSchema = z.strictObject({
  id: z.int(),
  name: z.string(),
  amount: z.number().positive(),
  period: z.enum(['monthly', 'quarterly', 'yearly']),
  currency: z.string().length(3).optional().describe("absent: the currency of the scope's costs"),
  metric: z.enum(['billed', 'effective', 'list']),
  filters: z.array(z.string()).describe('the --filter key=value strings'),
  thresholds: z.array(threshold),
  createdAt: z.string(),
  updatedAt: z.string(),
})

export const budgetSetSchema = z.strictObject({budget: budgetSchema, created: z.boolean()})
export const budgetListSchema = z.strictObject({budgets: z.array(budgetSchema)})
export const budgetRemoveSchema = z.strictObject({removed: z.string()})

const contributor = z.strictObject({label: z.string(), amount: z.number(), share: z.number().optional()})

export const budgetStatusEntrySchema = z.strictObject({
  name: z.string(),
  amount: z.number(),
  currency: z.string(),
  period: z.enum(['monthly', 'quarterly', 'yearly']),
  periodLabel: z.string().describe('2024-09, 2024-Q3 or 2024'),
  periodStart: day,
  periodEnd: day,
  filters: z.array(z.string()),
  asOf: day.describe('the last complete day (yesterday, UTC)'),
  dataThrough: day.optional().describe('last day with cost data in scope'),
  actual: z.number().describe('spend from the period start through dataThrough'),
  actualPercent: z.number(),
  forecast: z
    .strictObject({
      mean: z.number(),
      lower: z.number(),
      upper: z.number(),
      percent: z.number(),
      model: z.string(),
      level: z.number(),
    })
    .optional()
    .describe('period-end spend (actual + forecast of the remaining days) with its interval'),
  forecastSkipped: z.string().optional().describe('why there is no forecast'),
  breachDate: day.optional(),
  breachKind: z.enum(['actual', 'forecast']).optional(),
  thresholds: z.array(
    threshold.extend({
      limit: z.number(),
      value: z.number().optional(),
      crossed: z.boolean(),
      over: z.number().optional(),
    }),
  ),
})

const staleSource = z.strictObject({
  provider: z.string(),
  lastDay: day,
  lagDays: z.int().describe('days from the last day to yesterday'),
  expectedLagDays: z.int(),
})

export const budgetStatusSchema = z.strictObject({
  asOf: day,
  stale: z
    .array(staleSource)
    .describe('providers whose newest billing day is older than their usual lag (alerts.freshness); exit 7'),
  warnings: z.array(z.string()).describe('one line per stale provider'),
  budgets: z.array(
    z.strictObject({
      status: budgetStatusEntrySchema,
      contributors: z.array(contributor),
      contributorDimension: z.string(),
      notes: z.array(z.string()),
    }),
  ),
})

const alertOutcome = z.strictObject({
  key: z
    .string()
    .describe(
      'dedup key: budget:<id>:<period>:<kind>:<percent>, anomaly:<series>:<day>:<direction> or freshness:<provider>:<last day>',
    ),
  kind: z.enum(['budget', 'anomaly', 'freshness']),
  subject: z.string(),
  summary: z.string(),
  attempts: z.int().optional(),
  error: z.string().optional(),
})

const anomalyId = z
  .string()
  .regex(/^an-[0-9a-f]{12}$/)
  .describe('stable id: derived from the series and the day')

const anomaly = z.strictObject({
  id: anomalyId,
  providers: z.array(z.string()).describe("the series' providers"),
  keys: z.array(z.string()),
  currency: z.string(),
  day,
  direction: z.enum(['spike', 'drop']),
  actual: z.number(),
  expected: z.number(),
  lower: z.number(),
  upper: z.number(),
  level: z.number(),
  impact: z.number().describe('actual - expected, in money'),
  beyondInterval: z.number(),
  model: z
    .enum(['regular', 'intermittent', 'idle'])
    .describe('regular daily series, intermittent (runs on some days), or idle (no spend before)'),
})

export const alertCheckSchema = z.strictObject({
  asOf: day,
  dryRun: z.boolean(),
  budgets: z.array(
    z.strictObject({
      name: z.string(),
      period: z.string(),
      actualPercent: z.number(),
      forecastPercent: z.number().optional(),
      crossed: z.array(z.string()),
      forecastSkipped: z.string().optional(),
    }),
  ),
  anomalies: z.strictObject({
    groupBy: z.array(z.string()),
    through: day.optional(),
    found: z.array(anomaly).describe('anomalies that alert: neither acknowledged nor on a muted series'),
    silenced: z
      .array(z.strictObject({id: anomalyId, reason: z.enum(['acknowledged', 'muted'])}))
      .describe('anomalies found again that raise no alert (finops anomaly ack / mute, or alerts.anomalies.groups)'),
  }),
  warnings: z
    .array(z.string())
    .describe(
      'alerts that could not be evaluated: a budget with forecast thresholds whose forecast cannot be computed, or billing data older than its ' +
        "provider's usual lag (exit 7 when nothing else failed)",
    ),
  stale: z
    .array(staleSource)
    .describe('providers whose newest billing day is older than their usual lag (alerts.freshness)'),
  alreadySent: z.array(z.string()),
  sent: z.array(alertOutcome),
  failed: z.array(alertOutcome).describe('posted and failed: pending for the next run'),
  deferred: z.array(alertOutcome).describe('not attempted after Slack kept failing: pending'),
  postedElsewhere: z.array(alertOutcome).optional().describe('claimed by another run posting at the same moment'),
  wouldPost: z.array(alertOutcome).optional().describe('--dry-run only'),
  messages: z
    .array(z.strictObject({text: z.string(), blocks: z.array(z.looseObject({type: z.string()}))}))
    .optional()
    .describe('--dry-run only: the Slack messages'),
  pendingAfter: z.int(),
})

const anomalyListEntry = z.strictObject({
  id: anomalyId,
  status: z
    .enum(['new', 'pending', 'sent', 'acknowledged', 'muted'])
    .describe('new (no alert yet), pending (alert not delivered yet), sent, acknowledged, or on a muted series'),
  groupBy: z.array(z.string()),
  keys: z.array(z.string()),
  currency: z.string(),
  providers: z.array(z.string()),
  day,
  direction: z.enum(['spike', 'drop']),
  actual: z.number(),
  expected: z.number(),
  impact: z.number().describe('actual - expected, in money'),
  rootCause: z
    .array(contributor)
    .optional()
    .describe(
      'what drove it one level down (region, sub-account, usage type, resource or tag: the top 3, each with its share of the change in %); only for ' +
        'anomalies judged in this run',
    ),
  acknowledgedAt: z.string().optional(),
  note: z.string().optional(),
})

const seriesMute = z.strictObject({
  groupBy: z.array(z.string()),
  keys: z.array(z.string()),
  below: z.number().optional().describe('only anomalies smaller than this (in money) are muted'),
  until: day.optional().describe('last muted day; absent: muted for good'),
  note: z.string().optional(),
  createdAt: z.string(),
})

export const anomalyListSchema = z.strictObject({
  groupBy: z.array(z.string()),
  from: day.optional(),
  to: day.optional(),
  anomalies: z.array(anomalyListEntry),
  mutes: z.array(seriesMute).describe('series muted in the store (finops anomaly mute)'),
})
export const anomalyAckSchema = z.strictObject({acknowledged: anomalyListEntry, changed: z.boolean()})
export const anomalyUnackSchema = z.strictObject({unacknowledged: anomalyListEntry})
export const anomalyMuteSchema = z.strictObject({muted: seriesMute})
export const anomalyUnmuteSchema = z.strictObject({
  unmuted: z.strictObject({groupBy: z.array(z.string()), keys: z.array(z.string())}),
})

const money = z.number()
const textObject = z.strictObject({
  type: z.enum(['plain_text', 'mrkdwn']),
  text: z.string(),
  emoji: z.boolean().optional(),
})
const slackMessageSchema = z.strictObject({
  text: z.string(),
  blocks: z.array(
    z.union([
      z.strictObject({type: z.literal('header'), text: textObject}),
      z.strictObject({type: z.literal('section'), text: textObject.optional(), fields: z.array(textObject).optional()}),
      z.strictObject({type: z.literal('context'), elements: z.array(textObject)}),
      z.strictObject({type: z.literal('divider')}),
    ]),
  ),
})

export const alertDigestSchema = z.strictObject({
  digest: z.strictObject({
    week: z
      .string()
      .regex(/^\d{4}-W\d{2}$/)
      .describe('ISO week the digest belongs to (sent at most once per week)'),
    from: day,
    to: day,
    previousFrom: day,
    previousTo: day,
    spend: z
      .array(z.strictObject({currency: z.string(), total: money, previousTotal: money}))
      .describe('effective cost per currency, as cost report --group-by provider,service totals it'),
    movers: z.array(
      z.strictObject({
        provider: z.string(),
        service: z.string(),
        currency: z.string(),
        total: money,
        previousTotal: money,
        change: money,
      }),
    ),
    budgets: z.array(
      z.strictObject({
        name: z.string(),
        period: z.string(),
        currency: z.string(),
        amount: money,
        actual: money,
        actualPercent: z.number(),
        forecast: z
          .strictObject({mean: money, lower: money, upper: money, percent: z.number(), level: z.number()})
          .optional(),
        forecastSkipped: z.string().optional(),
        breachDate: day.optional(),
        breachKind: z.enum(['actual', 'forecast']).optional(),
      }),
    ),
    savings: z.strictObject({
      available: z.array(z.strictObject({currency: z.string(), monthly: money, recommendations: z.int()})),
      realized: z
        .strictObject({
          tracked: z
            .boolean()
            .describe('false when no rightsize, scale-down or spot action was applied and no commitment recorded'),
          asOf: day.describe('the last day measured'),
          method: z.string(),
          totals: z.array(savingsTotalsSchema).describe('one per currency'),
          byKind: z.array(savingsGroupSchema),
          flagged: z.strictObject({
            notDelivered: z.int(),
            reverted: z.int(),
            fought: z.int(),
            rolledBack: z.int(),
            notMeasurableYet: z.int(),
          }),
          commitments: z.array(
            z.strictObject({
              id: z.string(),
              currency: z.string(),
              promisedMonthly: money.nullable(),
              realizedMonthly: money.nullable().describe('null while not measurable'),
            }),
          ),
          warnings: z.array(z.string()),
          error: z.string().optional().describe('why the ledger could not be measured'),
        })
        .describe('the savings ledger of finops savings (same defaults): measured, never the promised figure'),
    }),
    reportUrl: z.string().optional(),
  }),
  dryRun: z.boolean(),
  status: z.enum(['sent', 'already-sent', 'would-send', 'failed', 'posted-elsewhere']),
  key: z.string(),
  attempts: z.int().optional(),
  error: z.string().optional(),
  sentAt: z.string().optional(),
  message: slackMessageSchema,
  text: z.string(),
})
