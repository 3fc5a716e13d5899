import {formatAmount} from '../money.js'
import type {CollectSummary} from './cloud-collect.js'
import type {CatalogSummary} from './gcp/catalog.js'

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`

/** One line per collected cloud source, the request count first: Cost Explorer bills each request. */
export function describeCollect(s: CollectSummary): string {
  const totals =
    s.totals.length === 0
      ? 'no cost in the window'
      : s.totals
          .map((t) => `${t.currency} ${formatAmount(t.billedCost)} billed, ${formatAmount(t.effectiveCost)} effective`)
          .join('; ')
  return (
    `${s.provider} ${s.billingAccountId}: ${s.window.from} to ${s.window.to} in ${plural(s.requests, 'API request')}` +
    `${s.retries > 0 ? ` (${s.retries} retried)` : ''}, ${s.rollupRows} daily rows, ${totals}; watermark ${s.watermark.after}` +
    ` (settled through ${s.watermark.finalThrough})` +
    `; for root causes: ${plural(s.details.usageTypes, 'usage type')}, ${plural(s.details.resources, 'resource')}` +
    s.details.missing.map((m) => `; ${m}`).join('')
  )
}

/** One line for a price-catalog refresh. */
export function describeCatalog(c: CatalogSummary): string {
  return (
    c.services.map((s) => `${s.serviceName}: ${s.prices} prices from ${s.skus} SKUs (${s.spotSkus} Spot)`).join('; ') +
    ` in ${plural(c.requests, 'API request')}`
  )
}
