import type {BackupResult, RestoreResult, VerifyResult} from '../backup/index.js'

const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`

export function renderStoreBackup({backup, retention}: BackupResult): string {
  const lines = [
    `Backed up the store to ${backup.location} (${mib(backup.bytes)}, sha256 ${backup.sha256}, schema ${backup.schema.latest})`,
  ]
  if (retention.removed.length > 0)
    lines.push(`Retention removed ${retention.removed.length} older backup(s): ${retention.removed.join(', ')}`)
  lines.push(`${retention.kept.length} backup(s) at the location`)
  return lines.join('\n')
}

export const renderStoreRestore = ({store, backup, replaced}: RestoreResult): string =>
  `Restored ${store} from ${backup.location} (taken ${backup.createdAt}, ${mib(backup.bytes)}, checksum and integrity ` +
  `verified)${replaced ? '; the previous store was replaced' : ''}`

export const renderStoreVerify = (result: VerifyResult): string =>
  result.kind === 'store'
    ? `The store ${result.location} passes SQLite's integrity check (schema ${result.schema.latest})`
    : `The backup ${result.location} is sound: SHA-256 matches its manifest, integrity check ok, schema ${result.schema.latest} (${mib(result.bytes ?? 0)})`
