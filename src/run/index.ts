import type {ApplyReport} from '../apply/execute.js'
import type {FinopsConfig} from '../config/index.js'
import type {RunStepName} from '../config/sections/run.js'
import {redact} from '../errors.js'
import {type PartsOutcome, partsOutcome} from '../exit-codes.js'
import type {Db} from '../store/open.js'
import type {CliInvoker} from './cli-invoker.js'
import {acquireRunLock, releaseRunLock} from './lock.js'
import type {RunLogger} from './log.js'
import {collectRunMetrics} from './metrics.js'
import {pushMetrics} from './pushgateway.js'
import {type StepContext, type StepResult, runSteps} from './steps.js'

export interface ScheduledRunOptions {
  db: Db
  config: FinopsConfig
  cli: CliInvoker
  runId: string
  log: RunLogger
  /** Overrides run.pushgateway. */
  pushgateway?: string
}

export interface StepRecord extends StepResult {
  step: RunStepName
  durationMs: number
}

export interface ScheduledRunResult {
  runId: string
  status: PartsOutcome
  steps: StepRecord[]
  durationSeconds: number
  metrics?: {url: string; samples: number} | {error: string}
}

/**
 * `finops run`: takes the store lock, runs the configured steps in order (each logged as one JSON
 * line), pushes the metrics, releases the lock. A failed step does not stop the later ones (alerts
 * still go out when collection failed) but makes the run exit non-zero so the Job is retried.
 */
export async function runScheduled(options: ScheduledRunOptions): Promise<ScheduledRunResult> {
  const {db, config, runId, log} = options
  const started = Date.now()
  const {takenOver} = acquireRunLock(db, {runId, ttlMinutes: config.run.lockTtlMinutes})
  log({step: 'run', event: 'start', steps: config.run.steps, ...(takenOver ? {tookOverStaleLock: takenOver} : {})})
  const steps: StepRecord[] = []
  const ctx: StepContext = {runId, config, db, cli: options.cli, outputs: {}, statuses: {}}
  let metrics: ScheduledRunResult['metrics']
  try {
    for (const name of config.run.steps) {
      const stepStarted = Date.now()
      let result: StepResult
      try {
        result = await runSteps[name].run(ctx)
      } catch (error) {
        result = {status: 'failed', reason: redact((error as Error)?.message ?? String(error))}
      }
      ctx.statuses![name] = result.status
      const record: StepRecord = {step: name, ...result, durationMs: Date.now() - stepStarted}
      steps.push(record)
      log({
        step: name,
        event: result.status === 'skipped' ? 'skip' : 'finish',
        level:
          result.status === 'failed'
            ? 'error'
            : result.status === 'ok' || result.status === 'skipped'
              ? 'info'
              : 'warn',
        status: result.status,
        durationMs: record.durationMs,
        ...(result.reason ? {reason: result.reason} : {}),
        ...(result.details ? {details: result.details} : {}),
      })
    }
    const status = partsOutcome({
      succeeded: steps.filter((s) => s.status === 'ok').length,
      failed: steps.filter((s) => s.status === 'failed' || s.status === 'partial').length,
    })
    const pushgateway = options.pushgateway ?? config.run.pushgateway
    if (pushgateway) {
      const {samples, notes} = collectRunMetrics({
        db,
        success: status === 'ok',
        durationSeconds: (Date.now() - started) / 1000,
        finishedAt: new Date(),
        forecast: ctx.outputs.forecast,
        apply: ctx.outputs.apply as ApplyReport | undefined,
        kubernetes: config.kubernetes,
      })
      try {
        metrics = await pushMetrics(pushgateway, samples, {job: 'finops', instance: config.run.instance})
        log({
          step: 'pushgateway',
          event: 'finish',
          status: 'ok',
          samples: samples.length,
          ...(notes.length > 0 ? {notes} : {}),
        })
      } catch (error) {
        // Metrics are for dashboards: a Pushgateway outage is logged, not a reason to re-run collection and apply.
        metrics = {error: (error as Error).message}
        log({step: 'pushgateway', event: 'finish', level: 'warn', status: 'failed', reason: (error as Error).message})
      }
    }
    const durationSeconds = (Date.now() - started) / 1000
    log({
      step: 'run',
      event: 'finish',
      level: status === 'ok' ? 'info' : 'error',
      status,
      durationMs: Math.round(durationSeconds * 1000),
      failedSteps: steps.filter((s) => s.status === 'failed' || s.status === 'partial').map((s) => s.step),
    })
    return {runId, status, steps, durationSeconds, metrics}
  } finally {
    releaseRunLock(db, runId)
  }
}
