import {addDays} from '../../src/dates.js'
import type {DailyCostRow} from '../../src/model/cost.js'
import {replaceCosts} from '../../src/store/cost-writer.js'
import type {Db} from '../../src/store/open.js'
import {seeded} from './cost-data.js'

const SERVICES = [
  'Amazon Elastic Compute Cloud',
  'Amazon Simple Storage Service',
  'Amazon Relational Database Service',
  'AWS Lambda',
  'Amazon CloudFront',
  'Amazon DynamoDB',
  'Amazon Elastic Kubernetes Service',
  'Amazon ElastiCache',
  'Amazon Virtual Private Cloud',
  'AWS Data Transfer',
  'Amazon Managed Streaming for Apache Kafka',
  'Amazon OpenSearch Service',
]
const TAG_KEYS = [
  'team',
  'env',
  'app',
  'cost-center',
  'owner',
  'service',
  'component',
  'tier',
  'project',
  'region-group',
]

/**
 * Fills a store through its write path with a realistic bill: several accounts, a dozen services,
 * per-resource tag sets over ten tag keys, a year or more of days. `resources` per service and
 * account sets the size (about 1 KB of store per row once indexed).
 */
export function fillCostStore(
  db: Db,
  options: {accounts?: number; resources?: number; from?: string; days?: number; seed?: number} = {},
): {rows: number; from: string; to: string} {
  const accounts = Array.from({length: options.accounts ?? 3}, (_, i) => String(100000000000 + i * 111111111))
  const from = options.from ?? '2025-01-01'
  const to = addDays(from, (options.days ?? 365) - 1)
  const rand = seeded(options.seed ?? 11)
  const resources = options.resources ?? 4
  const rows: DailyCostRow[] = []
  for (let day = from; day <= to; day = addDays(day, 1))
    for (const account of accounts)
      for (const service of SERVICES)
        for (let r = 0; r < resources; r++) {
          const tags = Object.fromEntries(
            TAG_KEYS.map((key, k) => [key, `${key}-${(r * 7 + k * 3 + service.length) % (5 + k)}`]),
          )
          const cost = Math.round((5 + rand() * 200) * 100) / 100
          rows.push({
            day,
            billingPeriodStart: `${day.slice(0, 7)}-01`,
            provider: 'AWS',
            billingAccountId: accounts[0]!,
            subAccountId: account,
            serviceName: service,
            serviceCategory: 'Compute',
            regionId: ['us-east-1', 'eu-west-1', 'ap-southeast-2'][r % 3]!,
            chargeCategory: 'Usage',
            chargeFrequency: 'Usage-Based',
            currency: 'USD',
            tags,
            billedCost: cost,
            effectiveCost: Math.round(cost * 0.8 * 100) / 100,
            listCost: cost,
            contractedCost: cost,
          })
        }
  replaceCosts(
    db,
    [{kind: 'days', source: 'test-bill', provider: 'AWS', billingAccountId: accounts[0]!, from, to}],
    rows,
    {
      source: 'test-bill',
      location: 'generated',
      startedAt: new Date().toISOString(),
      rowsRead: rows.length,
      rowsSkipped: 0,
    },
  )
  return {rows: rows.length, from, to}
}
