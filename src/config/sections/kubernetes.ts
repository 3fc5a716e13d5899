import {z} from 'zod'

/**
 * `kubernetes:` in finops.yaml: cluster access, Prometheus, prices, recommender settings, schedules.
 * Owned by issue 5; replace the placeholder with the real schema (defaults + descriptions).
 */
export const kubernetesSection = z.looseObject({}).default({})

export type KubernetesConfig = z.infer<typeof kubernetesSection>
