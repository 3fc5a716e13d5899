import {Flags} from '@oclif/core'

import {FinopsCommand} from '../../src/cli/base-command.js'
import {
  planExport,
  type CostExportSummary,
  exportCostsToFile,
  type ExportFormat,
  type ExportGranularity,
  writeCostExport,
} from '../../src/cost/export.js'
import {DIMENSION_KEYS_HELP} from '../../src/cost/dimension-keys.js'

export default class CostExportCommand extends FinopsCommand {
  static override summary = 'Export costs as CSV or JSON for a budgeting spreadsheet, or as a FOCUS 1.0 dataset'
  static override description = `Columns use FOCUS names in a stable order: ChargePeriodStart, ChargePeriodEnd (exclusive), the
grouped dimensions (default: all of them plus Tags, the store's full grain), BillingCurrency, BilledCost,
EffectiveCost, ListCost, ContractedCost. Dates are ISO (YYYY-MM-DD), numbers plain. Rows are streamed;
with --out the file appears only when complete. Default window: everything in the store.
--format focus writes a FOCUS 1.0 dataset (CSV) at the store's full daily grain: every mandatory column,
datetimes as YYYY-MM-DDTHH:mm:ssZ, Tags as a JSON object, unknown values empty where the spec allows null
(see docs/focus-export.md); \`collect focus\` imports it back.
Group and filter keys: ${DIMENSION_KEYS_HELP}.`

  static override examples = [
    '<%= config.bin %> cost export --granularity month --group-by provider,service --out budget.csv',
    '<%= config.bin %> cost export --format json --from 2024-09-01 --to 2024-09-30 > september.json',
    '<%= config.bin %> cost export --group-by tag:team --filter provider=AWS',
    '<%= config.bin %> cost export --format focus --from 2024-09-01 --to 2024-09-30 --out focus-2024-09.csv',
  ]

  static override loadsConfig = false

  static override flags = {
    format: Flags.string({description: 'output format', options: ['csv', 'json', 'focus'], default: 'csv'}),
    granularity: Flags.string({description: 'one row per day or per month', options: ['day', 'month'], default: 'day'}),
    'group-by': Flags.string({
      char: 'g',
      description: `dimensions (comma-separated or repeated): ${DIMENSION_KEYS_HELP}`,
      multiple: true,
    }),
    filter: Flags.string({char: 'f', description: 'key=value; repeat for several', multiple: true}),
    from: Flags.string({description: 'first day (YYYY-MM-DD), inclusive'}),
    to: Flags.string({description: 'last day (YYYY-MM-DD), inclusive'}),
    out: Flags.string({char: 'o', description: 'write to this file instead of stdout'}),
  }

  async run(): Promise<CostExportSummary> {
    const {flags} = await this.parse(CostExportCommand)
    const request = {
      format: flags.format as ExportFormat,
      granularity: flags.granularity as ExportGranularity,
      groupBy: flags['group-by'] ?? [],
      filters: flags.filter ?? [],
      from: flags.from,
      to: flags.to,
    }
    // The request is checked before the store is opened (the base command checks --out).
    planExport(request)
    if (!flags.out && this.jsonEnabled())
      this.error('--json describes the export; use --format json for the data, or add --out FILE', {exit: 2})
    const db = this.openStore(flags.db, flags.config)
    if (flags.out) {
      const summary = await exportCostsToFile(db, request, flags.out)
      this.note(`wrote ${summary.rows} rows to ${summary.out}`)
      return summary
    }
    process.stdout.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(0)
    })
    const summary = await writeCostExport(db, request, process.stdout)
    return {...summary, out: '-'}
  }
}
