import {Args, Flags} from '@oclif/core'
import cliProgress from 'cli-progress'
import path from 'node:path'

import {FinopsCommand} from '../../src/cli/base-command.js'
import {outputFlags} from '../../src/cli/output-flags.js'
import {type FocusImportSummary, importFocusFiles} from '../../src/collectors/focus/index.js'

export default class CollectFocus extends FinopsCommand {
  static override storeIntent = 'create' as const
  static override summary = 'Import FOCUS billing exports (CSV, CSV.gz, Parquet; FOCUS 1.0-1.2) into the store'
  static override description = `Files given together are one export: their billing periods replace what the store holds for the same
provider + billing account + period, so re-importing is idempotent and a restated export replaces the older one.
Pass every part of a multi-part export in one call (or its directory). The import is one transaction.`

  static override examples = [
    '<%= config.bin %> collect focus ./focus_export.csv',
    '<%= config.bin %> collect focus ./exports/2024-09/ --db ./finops.db',
    '<%= config.bin %> collect focus part-0001.parquet part-0002.parquet --json',
  ]

  static override strict = false
  static override args = {path: Args.string({description: 'FOCUS files or directories', required: true})}
  static override flags = {
    'skip-invalid': Flags.boolean({description: 'skip rows with unparseable dates or numbers, and report how many'}),
    ...outputFlags(['collect-focus']),
  }

  async run(): Promise<FocusImportSummary> {
    const {argv, flags} = await this.parse(CollectFocus)
    const db = this.openStore(flags.db, flags.config)
    const bar =
      process.stderr.isTTY && !this.jsonEnabled()
        ? new cliProgress.SingleBar(
            {
              format: '{file} [{bar}] {percentage}%',
              stream: process.stderr,
              hideCursor: true,
              clearOnComplete: true,
            },
            cliProgress.Presets.shades_classic,
          )
        : undefined
    let current = ''
    const summary = await importFocusFiles(db, argv as string[], {
      skipInvalid: flags['skip-invalid'],
      onProgress:
        bar &&
        ((file, fraction) => {
          if (file.bytes < 20_000_000) return
          if (current !== file.path) {
            if (current) bar.stop()
            current = file.path
            bar.start(100, 0, {file: path.basename(file.path)})
          }
          bar.update(Math.round(fraction * 100))
        }),
    }).finally(() => bar?.stop())

    await this.present('collect-focus', summary)
    if (summary.rowsSkipped > 0) {
      const byColumn = Object.entries(summary.skippedByColumn)
        .map(([c, n]) => `${n} bad ${c}`)
        .join(', ')
      this.warn(`skipped ${summary.rowsSkipped} invalid rows (${byColumn})`)
    }
    return summary
  }
}
