import {Flags} from '@oclif/core'

import type {FinopsConfig} from '../config/index.js'
import {parseDay, WINDOW_END, WINDOW_START} from '../dates.js'
import {usageError} from '../errors.js'
import type {CollectSummary} from './cloud-collect.js'
import type {CatalogSummary} from './gcp/catalog.js'
import type {RunSettings} from './registry.js'

/** Flags every cloud collect command shares: the window and the restatement override. */
export const windowFlags = {
  from: Flags.string({
    description: 'first day to collect (YYYY-MM-DD); default: the watermark minus the restatement window',
  }),
  to: Flags.string({description: 'last day to collect (YYYY-MM-DD); default: yesterday (UTC)'}),
  'restatement-days': Flags.integer({
    min: 0,
    max: 60,
    description: 'days before the watermark re-collected (default: sources.restatementDays, 3)',
  }),
}

/** Hidden: points the SDK at another endpoint (private endpoints, sovereign clouds, the test servers). */
export const endpointFlag = Flags.string({hidden: true, description: 'API endpoint override'})

export const groupByFlag = Flags.string({description: 'extra grouping beyond service and account: region or tag:<key>'})

export function checkGroupBy(value: string | undefined): string | undefined {
  if (value !== undefined && !/^(region|tag:.+)$/.test(value))
    throw usageError(`--group-by ${value}: expected region or tag:<key>`, 'for example --group-by tag:team')
  return value
}

/** Run settings from `sources:` in finops.yaml, overridden by flags. */
export function runSettings(
  config: FinopsConfig,
  flags: {from?: string; to?: string; 'restatement-days'?: number},
): RunSettings {
  return {
    restatementDays: flags['restatement-days'] ?? config.sources.restatementDays,
    initialDays: config.sources.initialDays,
    retry: config.sources.retry,
    from: flags.from ? parseDay(flags.from, WINDOW_START) : undefined,
    to: flags.to ? parseDay(flags.to, WINDOW_END) : undefined,
  }
}

const money = (n: number): string => n.toLocaleString('en-US', {minimumFractionDigits: 2, maximumFractionDigits: 2})

/** One line per collected source, the request count first: Cost Explorer bills each request. */
export function describeCollect(s: CollectSummary): string {
  const totals =
    s.totals.length === 0
      ? 'no cost in the window'
      : s.totals
          .map((t) => `${t.currency} ${money(t.billedCost)} billed, ${money(t.effectiveCost)} effective`)
          .join('; ')
  return (
    `${s.provider} ${s.billingAccountId}: ${s.window.from} to ${s.window.to} in ${s.requests} API request${s.requests === 1 ? '' : 's'}` +
    `${s.retries > 0 ? ` (${s.retries} retried)` : ''}, ${s.rollupRows} daily rows, ${totals}; watermark ${s.watermark.after}` +
    ` (settled through ${s.watermark.finalThrough})`
  )
}

export function describeCatalog(c: CatalogSummary): string {
  return (
    c.services.map((s) => `${s.serviceName}: ${s.prices} prices from ${s.skus} SKUs (${s.spotSkus} Spot)`).join('; ') +
    ` in ${c.requests} API request${c.requests === 1 ? '' : 's'}`
  )
}
