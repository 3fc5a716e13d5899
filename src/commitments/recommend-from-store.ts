import {type CommitmentScopeInput, DEFAULT_COMMITMENT_SETTINGS} from '../../recommenders/commitment/recommend.js'
import {type ConfiguredRate, scopeRates, type ScopeRates} from '../../recommenders/commitment/rates.js'
import type {CommitmentRecommendReport, CommitmentScope} from '../../recommenders/commitment/schema.js'
import {type BillKind, recommenderRegistry} from '../../recommenders/registry.js'
import type {CommitmentsConfig} from '../config/sections/commitments.js'
import {addDays} from '../dates.js'
import {roundMoney} from '../money.js'
import {iterateCommitmentUsageHours} from '../store/commitment-usage.js'
import type {Db} from '../store/open.js'
import {listRecommendations} from '../store/recommendations.js'
import {commitmentDataDays, noCommitmentData} from './from-store.js'
import {commitmentScopeInput, HISTORY_DAYS} from './scope-input.js'
import {isUncovered, onDemandEquivalent} from './usage.js'

export interface BillRecommendOptions {
  kinds: readonly BillKind[]
  now: Date
  config: CommitmentsConfig
  /** The finops.yaml the configured rates come from. */
  configFile?: string
  /** Drop scopes whose best option saves less than this per month. */
  minSavings?: number
}

const scopeKey = (s: CommitmentScope): string =>
  [s.provider, s.billingAccountId, s.serviceCategory, s.serviceName, s.regionId, s.currency].join('\u0000')

/** The configured rates, each saying which entry of which file it is. */
export function configuredRates(config: CommitmentsConfig, file = 'finops.yaml'): ConfiguredRate[] {
  return config.rates.map((r, i) => ({
    ...r,
    source: `${file} commitments.rates[${i}] (${[r.provider, r.service].filter(Boolean).join(', ')})${r.source ? `: ${r.source}` : ''}`,
  }))
}

/**
 * The kinds sized on the bill (`recommend --kind commitment`): per eligible scope (provider,
 * billing account, service, region, currency), the hourly uncovered on-demand-equivalent spend of
 * the last weeks from the store, the forecasters' forecast of it, the pending rightsizing/spot
 * savings and the rates; each kind's pure recommender sizes the options.
 */
export function recommendBillFromStore(db: Db, options: BillRecommendOptions): CommitmentRecommendReport {
  const data = commitmentDataDays(db)
  if (!data) throw noCommitmentData()
  const scopes = scopeInputs(db, data, options)
  const report: CommitmentRecommendReport = {
    kind: 'commitment',
    generatedAt: options.now.toISOString(),
    recommendations: [],
    skipped: [],
    totalExpectedMonthlySavings: [],
  }
  const settings = {
    ...DEFAULT_COMMITMENT_SETTINGS,
    minHistoryDays: options.config.minHistoryDays,
    costOfCapital: options.config.costOfCapital,
  }
  for (const kind of options.kinds) {
    const result = recommenderRegistry[kind].recommend({scopes, settings})
    report.recommendations.push(...result.recommendations)
    report.skipped.push(...result.skipped)
  }
  const min = options.minSavings
  if (min !== undefined)
    report.recommendations = report.recommendations.filter((r) => (r.best?.expectedMonthlySavings ?? 0) >= min)
  const totals = new Map<string, number>()
  for (const r of report.recommendations)
    if (r.best) totals.set(r.scope.currency, (totals.get(r.scope.currency) ?? 0) + r.best.expectedMonthlySavings)
  report.totalExpectedMonthlySavings = [...totals]
    .sort()
    .map(([currency, amount]) => ({currency, amount: roundMoney(amount)}))
  return report
}

/** Each scope's hourly uncovered spend, its forecast, pending reductions and rates. */
function scopeInputs(db: Db, data: {from: string; to: string}, options: BillRecommendOptions): CommitmentScopeInput[] {
  const from = addDays(data.to, -(HISTORY_DAYS - 1)) > data.from ? addDays(data.to, -(HISTORY_DAYS - 1)) : data.from
  const firstHour = Date.parse(`${from}T00:00:00Z`) / 3_600_000
  const hours = Date.parse(`${data.to}T00:00:00Z`) / 3_600_000 + 24 - firstHour
  const configured = configuredRates(options.config, options.configFile)
  // Ineligible scopes (a control-plane fee, say) are listed with their reason but never accumulated.
  const scopes = new Map<string, {scope: CommitmentScope; rates: ScopeRates; hourly: Float64Array}>()
  for (const row of iterateCommitmentUsageHours(db, {from, to: data.to})) {
    if (!isUncovered(row) && row.commitmentId === '') continue
    const scope: CommitmentScope = {
      provider: row.provider,
      billingAccountId: row.billingAccountId,
      serviceCategory: row.serviceCategory,
      serviceName: row.serviceName,
      regionId: row.regionId,
      currency: row.currency,
    }
    const key = scopeKey(scope)
    let entry = scopes.get(key)
    if (!entry) {
      const rates = scopeRates(scope.provider, scope.serviceName, configured)
      entry = {scope, rates, hourly: new Float64Array('rates' in rates ? hours : 0)}
      scopes.set(key, entry)
    }
    // Only usage no commitment covers is there to commit; a scope fully covered is listed with nothing to commit.
    if (!isUncovered(row) || !('rates' in entry.rates)) continue
    const amount = onDemandEquivalent(row) / row.spanHours
    for (let h = 0; h < row.spanHours; h++) {
      const i = row.hour + h - firstHour
      if (i >= 0 && i < hours) entry.hourly[i]! += amount
    }
  }
  const pending = pendingComputeSavings(db)
  const computeSpend = [...scopes.values()]
    .filter((s) => s.scope.serviceCategory === 'Compute')
    .reduce((t, s) => t + s.hourly.reduce((a, v) => a + v, 0), 0)
  const inputs: CommitmentScopeInput[] = []
  for (const {scope, rates, hourly} of [...scopes.values()].sort((a, b) =>
    scopeKey(a.scope).localeCompare(scopeKey(b.scope)),
  )) {
    if (!('rates' in rates)) {
      inputs.push({
        scope,
        hourly: [],
        history: {from, to: data.to},
        forecast: {skipped: true, reason: 'not commitment-eligible'},
        pendingMonthlyReduction: 0,
        program: rates,
        rates: [],
      })
      continue
    }
    const scopeSpend = hourly.reduce((a, v) => a + v, 0)
    const share = scope.serviceCategory === 'Compute' && computeSpend > 0 ? scopeSpend / computeSpend : 0
    inputs.push(
      commitmentScopeInput({
        scope,
        hourly,
        from,
        to: data.to,
        level: options.config.level,
        pendingMonthlyReduction: (pending.get(scope.currency) ?? 0) * share,
        program: rates.program,
        rates: rates.rates,
      }),
    )
  }
  return inputs
}

/**
 * Monthly savings of the stored rightsizing and spot recommendations not yet applied, per
 * currency: they shrink compute before a commitment is sized on it. Which compute scope a cluster
 * runs in is not in the bill, so the savings are spread over compute scopes by their spend.
 */
function pendingComputeSavings(db: Db): Map<string, number> {
  const out = new Map<string, number>()
  for (const r of listRecommendations(db, {kinds: ['rightsize', 'spot']}))
    if (r.monthlySavings > 0) out.set(r.currency, (out.get(r.currency) ?? 0) + r.monthlySavings)
  return out
}
