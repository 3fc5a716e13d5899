import {z} from 'zod'

/**
 * `forecast:` in finops.yaml: forecast defaults.
 * Owned by issue 4; replace the placeholder with the real schema (defaults + descriptions).
 */
export const forecastSection = z.looseObject({}).default({})

export type ForecastConfig = z.infer<typeof forecastSection>
