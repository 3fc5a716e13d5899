import {staleSources, staleSourceWarning} from '../alerts/freshness.js'
import {resolveWebhook} from '../alerts/webhook.js'
import {countSources} from '../collectors/registry.js'
import {applyFromStore} from '../apply/index.js'
import {loadKubeAccess} from '../k8s/kubeconfig.js'
import {now} from '../dates.js'
import type {ApplyReport} from '../apply/execute.js'
import type {FinopsConfig} from '../config/index.js'
import type {RunStepName} from '../config/sections/run.js'
import {addDays, dayToDate, daysBetween, today} from '../dates.js'
import {DIGEST_WEEKDAYS} from '../config/sections/alerts.js'
import {isFinopsError} from '../errors.js'
import {ExitCode, partsOutcome} from '../exit-codes.js'
import path from 'node:path'
import {providerLastDays} from '../store/cost-presence.js'
import {costDataRange} from '../store/costs.js'
import {listSnapshots} from '../store/k8s-inventory.js'
import type {Db} from '../store/open.js'
import type {CliInvoker} from './cli-invoker.js'
import {isReplaceableReport} from '../output/report/report-identity.js'

export interface StepContext {
  runId: string
  config: FinopsConfig
  db: Db
  cli: CliInvoker
  /** Results steps leave for later steps and the metrics (forecast JSON, apply report, ...). */
  outputs: Partial<Record<RunStepName, unknown>>
  /** How the steps already run in this run ended. */
  statuses?: Partial<Record<RunStepName, StepResult['status']>>
}

export interface StepResult {
  status: 'ok' | 'skipped' | 'failed' | 'partial'
  reason?: string
  /** A few numbers for the log line (rows collected, actions applied, alerts sent). */
  details?: Record<string, unknown>
}

export interface RunStep {
  describe: string
  run(ctx: StepContext): Promise<StepResult>
}

/** Runs one finops command; the step is skipped (with the reason) when this build lacks the command. */
async function command(
  ctx: StepContext,
  step: RunStepName,
  id: string,
  argv: string[],
): Promise<StepResult & {json?: unknown}> {
  if (!ctx.cli.available(id)) return {status: 'skipped', reason: `finops ${id.replace(/:/g, ' ')} is not in this build`}
  const outcome = await ctx.cli.run([...argv, ...(ctx.config.run.args[step] ?? [])])
  if (outcome.code === 0) return {status: 'ok', json: outcome.json}
  return {
    status: outcome.code === ExitCode.partial ? 'partial' : 'failed',
    reason: `finops ${argv.join(' ')} exited ${outcome.code}${outcome.message ? `: ${outcome.message}` : ''}`,
    json: outcome.json,
  }
}

/** Why there is no cluster to talk to (no kubeconfig, not in a pod), or undefined when there is one. */
function clusterMissing(config: FinopsConfig): string | undefined {
  try {
    loadKubeAccess({kubeconfig: config.kubernetes.kubeconfig, context: config.kubernetes.context})
    return undefined
  } catch (error) {
    if (isFinopsError(error) && error.code === 'K8S_NO_CLUSTER')
      return 'no Kubernetes cluster configured (KUBECONFIG, kubernetes.kubeconfig, or in-cluster)'
    throw error
  }
}

/** Where the usage step reads from: run.usage, or with `auto` Prometheus when a URL is set (FINOPS_PROMETHEUS_URL or finops.yaml). */
export function usageSource(
  config: Pick<FinopsConfig, 'run' | 'kubernetes'>,
  env: NodeJS.ProcessEnv = process.env,
): 'prometheus' | 'metrics-server' | 'none' {
  if (config.run.usage !== 'auto') return config.run.usage
  return env.FINOPS_PROMETHEUS_URL || config.kubernetes.prometheus.url ? 'prometheus' : 'metrics-server'
}

const hasSources = ({sources}: FinopsConfig): boolean => countSources(sources) > 0

/**
 * The steps of `finops run`, in order. Each calls the capability's own command; a capability that is
 * not in this build, or has nothing to work on yet, is skipped with the reason in the log.
 */
export const runSteps: Record<RunStepName, RunStep> = {
  collect: {
    describe:
      'collect the billing sources in finops.yaml (collect all), the cluster inventory (collect k8s) and container usage (collect usage)',
    async run(ctx) {
      const parts: [string, StepResult][] = []
      if (hasSources(ctx.config))
        parts.push(['billing', await command(ctx, 'collect', 'collect:all', ['collect', 'all'])])
      else parts.push(['billing', {status: 'skipped', reason: 'no billing sources in finops.yaml'}])
      const noCluster = clusterMissing(ctx.config)
      if (noCluster) {
        parts.push(['kubernetes', {status: 'skipped', reason: noCluster}])
        return combine(parts)
      }
      const inventory = await command(ctx, 'collect', 'collect:k8s', ['collect', 'k8s'])
      parts.push(['kubernetes', inventory])
      const usage = usageSource(ctx.config)
      if (usage === 'none') parts.push(['usage', {status: 'skipped', reason: 'run.usage is none'}])
      else if (inventory.status !== 'ok') parts.push(['usage', {status: 'skipped', reason: 'no fresh inventory'}])
      else
        parts.push(['usage', await command(ctx, 'collect', 'collect:usage', ['collect', 'usage', '--source', usage])])
      return combine(parts)
    },
  },
  forecast: {
    describe: 'forecast spend (finops forecast)',
    async run(ctx) {
      const range = costDataRange(ctx.db)
      if (!range) return {status: 'skipped', reason: 'no cost data in the store yet'}
      // A new install is not failing: it has not collected enough history yet.
      const days = daysBetween(range.first, range.last) + 1
      if (days < ctx.config.forecast.minHistoryDays)
        return {
          status: 'skipped',
          reason: `${days} days of cost data; forecasting needs ${ctx.config.forecast.minHistoryDays} (forecast.minHistoryDays)`,
        }
      const result = await command(ctx, 'forecast', 'forecast', ['forecast'])
      ctx.outputs.forecast = result.json
      return strip(result)
    },
  },
  recommend: {
    describe: 'compute rightsizing, spot and scale-down recommendations (finops recommend)',
    async run(ctx) {
      if (listSnapshots(ctx.db).length === 0)
        return {status: 'skipped', reason: 'no cluster inventory in the store (collect k8s did not run or failed)'}
      const result = await command(ctx, 'recommend', 'recommend', ['recommend'])
      ctx.outputs.recommend = result.json
      const recs = (result.json as {recommendations?: unknown[]} | undefined)?.recommendations
      return {...strip(result), details: recs ? {recommendations: recs.length} : undefined}
    },
  },
  apply: {
    describe: 'apply the recommendations per apply.mode (dry run unless enforce)',
    async run(ctx) {
      const noCluster = clusterMissing(ctx.config)
      if (noCluster) return {status: 'skipped', reason: noCluster}
      // The stored recommendations are the previous run's when this run's recommend failed: a workload
      // idle then may be busy now. None is applied then; schedules are judged on the live cluster anyway.
      const stale = ctx.statuses?.recommend === 'failed'
      const report: ApplyReport = await applyFromStore(ctx.db, {
        config: ctx.config,
        runId: ctx.runId,
        now: now(),
        ...(stale ? {recommendations: []} : {}),
      })
      const staleNote =
        'recommend failed in this run: stored recommendations not applied; schedules (kube-downscaler annotations, finops.yaml) still followed on ' +
        'the live cluster'
      if (stale) report.notes.push(staleNote)
      ctx.outputs.apply = report
      const {summary} = report
      const details = {
        mode: report.mode,
        planned: summary.planned,
        applied: summary.applied,
        failed: summary.failed,
        skipped: summary.skipped,
      }
      const status = partsOutcome({succeeded: summary.applied, failed: summary.failed})
      if (status === 'ok') return {status, details, ...(stale ? {reason: staleNote} : {})}
      return {
        status,
        reason: report.actions
          .filter((a) => a.error)
          .map((a) => `${a.target.namespace}/${a.target.name}: ${a.error}`)
          .join('; '),
        details,
      }
    },
  },
  alerts: {
    describe: 'evaluate budgets and anomalies and notify Slack (finops alert check)',
    async run(ctx) {
      if (!costDataRange(ctx.db)) return {status: 'skipped', reason: 'no cost data in the store yet'}
      try {
        resolveWebhook(undefined, ctx.config.alerts.slack)
      } catch (error) {
        // Nowhere to post is a choice, not a failure; a webhook file that cannot be read is a failure (alert check reports it).
        if (isFinopsError(error) && error.code === 'NO_WEBHOOK') {
          const noWebhook = 'no Slack webhook configured (FINOPS_SLACK_WEBHOOK_URL or alerts.slack)'
          // Late billing data is still said without a webhook: the run is partial, not a quiet skip.
          const stale = staleSources(providerLastDays(ctx.db), addDays(today(), -1), ctx.config.alerts.freshness)
          if (stale.length > 0)
            return {status: 'partial', reason: `${stale.map(staleSourceWarning).join('; ')} (${noWebhook})`}
          return {status: 'skipped', reason: noWebhook}
        }
      }
      const result = await command(ctx, 'alerts', 'alert:check', ['alert', 'check'])
      ctx.outputs.alerts = result.json
      return strip(result)
    },
  },
  digest: {
    describe: 'post the weekly Slack digest once per ISO week, from alerts.digest.weekday on (finops alert digest)',
    async run(ctx) {
      const {weekday} = ctx.config.alerts.digest
      if (!weekday) return {status: 'skipped', reason: 'alerts.digest.weekday is not set'}
      const todayDay = today()
      // Monday is 0: a run later in the week than the chosen day still posts it (the store keeps it to once a week).
      const dayIndex = (dayToDate(todayDay).getUTCDay() + 6) % 7
      if (dayIndex < DIGEST_WEEKDAYS.indexOf(weekday))
        return {status: 'skipped', reason: `the weekly digest is due from ${weekday} (alerts.digest.weekday)`}
      if (!costDataRange(ctx.db)) return {status: 'skipped', reason: 'no cost data in the store yet'}
      try {
        resolveWebhook(undefined, ctx.config.alerts.slack)
      } catch (error) {
        if (isFinopsError(error) && error.code === 'NO_WEBHOOK')
          return {status: 'skipped', reason: 'no Slack webhook configured (FINOPS_SLACK_WEBHOOK_URL or alerts.slack)'}
      }
      const result = await command(ctx, 'digest', 'alert:digest', ['alert', 'digest'])
      ctx.outputs.digest = result.json
      const status = (result.json as {status?: string} | undefined)?.status
      return {...strip(result), ...(status ? {details: {digest: status}} : {})}
    },
  },
  backup: {
    describe: 'back the store up to backup.to and apply the retention (finops store backup; backup: in finops.yaml)',
    async run(ctx) {
      if (!ctx.config.backup.to) return {status: 'skipped', reason: 'backup.to is not set in finops.yaml'}
      const result = await command(ctx, 'backup', 'store:backup', ['store', 'backup'])
      const json = result.json as {backup?: {location: string}; retention?: {removed: string[]}} | undefined
      return {
        ...strip(result),
        ...(result.status === 'ok' && json?.backup
          ? {details: {backup: json.backup.location, removed: json.retention?.removed.length ?? 0}}
          : {}),
      }
    },
  },
  report: {
    describe: 'write the latest HTML report next to the store (finops report --out; run.report in finops.yaml)',
    async run(ctx) {
      const settings = ctx.config.run.report
      if (!settings.enabled) return {status: 'skipped', reason: 'run.report.enabled is false'}
      if (!costDataRange(ctx.db)) return {status: 'skipped', reason: 'no cost data in the store yet'}
      // On the store's volume: the PVC in the cluster, the store's directory elsewhere.
      const out = path.resolve(path.dirname(ctx.db.name), settings.path ?? 'report.html')
      if (!isReplaceableReport(out))
        return {
          status: 'failed',
          reason: `${out} exists and is not a report finops wrote; it is left as it is (move it, or set run.report.path)`,
        }
      const result = await command(ctx, 'report', 'report', ['report', '--out', out])
      ctx.outputs.report = result.json
      return {...strip(result), ...(result.status === 'ok' ? {details: {out}} : {})}
    },
  },
}

function strip(result: StepResult & {json?: unknown}): StepResult {
  const {json: _json, ...rest} = result
  return rest
}

/** A step made of parts: failed if any part failed, ok if any ran, else skipped; reasons joined. */
function combine(parts: [string, StepResult][]): StepResult {
  const statuses = parts.map(([, r]) => r.status)
  const status = statuses.includes('failed')
    ? 'failed'
    : statuses.includes('partial')
      ? 'partial'
      : statuses.includes('ok')
        ? 'ok'
        : 'skipped'
  const reasons = parts.filter(([, r]) => r.reason).map(([name, r]) => `${name}: ${r.status}: ${r.reason}`)
  return {
    status,
    reason: reasons.length > 0 ? reasons.join('; ') : undefined,
    details: Object.fromEntries(parts.map(([name, r]) => [name, r.status])),
  }
}
