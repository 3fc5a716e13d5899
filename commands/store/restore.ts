import {Flags} from '@oclif/core'

import {restoreStore, type RestoreResult} from '../../src/backup/index.js'
import {LOCATION_HELP, parseLocation} from '../../src/backup/location.js'
import {FinopsCommand} from '../../src/cli/base-command.js'
import {outputFlags} from '../../src/cli/output-flags.js'
import {usageError} from '../../src/errors.js'
import {resolveStorePath} from '../../src/store/paths.js'

export default class StoreRestore extends FinopsCommand {
  static override summary =
    'Restore the store from its newest backup (or a named one), verified before anything is replaced'
  static override description = `Downloads the backup next to the store and checks its SHA-256 against the manifest, SQLite's integrity_check,
the finops mark and that its schema is not newer than this finops, and only then swaps it in with one rename (the old store
stays as <store>.bak until the new one opens). A missing store (a lost volume) is simply recreated; replacing an existing
store needs --yes. Suspend the CronJob first. See docs/disaster-recovery.md.`

  static override examples = [
    '<%= config.bin %> store restore --from s3://acme-finops-backups/prod/',
    '<%= config.bin %> store restore --from /mnt/backups/finops/finops-20261130T221500000Z.db --yes',
  ]

  static override flags = {
    from: Flags.string({
      description: `the backups' location (${LOCATION_HELP}; the newest is restored) or one backup in it (default: backup.to)`,
    }),
    yes: Flags.boolean({description: 'replace an existing store (what it holds after the backup is lost)'}),
    ...outputFlags(['store-restore']),
  }

  async run(): Promise<RestoreResult> {
    const {flags} = await this.parse(StoreRestore)
    const config = this.finopsConfig(flags.config).config
    const from = flags.from ?? config.backup.to
    if (!from) throw usageError('no backup location', `give --from ${LOCATION_HELP}, or set backup.to in finops.yaml`)
    const location = parseLocation(from)
    const store = resolveStorePath(flags.db, process.env, () => config.store)
    const result = await restoreStore({store, from: location, confirmed: flags.yes})
    await this.present('store-restore', result)
    return result
  }
}
