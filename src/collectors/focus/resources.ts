import {NANOS_PER_UNIT} from '../../store/amounts.js'
import type {CostWriter} from '../../store/cost-writer.js'
import type {ResourceCostWriter} from '../../store/resource-costs.js'
import {dayText} from '../../store/day-numbers.js'

/** What the importer resolved a grain's JSON text to. */
export interface ResourceGrain {
  keyId: number
  provider: string
  account: string
  currency: string
  /** ServiceCategory as stored on the key. */
  serviceCategory: string
}

/** One row of the import query's resource rollup (RESOURCE_ROLLUP), its grain resolved. */
export interface ResourceGroup {
  grain: ResourceGrain
  billingPeriod: number
  day: number
  /** ResourceId; '' for the rest of the key's day beyond the kept resources. */
  resource: string
  label: string
  /** One of the key's day's largest resources (kept by name in the cost details). */
  top: boolean
  /** The unit a Compute/Storage resource is priced in; null for other categories. */
  unit: string | null
  quantity: number
  /** Exact integer units and nanos, AMOUNT_SQL_COLUMNS order. */
  amounts: ArrayLike<number>
}

/**
 * Cost by resource from a FOCUS export: each grain key's largest resources per day into the cost
 * details (root cause by resource, the rest under ''), and every Compute/Storage resource's day per
 * unit into cost_resource_daily (node and disk prices from the bill). One group at a time: the import
 * streams them, nothing is held per resource.
 */
export function writeResourceGroup(costs: CostWriter, resources: ResourceCostWriter, group: ResourceGroup): void {
  const {grain, amounts} = group
  costs.insertDetail(
    grain.keyId,
    group.billingPeriod,
    group.day,
    'resource',
    group.top ? group.resource : '',
    group.top ? group.label : '',
    amounts,
  )
  if (group.unit === null || group.resource === '') return
  resources.add({
    source: 'focus',
    provider: grain.provider,
    billingAccountId: grain.account,
    billingPeriodStart: dayText(group.billingPeriod),
    resourceId: group.resource,
    day: dayText(group.day),
    serviceCategory: grain.serviceCategory,
    unit: group.unit,
    currency: grain.currency,
    quantity: group.quantity,
    billedCost: amounts[0]! + amounts[1]! / NANOS_PER_UNIT,
    effectiveCost: amounts[2]! + amounts[3]! / NANOS_PER_UNIT,
    listCost: amounts[4]! + amounts[5]! / NANOS_PER_UNIT,
  })
}
