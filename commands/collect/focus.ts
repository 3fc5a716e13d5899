import {Args, Flags} from '@oclif/core'

import {FinopsCommand} from '../../src/cli/base-command.js'
import {parseByteSize} from '../../src/collectors/focus/budget.js'
import {outputFlags} from '../../src/cli/output-flags.js'
import {type FocusImportSummary, importFocusFiles} from '../../src/collectors/focus/index.js'
import {usageError} from '../../src/errors.js'
import {importProgressBar, showsProgress} from '../../src/output/progress.js'

export default class CollectFocus extends FinopsCommand {
  static override storeIntent = 'create' as const
  static override summary = 'Import FOCUS billing exports (CSV, CSV.gz, Parquet; FOCUS 1.0-1.2) into the store'
  static override description = `Files given together are one export: their billing periods replace what the store holds for the same
provider + billing account + period, so re-importing is idempotent and a restated export replaces the older one.
Pass every part of a multi-part export in one call (or its directory): all parts are read in one pass and land in
one transaction. A replacement that would remove days the store holds, or more than 5% of a period's billed total,
is refused unless --allow-shrink. Memory stays within --memory whatever the export's size; beyond it the import
spills to disk (--temp-dir).`

  static override examples = [
    '<%= config.bin %> collect focus ./focus_export.csv',
    '<%= config.bin %> collect focus ./exports/2024-09/ --db ./finops.db',
    '<%= config.bin %> collect focus part-0001.parquet part-0002.parquet --json',
    '<%= config.bin %> collect focus ./exports/ --memory 2GiB --temp-dir /scratch',
  ]

  static override strict = false
  static override args = {path: Args.string({description: 'FOCUS files or directories', required: true})}
  static override flags = {
    'skip-invalid': Flags.boolean({description: 'skip rows with unparseable dates or numbers, and report how many'}),
    'allow-shrink': Flags.boolean({
      description: 'replace billing periods even when that removes stored days or more than 5% of their billed total',
    }),
    memory: Flags.string({
      description: 'memory budget for the whole import, e.g. 512MB (default: import.memory in finops.yaml, else 512MB)',
    }),
    'temp-dir': Flags.string({
      description:
        "where the import spills beyond its memory budget (default: import.tempDirectory, else the store's directory)",
    }),
    ...outputFlags(['collect-focus']),
  }

  async run(): Promise<FocusImportSummary> {
    const {argv, flags} = await this.parse(CollectFocus)
    const settings = this.finopsConfig(flags.config).config.import
    const memoryText = flags.memory ?? settings.memory
    const memoryBytes = memoryText === undefined ? undefined : parseByteSize(memoryText)
    if (memoryText !== undefined && memoryBytes === undefined)
      throw usageError(`--memory ${memoryText}: expected a size such as 512MB, 1GiB or 768Mi`)
    const db = this.openStore(flags.db, flags.config)
    const bar = showsProgress(process.stderr, this.jsonEnabled()) ? importProgressBar(process.stderr) : undefined
    const summary = await importFocusFiles(db, argv as string[], {
      skipInvalid: flags['skip-invalid'],
      allowShrink: flags['allow-shrink'],
      memoryBytes,
      tempDirectory: flags['temp-dir'] ?? settings.tempDirectory,
      onProgress: bar?.update,
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
