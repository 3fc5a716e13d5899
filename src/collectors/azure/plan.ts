/** An extra grouping asked for: the resource location (region) or one tag key. */
export type AzureExtraGroup = {kind: 'region'} | {kind: 'tag'; key: string}

export interface AzureGrouping {
  type: 'Dimension' | 'TagKey'
  name: string
}

export interface AzureQueryFilter {
  dimensions?: {name: string; operator: 'In'; values: string[]}
  not?: AzureQueryFilter
}

/** One planned Query call (before nextLink paging); each runs once for ActualCost and once for AmortizedCost. */
export interface AzureCall {
  label: string
  grouping: AzureGrouping[]
  filter: AzureQueryFilter
}

/** The cost types fetched: ActualCost fills BilledCost, AmortizedCost fills EffectiveCost. */
export const AZURE_COST_TYPES = ['ActualCost', 'AmortizedCost'] as const
export type AzureCostType = (typeof AZURE_COST_TYPES)[number]

/** True for a subscription or resource-group scope, where the subscription is known from the scope. */
export const subscriptionOfScope = (scope: string): string | undefined => /^\/?subscriptions\/([^/]+)/i.exec(scope)?.[1]

const usage: AzureQueryFilter = {dimensions: {name: 'ChargeType', operator: 'In', values: ['Usage']}}

/**
 * The Query API takes at most two groupings, so usage and other charges are separate calls:
 * usage by service x (location, tag, or subscription when the scope spans several), and other
 * charges (purchases, refunds, unused commitments) by charge type x (service, or subscription).
 * Two calls per cost type, four per run before paging.
 */
export function planAzureCalls(scope: string, extra?: AzureExtraGroup): AzureCall[] {
  const single = subscriptionOfScope(scope) !== undefined
  const second: AzureGrouping = extra?.kind === 'tag' ? {type: 'TagKey', name: extra.key}
    : extra?.kind === 'region' || single ? {type: 'Dimension', name: 'ResourceLocation'} : {type: 'Dimension', name: 'SubscriptionId'}
  return [
    {label: 'usage', grouping: [{type: 'Dimension', name: 'ServiceName'}, second], filter: usage},
    {label: 'other charges', grouping: [{type: 'Dimension', name: 'ChargeType'}, {type: 'Dimension', name: single ? 'ServiceName' : 'SubscriptionId'}], filter: {not: usage}},
  ]
}
