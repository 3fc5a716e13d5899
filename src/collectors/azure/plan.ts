/** An extra grouping asked for: the resource location (region) or one tag key. */
export type AzureExtraGroup = {kind: 'region'} | {kind: 'tag'; key: string}

export interface AzureGrouping {
  type: 'Dimension' | 'TagKey'
  name: string
}

/** The Query API's filter has `and`, `or`, `dimensions` and `tags` only (no `not`), and one operator, In. */
export interface AzureQueryFilter {
  dimensions?: {name: string; operator: 'In'; values: string[]}
}

/** One planned Query call (before nextLink paging); each runs once for ActualCost and once for AmortizedCost. */
export interface AzureCall {
  label: string
  grouping: AzureGrouping[]
  filter?: AzureQueryFilter
  /** Rows whose ChargeType is Usage are dropped: another call already fetched them at a finer grain. */
  skipUsage?: boolean
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
 * The filter cannot say "ChargeType is not Usage" and listing the other types would miss any new one,
 * so the second call is unfiltered and its Usage rows are dropped. Two calls per cost type, four per
 * run before paging.
 */
export function planAzureCalls(scope: string, extra?: AzureExtraGroup): AzureCall[] {
  const single = subscriptionOfScope(scope) !== undefined
  const second: AzureGrouping =
    extra?.kind === 'tag'
      ? {type: 'TagKey', name: extra.key}
      : extra?.kind === 'region' || single
        ? {type: 'Dimension', name: 'ResourceLocation'}
        : {type: 'Dimension', name: 'SubscriptionId'}
  return [
    {label: 'usage', grouping: [{type: 'Dimension', name: 'ServiceName'}, second], filter: usage},
    {
      label: 'other charges',
      grouping: [
        {type: 'Dimension', name: 'ChargeType'},
        {type: 'Dimension', name: single ? 'ServiceName' : 'SubscriptionId'},
      ],
      skipUsage: true,
    },
  ]
}

/**
 * The calls for root causes, over the same window and usage filter (each again for both cost types):
 * resources by ResourceId x ServiceName (the subscription is in the resource id), and meters by
 * ServiceName x Meter, plus SubscriptionId x Meter when the scope spans subscriptions (combined by
 * crossUsageTypes). Two or three calls per cost type before paging.
 */
export function planAzureDetailCalls(scope: string): AzureCall[] {
  const single = subscriptionOfScope(scope) !== undefined
  return [
    {
      label: 'resources',
      grouping: [
        {type: 'Dimension', name: 'ResourceId'},
        {type: 'Dimension', name: 'ServiceName'},
      ],
      filter: usage,
    },
    {
      label: 'meters by service',
      grouping: [
        {type: 'Dimension', name: 'ServiceName'},
        {type: 'Dimension', name: 'Meter'},
      ],
      filter: usage,
    },
    ...(single
      ? []
      : [
          {
            label: 'meters by subscription',
            grouping: [
              {type: 'Dimension', name: 'SubscriptionId'},
              {type: 'Dimension', name: 'Meter'},
            ] as AzureGrouping[],
            filter: usage,
          },
        ]),
  ]
}
