import {Flags} from '@oclif/core'

import {FinopsCommand} from '../../src/cli/base-command.js'
import {outputFlags} from '../../src/cli/output-flags.js'
import {countRequests, progressDisplay} from '../../src/output/progress.js'
import {endpointFlag, runSettings, windowFlags} from '../../src/collectors/cloud-cli.js'
import {athenaEntry, type AthenaRunSummary} from '../../src/collectors/athena/source.js'
import {EXPORT_FORMATS} from '../../src/collectors/athena/rollup-sql.js'
import {collectSource} from '../../src/collectors/registry.js'
import type {AthenaSourceConfig} from '../../src/config/sections/sources.js'
import {usageError} from '../../src/errors.js'

export default class CollectAthena extends FinopsCommand {
  static override storeIntent = 'create' as const
  static override summary =
    'Collect daily AWS cost by querying the Data Exports table (FOCUS 1.0 or CUR 2.0) in place with Amazon Athena'
  static override description =
    `Runs one Trino SQL query that Athena aggregates per day at the store's grain (account, service, region, charge ` +
    `category, tags), over only the billing_period partitions of the window, and reads the answer with paged GetQueryResults. Athena bills the bytes it ` +
    `scans (USD 5 per TB): the run prints them and their cost. Runs are incremental like the other cloud sources: from the watermark minus the ` +
    `restatement window (and the whole current month) to yesterday, replacing those days of the payer account. Credentials come from the AWS SDK default ` +
    `chain (env, --profile / AWS_PROFILE, SSO, roles); AWS_ENDPOINT_URL_ATHENA is honoured. Without --table, the athena: entries of finops.yaml sources: ` +
    `are used. FINOPS_NOW (an ISO date or time) pins today (the window ends yesterday).`

  static override examples = [
    '<%= config.bin %> collect athena --table cid_data_export.focus --billing-account 123456789012',
    '<%= config.bin %> collect athena --table cid_data_export.cur2 --format cur2 --billing-account 123456789012 --workgroup finops --json',
  ]

  static override flags = {
    ...windowFlags,
    table: Flags.string({description: 'the Data Exports table in the Glue catalog: database.table'}),
    format: Flags.string({
      options: [...EXPORT_FORMATS],
      description: 'what the table holds: focus (FOCUS 1.0) or cur2 (CUR 2.0); default focus',
    }),
    'billing-account': Flags.string({description: 'the payer account id whose rows are read and replaced'}),
    workgroup: Flags.string({description: 'Athena workgroup (default: primary)'}),
    'output-location': Flags.string({
      description: "s3:// location for Athena's query results (default: the workgroup's)",
    }),
    profile: Flags.string({description: 'named profile from ~/.aws/config (default: the default credential chain)'}),
    region: Flags.string({description: "Athena's region (default: AWS_REGION, else us-east-1)"}),
    endpoint: endpointFlag,
    ...outputFlags(['collect-athena']),
  }

  async run(): Promise<{sources: AthenaRunSummary[]}> {
    const {flags} = await this.parse(CollectAthena)
    const {config} = this.finopsConfig(flags.config)
    const progress = progressDisplay(process.stderr, this.jsonEnabled(), 'requests')
    const settings = {...runSettings(config, flags), onRequest: countRequests(progress, 'Athena')}
    let entries: AthenaSourceConfig[]
    if (flags.table) {
      entries = [
        athenaEntry({
          table: flags.table,
          format: flags.format,
          billingAccount: flags['billing-account'],
          workgroup: flags.workgroup,
          outputLocation: flags['output-location'],
          profile: flags.profile,
          region: flags.region,
          endpoint: flags.endpoint,
        }),
      ]
    } else if (config.sources.athena?.length) entries = config.sources.athena
    else
      throw usageError(
        'no Athena table: pass --table and --billing-account, or list sources.athena in finops.yaml',
        'for example --table cid_data_export.focus --billing-account 123456789012',
      )
    const db = this.openStore(flags.db, flags.config)
    const sources: AthenaRunSummary[] = []
    try {
      for (const entry of entries) sources.push(await collectSource(db, 'athena', entry, settings))
    } finally {
      progress.stop()
    }
    await this.present('collect-athena', {sources})
    return {sources}
  }
}
