import {z} from 'zod'

import {backupManifestSchema} from './manifest.js'

/** A backup as listed and reported: its manifest, and where it is (never with credentials). */
export const backupEntrySchema = backupManifestSchema.extend({location: z.string()})

export const storeBackupSchema = z.strictObject({
  backup: backupEntrySchema,
  retention: z.strictObject({
    kept: z.array(z.string()).describe('backups kept at the location, newest first'),
    removed: z.array(z.string()).describe('backups this run deleted under the retention policy'),
  }),
})

export const storeRestoreSchema = z.strictObject({
  store: z.string(),
  backup: backupEntrySchema,
  replaced: z.boolean().describe('false when there was no store (a lost volume)'),
})

export const storeVerifySchema = z.strictObject({
  kind: z.enum(['store', 'backup']),
  location: z.string(),
  integrity: z.literal('ok'),
  schema: z.strictObject({migrations: z.number().int(), latest: z.string()}),
  sha256: z.string().optional(),
  bytes: z.number().int().optional(),
})
