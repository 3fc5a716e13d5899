import {
  type CostExplorerClient,
  type Expression,
  GetCostAndUsageWithResourcesCommand,
  type GetCostAndUsageWithResourcesCommandOutput,
  type GroupDefinition,
} from '@aws-sdk/client-cost-explorer'

import {addDays} from '../../dates.js'
import type {DailyCostRow} from '../../model/cost.js'
import type {FetchedDetail} from '../cloud-details.js'
import {followPages} from './paging.js'
import {USAGE_RECORD_TYPES} from './record-types.js'

/**
 * Cost Explorer answers GetCostAndUsageWithResources only for a start date at most 14 days ago; a
 * day's margin keeps a run that crosses midnight UTC from asking for a day it no longer serves.
 */
export const RESOURCE_DAYS = 13

/** Services resources are fetched for when the source does not say (largest usage first). */
export const DEFAULT_RESOURCE_SERVICES = 5

/** One planned GetCostAndUsageWithResources call (before paging): one service, its accounts split when several. */
export interface AwsResourceCall {
  service: string
  from: string
  /** Last day, inclusive. */
  to: string
  groupBy: GroupDefinition[]
  filter: Expression
  /** Set when the usage in the window is one linked account's: the resources are that account's. */
  linkedAccount?: string
}

const usageFilter: Expression = {Dimensions: {Key: 'RECORD_TYPE', Values: [...USAGE_RECORD_TYPES]}}
const RESOURCE_ID: GroupDefinition = {Type: 'DIMENSION', Key: 'RESOURCE_ID'}
const LINKED_ACCOUNT: GroupDefinition = {Type: 'DIMENSION', Key: 'LINKED_ACCOUNT'}

/**
 * The resource calls of one run: the part of the window Cost Explorer keeps resources for (the last
 * 14 days), one call per service, for the `maxServices` services with the most usage there (the API
 * requires a SERVICE filter, and each call costs USD 0.01). Empty when the window is older.
 */
export function planResourceCalls(
  rows: readonly DailyCostRow[],
  window: {from: string; to: string},
  today: string,
  maxServices: number,
): AwsResourceCall[] {
  const earliest = addDays(today, -RESOURCE_DAYS)
  const from = window.from > earliest ? window.from : earliest
  const to = window.to
  if (from > to) return []
  const usage = rows.filter((r) => r.chargeCategory === 'Usage' && r.day >= from && r.day <= to)
  const byService = new Map<string, number>()
  for (const r of usage) byService.set(r.serviceName, (byService.get(r.serviceName) ?? 0) + Math.abs(r.billedCost))
  const accounts = [...new Set(usage.map((r) => r.subAccountId))]
  return [...byService]
    .filter(([service, cost]) => service !== '' && cost > 0)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, maxServices)
    .map(([service]) => ({
      service,
      from,
      to,
      groupBy: accounts.length > 1 ? [LINKED_ACCOUNT, RESOURCE_ID] : [RESOURCE_ID],
      filter: {And: [usageFilter, {Dimensions: {Key: 'SERVICE', Values: [service]}}]},
      ...(accounts.length === 1 ? {linkedAccount: accounts[0]} : {}),
    }))
}

/** A resource page's groups as details of the call's service (and account); groups with no cost are dropped. */
export function toResourceDetails(
  page: GetCostAndUsageWithResourcesCommandOutput,
  call: AwsResourceCall,
): FetchedDetail[] {
  const byAccount = call.groupBy.length === 2
  const details: FetchedDetail[] = []
  for (const result of page.ResultsByTime ?? []) {
    const day = result.TimePeriod?.Start
    if (!day) continue
    for (const group of result.Groups ?? []) {
      const billedCost = Number(group.Metrics?.UnblendedCost?.Amount ?? 0)
      const effectiveCost = Number(group.Metrics?.AmortizedCost?.Amount ?? 0)
      if (billedCost === 0 && effectiveCost === 0) continue
      const account = byAccount ? group.Keys?.[0] : call.linkedAccount
      details.push({
        day,
        kind: 'resource',
        value: group.Keys?.[byAccount ? 1 : 0] ?? '',
        match: {serviceName: call.service, ...(account === undefined ? {} : {subAccountId: account})},
        billedCost,
        effectiveCost,
      })
    }
  }
  return details
}

/** Every page of one resource call, in order; `send` counts and retries each request. */
export async function* resourcePages(
  client: CostExplorerClient,
  call: AwsResourceCall,
  send: <T>(label: string, request: () => Promise<T>) => Promise<T>,
): AsyncGenerator<GetCostAndUsageWithResourcesCommandOutput> {
  yield* followPages(
    (token) =>
      send(`resources of ${call.service}`, () =>
        client.send(
          new GetCostAndUsageWithResourcesCommand({
            // Cost Explorer's End is exclusive.
            TimePeriod: {Start: call.from, End: addDays(call.to, 1)},
            Granularity: 'DAILY',
            Metrics: ['UnblendedCost', 'AmortizedCost'],
            GroupBy: call.groupBy,
            Filter: call.filter,
            ...(token ? {NextPageToken: token} : {}),
          }),
        ),
      ),
    (page) => page.NextPageToken,
  )
}
