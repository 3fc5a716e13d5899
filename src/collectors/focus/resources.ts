import {NANOS_PER_UNIT} from '../../store/amounts.js'
import type {CostWriter} from '../../store/cost-writer.js'
import type {ResourceCostScope, ResourceCostWriter} from '../../store/resource-costs.js'
import {dayText} from '../../store/day-numbers.js'
import type {ColumnMapping} from './columns.js'
import type {DuckDBSession} from './duckdb-session.js'
import {resourceQuery} from './resource-query.js'

/** What the importer resolved a grain's JSON text to. */
export interface ResourceGrain {
  keyId: number
  provider: string
  account: string
  currency: string
  /** ServiceCategory as stored on the key. */
  serviceCategory: string
}

export interface ResourceImport {
  session: DuckDBSession
  /** The relation the rows are read from (the staged files). */
  source: string
  mapping: ColumnMapping
  /** Hash partitions the query is split into (as the main query was, for the same memory budget). */
  partitions: number
  costs: CostWriter
  resources: ResourceCostWriter
  /** The billing periods this import replaces: their resource rows are deleted first, found or not. */
  scopes: readonly ResourceCostScope[]
  grainOf(dims: string): ResourceGrain
  /** Replaces the grain's billing period (as the main query's rows do) before its first row. */
  clearPeriod(grain: ResourceGrain, billingPeriod: number): void
  /** Thrown when an amount sum is beyond exact integers. */
  tooLarge(): Error
}

/**
 * Cost by resource from a FOCUS export: each grain key's largest resources per day into the cost
 * details (root cause by resource), and every Compute/Storage resource's day per unit into
 * cost_resource_daily (node and disk prices from the bill). Streams; nothing is held per resource.
 */
export async function importResources(job: ResourceImport): Promise<void> {
  for (const scope of job.scopes) job.resources.clear(scope)
  if (job.mapping.ResourceId === undefined) return
  const amounts = new Float64Array(8)
  for (let partition = 0; partition < job.partitions; partition++)
    await job.session.stream(
      resourceQuery(job.source, job.mapping, {index: partition, count: job.partitions}),
      (columns, count) => {
        const [dims, bps, days, resources, labels, tops, units, quantities] = columns as [
          string[],
          number[],
          number[],
          string[],
          (string | null)[],
          boolean[],
          (string | null)[],
          number[],
        ]
        const amountColumns = columns.slice(8, 16) as number[][]
        for (let i = 0; i < count; i++) {
          const grain = job.grainOf(dims[i]!)
          const bp = bps[i]!
          const day = days[i]!
          job.clearPeriod(grain, bp)
          for (let a = 0; a < 8; a++) amounts[a] = amountColumns[a]![i]!
          if (!amounts.every(Number.isSafeInteger)) throw job.tooLarge()
          const resource = resources[i]!
          const top = tops[i]!
          job.costs.insertDetail(
            grain.keyId,
            bp,
            day,
            'resource',
            top ? resource : '',
            top ? (labels[i] ?? '') : '',
            amounts,
          )
          const unit = units[i] ?? null
          if (unit === null || resource === '') continue
          job.resources.add({
            source: 'focus',
            provider: grain.provider,
            billingAccountId: grain.account,
            billingPeriodStart: dayText(bp),
            resourceId: resource,
            day: dayText(day),
            serviceCategory: grain.serviceCategory,
            unit,
            currency: grain.currency,
            quantity: quantities[i]!,
            billedCost: amounts[0]! + amounts[1]! / NANOS_PER_UNIT,
            effectiveCost: amounts[2]! + amounts[3]! / NANOS_PER_UNIT,
            listCost: amounts[4]! + amounts[5]! / NANOS_PER_UNIT,
          })
        }
      },
    )
}
