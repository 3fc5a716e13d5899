import {FinopsCommand} from '../../src/cli/base-command.js'
import {describeCatalog, describeCollect, runSettings, windowFlags} from '../../src/collectors/cloud-cli.js'
import type {CollectSummary} from '../../src/collectors/cloud-collect.js'
import type {FocusImportSummary} from '../../src/collectors/focus/index.js'
import {parseByteSize} from '../../src/collectors/focus/budget.js'
import {collectAllSources, type GcpRunSummary, type SourceOutcome} from '../../src/collectors/registry.js'
import {FinopsError, usageError} from '../../src/errors.js'
import {ExitCode, type ExitCodeName} from '../../src/exit-codes.js'

export default class CollectAll extends FinopsCommand {
  static override summary = 'Collect every billing source listed under sources: in finops.yaml'
  static override description = `Runs each aws, azure, gcp and focus entry of sources: in turn. Each source lands on its own: one that fails (credentials, throttling) leaves its store rows and watermark unchanged and the others still run; the exit code is then "partial" (7), or that source's own code when every source failed.`

  static override examples = [
    '<%= config.bin %> collect all',
    '<%= config.bin %> collect all --config ./finops.yaml --json',
  ]

  static override flags = {...windowFlags}

  async run(): Promise<{sources: SourceOutcome[]}> {
    const {flags} = await this.parse(CollectAll)
    const loaded = this.finopsConfig(flags.config)
    const {sources} = loaded.config
    const count =
      (sources.aws?.length ?? 0) +
      (sources.azure?.length ?? 0) +
      (sources.gcp?.length ?? 0) +
      (sources.focus?.length ?? 0)
    if (count === 0) {
      throw usageError(
        `no sources to collect: ${loaded.file ?? 'finops.yaml (not found)'} lists none under sources:`,
        'add aws, azure, gcp or focus entries under sources: as shown in docs/collectors.md',
      )
    }
    const db = this.openStore(flags.db, flags.config)
    const {memory, tempDirectory} = loaded.config.import
    const outcomes = await collectAllSources(
      db,
      sources,
      runSettings(loaded.config, flags),
      (o) => this.log(describeOutcome(o)),
      {memoryBytes: memory === undefined ? undefined : parseByteSize(memory), tempDirectory},
    )
    const failed = outcomes.filter((o) => !o.ok)
    if (failed.length > 0) {
      const first = failed[0]!.error!
      const all = failed.length === outcomes.length
      throw new FinopsError(
        `${failed.length} of ${outcomes.length} sources failed: ${failed.map((f) => `${f.kind} ${f.name}: ${f.error!.message}`).join('; ')}`,
        {
          code: all ? first.code : 'PARTIAL',
          exit: all ? exitName(first.exit) : 'partial',
          suggestion: all ? first.suggestion : 'the other sources were collected; fix the failed ones and run again',
        },
      )
    }
    return {sources: outcomes}
  }
}

const exitName = (code: number): ExitCodeName =>
  (Object.entries(ExitCode).find(([, v]) => v === code)?.[0] ?? 'remote') as ExitCodeName

function describeOutcome(o: SourceOutcome): string {
  if (!o.ok)
    return `${o.kind} ${o.name}: FAILED: ${o.error!.message}${o.error!.suggestion ? ` (${o.error!.suggestion})` : ''}`
  if (o.kind === 'focus') {
    const f = o.result as FocusImportSummary
    return `focus ${o.name}: ${f.rowsRead} rows into ${f.rollupRows} daily rows`
  }
  if (o.kind === 'gcp') {
    const g = o.result as GcpRunSummary
    return [g.costs && describeCollect(g.costs), g.prices && describeCatalog(g.prices)].filter(Boolean).join('\n')
  }
  return describeCollect(o.result as CollectSummary)
}
