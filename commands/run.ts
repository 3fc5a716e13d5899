import {Flags} from '@oclif/core'
import path from 'node:path'

import {FinopsCommand} from '../src/cli/base-command.js'
import {newRunId} from '../src/apply/identity.js'
import {now as currentInstant} from '../src/dates.js'
import {isFinopsError} from '../src/errors.js'
import {outcomeExitCode} from '../src/exit-codes.js'
import {processInvoker} from '../src/run/cli-invoker.js'
import {runScheduled, type ScheduledRunResult} from '../src/run/index.js'
import {releaseRunLock} from '../src/run/lock.js'
import {createRunLogger} from '../src/run/log.js'
import {resolveStorePath} from '../src/store/paths.js'

export default class Run extends FinopsCommand {
  static override storeIntent = 'create' as const
  static override summary =
    'The scheduled job (the CronJob entry point): collect, forecast, recommend, apply per policy, check alerts'
  static override description = `Driven by finops.yaml (run.steps, apply.mode, ...). Prints one JSON log line per step with the run id. A lock in
the store keeps two runs from overlapping (exit 9 "locked"); a stale lock (run.lockTtlMinutes) is taken over. Exits non-zero
when a step failed, so Kubernetes retries the Job. --pushgateway pushes the run's metrics to a Prometheus Pushgateway.
FINOPS_NOW (an ISO date or time) pins "now" for every step: the run id, schedules, windows and the journal.`

  static override examples = [
    '<%= config.bin %> run',
    'FINOPS_CONFIG=/etc/finops/finops.yaml <%= config.bin %> run --db /data/finops.db --pushgateway http://pushgateway.monitoring:9091',
  ]

  // The log lines are the output; --json would only repeat them.
  static override enableJsonFlag = false

  static override flags = {
    pushgateway: Flags.string({description: 'Prometheus Pushgateway base URL (default: run.pushgateway)'}),
  }

  async run(): Promise<ScheduledRunResult> {
    const {flags} = await this.parse(Run)
    const loaded = this.finopsConfig(flags.config)
    const db = this.openStore(flags.db, flags.config)
    const runId = newRunId(currentInstant())
    const log = createRunLogger(runId)
    // Child steps get the same store and config this run resolved, whatever their working directory.
    const dbPath = resolveStorePath(flags.db, process.env, () => loaded.config.store)
    const common = ['--db', dbPath, ...(loaded.file ? ['--config', loaded.file] : [])]
    const cli = processInvoker(
      path.join(this.config.root, 'bin', 'run.js'),
      (id) => Boolean(this.config.findCommand(id)),
      common,
    )
    // Kubernetes stops a Job past its deadline with SIGTERM (node as PID 1 ignores it without a handler):
    // free the lock so the next scheduled run is not refused until the lock expires.
    const onSignal = (signal: NodeJS.Signals): void => {
      releaseRunLock(db, runId)
      log({step: 'run', event: 'finish', level: 'error', status: 'failed', reason: `stopped by ${signal}`})
      process.exit(128 + (signal === 'SIGINT' ? 2 : 15))
    }
    process.once('SIGTERM', onSignal)
    process.once('SIGINT', onSignal)
    let result: ScheduledRunResult
    try {
      result = await runScheduled({db, config: loaded.config, cli, runId, log, pushgateway: flags.pushgateway})
    } catch (error) {
      if (isFinopsError(error) && error.code === 'LOCKED')
        log({step: 'run', event: 'finish', level: 'warn', status: 'locked', reason: error.message})
      throw error
    } finally {
      process.off('SIGTERM', onSignal)
      process.off('SIGINT', onSignal)
    }
    if (result.status === 'ok') return result
    return this.exit(outcomeExitCode(result.status))
  }
}
