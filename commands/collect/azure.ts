import {Flags} from '@oclif/core'

import {FinopsCommand} from '../../src/cli/base-command.js'
import {outputFlags} from '../../src/cli/output-flags.js'
import {countRequests, progressDisplay} from '../../src/output/progress.js'
import type {CollectSummary} from '../../src/collectors/cloud-collect.js'
import {checkGroupBy, endpointFlag, groupByFlag, runSettings, windowFlags} from '../../src/collectors/cloud-cli.js'
import {AZURE_CLOUD_NAMES, type AzureCloudName} from '../../src/collectors/azure/clouds.js'
import {collectSource} from '../../src/collectors/registry.js'
import type {AzureSourceConfig} from '../../src/config/sections/sources.js'
import {usageError} from '../../src/errors.js'

export default class CollectAzure extends FinopsCommand {
  static override storeIntent = 'create' as const
  static override summary = 'Collect daily Azure cost from the Cost Management Query API into the store'
  static override description =
    `Queries ActualCost (BilledCost) and AmortizedCost (EffectiveCost), Daily, at --scope, grouped by ServiceName and ` +
    `ResourceLocation (or SubscriptionId for scopes above a subscription, or a tag key), with ChargeType mapped to ChargeCategory; follows nextLink and ` +
    `honours the 429 retry-after headers. Credentials come from DefaultAzureCredential (environment, workload identity, managed identity, az login, ` +
    `...). Without --scope, the azure: entries of finops.yaml sources: are used. FINOPS_NOW (an ISO date or time) pins today (the window ends yesterday).`

  static override examples = [
    '<%= config.bin %> collect azure --scope /subscriptions/00000000-0000-0000-0000-000000000000',
    '<%= config.bin %> collect azure --scope /providers/Microsoft.Billing/billingAccounts/1234567 --group-by tag:team',
  ]

  static override flags = {
    ...windowFlags,
    scope: Flags.string({
      description:
        'Cost Management scope: /subscriptions/<id>[/resourceGroups/<rg>], /providers/Microsoft.Billing/billingAccounts/<id>, ' +
        '/providers/Microsoft.Management/managementGroups/<id>',
    }),
    'group-by': groupByFlag,
    endpoint: endpointFlag,
    cloud: Flags.string({
      description: 'Azure cloud: its Resource Manager endpoint, token audience and sign-in host (default: public)',
      options: AZURE_CLOUD_NAMES,
    }),
    ...outputFlags(['collect-cloud']),
  }

  async run(): Promise<{sources: CollectSummary[]}> {
    const {flags} = await this.parse(CollectAzure)
    const {config} = this.finopsConfig(flags.config)
    const progress = progressDisplay(process.stderr, this.jsonEnabled(), 'requests')
    const settings = {...runSettings(config, flags), onRequest: countRequests(progress, 'Cost Management')}
    let entries: AzureSourceConfig[]
    if (flags.scope)
      entries = [
        {
          scope: flags.scope,
          groupBy: checkGroupBy(flags['group-by']),
          endpoint: flags.endpoint,
          cloud: flags.cloud as AzureCloudName | undefined,
        },
      ]
    else if (config.sources.azure?.length) entries = config.sources.azure
    else
      throw usageError(
        'no Azure scope: pass --scope or list sources.azure in finops.yaml',
        'for example --scope /subscriptions/<subscription-id>',
      )
    const db = this.openStore(flags.db, flags.config)
    const sources: CollectSummary[] = []
    try {
      for (const entry of entries) sources.push(await collectSource(db, 'azure', entry, settings))
    } finally {
      progress.stop()
    }
    await this.present('collect-cloud', {sources})
    return {sources}
  }
}
