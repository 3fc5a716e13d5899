import path from 'node:path'

import {usageError} from '../errors.js'
import {isBackupName} from './manifest.js'

/**
 * Where backups live: a local directory, an S3 bucket and key prefix, or a GCS bucket and prefix.
 * `name` is set when the location names one backup (…/finops-20261130T221500000Z.db) rather than
 * the place that holds them.
 */
export type BackupLocation =
  {scheme: 'file'; dir: string; name?: string} | {scheme: 's3' | 'gs'; bucket: string; prefix: string; name?: string}

export const LOCATION_HELP = 'a directory, s3://BUCKET/PREFIX or gs://BUCKET/PREFIX'

// S3 and GCS bucket names: lower-case letters, digits, dots, dashes and (GCS) underscores, 3 to 222 characters.
const BUCKET = /^[a-z0-9][a-z0-9._-]{1,221}[a-z0-9]$/

/**
 * Parses a backup location. Credentials never belong in it (they would land in logs, shell history
 * and the ConfigMap): a URL with a user, password or query string is refused without echoing it.
 */
export function parseLocation(text: string): BackupLocation {
  const value = text.trim()
  if (value === '') throw usageError(`the backup location is empty: give ${LOCATION_HELP}`)
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(value)?.[1]?.toLowerCase()
  if (scheme === undefined) return fileLocation(value)
  if (/^[a-z][a-z0-9+.-]*:\/\/[^/]*@/i.test(value) || /[?#]/.test(value))
    throw usageError(
      'the backup location carries credentials or parameters (user, password, ?query); it is not shown here',
      'give only s3://BUCKET/PREFIX or gs://BUCKET/PREFIX; credentials come from the environment (IRSA, Workload Identity, AWS_PROFILE, GOOGLE_APPLICATION_CREDENTIALS)',
    )
  if (scheme === 'file') return fileLocation(decodeURIComponent(value.slice('file://'.length)))
  if (scheme !== 's3' && scheme !== 'gs')
    throw usageError(`unsupported backup location scheme ${scheme}://`, `give ${LOCATION_HELP}`)
  const rest = value.slice(scheme.length + 3)
  const slash = rest.indexOf('/')
  const bucket = slash < 0 ? rest : rest.slice(0, slash)
  if (!BUCKET.test(bucket))
    throw usageError(`${scheme}://${bucket} is not a valid bucket name`, `give ${LOCATION_HELP}`)
  const key = slash < 0 ? '' : rest.slice(slash + 1)
  if (key.split('/').some((part, i, all) => part === '..' || part === '.' || (part === '' && i < all.length - 1)))
    throw usageError(`${scheme}://${bucket}/${key} has an empty, . or .. path segment`, `give ${LOCATION_HELP}`)
  const last = key.split('/').at(-1) ?? ''
  if (isBackupName(last)) return {scheme, bucket, prefix: key.slice(0, key.length - last.length), name: last}
  refuseFileLikeName(last, `${scheme}://${bucket}/${key}`)
  return {scheme, bucket, prefix: key === '' || key.endsWith('/') ? key : `${key}/`}
}

function fileLocation(value: string): BackupLocation {
  const resolved = path.resolve(value)
  const base = path.basename(resolved)
  if (isBackupName(base)) return {scheme: 'file', dir: path.dirname(resolved), name: base}
  refuseFileLikeName(base, resolved)
  return {scheme: 'file', dir: resolved}
}

// A location ending in a store-like file name is almost always a mistake (`--to /backups/finops.db`):
// backups are named by finops inside the directory or prefix, so that retention can tell them apart.
function refuseFileLikeName(last: string, shown: string): void {
  if (/\.(db|sqlite3?|bak)$/i.test(last))
    throw usageError(
      `${shown} names a file; a backup location is a directory or prefix that finops names its backups in`,
      `give its directory (${LOCATION_HELP}), or a backup finops wrote (finops-YYYYMMDDTHHMMSSmmmZ.db)`,
    )
}

/** The location as users write it, for messages and results (it never carries credentials). */
export function describeLocation(location: BackupLocation): string {
  const base =
    location.scheme === 'file'
      ? `${location.dir}${path.sep}`
      : `${location.scheme}://${location.bucket}/${location.prefix}`
  return location.name ? `${base}${location.name}` : base
}
