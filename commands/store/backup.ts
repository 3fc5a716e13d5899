import {Flags} from '@oclif/core'

import {backupStore, type BackupResult} from '../../src/backup/index.js'
import {LOCATION_HELP, parseLocation} from '../../src/backup/location.js'
import {FinopsCommand} from '../../src/cli/base-command.js'
import {outputFlags} from '../../src/cli/output-flags.js'
import {now} from '../../src/dates.js'
import {usageError} from '../../src/errors.js'

export default class StoreBackup extends FinopsCommand {
  static override summary =
    'Back the store up to a directory, S3 or GCS, with a checksum and manifest, then apply retention'
  static override description = `Takes a consistent snapshot with SQLite's online backup API (safe while finops run writes), checks it with
integrity_check, and uploads it as finops-<time>.db with a manifest (SHA-256, size, schema) written last: a copy without its
manifest is never a backup. Retention (--keep, --keep-days, or backup: in finops.yaml) then deletes older backups of
ours, never the newest and never anything finops did not write. Credentials come from the environment (IRSA, Workload
Identity, AWS_PROFILE, GOOGLE_APPLICATION_CREDENTIALS), never from the location. See docs/disaster-recovery.md. FINOPS_NOW (an ISO date or time) \
pins "now" (the backup's name and time stamp, and the retention it prunes by).`

  static override examples = [
    '<%= config.bin %> store backup --to /mnt/backups/finops',
    '<%= config.bin %> store backup --to s3://acme-finops-backups/prod/ --keep 48 --keep-days 30',
    '<%= config.bin %> store backup --to gs://acme-finops-backups/prod/',
  ]

  static override flags = {
    to: Flags.string({description: `where to put the backup: ${LOCATION_HELP} (default: backup.to)`}),
    keep: Flags.integer({description: 'keep the newest N backups (default: backup.keep; unset keeps all)', min: 1}),
    'keep-days': Flags.integer({
      description: 'keep every backup younger than this many days (default: backup.keepDays)',
      min: 1,
    }),
    ...outputFlags(['store-backup']),
  }

  async run(): Promise<BackupResult> {
    const {flags} = await this.parse(StoreBackup)
    const settings = this.finopsConfig(flags.config).config.backup
    const to = flags.to ?? settings.to
    if (!to) throw usageError('no backup location', `give --to ${LOCATION_HELP}, or set backup.to in finops.yaml`)
    const location = parseLocation(to)
    if (location.name)
      throw usageError(
        '--to names one backup; give the directory or prefix that holds the backups',
        `give ${LOCATION_HELP}`,
      )
    const db = this.openStore(flags.db, flags.config)
    const result = await backupStore(db, {
      to: location,
      retention: {keep: flags.keep ?? settings.keep, keepDays: flags['keep-days'] ?? settings.keepDays},
      now: now(),
    })
    await this.present('store-backup', result)
    return result
  }
}
