import {z} from 'zod'

import {groupKeyLabel, METRICS} from '../../model/cost.js'
import {DIMENSION_KEYS_HELP, parseGroupKey} from '../../cost/dimension-keys.js'

const isGroupKey = (key: string): boolean => {
  try {
    parseGroupKey(key)
    return true
  } catch {
    return false
  }
}

/**
 * `alerts:` in finops.yaml: the Slack webhook and the anomaly detector. Budgets themselves live in the
 * store (`finops budget set`), so the CLI and the CronJob share them.
 */
const slackSection = z
  .strictObject({
    webhookUrl: z
      .url({protocol: /^https?$/, error: 'must be an http(s) URL'})
      .optional()
      .describe(
        'Slack incoming webhook URL. Prefer FINOPS_SLACK_WEBHOOK_URL or webhookUrlFile: this file may be committed',
      ),
    webhookUrlFile: z
      .string()
      .min(1)
      .optional()
      .describe('File holding the webhook URL (a mounted Kubernetes Secret); read at each run'),
    retries: z
      .int()
      .min(0)
      .max(10)
      .default(3)
      .describe('Retries of a post that got 429 or 5xx or no answer, after the first attempt'),
    maxRetryAfterSeconds: z
      .number()
      .min(0)
      .max(600)
      .default(60)
      .describe('Longest Retry-After we wait for; a longer one leaves the alert pending for the next run'),
    timeoutSeconds: z.number().positive().max(120).default(10).describe('Timeout of one post'),
  })
  .prefault({})

const keyLabel = (key: string): string => (isGroupKey(key) ? groupKeyLabel(parseGroupKey(key)) : key.trim())

const GROUP_SETTINGS = ['level', 'minImpact', 'minRelative', 'minAccountShare', 'mute'] as const

/** Per-group settings of the anomaly detector: which series, and what differs for them. */
const anomalyGroup = z
  .strictObject({
    match: z
      .record(
        z.string().trim().min(1),
        // A blank value matches no series: the group would silently change nothing.
        z.string().refine((v) => v.trim() !== '', {error: 'an empty value never means "all"'}),
      )
      .refine((m) => Object.keys(m).length > 0, {error: 'name at least one key, e.g. {service: AWS Lambda}'})
      .describe('Series whose keys have all these values, e.g. {account: "123456789012", service: "AWS Lambda"}'),
    level: z.number().min(80).max(99.99).optional().describe('Width of the expected interval for these series'),
    minImpact: z
      .number()
      .min(0)
      .optional()
      .describe('Smallest anomaly worth an alert for these series, in the currency'),
    minRelative: z.number().min(0).max(10).optional().describe("Smallest anomaly relative to the series' expected day"),
    minAccountShare: z
      .number()
      .min(0)
      .max(1)
      .optional()
      .describe("Smallest anomaly relative to the account's typical day"),
    mute: z.boolean().optional().describe('Raise no alert for these series (they still show in `finops anomaly list`)'),
  })
  .refine((g) => GROUP_SETTINGS.some((key) => g[key] !== undefined), {
    // A group that only matches would change nothing: most likely a setting was misspelled or left out.
    error: `give at least one of ${GROUP_SETTINGS.join(', ')}`,
  })

export type AnomalyGroupSettings = z.infer<typeof anomalyGroup>

const anomaliesSection = z
  .strictObject({
    enabled: z.boolean().default(true).describe('Detect daily spend anomalies in `finops alert check`'),
    groupBy: z
      .array(z.string().refine(isGroupKey, {error: `unknown key; valid keys: ${DIMENSION_KEYS_HELP}`}))
      .min(1)
      .default(['account', 'service'])
      .describe('The series watched: one per combination of these report keys'),
    usageOnly: z
      .boolean()
      .default(true)
      .describe(
        'Watch usage charges only (ChargeCategory Usage, ChargeFrequency Usage-Based or absent): a fee billed on the 1st, a purchase or a credit is ' +
          'not an anomaly',
      ),
    metric: z
      .enum(Object.keys(METRICS) as [keyof typeof METRICS, ...(keyof typeof METRICS)[]])
      .default('billed')
      .describe('Cost metric of the watched series'),
    level: z
      .number()
      .min(80)
      .max(99.99)
      .default(99.8)
      .describe('Width of the expected interval, percent; a day outside it is an anomaly'),
    trainingDays: z.int().min(14).max(366).default(112).describe('Days of history the expected interval is fitted on'),
    minHistoryDays: z.int().min(14).max(366).default(21).describe('Series with less history are not judged'),
    lookbackDays: z
      .int()
      .min(1)
      .max(31)
      .default(3)
      .describe('Most recent days checked each run (dedup keeps one alert per series and day)'),
    minImpact: z.number().min(0).default(25).describe('Smallest anomaly worth an alert, in the currency'),
    minRelative: z
      .number()
      .min(0)
      .max(10)
      .default(0.2)
      .describe("Smallest anomaly worth an alert relative to the series' expected day (0.2 = 20%)"),
    minAccountShare: z
      .number()
      .min(0)
      .max(1)
      .default(0.005)
      .describe("Smallest anomaly worth an alert relative to the account's typical daily spend (0.005 = 0.5%)"),
    maxPerRun: z.int().min(1).max(100).default(10).describe('At most this many anomaly alerts per run, largest first'),
    groups: z
      .array(anomalyGroup)
      .default([])
      .describe(
        'Settings for some series: each entry matches series by their keys (and provider) and overrides level and materiality, or mutes them; later ' +
          'entries win',
      ),
  })
  .superRefine((section, ctx) => {
    // A match key the series do not have would silently match nothing.
    const labels = new Set(['provider', ...section.groupBy.map(keyLabel)])
    section.groups.forEach((group, i) => {
      for (const key of Object.keys(group.match))
        if (!labels.has(keyLabel(key)))
          ctx.addIssue({
            code: 'custom',
            path: ['groups', i, 'match', key],
            message: `not a key of the watched series; use one of: ${[...labels].join(', ')}`,
          })
    })
  })
  .prefault({})

const freshnessSection = z
  .strictObject({
    enabled: z
      .boolean()
      .default(true)
      .describe("Warn (exit 7, one Slack message) when a provider's newest billing day is older than its usual lag"),
    lagDays: z
      .record(z.string().min(1), z.int().min(0).max(366))
      .default({})
      .describe(
        'Days each provider (by its ProviderName) may lag behind yesterday; defaults: AWS 2, Microsoft 3, Google Cloud 3',
      ),
    defaultLagDays: z
      .int()
      .min(0)
      .max(366)
      .default(3)
      .describe('Days any other provider (a FOCUS import, say) may lag behind yesterday'),
    ignore: z
      .array(z.string().min(1))
      .default([])
      .describe('Providers whose data is no longer collected (a closed account): their old data is not a warning'),
  })
  .prefault({})

export const DIGEST_WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const

const digestSection = z
  .strictObject({
    weekday: z
      .enum(DIGEST_WEEKDAYS)
      .optional()
      .describe(
        'Day (UTC) from which `finops run` posts the weekly Slack digest; a run later in the same ISO week still posts it once. Unset: the run does ' +
          'not post it',
      ),
    reportUrl: z
      .url({protocol: /^https?$/, error: 'must be an http(s) URL'})
      .optional()
      .describe('Where people open the HTML report (finops report); each part of the digest links to it'),
  })
  .prefault({})

export const alertsSection = z
  .strictObject({
    slack: slackSection,
    anomalies: anomaliesSection,
    freshness: freshnessSection,
    digest: digestSection,
  })
  .prefault({})

export type AlertsConfig = z.infer<typeof alertsSection>
export type SlackConfig = AlertsConfig['slack']
export type AnomalyConfig = AlertsConfig['anomalies']
export type FreshnessConfig = AlertsConfig['freshness']
export type DigestConfig = AlertsConfig['digest']
