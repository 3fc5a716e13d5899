import {z} from 'zod'

/** `sources:` fields several cloud sources share. */
export const groupByField = z
  .string()
  .regex(/^(region|tag:.+)$/, {error: 'must be "region" or "tag:<key>"'})
  .describe('An extra grouping beyond service and account: region, or one cost allocation tag / label key (tag:team)')

export const endpointField = z
  .url({protocol: /^https?$/, error: 'must be an http(s) URL'})
  .describe('API endpoint override (sovereign clouds, private endpoints, local test servers)')
