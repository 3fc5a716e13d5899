import type {Migration} from './index.js'

/**
 * Resource keys in lower case: Azure resource ids are case-insensitive and a bill may spell a scale
 * set or disk differently from the node's providerID or the volume's disk URI, so both sides match
 * on the lower-case key (AWS instance/volume ids and GCP names are lower case already).
 */
export const migration: Migration = {
  id: 'cost-resource-keys-lower-case',
  up: `UPDATE cost_resource_daily SET resource_key = lower(resource_key) WHERE resource_key <> lower(resource_key);`,
}
