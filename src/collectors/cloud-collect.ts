import type {z} from 'zod'

import {addDays, today as todayUtc} from '../dates.js'
import {isFinopsError, storeError} from '../errors.js'
import type {DailyCostRow} from '../model/cost.js'
import {replaceCollectedWindow} from '../store/collected-window.js'
import type {Db} from '../store/open.js'
import {getWatermark} from '../store/watermarks.js'
import {type CollectWindow, planWindow, type WindowSettings} from './cloud-window.js'
import {RequestCounter, type RequestListener} from './cloud-retry.js'
import type {collectSummarySchema} from './schemas.js'
import {roundMoney} from '../money.js'
import {attachDetails, type FetchedDetail} from './cloud-details.js'
import type {FetchedCommitmentTerm, FetchedCommitmentUsage} from './cloud-commitments.js'
import type {DayCommitmentUsage} from '../store/cost-writer.js'

/**
 * One cloud billing source at one scope. `fetchDays` asks the provider for the window's daily cost,
 * aggregated server-side, and returns rows at the cost_daily grain.
 */
export interface CostFetcher {
  /** cost_daily.source: aws-ce, azure, gcp. */
  source: string
  /** FOCUS ProviderName written on every row. */
  provider: string
  /** The BillingAccountId every row carries; with source and provider it is the replace scope. */
  billingAccountId: string
  /** Where the data came from, for the imports log and the watermark key; never a credential. */
  location: string
  fetchDays: (window: CollectWindow, counter: RequestCounter) => Promise<FetchedDays>
}

/** A fetcher's answer: the rows, and the first day the provider itself still calls estimated. */
export interface FetchedDays {
  rows: DailyCostRow[]
  /** From here on the provider may still restate (AWS `Estimated`), so these days are not settled. */
  estimatedFrom?: string
  /** Usage types and resources of the same window, for explaining changes (root causes). */
  details?: FetchedDetail[]
  /** What the source could not give below the grain, and why (one line each). */
  detailsMissing?: string[]
  /** Days of commitment usage (eligible, covered and unused spend, fees) of the same window, for `commitments status`. */
  commitments?: FetchedCommitmentUsage[]
  /** What the source states about each commitment (end date, hourly commitment, fees), for `commitments status`. */
  terms?: FetchedCommitmentTerm[]
}

export interface CollectOptions extends WindowSettings {
  from?: string
  to?: string
  /** "Today" (UTC); FINOPS_NOW pins it. */
  today?: string
  /** Hears of every request sent (pages and retries), for a progress display. */
  onRequest?: RequestListener
}

/** What collecting one cloud source returned (its `--json` contract). */
export type CollectSummary = z.output<typeof collectSummarySchema>
export type CurrencyTotal = CollectSummary['totals'][number]

/**
 * Collects one source incrementally: plans the window from its watermark, fetches it, then in one
 * transaction replaces exactly those days for this source and billing account and advances the
 * watermark. Any failure before the commit leaves both the store and the watermark as they were.
 */
export async function collectCloudCosts(
  db: Db,
  fetcher: CostFetcher,
  options: CollectOptions,
): Promise<CollectSummary> {
  const startedAt = new Date().toISOString()
  const before = getWatermark(db, fetcher.source, fetcher.location)
  const window = planWindow({
    today: options.today ?? todayUtc(),
    watermark: before,
    from: options.from,
    to: options.to,
    settings: options,
  })
  const counter = new RequestCounter(options.onRequest)
  const {
    rows: fetched,
    estimatedFrom,
    details = [],
    detailsMissing = [],
    commitments = [],
    terms = [],
  } = await fetcher.fetchDays(window, counter)
  // A provider that marks days estimated (AWS until the invoice closes, days into the next month) knows better than the calendar.
  const finalThrough =
    estimatedFrom !== undefined && estimatedFrom <= window.finalThrough
      ? maxDay(addDays(estimatedFrom, -1), addDays(window.from, -1))
      : window.finalThrough
  // Rows outside the window would escape the delete scope and double-count on the next run.
  const rows = fetched
    .filter((r) => r.day >= window.from && r.day <= window.to)
    .map((r) => ({...r, provider: fetcher.provider, billingAccountId: fetcher.billingAccountId}))
  // Written with the rows they explain and replaced with them, so a re-collect never adds them twice.
  const {attached} = attachDetails(
    rows,
    details.filter((d) => d.day >= window.from && d.day <= window.to),
  )

  let result: ReturnType<typeof replaceCollectedWindow>
  try {
    result = replaceCollectedWindow(
      db,
      [
        {
          kind: 'days',
          source: fetcher.source,
          provider: fetcher.provider,
          billingAccountId: fetcher.billingAccountId,
          from: window.from,
          to: window.to,
        },
      ],
      rows,
      {
        source: fetcher.source,
        location: fetcher.location,
        startedAt,
        rowsRead: fetched.length,
        rowsSkipped: fetched.length - rows.length,
      },
      {
        source: fetcher.source,
        scope: fetcher.location,
        collectedThrough: window.to,
        finalThrough,
        lastRunAt: new Date().toISOString(),
        lastRequests: counter.requests,
      },
      attached,
      commitments.filter((c) => c.day >= window.from && c.day <= window.to).map((c) => dayCommitmentUsage(c, fetcher)),
      terms.map((t) => ({...t, provider: fetcher.provider, billingAccountId: fetcher.billingAccountId})),
    )
  } catch (error) {
    throw storeWriteError(error, fetcher)
  }

  const after = getWatermark(db, fetcher.source, fetcher.location)!
  return {
    source: fetcher.source,
    provider: fetcher.provider,
    billingAccountId: fetcher.billingAccountId,
    location: fetcher.location,
    window: {from: window.from, to: window.to},
    requests: counter.requests,
    retries: counter.retries,
    rollupRows: result.rollupRows,
    commitmentRows: result.commitmentRows,
    totals: currencyTotals(rows),
    watermark: {before: before?.collectedThrough, after: after.collectedThrough, finalThrough: after.finalThrough},
    importId: result.importId,
    details: {
      usageTypes: new Set(attached.filter((d) => d.kind === 'usage-type' && d.value !== '').map((d) => d.value)).size,
      resources: new Set(attached.filter((d) => d.kind === 'resource' && d.value !== '').map((d) => d.value)).size,
      missing: detailsMissing,
    },
  }
}

export function currencyTotals(rows: readonly DailyCostRow[]): CurrencyTotal[] {
  const by = new Map<string, CurrencyTotal>()
  for (const r of rows) {
    const t = by.get(r.currency) ?? {currency: r.currency, billedCost: 0, effectiveCost: 0}
    t.billedCost += r.billedCost
    t.effectiveCost += r.effectiveCost
    by.set(r.currency, t)
  }
  return [...by.values()]
    .map((t) => ({...t, billedCost: roundMoney(t.billedCost), effectiveCost: roundMoney(t.effectiveCost)}))
    .sort((a, b) => a.currency.localeCompare(b.currency))
}

/** A fetched day of commitment usage as the store writes it: on the grain key of this source's scope. */
function dayCommitmentUsage(c: FetchedCommitmentUsage, fetcher: CostFetcher): DayCommitmentUsage {
  const {pricingCategory, commitmentId, commitmentStatus, commitmentCategory, commitmentType, ...grain} = c
  return {
    row: {...grain, provider: fetcher.provider, billingAccountId: fetcher.billingAccountId, tags: {}},
    usage: {pricingCategory, commitmentId, commitmentStatus, commitmentCategory, commitmentType},
  }
}

const maxDay = (a: string, b: string): string => (a > b ? a : b)

/**
 * SQLite refusing the write (another process holding the store past the busy timeout, a full
 * disk) is a store problem, not a bug: exit `store` with one line, so `collect all` still runs
 * the other sources. The transaction rolled back, so rows and watermark are as they were.
 */
function storeWriteError(error: unknown, fetcher: CostFetcher): unknown {
  const code = (error as {code?: unknown})?.code
  if (isFinopsError(error) || typeof code !== 'string' || !code.startsWith('SQLITE_')) return error
  const why =
    code === 'SQLITE_BUSY'
      ? 'the store is locked by another process'
      : code === 'SQLITE_FULL'
        ? 'the disk is full'
        : code === 'SQLITE_READONLY'
          ? 'the store is read-only'
          : `${code}: ${(error as Error).message}`
  return storeError(
    `cannot write ${fetcher.provider} costs for ${fetcher.location} to the store: ${why}`,
    'nothing was written and the watermark is unchanged; run it again when the store is free',
    error,
  )
}
