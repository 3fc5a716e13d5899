import {Flags} from '@oclif/core'

import {FinopsCommand} from '../../src/cli/base-command.js'
import {outputFlags} from '../../src/cli/output-flags.js'
import {countRequests, progressDisplay} from '../../src/output/progress.js'
import {endpointFlag, runSettings, windowFlags} from '../../src/collectors/cloud-cli.js'
import type {GcpRunSummary} from '../../src/collectors/gcp/source.js'
import {collectSource} from '../../src/collectors/registry.js'
import type {GcpSourceConfig} from '../../src/config/sections/sources.js'
import {usageError} from '../../src/errors.js'

export default class CollectGcp extends FinopsCommand {
  static override storeIntent = 'create' as const
  static override summary =
    'Collect daily GCP cost from the BigQuery billing export, and Compute Engine prices from the Billing Catalog'
  static override description =
    `Runs one query that BigQuery aggregates per day, project, service, region and cost type (and a label with --label), ` +
    `filtered on _PARTITIONTIME, with credits netted into EffectiveCost; pages the result with pageToken. --prices also refreshes Compute Engine SKU ` +
    `prices (Spot/Preemptible included) from the Cloud Billing Catalog, for the spot recommender. Credentials: GOOGLE_OAUTH_ACCESS_TOKEN if set, else ` +
    `Application Default Credentials. Without --table/--prices, the gcp: entries of finops.yaml sources: are used. FINOPS_NOW (an ISO date or time) pins ` +
    `today (the window ends yesterday).`

  static override examples = [
    '<%= config.bin %> collect gcp --table my-project.billing.gcp_billing_export_v1_01A2B3_C4D5E6_F7A8B9',
    '<%= config.bin %> collect gcp --table my-project.billing.gcp_billing_export_v1_01A2B3_C4D5E6_F7A8B9 --label team --prices',
    '<%= config.bin %> collect gcp --prices',
  ]

  static override flags = {
    ...windowFlags,
    table: Flags.string({
      description: 'BigQuery billing export table: project.dataset.gcp_billing_export_v1_XXXXXX_XXXXXX_XXXXXX',
    }),
    'billing-account': Flags.string({description: 'billing account id (default: read from the table name)'}),
    project: Flags.string({description: "project the query job runs in (default: the table's project)"}),
    location: Flags.string({description: 'BigQuery dataset location (US, EU, ...)'}),
    label: Flags.string({description: 'a resource label key to group on (stored as a tag)'}),
    prices: Flags.boolean({
      description: 'also refresh Compute Engine prices (incl. Spot) from the Cloud Billing Catalog',
    }),
    endpoint: endpointFlag,
    ...outputFlags(['collect-gcp']),
  }

  async run(): Promise<{sources: GcpRunSummary[]}> {
    const {flags} = await this.parse(CollectGcp)
    const {config} = this.finopsConfig(flags.config)
    const progress = progressDisplay(process.stderr, this.jsonEnabled(), 'requests')
    const settings = {...runSettings(config, flags), onRequest: countRequests(progress, 'BigQuery and Cloud Billing')}
    let entries: GcpSourceConfig[]
    if (flags.table || flags.prices) {
      entries = [
        {
          table: flags.table,
          billingAccount: flags['billing-account'],
          project: flags.project,
          location: flags.location,
          label: flags.label,
          prices: flags.prices,
          endpoint: flags.endpoint,
        },
      ]
    } else if (config.sources.gcp?.length) entries = config.sources.gcp
    else
      throw usageError(
        'no BigQuery export table: pass --table (and/or --prices) or list sources.gcp in finops.yaml',
        'for example --table my-project.billing.gcp_billing_export_v1_01A2B3_C4D5E6_F7A8B9',
      )
    const db = this.openStore(flags.db, flags.config)
    const sources: GcpRunSummary[] = []
    try {
      for (const entry of entries) sources.push(await collectSource(db, 'gcp', entry, settings))
    } finally {
      progress.stop()
    }
    await this.present('collect-gcp', {sources})
    return {sources}
  }
}
