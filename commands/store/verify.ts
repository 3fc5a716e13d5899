import {Flags} from '@oclif/core'

import {verifyBackup, verifyStore, type VerifyResult} from '../../src/backup/index.js'
import {LOCATION_HELP, parseLocation} from '../../src/backup/location.js'
import {FinopsCommand} from '../../src/cli/base-command.js'
import {outputFlags} from '../../src/cli/output-flags.js'

export default class StoreVerify extends FinopsCommand {
  static override summary = 'Check the store, or a backup, as a restore would: checksum, integrity, finops mark, schema'
  static override description = `Without --from, runs SQLite's integrity_check on the store (read-only). With --from, downloads the newest backup
at that location (or the one named) to a temporary file and checks it exactly as restore does, without touching the store.
Exits non-zero with one line saying what is wrong when the check fails.`

  static override examples = [
    '<%= config.bin %> store verify',
    '<%= config.bin %> store verify --from s3://acme-finops-backups/prod/',
  ]

  static override flags = {
    from: Flags.string({description: `verify a backup instead of the store: ${LOCATION_HELP}, or one backup in it`}),
    ...outputFlags(['store-verify']),
  }

  async run(): Promise<VerifyResult> {
    const {flags} = await this.parse(StoreVerify)
    const result = flags.from
      ? await verifyBackup(parseLocation(flags.from))
      : verifyStore(this.openStore(flags.db, flags.config))
    await this.present('store-verify', result)
    return result
  }
}
