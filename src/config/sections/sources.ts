import {z} from 'zod'

/**
 * `sources:` in finops.yaml: billing sources (aws, azure, gcp, focus) collected by `finops collect all`.
 * Owned by issue 3; replace the placeholder with the real schema (defaults + descriptions).
 */
export const sourcesSection = z.looseObject({}).default({})

export type SourcesConfig = z.infer<typeof sourcesSection>
