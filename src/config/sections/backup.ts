import {z} from 'zod'

/**
 * `backup:` in finops.yaml: where `finops store backup` and the run step `backup` put the store's
 * backups, and how many they keep. Credentials never go here: the location is a plain directory,
 * s3://BUCKET/PREFIX or gs://BUCKET/PREFIX, and the cloud SDKs take credentials from the
 * environment (IRSA or Workload Identity in the cluster).
 */
export const backupSection = z
  .strictObject({
    to: z
      .string()
      .min(1)
      .optional()
      .describe(
        'Backup location: a directory, s3://BUCKET/PREFIX or gs://BUCKET/PREFIX (unset: the backup step is skipped)',
      ),
    keep: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe('Keep the newest N backups (with keepDays: a backup either keeps is kept)'),
    keepDays: z.number().int().min(1).optional().describe('Keep every backup younger than this many days'),
  })
  .default({})

export type BackupSettings = z.infer<typeof backupSection>
