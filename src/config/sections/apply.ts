import {z} from 'zod'

/**
 * `apply:` in finops.yaml: apply policy and guardrails.
 * Owned by issue 6; replace the placeholder with the real schema (defaults + descriptions).
 */
export const applySection = z.looseObject({}).default({})

export type ApplyConfig = z.infer<typeof applySection>
