import {Flags} from '@oclif/core'

import {FinopsCommand} from '../../src/cli/base-command.js'
import {outputFlags} from '../../src/cli/output-flags.js'
import {countRequests, progressDisplay} from '../../src/output/progress.js'
import type {CollectSummary} from '../../src/collectors/cloud-collect.js'
import {checkGroupBy, endpointFlag, groupByFlag, runSettings, windowFlags} from '../../src/collectors/cloud-cli.js'
import {collectSource} from '../../src/collectors/registry.js'
import type {AwsSourceConfig} from '../../src/config/sections/sources.js'

export default class CollectAws extends FinopsCommand {
  static override storeIntent = 'create' as const
  static override summary = 'Collect daily AWS cost from Cost Explorer (GetCostAndUsage) into the store'
  static override description =
    `Asks Cost Explorer for DAILY UnblendedCost (BilledCost) and AmortizedCost (EffectiveCost), by linked account and ` +
    `service, with RECORD_TYPE mapped to ChargeCategory. Each request costs USD 0.01, so a run makes the fewest calls that fill the grain (two, plus ` +
    `pages) and prints how many it made. Runs are incremental: from the watermark minus the restatement window (and the whole current month) to ` +
    `yesterday, replacing those days. Credentials come from the AWS SDK default chain (env, --profile / AWS_PROFILE, SSO, roles); ` +
    `AWS_ENDPOINT_URL_COST_EXPLORER is honoured. Without flags, the aws: entries of finops.yaml sources: are used. FINOPS_NOW (an ISO date or time) pins ` +
    `today (the window ends yesterday).`

  static override examples = [
    '<%= config.bin %> collect aws',
    '<%= config.bin %> collect aws --profile payer --billing-account 123456789012',
    '<%= config.bin %> collect aws --group-by tag:team --from 2026-09-01 --json',
  ]

  static override flags = {
    ...windowFlags,
    profile: Flags.string({
      description: 'named profile from ~/.aws/config (default: AWS_PROFILE, else the default credential chain)',
    }),
    region: Flags.string({description: 'Cost Explorer region (default: us-east-1)'}),
    'billing-account': Flags.string({
      description: 'BillingAccountId for the rows, e.g. the payer account id (default: the profile name)',
    }),
    'group-by': groupByFlag,
    endpoint: endpointFlag,
    ...outputFlags(['collect-cloud']),
  }

  async run(): Promise<{sources: CollectSummary[]}> {
    const {flags} = await this.parse(CollectAws)
    const {config} = this.finopsConfig(flags.config)
    const progress = progressDisplay(process.stderr, this.jsonEnabled(), 'requests')
    const settings = {...runSettings(config, flags), onRequest: countRequests(progress, 'Cost Explorer')}
    const fromFlags: AwsSourceConfig = {
      profile: flags.profile,
      region: flags.region,
      billingAccount: flags['billing-account'],
      groupBy: checkGroupBy(flags['group-by']),
      endpoint: flags.endpoint,
    }
    const anyFlag = Object.values(fromFlags).some((v) => v !== undefined)
    const entries = anyFlag ? [fromFlags] : (config.sources.aws ?? [fromFlags])
    const db = this.openStore(flags.db, flags.config)
    const sources: CollectSummary[] = []
    try {
      for (const entry of entries) sources.push(await collectSource(db, 'aws', entry, settings))
    } finally {
      progress.stop()
    }
    await this.present('collect-cloud', {sources})
    return {sources}
  }
}
