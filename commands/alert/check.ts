import {Flags} from '@oclif/core'

import {type AlertCheckResult, checkAlerts} from '../../src/alerts/check.js'
import {forecastBudgetScope} from '../../src/alerts/budget-forecast.js'
import {resolveWebhook, WEBHOOK_ENV} from '../../src/alerts/webhook.js'
import {FinopsCommand} from '../../src/cli/base-command.js'
import {usageError} from '../../src/errors.js'
import {ExitCode} from '../../src/exit-codes.js'

export default class AlertCheck extends FinopsCommand {
  static override summary = 'Evaluate budgets and spend anomalies and post new alerts to Slack'
  static override description = `Each alert is posted once per budget period and threshold (or per series and day for anomalies); the store remembers what was sent. A post that fails on 429 or 5xx is retried, honouring Retry-After; if it still fails it stays pending and is posted on the next run. The webhook URL comes from --webhook-file, then $${WEBHOOK_ENV}, then alerts.slack in finops.yaml; it is never printed.

Exit codes: 0 all delivered (or nothing to send), 3 no usable webhook, 6 no post succeeded, 7 some posts failed (they stay pending) or a budget's forecast thresholds could not be evaluated (its forecast cannot be computed: the reason is printed).`

  static override examples = [
    '<%= config.bin %> alert check --dry-run',
    `${WEBHOOK_ENV}=https://hooks.slack.com/services/T000/B000/XXXX <%= config.bin %> alert check`,
    '<%= config.bin %> alert check --webhook-file /var/run/secrets/finops/slack-webhook-url --json',
  ]

  static override flags = {
    'dry-run': Flags.boolean({description: 'print the Slack messages that would be posted; record and send nothing'}),
    'webhook-file': Flags.string({
      description: 'file holding the Slack webhook URL (e.g. a mounted Kubernetes Secret)',
    }),
    level: Flags.integer({
      description: 'forecast interval level for budgets, percent (default: forecast.level in finops.yaml, else 80)',
    }),
    'no-anomalies': Flags.boolean({description: 'evaluate budgets only'}),
  }

  async run(): Promise<AlertCheckResult> {
    const {flags} = await this.parse(AlertCheck)
    const level = flags.level ?? this.finopsConfig(flags.config).config.forecast.level
    if (level < 50 || level > 99) throw usageError(`--level ${level}: expected a percent from 50 to 99`)
    const {config} = this.finopsConfig(flags.config)
    // Resolve the webhook before touching the store: a misconfigured run must fail without recording anything.
    const webhook = flags['dry-run'] ? undefined : resolveWebhook(flags['webhook-file'], config.alerts.slack)
    const db = this.openStore(flags.db, flags.config)
    const alertsConfig = flags['no-anomalies']
      ? {...config.alerts, anomalies: {...config.alerts.anomalies, enabled: false}}
      : config.alerts
    const result = await checkAlerts(db, {
      config: alertsConfig,
      forecaster: forecastBudgetScope,
      level,
      dryRun: flags['dry-run'] ?? false,
      webhookUrl: webhook?.url,
    })

    this.render(result, webhook?.source)
    if (result.warnings.length > 0) process.stderr.write(`Warning: ${result.warnings.join('; ')}\n`)
    if (result.failed.length > 0) {
      const first = result.failed[0]!
      process.stderr.write(
        `Error: ${result.failed.length} alert${result.failed.length === 1 ? '' : 's'} could not be posted (${first.error}); ` +
          `${result.pendingAfter} pending, retried on the next run\n`,
      )
      process.exitCode = result.sent.length > 0 ? ExitCode.partial : ExitCode.remote
    } else if (result.warnings.length > 0) {
      // Alerts that could not be evaluated are a partial run, never a silent success.
      process.exitCode = ExitCode.partial
    }
    return result
  }

  private render(result: AlertCheckResult, source: string | undefined): void {
    if (this.jsonEnabled()) return
    for (const b of result.budgets) {
      this.log(
        `Budget ${b.name} ${b.period}: ${b.actualPercent.toFixed(1)}% spent` +
          (b.forecastPercent === undefined
            ? `, no forecast (${b.forecastSkipped ?? 'not available'})`
            : `, forecast ${b.forecastPercent.toFixed(1)}%`) +
          (b.crossed.length > 0 ? `; crossed ${b.crossed.join(', ')}` : ''),
      )
    }
    if (result.anomalies.groupBy.length > 0) {
      this.log(
        `Anomalies by ${result.anomalies.groupBy.join(' + ')}: ${result.anomalies.found.length} found` +
          (result.anomalies.through ? ` in the days up to ${result.anomalies.through}` : ' (no cost data)'),
      )
    }
    if (result.alreadySent.length > 0) this.log(`Already posted earlier: ${result.alreadySent.length}`)
    if (result.dryRun) {
      this.log(
        result.messages && result.messages.length > 0
          ? `Dry run: ${result.messages.length} message(s) would be posted:`
          : 'Dry run: nothing to post',
      )
      for (const message of result.messages ?? []) this.log(JSON.stringify(message, null, 2))
      return
    }
    if (
      result.sent.length + result.failed.length + result.deferred.length + (result.postedElsewhere?.length ?? 0) ===
      0
    )
      this.log('Nothing new to post')
    else
      this.log(
        `Posted ${result.sent.length} alert${result.sent.length === 1 ? '' : 's'} to Slack (webhook from ${source})`,
      )
    for (const a of result.sent) this.log(`  sent: ${a.summary}`)
    for (const a of result.failed)
      this.log(`  pending (failed after ${a.attempts} attempt${a.attempts === 1 ? '' : 's'}: ${a.error}): ${a.summary}`)
    for (const a of result.deferred) this.log(`  pending (not attempted this run): ${a.summary}`)
    for (const a of result.postedElsewhere ?? []) this.log(`  being posted by another run: ${a.summary}`)
  }
}
