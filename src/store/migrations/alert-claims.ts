import type {Migration} from './index.js'

/**
 * A short claim on a pending alert while one run posts it, so a manual `finops alert check` and the
 * CronJob running at the same moment cannot both post it. A claim left by a crashed run expires.
 */
export const migration: Migration = {
  id: '0201-alert-claims',
  up: `ALTER TABLE alerts ADD COLUMN claimed_until TEXT;`,
}
