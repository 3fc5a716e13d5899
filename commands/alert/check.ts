import {Flags} from '@oclif/core'

import {type AlertCheckResult, checkAlerts} from '../../src/alerts/check.js'
import {forecastBudgetScope} from '../../src/alerts/budget-forecast.js'
import {withAnomalyLevel} from '../../src/alerts/anomaly-level.js'
import {resolveWebhook, WEBHOOK_ENV} from '../../src/alerts/webhook.js'
import {FinopsCommand} from '../../src/cli/base-command.js'
import {outputFlags} from '../../src/cli/output-flags.js'
import {
  anomalyLevelFlag,
  budgetForecastLevelFlag,
  parseAnomalyLevelFlag,
  slackPostFlags,
} from '../../src/cli/shared-flags.js'
import {partsExitCode} from '../../src/exit-codes.js'
import {describeFailedPosts} from '../../src/output/alert-check-format.js'

export default class AlertCheck extends FinopsCommand {
  static override storeIntent = 'write' as const
  static override summary = 'Evaluate budgets and spend anomalies and post new alerts to Slack'
  static override description = `Each alert is posted once per budget period and threshold (or per series and day for anomalies); the store \
remembers what was sent. A post that fails on 429 or 5xx is retried, honouring Retry-After; if it still fails it stays pending and is posted on the \
next run. The webhook URL comes from --webhook-file, then $${WEBHOOK_ENV}, then alerts.slack in finops.yaml; it is never printed.

Exit codes: 0 all delivered (or nothing to send), 3 no usable webhook, 6 no post succeeded, 7 some posts failed (they stay pending), a budget's \
forecast thresholds could not be evaluated (its forecast cannot be computed: the reason is printed), or a provider's billing data is late \
(alerts.freshness: one warning line, one Slack message). FINOPS_NOW (an ISO date or time) pins today (budget periods and the days judged for anomalies).`

  static override examples = [
    '<%= config.bin %> alert check --dry-run',
    `${WEBHOOK_ENV}=https://hooks.slack.com/services/T000/B000/XXXX <%= config.bin %> alert check`,
    '<%= config.bin %> alert check --webhook-file /var/run/secrets/finops/slack-webhook-url --json',
  ]

  static override flags = {
    ...slackPostFlags('Slack messages'),
    ...budgetForecastLevelFlag,
    ...anomalyLevelFlag,
    'no-anomalies': Flags.boolean({description: 'evaluate budgets only'}),
    ...outputFlags(['alert-check']),
  }

  async run(): Promise<AlertCheckResult> {
    const {flags} = await this.parse(AlertCheck)
    const level = flags.level ?? this.finopsConfig(flags.config).config.forecast.level
    const anomalyLevel = parseAnomalyLevelFlag(flags['anomaly-level'])
    const {config} = this.finopsConfig(flags.config)
    // Resolve the webhook before touching the store: a misconfigured run must fail without recording anything.
    const webhook = flags['dry-run'] ? undefined : resolveWebhook(flags['webhook-file'], config.alerts.slack)
    const db = this.openStore(flags.db, flags.config)
    const anomalies = {
      ...withAnomalyLevel(config.alerts.anomalies, anomalyLevel),
      ...(flags['no-anomalies'] ? {enabled: false} : {}),
    }
    const alertsConfig = {...config.alerts, anomalies}
    const result = await checkAlerts(db, {
      config: alertsConfig,
      forecaster: forecastBudgetScope,
      level,
      dryRun: flags['dry-run'] ?? false,
      webhookUrl: webhook?.url,
    })

    return this.finish('alert-check', result, {
      // Budgets whose forecast could not be evaluated, or late billing data, make the run partial, never a silent success.
      exit: partsExitCode({
        succeeded: result.sent.length,
        failed: result.failed.length,
        incomplete: result.warnings.length,
      }),
      warning: result.warnings.length > 0 ? result.warnings.join('; ') : undefined,
      problem: describeFailedPosts(result),
      options: {webhookSource: webhook?.source},
    })
  }
}
