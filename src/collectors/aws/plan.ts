import type {Expression, GroupDefinition} from '@aws-sdk/client-cost-explorer'

import {USAGE_RECORD_TYPES} from './record-types.js'

/** An extra grouping asked for on top of service and account: REGION or one cost allocation tag. */
export type AwsExtraGroup = {kind: 'region'} | {kind: 'tag'; key: string}

/** One planned GetCostAndUsage call (before paging). */
export interface AwsCall {
  /** What the call fetches, for messages: `usage`, `usage account 1234`, `other charges`. */
  label: string
  groupBy: GroupDefinition[]
  filter: Expression
  /** Set when the call is filtered to one linked account (the extra-group fan-out). */
  linkedAccount?: string
}

const usageFilter: Expression = {Dimensions: {Key: 'RECORD_TYPE', Values: [...USAGE_RECORD_TYPES]}}
const dim = (Key: 'LINKED_ACCOUNT' | 'SERVICE' | 'RECORD_TYPE' | 'REGION' | 'USAGE_TYPE'): GroupDefinition => ({
  Type: 'DIMENSION',
  Key,
})

/**
 * The fewest GetCostAndUsage calls that fill the grain, given Cost Explorer's limit of two GroupBy
 * keys per call. Default: two calls (usage by account x service; other charges by account x record
 * type). With a region or tag grouping, usage is fetched per linked account (service x extra, one
 * call each, after one GetDimensionValues to list the accounts) and other charges stay one call.
 */
export function planAwsCalls(extra?: AwsExtraGroup, linkedAccounts: readonly string[] = []): AwsCall[] {
  const other: AwsCall = {
    label: 'other charges',
    groupBy: [dim('LINKED_ACCOUNT'), dim('RECORD_TYPE')],
    filter: {Not: usageFilter},
  }
  if (!extra) return [{label: 'usage', groupBy: [dim('LINKED_ACCOUNT'), dim('SERVICE')], filter: usageFilter}, other]
  const extraGroup: GroupDefinition = extra.kind === 'region' ? dim('REGION') : {Type: 'TAG', Key: extra.key}
  return [
    ...linkedAccounts.map((account): AwsCall => ({
      label: `usage account ${account}`,
      groupBy: [dim('SERVICE'), extraGroup],
      linkedAccount: account,
      filter: {And: [usageFilter, {Dimensions: {Key: 'LINKED_ACCOUNT', Values: [account]}}]},
    })),
    other,
  ]
}

/**
 * The usage-type calls for root causes, over the same window and filter as usage: by service x
 * usage type, and (when more than one linked account has usage) by account x usage type, which
 * crossUsageTypes combines. One or two calls before paging, whatever the number of accounts.
 */
export function planUsageTypeCalls(accountsWithUsage: number): AwsCall[] {
  return [
    {label: 'usage types by service', groupBy: [dim('SERVICE'), dim('USAGE_TYPE')], filter: usageFilter},
    ...(accountsWithUsage > 1
      ? [{label: 'usage types by account', groupBy: [dim('LINKED_ACCOUNT'), dim('USAGE_TYPE')], filter: usageFilter}]
      : []),
  ]
}
