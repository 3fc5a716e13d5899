import {z} from 'zod'

/**
 * `alerts:` in finops.yaml: budgets, anomalies and the Slack webhook.
 * Owned by issue 4; replace the placeholder with the real schema (defaults + descriptions).
 */
export const alertsSection = z.looseObject({}).default({})

export type AlertsConfig = z.infer<typeof alertsSection>
