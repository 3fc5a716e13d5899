import type {BackupLocation} from '../location.js'
import type {BackupTarget} from './target.js'

export type {BackupTarget} from './target.js'

/**
 * The backup targets, by location scheme. Each is loaded on use, so a local backup never loads a
 * cloud SDK. A new object store is one module under targets/ and one line here.
 */
export const backupTargets: Record<BackupLocation['scheme'], (location: BackupLocation) => Promise<BackupTarget>> = {
  file: async (l) => (await import('./local-directory.js')).localDirectoryTarget(l.scheme === 'file' ? l.dir : ''),
  s3: async (l) => (await import('./s3.js')).s3Target(bucketOf(l), prefixOf(l)),
  gs: async (l) => (await import('./gcs.js')).gcsTarget(bucketOf(l), prefixOf(l)),
}

const bucketOf = (l: BackupLocation): string => (l.scheme === 'file' ? '' : l.bucket)
const prefixOf = (l: BackupLocation): string => (l.scheme === 'file' ? '' : l.prefix)

export const openTarget = (location: BackupLocation): Promise<BackupTarget> => backupTargets[location.scheme](location)
