import {FinopsCommand} from '../../src/cli/base-command.js'
import {outputFlags} from '../../src/cli/output-flags.js'
import {countRequests, progressDisplay} from '../../src/output/progress.js'
import {runSettings, windowFlags} from '../../src/collectors/cloud-cli.js'
import {collectAllSources, countSources, SOURCE_KINDS, type SourceOutcome} from '../../src/collectors/registry.js'
import {FinopsError, usageError} from '../../src/errors.js'
import {ExitCode, type ExitCodeName, partsOutcome} from '../../src/exit-codes.js'

export default class CollectAll extends FinopsCommand {
  static override storeIntent = 'create' as const
  static override summary = 'Collect every billing source listed under sources: in finops.yaml'
  static override description =
    `Runs each entry of sources: ` +
    `(${SOURCE_KINDS.join(', ')}) in turn, in that order. Each source lands on its own: one that fails (credentials, throttling) leaves its store rows ` +
    `and watermark unchanged and the others still run; the exit code is then "partial" (7), or that source's own code when every source failed. ` +
    `FINOPS_NOW (an ISO date or time) pins today for every source (windows end yesterday).`

  static override examples = [
    '<%= config.bin %> collect all',
    '<%= config.bin %> collect all --config ./finops.yaml --json',
  ]

  static override flags = {...windowFlags, ...outputFlags(['collect-all'])}

  async run(): Promise<{sources: SourceOutcome[]}> {
    const {flags} = await this.parse(CollectAll)
    const loaded = this.finopsConfig(flags.config)
    const {sources} = loaded.config
    if (countSources(sources) === 0) {
      throw usageError(
        `no sources to collect: ${loaded.file ?? 'finops.yaml (not found)'} lists none under sources:`,
        `add ${SOURCE_KINDS.join(', ')} entries under sources: as shown in docs/collectors.md`,
      )
    }
    const db = this.openStore(flags.db, flags.config)
    const progress = progressDisplay(process.stderr, this.jsonEnabled(), 'requests')
    const settings = {...runSettings(loaded.config, flags), onRequest: countRequests(progress, 'cloud billing APIs')}
    const outcomes = await collectAllSources(db, sources, settings).finally(() => progress.stop())
    await this.present('collect-all', {sources: outcomes})
    const failed = outcomes.filter((o) => !o.ok)
    const outcome = partsOutcome({succeeded: outcomes.length - failed.length, failed: failed.length})
    if (outcome !== 'ok') {
      const first = failed[0]!.error!
      const all = outcome === 'failed'
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
