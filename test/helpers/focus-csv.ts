import fs from 'node:fs'

import {addDays} from '../../src/dates.js'
import type {DailyCostRow} from '../../src/model/cost.js'

const COLUMNS: readonly [string, (r: DailyCostRow) => string | number][] = [
  ['BilledCost', (r) => r.billedCost],
  ['EffectiveCost', (r) => r.effectiveCost],
  ['ListCost', (r) => r.listCost],
  ['BillingAccountId', (r) => r.billingAccountId],
  ['BillingCurrency', (r) => r.currency],
  ['BillingPeriodStart', (r) => `${r.billingPeriodStart} 00:00:00`],
  ['BillingPeriodEnd', (r) => `${nextMonth(r.billingPeriodStart)} 00:00:00`],
  ['ChargeCategory', (r) => r.chargeCategory],
  ['ChargeFrequency', (r) => r.chargeFrequency],
  ['ChargePeriodStart', (r) => `${r.day} 00:00:00`],
  ['ChargePeriodEnd', (r) => `${addDays(r.day, 1)} 00:00:00`],
  ['ProviderName', (r) => r.provider],
  ['RegionId', (r) => r.regionId],
  ['ServiceCategory', (r) => r.serviceCategory],
  ['ServiceName', (r) => r.serviceName],
]

function nextMonth(monthStart: string): string {
  const next = new Date(`${monthStart}T00:00:00Z`)
  next.setUTCMonth(next.getUTCMonth() + 1)
  return next.toISOString().slice(0, 10)
}

const cell = (v: string | number): string =>
  typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(6)) : `"${v.replace(/"/g, '""')}"`

/** Columns below the grain, written only when some row has them (the files of other tests stay as they were). */
const DETAIL_COLUMNS: readonly [string, (r: DailyCostRow) => string | number][] = [
  ['SkuId', (r) => r.usageType ?? ''],
  ['ChargeDescription', (r) => r.usageTypeLabel ?? ''],
  ['ResourceId', (r) => r.resourceId ?? ''],
  ['ResourceName', (r) => r.resourceName ?? ''],
  ['Tags', (r) => (Object.keys(r.tags).length > 0 ? JSON.stringify(r.tags) : '')],
]

/** Writes daily cost rows as a FOCUS 1.0 CSV, for tests that import through `finops collect focus` as users do. */
export function writeFocusCsv(file: string, rows: readonly DailyCostRow[]): void {
  const columns = rows.some((r) => r.usageType !== undefined || r.resourceId !== undefined)
    ? [...COLUMNS, ...DETAIL_COLUMNS]
    : COLUMNS
  const lines = [columns.map(([name]) => name).join(',')]
  for (const r of rows) lines.push(columns.map(([, value]) => cell(value(r))).join(','))
  fs.writeFileSync(file, `${lines.join('\n')}\n`)
}
