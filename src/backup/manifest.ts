import {z} from 'zod'

/**
 * The manifest written next to every backup, after the backup itself is complete. It is what makes
 * a file or object a backup: a copy without its manifest (a killed upload, someone else's file) is
 * never restored, counted by retention, or deleted.
 */
export const BACKUP_FORMAT = 'finops-store-backup/1'

export const backupManifestSchema = z.strictObject({
  format: z.literal(BACKUP_FORMAT),
  /** The backup's file or object name, next to this manifest. */
  name: z.string(),
  /** Lower-case hex SHA-256 of the whole backup file. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  bytes: z.number().int().positive(),
  /** When the snapshot was taken (ISO instant, UTC). */
  createdAt: z.iso.datetime(),
  /** The schema migrations the backup has applied; a restore refuses one newer than its finops. */
  schema: z.strictObject({migrations: z.array(z.string()), latest: z.string()}),
  /** SQLite's integrity_check verdict on the snapshot before it was uploaded. */
  integrity: z.literal('ok'),
})

export type BackupManifest = z.infer<typeof backupManifestSchema>

// finops-20261130T221500123Z.db: sortable by name, and recognisable as ours by retention.
const BACKUP_NAME = /^finops-(\d{8}T\d{9}Z)\.db$/

export const isBackupName = (name: string): boolean => BACKUP_NAME.test(name)

export const manifestName = (backupName: string): string => `${backupName}.manifest.json`

/** The backup's name for a snapshot taken at `at`. */
export function backupNameAt(at: Date): string {
  return `finops-${at.toISOString().replace(/[-:.]/g, '')}.db`
}

/** Parses a manifest's text; undefined when it is not one of ours (then the backup beside it is not either). */
export function parseManifest(text: string, expectedName: string): BackupManifest | undefined {
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch {
    return undefined
  }
  const parsed = backupManifestSchema.safeParse(raw)
  return parsed.success && parsed.data.name === expectedName ? parsed.data : undefined
}
