import type {z} from 'zod'

import {CloudCatalogClient, protos} from '@google-cloud/billing'

import {type Capacity, type PriceRow, replacePrices} from '../../store/prices.js'
import type {Db} from '../../store/open.js'
import {
  DEFAULT_RETRY,
  RequestCounter,
  type RequestListener,
  type RetryHooks,
  type RetryPolicy,
  withRetry,
} from '../cloud-retry.js'
import type {catalogSummarySchema} from '../schemas.js'
import type {GoogleAuth} from 'google-auth-library'

import {parseGcpEndpoint, resolvedGcpAuth} from './auth.js'
import {classifyGcpError, mapGcpError} from './errors.js'

type Sku = protos.google.cloud.billing.v1.ISku

/** Compute Engine's service id in the Cloud Billing Catalog: where the VM (and Spot VM) prices are. */
export const COMPUTE_ENGINE_SERVICE = 'services/6F81-5844-456A'

export interface CatalogOptions {
  /** Catalog services to price; default Compute Engine. */
  services?: string[]
  currency?: string
  endpoint?: string
  /** A fixed token (tests); otherwise GOOGLE_OAUTH_ACCESS_TOKEN, else Application Default Credentials. */
  accessToken?: string
  /** The project the credentials work in (the catalog needs none, but credential discovery may). */
  project?: string
  pageSize?: number
  retry?: RetryPolicy
  retryHooks?: RetryHooks
  /** Hears of every request sent (pages and retries), for a progress display. */
  onRequest?: RequestListener
}

/** What a catalog refresh returned (part of `collect gcp --json`). */
export type CatalogSummary = z.output<typeof catalogSummarySchema>

/** A Cloud Catalog client over REST (google-gax fallback): no gRPC needed, and it works through plain HTTP proxies. */
export function createCatalogClient(options: CatalogOptions, auth: GoogleAuth): CloudCatalogClient {
  const endpoint = options.endpoint ? parseGcpEndpoint(options.endpoint) : undefined
  return new CloudCatalogClient({
    fallback: true,
    ...(endpoint ? {apiEndpoint: endpoint.host, port: endpoint.port, protocol: endpoint.protocol} : {}),
    // google-gax pins its own copy of google-auth-library; the GoogleAuth API is the same.
    authClient: auth as never,
  })
}

/**
 * Fetches the services' SKUs (listSkus, paged) and replaces their stored prices, one row per SKU
 * and region, Preemptible (Spot) SKUs included so spotPriceRatio can pair them with on-demand.
 * Each service is replaced in its own transaction once all its pages arrived.
 */
export async function collectCatalogPrices(db: Db, options: CatalogOptions): Promise<CatalogSummary> {
  const auth = await resolvedGcpAuth({accessToken: options.accessToken, projectId: options.project}).catch(
    (error: unknown) => {
      throw mapGcpError(error, 'Cloud Billing Catalog')
    },
  )
  const client = createCatalogClient(options, auth)
  const counter = new RequestCounter(options.onRequest)
  const retry = options.retry ?? DEFAULT_RETRY
  const summary: CatalogSummary = {services: [], requests: 0, retries: 0}
  try {
    for (const service of options.services ?? [COMPUTE_ENGINE_SERVICE]) {
      const skus: Sku[] = []
      let pageToken = ''
      do {
        const request = {
          parent: service,
          currencyCode: options.currency ?? 'USD',
          pageSize: options.pageSize ?? 5000,
          pageToken,
        }
        const [page, next] = await withRetry(
          `Cloud Billing Catalog ${service}`,
          () => client.listSkus(request, {autoPaginate: false}),
          classifyGcpError,
          retry,
          counter,
          options.retryHooks,
        ).catch((error: unknown) => {
          throw mapGcpError(error, `Cloud Billing Catalog ${service}`)
        })
        skus.push(...page)
        pageToken = next?.pageToken ?? ''
      } while (pageToken)
      const rows = skus.flatMap(skuPrices)
      const serviceName = rows[0]?.serviceName ?? skus[0]?.category?.serviceDisplayName ?? service
      replacePrices(db, 'Google Cloud', serviceName, rows)
      summary.services.push({
        service,
        serviceName,
        skus: skus.length,
        prices: rows.length,
        spotSkus: skus.filter((s) => capacityOf(s.category?.usageType) === 'spot').length,
      })
    }
  } finally {
    await client.close()
  }
  summary.requests = counter.requests
  summary.retries = counter.retries
  return summary
}

export function capacityOf(usageType: string | null | undefined): Capacity {
  if (usageType === 'OnDemand') return 'on-demand'
  if (usageType === 'Preemptible') return 'spot'
  if (usageType && /^Commit/i.test(usageType)) return 'commitment'
  return 'other'
}

/** The description with the spot words removed: "Spot Preemptible N2 Instance Core running in Americas" -> "n2 instance core running in americas". */
export const familyKeyOf = (description: string): string =>
  description
    .toLowerCase()
    .replace(/\b(spot|preemptible)\b/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()

const money = (m: {units?: unknown; nanos?: number | null} | null | undefined): number =>
  Number(String(m?.units ?? 0)) + Number(m?.nanos ?? 0) / 1e9

function isoOf(t: {seconds?: unknown; nanos?: number | null} | string | null | undefined): string {
  if (!t) return ''
  if (typeof t === 'string') return t
  const seconds = Number(String(t.seconds ?? 0))
  return Number.isFinite(seconds) && seconds > 0 ? new Date(seconds * 1000).toISOString() : ''
}

/** One price row per region the SKU is sold in, at its first paid tier. */
export function skuPrices(sku: Sku): PriceRow[] {
  const info = sku.pricingInfo?.[0]
  const expr = info?.pricingExpression
  const rates = expr?.tieredRates ?? []
  const paid = rates.find((r) => money(r.unitPrice) > 0) ?? rates[0]
  if (!sku.skuId || !paid) return []
  const regions = (sku.serviceRegions ?? []).length > 0 ? sku.serviceRegions! : ['global']
  const description = sku.description ?? ''
  return regions.map((region) => ({
    provider: 'Google Cloud',
    serviceName: sku.category?.serviceDisplayName ?? '',
    skuId: sku.skuId!,
    region,
    description,
    resourceFamily: sku.category?.resourceFamily ?? '',
    resourceGroup: sku.category?.resourceGroup ?? '',
    usageType: sku.category?.usageType ?? '',
    capacity: capacityOf(sku.category?.usageType),
    familyKey: familyKeyOf(description),
    unit: expr?.usageUnit ?? '',
    unitPrice: money(paid.unitPrice),
    currency: paid.unitPrice?.currencyCode ?? 'USD',
    effectiveTime: isoOf(info?.effectiveTime as never),
  }))
}
