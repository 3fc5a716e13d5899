import {forecastBudgetScope} from '../../src/alerts/budget-forecast.js'
import {type DigestResult, sendWeeklyDigest} from '../../src/alerts/digest.js'
import {resolveWebhook, WEBHOOK_ENV} from '../../src/alerts/webhook.js'
import {FinopsCommand} from '../../src/cli/base-command.js'
import {outputFlags} from '../../src/cli/output-flags.js'
import {budgetForecastLevelFlag, slackPostFlags} from '../../src/cli/shared-flags.js'
import {ExitCode} from '../../src/exit-codes.js'

export default class AlertDigest extends FinopsCommand {
  static override storeIntent = 'write' as const
  static override summary = 'Post the weekly cost digest to Slack (at most once per ISO week)'
  static override description = `The digest: effective spend over the last 7 complete days vs the 7 before (the numbers of \`cost report --group-by \
provider,service\`), the top movers by provider and service, each budget's period-end forecast (as \`budget status\`), savings available from open \
recommendations and realized by applied actions as \`finops savings\` measures them (next to what they promised; not measurable yet counted apart), \
each part linking to alerts.digest.reportUrl when set. It is posted as Block Kit with the same delivery as alerts (retries on 429 with Retry-After \
and on 5xx, recorded before it is posted and sent once: a re-run in the same ISO week posts nothing). The webhook URL comes from --webhook-file, \
then $${WEBHOOK_ENV}, then alerts.slack in finops.yaml; it is never printed.

Exit codes: 0 posted (or already posted this week, or a dry run), 3 no usable webhook, 6 the post failed (it stays pending for the next run). \
FINOPS_NOW (an ISO date or time) pins today (the last 7 complete days and the ISO week).`

  static override examples = [
    '<%= config.bin %> alert digest --dry-run',
    `${WEBHOOK_ENV}=https://hooks.slack.com/services/T000/B000/XXXX <%= config.bin %> alert digest`,
  ]

  static override flags = {
    ...slackPostFlags('digest'),
    ...budgetForecastLevelFlag,
    ...outputFlags(['alert-digest']),
  }

  async run(): Promise<DigestResult> {
    const {flags} = await this.parse(AlertDigest)
    const {config} = this.finopsConfig(flags.config)
    // Resolve the webhook before touching the store: a misconfigured run fails without recording anything.
    const webhook = flags['dry-run'] ? undefined : resolveWebhook(flags['webhook-file'], config.alerts.slack)
    const db = this.openStore(flags.db, flags.config)
    const result = await sendWeeklyDigest(db, {
      forecaster: forecastBudgetScope,
      level: flags.level ?? config.forecast.level,
      kubernetes: config.kubernetes,
      reportUrl: config.alerts.digest.reportUrl,
      dryRun: flags['dry-run'] ?? false,
      webhookUrl: webhook?.url,
      policy: {
        retries: config.alerts.slack.retries,
        maxRetryAfterSeconds: config.alerts.slack.maxRetryAfterSeconds,
        timeoutSeconds: config.alerts.slack.timeoutSeconds,
      },
    })
    return this.finish('alert-digest', result, {
      exit: result.status === 'failed' ? ExitCode.remote : ExitCode.ok,
      problem: result.status === 'failed' ? `Slack post failed: ${result.error}` : undefined,
      options: {webhookSource: webhook?.source},
    })
  }
}
