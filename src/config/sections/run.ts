import {z} from 'zod'

/**
 * `run:` in finops.yaml: the scheduled job (finops run): steps, lock, pushgateway.
 * Owned by issue 6; replace the placeholder with the real schema (defaults + descriptions).
 */
export const runSection = z.looseObject({}).default({})

export type RunConfig = z.infer<typeof runSection>
